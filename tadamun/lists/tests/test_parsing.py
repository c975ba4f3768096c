"""Reading received mail: charsets, encoded Arabic headers, HTML, attachments, hostile input."""

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from tadamun.lists import parsing
from tadamun.lists.tests.inbound_support import (
    ARABIC_BODY,
    ARABIC_FILENAME,
    ARABIC_SUBJECT,
    arabic_message,
)


def test_arabic_subject_body_filename_and_author():
    parsed = parsing.parse_message(arabic_message(sender="ahmed@example.org", to="x@y"))
    assert parsed.subject == ARABIC_SUBJECT
    assert parsed.body == ARABIC_BODY.strip()
    assert parsed.from_name == "أحمد العراقي"
    assert parsed.from_address == "ahmed@example.org"
    assert parsed.language == "ar"
    assert [a.filename for a in parsed.attachments] == [ARABIC_FILENAME]
    assert parsed.attachments[0].data == b"%PDF-1.4 report"
    assert parsed.message_id == "<arabic-1@example.org>"


def test_wrong_charset_label_falls_back_to_windows_1256():
    body = "مرحبا بالجميع".encode("cp1256")
    raw = (
        b"From: a@example.org\r\nSubject: =?x-unknown?Q?hi?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    )
    parsed = parsing.parse_message(raw)
    assert parsed.body == "مرحبا بالجميع"
    assert parsed.subject == "hi"


def test_raw_8bit_arabic_subject_and_unknown_charset():
    raw = "Subject: تحية\r\nFrom: a@example.org\r\n".encode() + (
        b"Content-Type: text/plain; charset=klingon\r\n\r\nhello\r\n"
    )
    parsed = parsing.parse_message(raw)
    assert parsed.subject == "تحية"
    assert parsed.body == "hello"


def test_html_only_mail_becomes_safe_text():
    raw = (
        b"From: a@example.org\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{}</style><script>alert('x')</script></head><body>"
        b"<p>First <b>line</b></p><p onclick='evil()'>Second<img src=x onerror=alert(1)></p>"
        b"<iframe src='javascript:alert(2)'></iframe><a href='javascript:alert(3)'>link</a>"
        b"</body></html>"
    )
    parsed = parsing.parse_message(raw)
    assert "First line" in parsed.body
    assert "Second" in parsed.body
    for unsafe in ("<", "alert", "onclick", "javascript", "p{}"):
        assert unsafe not in parsed.body


def test_plain_part_preferred_over_html():
    raw = (
        b"From: a@example.org\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b--\r\n"
    )
    assert parsing.parse_message(raw).body == "plain"


def test_dangerous_and_oversized_attachments_are_removed_and_noted():
    def part(name, content_type="application/octet-stream", data=b"MZ"):
        encoded = base64.b64encode(data).decode()
        return (
            f"--b\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="{name}"\r\n\r\n{encoded}\r\n'
        )

    raw = (
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        + part("tool.exe")
        + part("invoice.pdf.js")
        + part("page.html", "text/html", b"<script>x</script>")
        + part("image.png", "image/svg+xml", b"<svg onload=alert(1)>")
        + part("big.pdf", "application/pdf", b"x" * 200)
        + part("ok.pdf", "application/pdf", b"%PDF")
        + "--b--\r\n"
    ).encode()
    parsed = parsing.parse_message(raw, max_attachment_bytes=100)
    assert [a.filename for a in parsed.attachments] == ["ok.pdf"]
    assert parsed.removed == ["tool.exe", "invoice.pdf.js", "page.html", "image.png", "big.pdf"]
    assert "[attachment removed: tool.exe]" in parsed.body
    assert "[تمت إزالة المرفق: tool.exe]" in parsed.body
    assert parsed.body.startswith("see attached")
    kept_all = parsing.parse_message(raw, max_attachment_bytes=10_000, attachment_policy="keep")
    assert len(kept_all.attachments) == 6
    none = parsing.parse_message(raw, attachment_policy="strip_all")
    assert none.attachments == []


def test_header_injection_is_flattened():
    raw = (
        b"From: a@example.org\r\nSubject: =?utf-8?Q?hi=0D=0ABcc:_victim@example.org=00?=\r\n"
        b"Message-ID: <ok@example.org>\r\n\r\nbody"
    )
    parsed = parsing.parse_message(raw)
    assert "\r" not in parsed.subject
    assert "\n" not in parsed.subject
    assert "\x00" not in parsed.subject
    assert parsed.subject == "hi Bcc: victim@example.org"


def test_ten_thousand_parts_are_bounded():
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(10_000))
    raw = f"From: a@b.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n{parts}--b--".encode()
    parsed = parsing.parse_message(raw)
    assert "part 0" in parsed.body
    assert "part 9999" not in parsed.body
    assert "further parts not read" in parsed.body


