"""The whole way, over real sockets: a member's Arabic mail comes in by LMTP, every subscriber
receives a signed copy from the SMTP relay, and the one-click unsubscribe in it works."""

import re

import dkim
import pytest
from django.test import Client

from tadamun.lists.models import Subscription
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.inbound_support import (
    ARABIC_BODY,
    ARABIC_FILENAME,
    ARABIC_SUBJECT,
    arabic_message,
    lmtp_client,
    running_lmtp_server,
)
from tadamun.lists.tests.outbound_support import make_list, text_of
from tadamun.workgroups.models import Post

dkim_key = outbound_support.dkim_key
list_settings = outbound_support.list_settings
sink = outbound_support.sink

# The LMTP server commits from its own thread, as in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("list_settings")]


def test_mail_in_by_lmtp_reaches_every_subscriber_signed_and_unsubscribes_in_one_click(
    sink, dkim_key, settings
):
    mailing_list, people = make_list(members=3, subject_prefix="[khaskhasa]")
    mailing_list.moderate_first_post = False
    mailing_list.save()
    author = people[0]
    raw = arabic_message(sender=author.email, to=mailing_list.address)

    with running_lmtp_server() as port, lmtp_client(port) as client:
        refused = client.sendmail(author.email, [mailing_list.address], raw)
    assert refused == {}

    post = Post.objects.get()
    assert post.subject == ARABIC_SUBJECT
    assert post.attachments.get().filename == ARABIC_FILENAME
    # Deliveries are queued on commit and sent by the task (immediate in tests).
    assert sink.copies() == {person.email: 1 for person in people}
    for person in people:
        (received,) = sink.for_recipient(person.email)
        message = received.message
        assert message["Subject"] == f"[khaskhasa] {ARABIC_SUBJECT}"
        assert ARABIC_BODY.strip().splitlines()[0] in text_of(message)
        assert message["Message-ID"] == post.message_id
        assert message["List-Id"].endswith(f"<{mailing_list.list_id}>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert dkim.verify(received.data, dnsfunc=dkim_key.dnsfunc)

    # One click, as a mail provider does it: a bare POST, no cookie, no CSRF token.
    reader = people[1]
    (received,) = sink.for_recipient(reader.email)
    link = re.search(
        r"<(https://[^>]+/lists/unsubscribe/[^>]+)>", received.message["List-Unsubscribe"]
    )
    path = link.group(1).removeprefix(settings.SITE_URL)
    response = Client(enforce_csrf_checks=True).post(
        path, {"List-Unsubscribe": "One-Click"}, headers={"host": "testserver"}
    )
    assert response.status_code in {200, 204, 302}
    subscription = Subscription.objects.filter(mailing_list=mailing_list, email=reader.email)
    assert not subscription.filter(status=Subscription.Status.ACTIVE, mode="each").exists()
