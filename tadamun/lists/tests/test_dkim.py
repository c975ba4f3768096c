"""DKIM signatures that dkimpy's own verifier accepts."""

import dkim
import pytest

from tadamun.lists import dkim as list_dkim
from tadamun.lists.tests import outbound_support

# The shared fixtures, by name.
dkim_key = outbound_support.dkim_key

MESSAGE = (
    b"From: Amal <amal@lists.example.org>\r\n"
    b"To: salam@lists.example.org\r\n"
    b"Subject: =?utf-8?b?2LPZhNin2YU=?=\r\n"
    b"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <1@lists.example.org>\r\n"
    b"List-Id: salam.lists.example.org\r\n"
    b"List-Unsubscribe: <https://example.org/lists/unsubscribe/x/>\r\n"
    b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello\r\n"
)


def test_signed_messages_verify(dkim_key):
    signed = list_dkim.sign(MESSAGE)
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;")
    header = signed.split(b"\r\n\r\n")[0].decode()
    for name in ("list-unsubscribe-post", "list-unsubscribe", "list-id", "from", "subject"):
        assert name in header.split("h=")[1].split(";")[0].replace("\r\n", "")
    assert dkim.verify(signed, dnsfunc=dkim_key.dnsfunc)


def test_a_changed_header_breaks_the_signature(dkim_key):
    signed = list_dkim.sign(MESSAGE)
    assert not dkim.verify(signed.replace(b"Subject:", b"Subject: X"), dnsfunc=dkim_key.dnsfunc)
    # Adding a header that was signed as absent (oversigning) breaks it too.
    tampered = signed.replace(b"\r\n\r\nHello", b"\r\nReply-To: evil@example.com\r\n\r\nHello")
    assert not dkim.verify(tampered, dnsfunc=dkim_key.dnsfunc)


@pytest.mark.parametrize("missing", ["DKIM_DOMAIN", "DKIM_PRIVATE_KEY_FILE"])
def test_nothing_is_signed_without_configuration(settings, missing):
    settings.DKIM_DOMAIN = "lists.example.org"
    settings.DKIM_PRIVATE_KEY_FILE = "/nonexistent"
    setattr(settings, missing, "")
    assert list_dkim.sign(MESSAGE) == MESSAGE
