"""Commands by mail: -join / -leave / -request (English and Arabic) and -confirm+token."""

import re

import pytest
from django.core import mail

from tadamun.lists import inbound
from tadamun.lists.models import InboundMessage, Subscription
from tadamun.lists.tests.inbound_support import address, make_list, make_member, plain_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def send(to: str, *, sender: str = "friend@example.net", subject: str = "", body: str = "\n"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return inbound.accept_inbound_message(
                raw=plain_message(sender=sender, to=to, subject=subject, body=body),
                envelope_from=sender,
                recipient=to,
            )

    return send


def confirm_token(message) -> str:
    return re.search(r"-confirm\+([0-9a-f]{32})@", message.body).group(1)


def test_join_then_confirm_by_reply_then_leave_by_reply(send):
    mailing_list = make_list()
    result = send(address("privatization", "-join"))
    assert result.state == InboundMessage.State.DONE
    subscription = Subscription.objects.get(email="friend@example.net")
    assert subscription.status == Subscription.Status.PENDING
    [confirmation] = mail.outbox
    assert confirmation.to == ["friend@example.net"]
    assert "Confirm your subscription" in confirmation.subject
    assert "أكّد اشتراكك" in confirmation.subject  # a stranger gets both languages
    token = confirm_token(confirmation)
    send(address("privatization", f"-confirm+{token}"), subject="Re: confirm")
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert "Welcome" in mail.outbox[0].subject
    # The token works once.
    send(address("privatization", f"-confirm+{token}"))
    assert "not valid any more" in mail.outbox[0].body

    send(address("privatization", "-leave"))
    assert Subscription.objects.filter(pk=subscription.pk).exists()  # not before confirming
    leave_token = confirm_token(mail.outbox[0])
    send(address("privatization", f"-confirm+{leave_token}"))
    assert not Subscription.objects.filter(mailing_list=mailing_list).exists()
    assert "You have left" in mail.outbox[0].subject


def test_request_commands_in_arabic(send):
    make_list()
    send(address("privatization", "-request"), subject="اشتراك")
    subscription = Subscription.objects.get()
    assert subscription.status == Subscription.Status.PENDING
    assert subscription.language == "ar"
    [confirmation] = mail.outbox
    assert confirmation.subject.startswith("أكّد اشتراكك")
    assert "Confirm" not in confirmation.subject  # Arabic only: the sender wrote Arabic
    send(address("privatization", "-request"), body="إلغاء الاشتراك\n")
    assert not Subscription.objects.exists()  # a pending request is simply withdrawn
    send(address("privatization", "-request"), subject="مساعدة")
    assert "مساعدة القائمة" in mail.outbox[0].subject


def test_help_in_the_members_language_and_unknown_command(send):
    mailing_list = make_list()
    member = make_member(mailing_list, preferred_language="en")
    send(address("privatization", "-request"), sender=member.email, body="help\n")
    [reply] = mail.outbox
    assert reply.subject == "Help for the list privatization@lists.tadamun.localhost"
    assert "اشتراك" in reply.body  # the Arabic command words are listed anyway
    send(address("privatization", "-request"), sender=member.email, subject="what?")
    assert "no command this list understands" in mail.outbox[0].body


def test_confirm_token_in_the_subject_to_request(send):
    make_list()
    send(address("privatization", "-join"))
    token = confirm_token(mail.outbox[0])
    send(address("privatization", "-request"), subject=f"Re: confirm {token}")
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_closed_workgroup_refuses_outside_addresses_but_not_members(send):
    make_list("inner", closed=True)
    send(address("inner", "-join"))
    assert not Subscription.objects.exists()
    assert "is closed" in mail.outbox[0].body
    mailing_list = make_list("inner2", closed=True)
    member = make_member(mailing_list)
    send(address("inner2", "-join"), sender=member.email)
    subscription = Subscription.objects.get()
    assert subscription.user == member
    send(address("inner2", f"-confirm+{confirm_token(mail.outbox[0])}"), sender=member.email)
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_member_leaving_keeps_web_access(send):
    mailing_list = make_list()
    member = make_member(mailing_list)
    Subscription.objects.create(mailing_list=mailing_list, user=member, email=member.email)
    send(address("privatization", "-leave"), sender=member.email)
    send(address("privatization", f"-confirm+{confirm_token(mail.outbox[0])}"))
    subscription = Subscription.objects.get()
    assert subscription.mode == Subscription.Mode.NONE


def test_already_subscribed_and_auto_replies_get_no_answer(
    send, django_capture_on_commit_callbacks
):
    mailing_list = make_list()
    Subscription.objects.create(mailing_list=mailing_list, email="friend@example.net")
    send(address("privatization", "-join"))
    assert "مشترك في هذه القائمة من قبل" in mail.outbox[0].body  # the subscription's language
    mail.outbox.clear()
    raw = plain_message(
        sender="robot@example.net",
        to=address("privatization", "-request"),
        subject="subscribe",
        headers={"Auto-Submitted": "auto-replied"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = inbound.accept_inbound_message(
            raw=raw,
            envelope_from="robot@example.net",
            recipient=address("privatization", "-request"),
        )
    assert result.state == InboundMessage.State.IGNORED
    assert mail.outbox == []


def test_replies_are_rate_limited_per_address(send):
    """A forged From must not turn the list into a mail cannon (RFC 3834 §2)."""
    make_list()
    answered = 0
    for _ in range(12):
        send(address("privatization", "-request"), subject="help")
        answered += len(mail.outbox)
    assert answered == 10
