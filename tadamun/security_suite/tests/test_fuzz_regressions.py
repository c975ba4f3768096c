"""The fuzzers' inputs replayed (`make fuzz`, fuzz/README): every file of the seed corpus
(fuzz/corpus/<target>/) and every crashing input the fuzzers saved (fuzz/crashes/<target>-*)
goes through the very check the atheris harness runs (security_suite/fuzz_targets.py): the
inbound mail parser and the Markdown renderer must neither raise nor produce anything a
browser could run. A crash fixed once stays fixed.

The checks themselves are tested too, on outputs known to be unsafe: a check that could not
fail would make the fuzzing worthless.
"""

import time
from pathlib import Path

import pytest

from tadamun.lists import parsing
from tadamun.security_suite import fuzz_targets
from tadamun.security_suite.fuzz_targets import FuzzFinding, unsafe_markup, url_scheme

FUZZ = Path(__file__).resolve().parents[3] / "fuzz"
SLOW_SECONDS = 10  # libFuzzer's -timeout in `make fuzz` is 30 s; the seeds take milliseconds


def inputs(target: str) -> list[Path]:
    seeds = sorted((FUZZ / "corpus" / target).iterdir())
    crashes = sorted((FUZZ / "crashes").glob(f"{target}-*"))
    return seeds + crashes


def test_every_seed_and_saved_crash_passes_its_check():
    replayed = {}
    started = time.monotonic()
    for target, check in fuzz_targets.TARGETS.items():
        files = inputs(target)
        assert len(files) >= 20, f"the seed corpus of {target} is missing"
        for path in files:
            begun = time.monotonic()
            check(path.read_bytes())
            elapsed = time.monotonic() - begun
            assert elapsed < SLOW_SECONDS, f"{path.name} took {elapsed:.1f} s"
        replayed[target] = len(files)
    crashes = len(list((FUZZ / "crashes").glob("*-*"))) if (FUZZ / "crashes").exists() else 0
    print(
        f"\nfuzz regressions: {replayed} inputs replayed ({crashes} saved crashes) "
        f"in {time.monotonic() - started:.1f} s"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>fine <a href='https://example.org'>x</a></p>", []),
        ("<a href='/relative'>x</a><a href='#top'>y</a><a href='mailto:a@b.org'>z</a>", []),
        ("<a href='java%EF%BF%BDscript:x'>relative, no scheme</a>", []),
        ("<a href='javascript:alert(1)'>x</a>", ["<a href='javascript:alert(1)'>"]),
        ("<a href=' \tJaVa\nScRiPt:alert(1)'>x</a>", ["<a href=' \\tJaVa\\nScRiPt:alert(1)'>"]),
        ("<a href='&#106;avascript:alert(1)'>x</a>", ["<a href='javascript:alert(1)'>"]),
        ("<a href='data:text/html,x'>x</a>", ["<a href='data:text/html,x'>"]),
        ("<p onclick='x()'>x</p>", ["<p onclick=>"]),
        ("<p style='x'>x</p>", ["<p style=>"]),
        ("<script>alert(1)</script>", ["<script", "<script>"]),
        ("<img src=x>", ["<img>", "<img src=>"]),
    ],
)
def test_the_html_check_sees_what_a_browser_would_run(html, expected):
    attributes = {"a": {"href"}, "*": {"dir"}}
    assert unsafe_markup(html, {"p", "a"}, attributes) == expected


def test_url_scheme_reads_urls_as_a_browser_does():
    assert url_scheme("https://x") == "https"
    assert url_scheme("\x00 JAVASCRIPT:x") == "javascript"
    assert url_scheme("jav\tascript:x") == "javascript"
    assert url_scheme("/path:with-colon") is None
    assert url_scheme("%6Aavascript:x") is None  # percent-encoding makes it a relative path


def test_the_mail_check_fails_on_a_parser_that_breaks_its_promise(monkeypatch):
    real = parsing.parse_message

    def header_injection(raw, **kwargs):
        parsed = real(raw, **kwargs)
        parsed.subject = "x\r\nBcc: all@example.org"
        return parsed

    monkeypatch.setattr(parsing, "parse_message", header_injection)
    with pytest.raises(FuzzFinding, match="subject"):
        fuzz_targets.check_inbound_mail(b"Subject: hello\r\n\r\nbody")

    def keeps_a_program(raw, **kwargs):
        parsed = real(raw, **kwargs)
        parsed.attachments.append(
            parsing.IncomingAttachment(
                filename="invoice.pdf.exe", content_type="application/pdf", data=b"MZ"
            )
        )
        return parsed

    monkeypatch.setattr(parsing, "parse_message", keeps_a_program)
    with pytest.raises(FuzzFinding, match="dangerous attachment"):
        fuzz_targets.check_inbound_mail(b"Subject: hello\r\n\r\nbody")


def test_the_markdown_check_fails_on_a_renderer_that_lets_markup_through(monkeypatch):
    from django.utils.safestring import mark_safe

    from tadamun.core import markdown

    monkeypatch.setattr(
        markdown, "render_markdown", lambda text, **kwargs: mark_safe(f"<p>{text}</p>")
    )
    with pytest.raises(FuzzFinding, match="unsafe Markdown HTML"):
        fuzz_targets.check_markdown(b"<img src=x onerror=alert(1)>")


def test_a_hostile_html_mail_is_shown_inert():
    raw = (
        b"From: a@example.org\r\nSubject: <script>alert(1)</script>\r\n"
        b"Content-Type: text/html\r\n\r\n"
        b"<p>see &lt;script&gt;alert(2)&lt;/script&gt; and javascript:alert(3) "
        b"<a href='javascript:alert(4)'>x</a> http://example.org/?a=<b>"
    )
    fuzz_targets.check_inbound_mail(raw)  # raises on anything unsafe
