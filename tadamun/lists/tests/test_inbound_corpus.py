"""Bad input through the real LMTP server: malformed, huge, wrongly encoded and hostile mail
never crashes it, every accepted message is kept byte for byte, and no unsafe HTML reaches a
post. Also the .eml fixtures of real clients (tests/eml/)."""

import base64
from pathlib import Path

import pytest

from tadamun.lists.models import InboundMessage
from tadamun.lists.tests.inbound_support import lmtp_client, make_list, running_lmtp_server
from tadamun.workgroups.models import Post

pytestmark = pytest.mark.django_db(transaction=True)
EML = Path(__file__).parent / "eml"
TO = "privatization@lists.tadamun.localhost"
HEAD = f"From: Sender <press@example.net>\r\nTo: {TO}\r\n".encode()


def bad_corpus() -> dict[str, bytes]:
    many_parts = "".join(
        f"--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(10_000)
    )
    nested = b"".join(
        b"Content-Type: multipart/mixed; boundary=n%d\r\n\r\n--n%d\r\n" % (i, i)
        for i in range(1500)
    )
    return {
        "no headers": b"just a line of text\r\nand another\r\n",
        "only headers": HEAD + b"Subject: nothing else\r\n",
        "malformed headers": HEAD
        + b"Subject\r\n: broken\r\nContent-Type: ;;;===\r\nFrom: <<<@@>>>\r\n"
        + b"Date: 99 Foo 99999 99:99\r\nMessage-ID: <<>>\r\n\r\nbody\r\n",
        "huge header": HEAD
        + b"Subject: "
        + b"A" * 60_000
        + b"\r\nX-Long: "
        + b" folded\r\n" * 5000
        + b"\r\nbody\r\n",
        "nul bytes": HEAD + b"Subject: nul\x00byte\r\n\r\nbody\x00with\x00nuls\r\n",
        "wrong charset labels": HEAD
        + b"Subject: =?utf-8?B?"
        + base64.b64encode("سلام".encode("cp1256"))
        + b"?=\r\n"
        + b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        + "مرحبا".encode("cp1256")
        + b"\r\n",
        "unknown charset": HEAD
        + b"Content-Type: text/plain; charset=x-klingon\r\n\r\n\xff\xfe\r\n",
        "script-laden html": HEAD
        + b"Subject: hi\r\nContent-Type: text/html\r\n\r\n"
        + b"<script>alert('pwned')</script><p onmouseover=alert(1)>text</p>"
        + b"<a href='javascript:alert(2)'>x</a><img src=x onerror=alert(3)>\r\n",
        "header injection": HEAD
        + b"Subject: =?utf-8?Q?x=0D=0ABcc:_all@example.org?=\r\n"
        + b"Message-ID: <a@b>\r\n\r\nbody\r\n",
        "ten thousand parts": HEAD
        + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        + many_parts.encode()
        + b"--b--\r\n",
        "deeply nested": HEAD + nested + b"Content-Type: text/plain\r\n\r\ndeep\r\n",
        "truncated base64": HEAD
        + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        + b"Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b"JVBERi0xLjQKJ",
        "dangerous attachment": HEAD
        + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        + b"--b\r\nContent-Type: text/plain\r\n\r\nopen it\r\n"
        + b"--b\r\nContent-Type: application/octet-stream\r\n"
        + b'Content-Disposition: attachment; filename="invoice.pdf.exe"\r\n\r\nMZ\r\n--b--\r\n',
        "8-bit garbage": HEAD + bytes(range(256)) * 20 + b"\r\n",
    }


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_bad_input_corpus_is_kept_and_never_unsafe():
    make_list(always_allowed="press@example.net", max_message_bytes=5_000_000)
    corpus = bad_corpus()
    with running_lmtp_server() as port:
        for name, raw in corpus.items():
            with lmtp_client(port) as client:
                assert client.sendmail("press@example.net", [TO], raw) == {}, name
        # The server is still there.
        with lmtp_client(port) as client:
            assert client.noop()[0] == 250
    stored = list(InboundMessage.objects.order_by("pk"))
    assert len(stored) == len(corpus)
    for (name, raw), inbound in zip(corpus.items(), stored, strict=True):
        expected = raw if raw.endswith(b"\r\n") else raw + b"\r\n"
        assert bytes(inbound.raw) == expected, name
        assert inbound.state != InboundMessage.State.FAILED, (name, inbound.error)
    for post in Post.objects.all():
        text = post.body + post.subject
        assert "<script" not in text
        assert "alert(" not in text
        assert "javascript:" not in text
        assert "\x00" not in text
        assert "\n" not in post.subject
    assert not Post.objects.filter(attachments__filename__endswith=".exe").exists()
    injected = Post.objects.get(message_id="<a@b>")
    assert injected.subject == "x Bcc: all@example.org"


@pytest.mark.parametrize(
    ("fixture", "subject", "body_part", "language"),
    [
        (
            "outlook-cp1256.eml",
            "دعوة: ورشة حقوق العمال",
            "ورشة عمل حول حقوق العمال في البصرة",
            "ar",
        ),
        ("html-only-hostile.eml", "Newsletter", "Monthly news", "en"),
        ("thunderbird-reply-2231.eml", "Re: Budget", "أوافق على الميزانية", "ar"),
    ],
)
def test_real_client_fixtures(fixture, subject, body_part, language):
    make_list(always_allowed="example.org\n@example.org\n@example.net")
    raw = (EML / fixture).read_bytes()
    with running_lmtp_server() as port, lmtp_client(port) as client:
        assert client.sendmail("x@example.org", [TO], raw) == {}
    post = Post.objects.get()
    assert (post.subject, post.language) == (subject, language)
    assert body_part in post.body
    assert "alert" not in post.body
    assert "evil" not in post.body
    if fixture.startswith("thunderbird"):
        assert post.attachments.get().filename == "محضر اجتماع لجنة الخصخصة.docx"
        assert post.references == "<tb-0@example.org> <tb-1@example.org>"
    if fixture.startswith("outlook"):
        assert post.author_name == "زينب"
