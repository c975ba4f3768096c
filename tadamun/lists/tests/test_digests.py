"""The daily digest: MIME (message/rfc822 parts) and RFC 1153 plain text, once per day."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tadamun.lists import subscriptions
from tadamun.lists.digests import send_digests
from tadamun.lists.models import Delivery, Subscription
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import make_list, text_of
from tadamun.workgroups.models import Post
from tadamun.workgroups.services import post_create

# The shared fixtures, by name.
dkim_key = outbound_support.dkim_key
list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


def test_digest_subscribers_get_one_digest_of_the_days_posts(sink, dkim_key):
    import dkim

    mailing_list, people = make_list(members=2, subject_prefix="[salam]")
    reader = people[1]
    subscription = Subscription.objects.get(user=reader)
    subscription.language = "ar"
    subscription.save()
    subscriptions.set_mode(subscription=subscription, mode=Subscription.Mode.DIGEST)
    Subscription.objects.filter(pk=subscription.pk).update(
        last_digest=timezone.now() - datetime.timedelta(days=1)
    )
    subjects = ["الخطة الأولى", "Second plan"]
    for subject in subjects:
        post_create(
            workgroup=mailing_list.workgroup,
            author=people[0],
            subject=subject,
            body=f"نص {subject}",
            source=Post.Source.WEB,
            deliver=True,
        )
    post_create(
        workgroup=mailing_list.workgroup,
        author=people[0],
        subject="Held",
        body="not in the digest",
        source=Post.Source.EMAIL,
        status=Post.Status.HELD,
    )
    # Digest readers get no copy of each message.
    assert not Delivery.objects.filter(recipient=reader.email).exists()

    assert send_digests() == 1
    (received,) = sink.for_recipient(reader.email)
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    plain, mime = message.get_payload()
    assert plain.get_content_type() == "text/plain"
    rfc1153 = plain.get_content()
    assert "الخطة الأولى" in rfc1153
    assert "Second plan" in rfc1153
    assert "not in the digest" not in rfc1153
    assert mime.get_content_type() == "multipart/mixed"
    _contents, digest, footer = mime.get_payload()
    assert digest.get_content_type() == "multipart/digest"
    parts = [part.get_payload()[0] for part in digest.get_payload()]
    assert [part["Subject"] for part in parts] == [f"[salam] {s}" for s in subjects]
    assert all(part.get_content_type() == "message/rfc822" for part in digest.get_payload())
    assert [part["Message-ID"] for part in parts] == list(
        Post.objects.filter(status=Post.Status.PUBLISHED).values_list("message_id", flat=True)
    )
    assert "/lists/unsubscribe/" in footer.get_content()
    assert message["Subject"].startswith("[salam] ")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert dkim.verify(received.data, dnsfunc=dkim_key.dnsfunc)

    # Nothing new: nothing sent, and the mark moved on.
    assert send_digests() == 0
    call_command("send_digests")
    assert len(sink.for_recipient(reader.email)) == 1


def test_a_deferred_digest_is_sent_by_the_next_run(sink):
    mailing_list, people = make_list(members=1)
    subscription = Subscription.objects.get()
    subscriptions.set_mode(subscription=subscription, mode=Subscription.Mode.DIGEST)
    Subscription.objects.update(last_digest=timezone.now() - datetime.timedelta(days=1))
    post_create(
        workgroup=mailing_list.workgroup,
        author=people[0],
        subject="One",
        body="Text",
        source=Post.Source.WEB,
        deliver=False,
    )
    sink.refuse = "451 4.3.0 later"
    assert send_digests() == 0
    sink.refuse = None
    assert send_digests() == 1
    assert "One" in text_of(sink.for_recipient(people[0].email)[0].message)
