"""The Markdown renderer: what people write is formatted, and nothing they write can run."""

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tadamun.core.markdown import ALLOWED_TAGS, extract_mentions, plain_text, render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "[x](vbscript:msgbox(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>*{display:none}</style>",
    '[a](http://x.example "title" onmouseover="alert(1)")',
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<details open ontoggle=alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def active_markup(html: str) -> list[str]:
    """What in `html` a browser would run or load: tags beyond the allow-list, event handlers,
    style attributes, links with other schemes than http(s)/mailto/relative."""
    parser = _Elements()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "src", "srcset", "formaction"}:
                found.append(f"{tag}@{name}")
            if name == "href" and not re.match(r"^(https?:|mailto:|/|#)", value or ""):
                found.append(f"{tag}@href={value}")
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives_as_markup(payload):
    html = str(render_markdown(payload))
    assert active_markup(html) == [], html


def test_formatting_kept_and_blocks_directed():
    html = str(
        render_markdown(
            "# عنوان\n\n**bold** and *em*\n\n- one\n- two\n\n[link](https://example.org)"
        )
    )
    assert '<h1 dir="auto">عنوان</h1>' in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert '<li dir="auto">one</li>' in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html


def test_tables_carry_no_inline_style():
    html = str(render_markdown("| a | b |\n|:-|-:|\n| 1 | 2 |"))
    assert "<table" in html
    assert "style=" not in html


def test_mentions_resolved_only_by_the_resolver_and_never_in_code():
    def resolver(handle):
        return ("/people/amal/", "أمل") if handle == "amal" else None

    html = str(
        render_markdown(
            "hi @amal and @hidden, `@amal`, mail amal@example.org", resolve_mention=resolver
        )
    )
    assert html.count('class="mention"') == 1
    assert "@<bdi>أمل</bdi></a>" in html
    assert "@hidden" in html
    assert "/hidden" not in html
    assert "<code>@amal</code>" in html
    assert "amal@example.org" in html
    assert extract_mentions("hi @amal @سارة. `@code` @amal") == ["amal", "سارة"]


def test_plain_text_for_snippets():
    assert plain_text("# Title\n\nSome *text* with [a link](https://x.example).", limit=200) == (
        "Title Some text with a link."
    )
    assert plain_text("word " * 100, limit=20).endswith("…")


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>\"'=:;/()[]!`*_#@ ajvscriptonerolad&x\n")), max_size=80
    )
)
def test_any_text_renders_without_active_markup(text):
    assert active_markup(str(render_markdown(text))) == []
