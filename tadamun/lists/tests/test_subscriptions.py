"""Subscribing, confirming (double opt-in) and leaving — by link and by RFC 8058 one-click."""

import re

import pytest
from django.test import Client

from tadamun.lists import subscriptions
from tadamun.lists.models import Subscription
from tadamun.lists.tests import outbound_support
from tadamun.lists.tests.outbound_support import make_list
from tadamun.workgroups.models import Post
from tadamun.workgroups.services import post_create
from tadamun.workgroups.tests.factories import UserFactory

# The shared fixtures, by name.
list_settings = outbound_support.list_settings
sink = outbound_support.sink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("list_settings")]


def one_click_link(received) -> str:
    header = received.message["List-Unsubscribe"]
    return (
        re.search(r"<(https://[^>]+)>", header).group(1).removeprefix("https://tadamun.example.org")
    )


def post(mailing_list, author, capture):
    with capture(execute=True):
        return post_create(
            workgroup=mailing_list.workgroup,
            author=author,
            subject="Hello",
            body="Text",
            source=Post.Source.WEB,
        )


def test_one_click_unsubscribe_works_without_csrf_cookies_or_language(
    sink, django_capture_on_commit_callbacks
):
    mailing_list, people = make_list(members=2)
    post(mailing_list, people[0], django_capture_on_commit_callbacks)
    leaver = people[1]
    link = one_click_link(sink.for_recipient(leaver.email)[0])
    assert link.startswith("/lists/unsubscribe/")

    # As a mail provider does it (RFC 8058 §3.2): a bare POST, no cookies, no CSRF token.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        link,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.filter(email=leaver.email).exists()
    # Repeating it is harmless.
    assert provider.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200

    post(mailing_list, people[0], django_capture_on_commit_callbacks)
    assert sink.copies()[leaver.email] == 1
    assert sink.copies()[people[0].email] == 2


def test_the_unsubscribe_link_asks_before_acting(sink, django_capture_on_commit_callbacks, client):
    mailing_list, people = make_list(members=1)
    post(mailing_list, people[0], django_capture_on_commit_callbacks)
    link = one_click_link(sink.for_recipient(people[0].email)[0])
    response = client.get(link)
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert Subscription.objects.filter(email=people[0].email).exists()


def test_a_forged_unsubscribe_token_does_nothing(client):
    _mailing_list, _people = make_list(members=1)
    subscription = Subscription.objects.get()
    token = subscriptions.unsubscribe_token(subscription)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.post(f"/lists/unsubscribe/{forged}/").status_code == 200
    assert client.get(f"/lists/unsubscribe/{forged}/").status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_outside_address_double_opt_in_by_link(
    mailoutbox, django_capture_on_commit_callbacks, client
):
    mailing_list, _people = make_list(members=0)
    with django_capture_on_commit_callbacks(execute=True):
        pending = subscriptions.subscribe_address(
            mailing_list=mailing_list, email="Friend@Example.net", language="ar"
        )
    assert pending.status == Subscription.Status.PENDING
    (mail,) = mailoutbox
    assert mail.to == ["friend@example.net"]
    raw = mail.message()
    token = re.search(r"confirm\+([0-9a-f]{32})@", str(raw["Reply-To"])).group(1)
    assert token in str(raw["Subject"])
    body = mail.body
    path = re.search(r"https://tadamun\.example\.org(/ar/lists/confirm/[^\s]+/)", body).group(1)

    assert client.get(path).status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    response = client.post(path)
    assert response.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE
    # The token is spent.
    assert client.get(path).status_code == 404


def test_confirm_by_reply_token(django_capture_on_commit_callbacks, mailoutbox):
    mailing_list, _people = make_list(members=0)
    with django_capture_on_commit_callbacks(execute=True):
        subscriptions.subscribe_address(
            mailing_list=mailing_list, email="friend@example.net", language="en"
        )
    token = re.search(r"confirm ([0-9a-f]{32})", mailoutbox[0].subject).group(1)
    assert subscriptions.confirm(token=token.upper()).status == Subscription.Status.ACTIVE
    assert subscriptions.confirm(token=token) is None


def test_outside_addresses_cannot_subscribe_to_a_closed_workgroup():
    mailing_list, _people = make_list(members=0, closed=True)
    with pytest.raises(subscriptions.SubscriptionRefused):
        subscriptions.subscribe_address(
            mailing_list=mailing_list, email="friend@example.net", language="en"
        )


def test_only_readers_subscribe_to_a_closed_workgroup():
    mailing_list, people = make_list(members=1, closed=True)
    outsider = UserFactory()
    with pytest.raises(subscriptions.SubscriptionRefused):
        subscriptions.subscribe_member(mailing_list=mailing_list, user=outsider)
    subscription = subscriptions.subscribe_member(
        mailing_list=mailing_list, user=people[0], mode=Subscription.Mode.DIGEST
    )
    assert subscription.mode == Subscription.Mode.DIGEST
    assert subscription.last_digest is not None


def test_muted_threads_and_web_only_members_get_no_mail(sink, django_capture_on_commit_callbacks):
    mailing_list, people = make_list(members=3)
    first = post(mailing_list, people[0], django_capture_on_commit_callbacks)
    subscriptions.mute_thread(user=people[1], thread=first.thread)
    subscriptions.set_mode(
        subscription=Subscription.objects.get(user=people[2]), mode=Subscription.Mode.NONE
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_create(
            workgroup=mailing_list.workgroup,
            author=people[0],
            subject="Re: Hello",
            body="More",
            source=Post.Source.WEB,
            parent=first,
        )
    assert sink.copies() == {people[0].email: 2, people[1].email: 1, people[2].email: 1}
