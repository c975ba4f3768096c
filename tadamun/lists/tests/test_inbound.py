"""The posting policy, loops and auto-replies, bounces, owner mail, and failure handling of
`accept_inbound_message` (called directly; the LMTP tests go through the socket)."""

import pytest
from django.core import mail
from django.db import OperationalError

from tadamun.lists import inbound
from tadamun.lists.addresses import verp_address
from tadamun.lists.models import Delivery, InboundMessage, MailingList, Subscription
from tadamun.lists.tests.inbound_support import (
    ARABIC_SUBJECT,
    address,
    arabic_message,
    make_list,
    make_member,
    plain_message,
)
from tadamun.workgroups.models import Post, WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, UserFactory, make_post

pytestmark = pytest.mark.django_db
State = InboundMessage.State


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def accept(raw: bytes, to: str, envelope_from: str = "sender@example.org"):
    return inbound.accept_inbound_message(raw=raw, envelope_from=envelope_from, recipient=to)


def post_of(result) -> Post:
    return Post.objects.get(pk=result.post_id)


def test_member_posts_and_arabic_survives():
    mailing_list = make_list()
    member = make_member(mailing_list, email="ahmed@example.org")
    raw = arabic_message(sender="Ahmed@Example.org", to=mailing_list.address)
    result = accept(raw, mailing_list.address)
    assert result.accepted
    assert result.state == State.POSTED
    post = post_of(result)
    assert (post.author, post.status, post.source) == (member, Post.Status.PUBLISHED, "email")
    assert post.subject == ARABIC_SUBJECT
    assert post.language == "ar"
    stored = InboundMessage.objects.get(pk=result.inbound_id)
    assert bytes(stored.raw) == raw
    assert stored.post == post


def test_member_by_verified_secondary_address():
    from allauth.account.models import EmailAddress

    mailing_list = make_list()
    member = make_member(mailing_list)
    EmailAddress.objects.create(user=member, email="other@example.net", verified=True)
    result = accept(
        plain_message(sender="other@example.net", to=mailing_list.address), mailing_list.address
    )
    assert post_of(result).author == member


def test_first_post_of_a_new_member_is_held_then_not():
    mailing_list = make_list(moderate_first_post=True)
    member = make_member(mailing_list)
    first = accept(
        plain_message(sender=member.email, to=mailing_list.address, subject="one"),
        mailing_list.address,
    )
    assert first.state == State.HELD
    assert post_of(first).hold_reason == inbound.HOLD_FIRST_POST
    make_post(mailing_list.workgroup, author=member)  # once a post is published
    second = accept(
        plain_message(sender=member.email, to=mailing_list.address, subject="two"),
        mailing_list.address,
    )
    assert second.state == State.POSTED


def test_inactive_membership_and_suspended_person_count_as_non_members():
    mailing_list = make_list()
    asked = UserFactory()
    MembershipFactory(
        workgroup=mailing_list.workgroup, user=asked, status=WorkgroupMembership.Status.REQUESTED
    )
    suspended = make_member(mailing_list, suspended=True)
    for person in (asked, suspended):
        result = accept(
            plain_message(sender=person.email, to=mailing_list.address, subject=person.email),
            mailing_list.address,
        )
        assert result.state == State.HELD
        assert post_of(result).hold_reason == inbound.HOLD_NONMEMBER


def test_non_member_held_with_a_notice(django_capture_on_commit_callbacks):
    mailing_list = make_list()
    with django_capture_on_commit_callbacks(execute=True):
        result = accept(
            plain_message(sender="stranger@example.net", to=mailing_list.address),
            mailing_list.address,
        )
    post = post_of(result)
    assert (post.status, post.author, post.author_email) == (
        Post.Status.HELD,
        None,
        "stranger@example.net",
    )
    assert not Delivery.objects.exists()
    [notice] = mail.outbox
    assert notice.to == ["stranger@example.net"]
    assert "awaits moderation" in notice.subject
    assert "في انتظار الإشراف" in notice.subject
    assert notice.extra_headers["Auto-Submitted"] == "auto-replied"


def test_non_member_rejected_with_bilingual_explanation(django_capture_on_commit_callbacks):
    mailing_list = make_list(nonmember_action=MailingList.NonMemberAction.REJECT)
    with django_capture_on_commit_callbacks(execute=True):
        result = accept(
            plain_message(sender="stranger@example.net", to=mailing_list.address),
            mailing_list.address,
        )
    assert result.state == State.REJECTED
    assert result.post_id is None
    [reply] = mail.outbox
    assert "only members of the workgroup may post" in reply.body
    assert "مقصور على أعضاء المجموعة" in reply.body
    assert reply.from_email == address(mailing_list.workgroup.slug, "-bounces")


