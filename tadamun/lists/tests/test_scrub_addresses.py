"""Inbound mail is stored without the IP addresses that servers on the way wrote into its
header (a member's provider may have written the member's own address there)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tadamun.lists import parsing
from tadamun.lists.inbound import import_archived_message, store_inbound_message
from tadamun.lists.models import InboundMessage
from tadamun.workgroups.tests.factories import WorkgroupFactory

ADDRESSES = [
    b"203.0.113.7",
    b"198.51.100.9",
    b"192.0.2.44",
    b"2001:db8::1",
    b"2001:db8:85a3:0:0:8a2e:370:7334",
    b"fe80::1ff:fe23:4567:890a",
]

RAW = (
    b"Received: from mail.example.org (mail.example.org [203.0.113.7])\r\n"
    b"\tby mx.tadamun.example (Postfix) with ESMTPS id 4F2; Sat, 28 Nov 2026 18:12:21 +0000\r\n"
    b"Received: from [IPv6:2001:db8::1] (unknown [::ffff:198.51.100.9])\r\n"
    b"\tby relay; Sat, 28 Nov 2026 18:12:20 +0000\r\n"
    b"Received: from laptop (fe80::1ff:fe23:4567:890a) by x (2001:db8:85a3:0:0:8a2e:370:7334)\r\n"
    b"X-Originating-IP: [192.0.2.44]\r\n"
    b"Received-SPF: pass (domain of example.org designates 203.0.113.7) client-ip=203.0.113.7;\r\n"
    b"Authentication-Results: mx; spf=pass smtp.remote-ip=198.51.100.9\r\n"
    b"X-Mailer-Host: 192.0.2.44\r\n"
    b"Message-ID: <abc@[10.1.2.3]>\r\n"
    b"References: <older@[10.1.2.4]>\r\n"
    b"From: Salma <salma@example.org>\r\n"
    b"To: peace@lists.example.org\r\n"
    b"Date: Sat, 28 Nov 2026 18:12:19 +0000\r\n"
    b"Subject: Meeting room 10.2.3.4, version 1.2.3.4\r\n"
    b"\r\n"
    b"We meet at 10:30:00 in hall 172.16.0.1 (the body is what she wrote).\r\n"
)


def test_trace_addresses_go_and_everything_people_wrote_stays():
    scrubbed = parsing.scrub_addresses(RAW)
    header, body = scrubbed.split(b"\r\n\r\n", 1)
    for address in ADDRESSES:
        assert address not in header, address
    assert b"X-Originating-IP" not in scrubbed
    assert b"Message-ID: <abc@[10.1.2.3]>\r\n" in scrubbed
    assert b"References: <older@[10.1.2.4]>\r\n" in scrubbed
    assert b"Subject: Meeting room 10.2.3.4, version 1.2.3.4\r\n" in scrubbed
    assert b"Date: Sat, 28 Nov 2026 18:12:19 +0000\r\n" in scrubbed
    assert b"Sat, 28 Nov 2026 18:12:21 +0000" in scrubbed  # times are not addresses
    assert body == RAW.split(b"\r\n\r\n", 1)[1]
    assert scrubbed.count(b"Received:") == 3
    parsed = parsing.parse_message(scrubbed, max_attachment_bytes=10_000, attachment_policy="keep")
    assert parsed.subject == "Meeting room 10.2.3.4, version 1.2.3.4"
    assert parsed.from_address == "salma@example.org"
    assert parsing.scrub_addresses(scrubbed) == scrubbed


@given(st.binary(max_size=2000))
def test_any_bytes_give_bytes_and_the_body_is_untouched(raw):
    scrubbed = parsing.scrub_addresses(raw)
    assert isinstance(scrubbed, bytes)
    assert parsing.scrub_addresses(scrubbed) == scrubbed


@pytest.mark.django_db
def test_stored_and_imported_messages_hold_no_trace_address():
    workgroup = WorkgroupFactory()
    from tadamun.lists.models import MailingList

    mailing_list = MailingList.objects.get_or_create(workgroup=workgroup)[0]
    stored = store_inbound_message(
        raw=RAW,
        envelope_from="salma@example.org",
        recipient="peace@lists.example.org",
        mailing_list=mailing_list,
        kind=InboundMessage.Kind.POST,
    )
    import_archived_message(workgroup=workgroup, raw=RAW.replace(b"abc@", b"imported@"))
    rows = [bytes(raw) for raw in InboundMessage.objects.values_list("raw", flat=True)]
    assert len(rows) == 2
    assert stored.size == len(bytes(stored.raw))
    for raw in rows:
        for address in ADDRESSES:
            assert address not in raw.split(b"\r\n\r\n", 1)[0]
