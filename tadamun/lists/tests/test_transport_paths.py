"""The relay paths the test sink does not take by itself: SMTP pipelining (RFC 2920, offered
by Postfix) and quoted-printable text for a relay without 8BITMIME (RFC 6152)."""

import smtplib

import dkim
import pytest

from tadamun.lists.delivery import deliver_due, queue_deliveries
from tadamun.lists.models import Delivery
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.inbound_support import ARABIC_BODY, ARABIC_SUBJECT
from tadamun.lists.tests.outbound_support import make_list, text_of
from tadamun.workgroups.models import Post
from tadamun.workgroups.services import post_create

dkim_key = outbound_support.dkim_key
list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


@pytest.mark.parametrize(("pipelining", "eight_bit"), [(True, True), (True, False), (False, False)])
def test_copies_arrive_signed_and_intact_on_every_relay_path(
    sink, dkim_key, monkeypatch, pipelining, eight_bit
):
    real_has_extn = smtplib.SMTP.has_extn

    def has_extn(self, name):
        if name.lower() == "pipelining":
            return pipelining
        if name.lower() == "8bitmime":
            return eight_bit
        return real_has_extn(self, name)

    monkeypatch.setattr(smtplib.SMTP, "has_extn", has_extn)
    mailing_list, people = make_list(members=3)
    post = post_create(
        workgroup=mailing_list.workgroup,
        author=people[0],
        subject=ARABIC_SUBJECT,
        body=ARABIC_BODY + ("و" * 400) + "\n.line starting with a dot\n",
        source=Post.Source.WEB,
        deliver=False,
    )
    queue_deliveries(post=post)
    deliver_due()
    assert sink.copies() == {person.email: 1 for person in people}
    for person in people:
        (received,) = sink.for_recipient(person.email)
        assert received.message["Subject"] == ARABIC_SUBJECT
        text = text_of(received.message)
        assert ARABIC_BODY.strip() in text
        assert ".line starting with a dot" in text
        assert all(len(line) <= 998 for line in received.data.split(b"\r\n"))
        encoding = "8bit" if eight_bit else "quoted-printable"
        assert encoding in received.data.decode("ascii", "replace").lower()
        assert dkim.verify(received.data, dnsfunc=dkim_key.dnsfunc)
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}