def test_reject_never_answers_an_auto_responder(django_capture_on_commit_callbacks):
    mailing_list = make_list(nonmember_action=MailingList.NonMemberAction.REJECT)
    raw = plain_message(
        sender="robot@example.net",
        to=mailing_list.address,
        headers={"Auto-Submitted": "auto-replied"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = accept(raw, mailing_list.address)
    assert result.state == State.IGNORED
    assert mail.outbox == []


def test_non_member_discarded():
    mailing_list = make_list(nonmember_action=MailingList.NonMemberAction.DISCARD)
    result = accept(
        plain_message(sender="stranger@example.net", to=mailing_list.address), mailing_list.address
    )
    assert result.state == State.DISCARDED
    assert not Post.objects.exists()


def test_always_allowed_and_emergency():
    mailing_list = make_list(always_allowed="press@example.net\n@partner.org")
    for sender in ("press@example.net", "anyone@partner.org"):
        result = accept(
            plain_message(sender=sender, to=mailing_list.address, subject=sender),
            mailing_list.address,
        )
        assert result.state == State.POSTED
    mailing_list.emergency = True
    mailing_list.save()
    member = make_member(mailing_list)
    result = accept(
        plain_message(sender=member.email, to=mailing_list.address, subject="urgent"),
        mailing_list.address,
    )
    assert post_of(result).hold_reason == inbound.HOLD_EMERGENCY


@pytest.mark.parametrize(
    "headers",
    [
        {"List-Id": "Privatization <privatization.lists.tadamun.localhost>"},
        {"X-Loop": "privatization@lists.tadamun.localhost"},
    ],
)
def test_own_mail_coming_back_is_ignored(headers):
    mailing_list = make_list()
    member = make_member(mailing_list)
    result = accept(
        plain_message(sender=member.email, to=mailing_list.address, headers=headers),
        mailing_list.address,
    )
    assert result.state == State.IGNORED
    assert "loop" in InboundMessage.objects.get().error
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("headers", "envelope_from"),
    [
        ({"Auto-Submitted": "auto-replied"}, "a@example.org"),
        ({"Precedence": "bulk"}, "a@example.org"),
        ({"X-Autoreply": "yes"}, "a@example.org"),
        ({}, ""),
        ({"Content-Type": "multipart/report; report-type=delivery-status"}, "a@example.org"),
        ({}, "MAILER-DAEMON@mx.example.org"),
    ],
)
def test_auto_replies_and_bounces_never_become_posts(headers, envelope_from):
    mailing_list = make_list()
    member = make_member(mailing_list)
    raw = plain_message(sender=member.email, to=mailing_list.address, headers=headers)
    result = accept(raw, mailing_list.address, envelope_from=envelope_from)
    assert result.state == State.IGNORED
    assert not Post.objects.exists()


def test_auto_submitted_no_is_a_person():
    mailing_list = make_list()
    member = make_member(mailing_list)
    raw = plain_message(
        sender=member.email, to=mailing_list.address, headers={"Auto-Submitted": "no"}
    )
    assert accept(raw, mailing_list.address).state == State.POSTED


def test_reply_by_mail_threads_into_the_web_thread():
    mailing_list = make_list()
    member = make_member(mailing_list)
    web_post = make_post(mailing_list.workgroup, author=member, subject="Budget")
    raw = plain_message(
        sender=member.email,
        to=mailing_list.address,
        subject="Re: [privatization] Budget",
        headers={"In-Reply-To": web_post.message_id, "References": web_post.message_id},
    )
    reply = post_of(accept(raw, mailing_list.address))
    assert reply.parent == web_post
    assert reply.thread == web_post.thread


def test_redelivery_is_not_posted_twice_and_cross_post_gets_its_own_id():
    one, two = make_list("one"), make_list("two")
    for mailing_list in (one, two):
        make_member(mailing_list, email=f"m@{mailing_list.workgroup.slug}.org")
    raw = plain_message(sender="press@example.net", to=one.address, message_id="<same@example.net>")
    one.always_allowed = two.always_allowed = "press@example.net"
    one.save()
    two.save()
    first = accept(raw, one.address)
    again = accept(raw, one.address)
    other = accept(raw, two.address)
    assert first.state == State.POSTED
    assert again.state == State.DONE
    assert "duplicate" in InboundMessage.objects.get(pk=again.inbound_id).error
    assert other.state == State.POSTED
    assert post_of(first).message_id == "<same@example.net>"
    assert post_of(other).message_id != "<same@example.net>"


def test_unknown_and_oversize_are_refused_without_storing():
    mailing_list = make_list(max_message_bytes=500)
    assert accept(b"Subject: x\r\n\r\nx", address("nosuchlist")).reply.startswith("550 5.1.1")
    assert accept(b"Subject: x\r\n\r\nx", "privatization@other.example").reply.startswith("550")
    big = plain_message(sender="a@b.org", to=mailing_list.address, body="x" * 1000)
    assert accept(big, mailing_list.address).reply.startswith("552 5.3.4")
    assert not InboundMessage.objects.exists()


def test_processing_error_keeps_the_message_as_failed_then_reprocess(monkeypatch):
    mailing_list = make_list()
    member = make_member(mailing_list)

    def broken(**kwargs):
        raise ValueError("a bug in processing")

    monkeypatch.setattr(inbound, "create_post_from_message", broken)
    result = accept(
        plain_message(sender=member.email, to=mailing_list.address), mailing_list.address
    )
    assert result.accepted
    stored = InboundMessage.objects.get()
    assert stored.state == State.FAILED
    assert "a bug in processing" in stored.error
    assert not Post.objects.exists()
    monkeypatch.undo()
    assert inbound.reprocess_failed() == (1, 0)
    stored.refresh_from_db()
    assert stored.state == State.POSTED
    assert stored.post is not None


def test_database_error_propagates(monkeypatch):
    mailing_list = make_list()

    def unavailable(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(inbound, "store_inbound_message", unavailable)
    with pytest.raises(OperationalError):
        accept(plain_message(sender="a@b.org", to=mailing_list.address), mailing_list.address)


def dsn(status: str = "5.1.1") -> bytes:
    return (
        b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Undelivered\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
        b"--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: "
        + status.encode()
        + b"\r\n\r\n--r--\r\n"
    )


def test_verp_bounce_is_recorded_against_the_signed_recipient(monkeypatch):
    mailing_list = make_list()
    Subscription.objects.create(mailing_list=mailing_list, email="gone@example.org")
    calls = []
    import tadamun.lists.bounces as bounces

    monkeypatch.setattr(bounces, "record_bounce", lambda **kwargs: calls.append(kwargs))
    bounce_to = verp_address(mailing_list, "gone@example.org")
    result = accept(dsn(), bounce_to, envelope_from="")
    assert result.state == State.DONE
    assert calls == [
        {
            "mailing_list": mailing_list,
            "recipient": "gone@example.org",
            "permanent": True,
            "detail": "5.1.1",
            "delivery_id": None,
        }
    ]
    forged = bounce_to.replace("rgone", "rgome")
    assert accept(dsn(), forged, envelope_from="").state == State.DONE
    assert len(calls) == 1
    assert "VERP" in InboundMessage.objects.first().error


def test_bounce_by_delivery_id_and_vacation_reply_to_bounce_address(monkeypatch):
    mailing_list = make_list()
    member = make_member(mailing_list)
    post = make_post(mailing_list.workgroup, author=member)
    delivery = Delivery.objects.create(
        post=post, recipient="late@example.org", next_attempt=post.created
    )
    calls = []
    import tadamun.lists.bounces as bounces

    monkeypatch.setattr(bounces, "record_bounce", lambda **kwargs: calls.append(kwargs))
    bounce_to = verp_address(mailing_list, "late@example.org", delivery_id=delivery.pk)
    accept(dsn("4.2.2"), bounce_to, envelope_from="")
    assert calls[0]["delivery_id"] == delivery.pk
    assert calls[0]["recipient"] == "late@example.org"
    assert calls[0]["permanent"] is False
    vacation = plain_message(
        sender="late@example.org", to=bounce_to, headers={"Auto-Submitted": "auto-replied"}
    )
    assert accept(vacation, bounce_to).state == State.IGNORED
    assert len(calls) == 1


def test_owner_mail_is_forwarded_to_owners_and_moderators(django_capture_on_commit_callbacks):
    mailing_list = make_list()
    owner = make_member(mailing_list)
    WorkgroupMembership.objects.filter(user=owner).update(role=WorkgroupMembership.Role.OWNER)
    make_member(mailing_list)  # an ordinary member is not told
    to = address("privatization", "-owner")
    with django_capture_on_commit_callbacks(execute=True):
        result = accept(plain_message(sender="someone@example.net", to=to, subject="Question"), to)
    assert result.state == State.DONE
    [forward] = mail.outbox
    assert forward.to == [owner.email]
    assert forward.attachments