def test_deeply_nested_multipart_does_not_raise():
    nested = b"From: a@b.org\r\nSubject: deep\r\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(3000)
    )
    parsed = parsing.parse_message(nested + b"Content-Type: text/plain\r\n\r\nhi\r\n")
    assert parsed.subject == "deep"


def test_truncated_base64_and_nul_bytes():
    raw = (
        b"From: a@b.org\r\nSubject: nul\x00here\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + base64.b64encode("نص عربي طويل".encode())[:-5]
    )
    parsed = parsing.parse_message(raw)
    assert "\x00" not in parsed.subject + parsed.body
    assert parsed.subject == "nulhere"


def test_no_headers_at_all():
    parsed = parsing.parse_message(b"just some text\r\nand more")
    assert parsed.subject == ""
    assert parsed.from_address == ""


def test_pipermail_obfuscated_from_and_bad_date():
    raw = b"From: ahmed at example.org (Ahmed)\r\nDate: yesterday-ish\r\n\r\nhi"
    parsed = parsing.parse_message(raw)
    assert parsed.from_address == "ahmed@example.org"
    assert parsed.from_name == "Ahmed"
    assert parsed.date is None


def test_threading_headers():
    raw = (
        b"From: a@b.org\r\nMessage-ID: <m2@x>\r\nIn-Reply-To: <m1@x> (Ahmed's message)\r\n"
        b"References: <m0@x>\r\n <m1@x>\r\n\r\nhi"
    )
    parsed = parsing.parse_message(raw)
    assert (parsed.message_id, parsed.in_reply_to, parsed.references) == (
        "<m2@x>",
        "<m1@x>",
        "<m0@x> <m1@x>",
    )


def test_language_detection():
    assert parsing.detect_language("مرحبا بكم في الاجتماع") == "ar"
    assert parsing.detect_language("Hello, see you on Thursday") == "en"
    assert parsing.detect_language("Thanks!\n> مرحبا بكم في الاجتماع القادم") == "en"


def test_delivery_status():
    raw = (
        b"From: MAILER-DAEMON@mx.example.org\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.org\r\n\r\n"
        b"Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n--r--\r\n"
    )
    assert parsing.delivery_status(raw) == (True, "smtp; 550 5.1.1 no such user")
    assert parsing.delivery_status(raw.replace(b"5.1.1\r\nDiag", b"4.2.2\r\nDiag"))[0] is False
    assert parsing.delivery_status(b"Subject: vacation\r\n\r\naway") == (None, "")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(raw):
    parsed = parsing.parse_message(raw)
    assert isinstance(parsed.body, str)
    assert "\x00" not in parsed.body + parsed.subject


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"From: a@b\r\n",
                b"Subject: =?utf-8?B?2LM=?=\r\n",
                b"Subject: =?cp1256?Q?=C7=E1?=\r\n",
                b"Content-Type: multipart/mixed; boundary=x\r\n",
                b"Content-Type: text/html; charset=bogus\r\n",
                b"Content-Transfer-Encoding: base64\r\n",
                b"Content-Transfer-Encoding: quoted-printable\r\n",
                b"Content-Disposition: attachment; filename*=utf-8''%D8%A7.exe\r\n",
                b"\r\n",
                b"--x\r\n",
                b"--x--\r\n",
                b"<script>alert(1)</script>\r\n",
                b"=D8=A7=\r\n",
                b"2LPZhNin2YU=\r\n",
                b"\x00\xff\xfe\r\n",
            ]
        ),
        max_size=40,
    )
)
def test_random_mime_never_raises(lines):
    parsed = parsing.parse_message(b"".join(lines), max_attachment_bytes=50)
    assert "<script" not in parsed.body or "text/html" not in parsed.content_type
