import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core import content
from tadamun.messaging import selectors, services
from tadamun.messaging.models import Conversation, Message, Participant

pytestmark = pytest.mark.django_db


def start(sender, *recipients, body="Hello", subject=""):
    return services.conversation_start(
        sender=sender, recipients=list(recipients), body=body, subject=subject
    )


def test_one_to_one_conversation_is_stored_with_the_language_detected():
    sender, recipient = UserFactory(), UserFactory()
    conversation, message = start(sender, recipient, body="مرحباً، كيف حالك؟", subject="Hi")
    assert conversation.subject == "Hi"
    assert not conversation.is_group
    assert conversation.created_by == sender
    assert set(conversation.participants.values_list("user_id", flat=True)) == {
        sender.pk,
        recipient.pk,
    }
    assert message.language == "ar"
    assert message.author == sender
    assert conversation.last_message_at == message.created
    # The sender has read their own message; the recipient has not.
    assert Participant.objects.get(conversation=conversation, user=sender).last_read_at
    assert Participant.objects.get(conversation=conversation, user=recipient).last_read_at is None


def test_english_is_detected_too():
    _conversation, message = start(UserFactory(), UserFactory(), body="Good morning, friends")
    assert message.language == "en"


def test_writing_again_to_the_same_person_continues_the_one_to_one_conversation():
    sender, recipient = UserFactory(), UserFactory()
    first, _ = start(sender, recipient)
    again, message = start(sender, recipient, body="Me again", subject="Ignored")
    back, _ = start(recipient, sender, body="And me")
    assert again == first == back
    assert Conversation.objects.count() == 1
    assert first.messages.count() == 3
    assert message.conversation == first


def test_a_group_is_never_reused_as_a_one_to_one():
    sender, one, two = UserFactory(), UserFactory(), UserFactory()
    group, _ = start(sender, one, two)
    services.conversation_leave(conversation=group, user=two)
    direct, _ = start(sender, one)
    assert direct != group
    assert group.is_group
    assert not direct.is_group


def test_after_someone_left_a_new_one_to_one_starts():
    sender, recipient = UserFactory(), UserFactory()
    first, _ = start(sender, recipient)
    services.conversation_leave(conversation=first, user=recipient)
    second, _ = start(sender, recipient)
    assert second != first
    # The one who left finds only the new conversation.
    assert list(selectors.conversations_visible_to(recipient)) == [second]


def test_sender_in_the_recipients_is_dropped_and_duplicates_count_once():
    sender, recipient = UserFactory(), UserFactory()
    conversation, _ = start(sender, sender, recipient, recipient)
    assert conversation.participants.count() == 2


def test_writing_only_to_oneself_is_refused():
    sender = UserFactory()
    with pytest.raises(ValidationError):
        start(sender, sender)
    assert not Conversation.objects.exists()


def test_group_size_limit_counts_the_sender():
    sender = UserFactory()
    people = UserFactory.create_batch(services.MAX_PARTICIPANTS)
    with pytest.raises(ValidationError) as error:
        start(sender, *people)
    assert "at most 10 participants" in str(error.value)
    assert not Conversation.objects.exists()
    conversation, _ = start(sender, *people[: services.MAX_PARTICIPANTS - 1])
    assert conversation.participants.count() == services.MAX_PARTICIPANTS


def test_a_hidden_member_cannot_be_written_to_by_someone_who_cannot_see_them():
    sender, hidden = UserFactory(), UserFactory(hidden=True)
    with pytest.raises(ValidationError) as error:
        start(sender, hidden)
    assert error.value.message_dict["recipients"] == [str(services.NOT_FOUND)]
    assert not Message.objects.exists()


def test_a_coordinator_may_write_to_a_hidden_member_and_they_may_answer():
    coordinator, hidden = UserFactory(coordinator=True), UserFactory(hidden=True)
    conversation, _ = start(coordinator, hidden)
    services.message_send(conversation=conversation, author=hidden, body="Thank you")
    assert conversation.messages.count() == 2


def test_a_hidden_member_may_write_to_anyone_they_see():
    hidden, member = UserFactory(hidden=True), UserFactory()
    conversation, _ = start(hidden, member)
    assert selectors.conversations_visible_to(member).get() == conversation


def test_a_group_never_reveals_a_hidden_member_to_the_others():
    coordinator, hidden, member = (
        UserFactory(coordinator=True),
        UserFactory(hidden=True, display_name="Hidden Person"),
        UserFactory(),
    )
    with pytest.raises(ValidationError) as error:
        start(coordinator, hidden, member)
    assert "Hidden Person" in error.value.message_dict["recipients"][0]
    assert not Conversation.objects.exists()
    # With people who may see them (coordinators), the group is fine.
    other_coordinator = UserFactory(coordinator=True)
    conversation, _ = start(coordinator, hidden, other_coordinator)
    assert conversation.is_group


@pytest.mark.parametrize("status", ["applicant", "declined", "suspended"])
def test_people_who_are_not_members_can_neither_write_nor_be_written_to(status):
    outsider, member = UserFactory(**{status: True}), UserFactory()
    with pytest.raises(PermissionDenied):
        start(outsider, member)
    with pytest.raises(ValidationError):
        start(member, outsider)
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n\t ", "\u202e\u202d"])
def test_an_empty_message_is_refused(body):
    with pytest.raises(ValidationError) as error:
        start(UserFactory(), UserFactory(), body=body)
    assert error.value.message_dict["body"] == ["Write a message."]
    assert not Conversation.objects.exists()


def test_an_oversized_message_is_refused():
    with pytest.raises(ValidationError) as error:
        start(UserFactory(), UserFactory(), body="x" * (services.MAX_BODY_CHARS + 1))
    assert "at most 20,000 characters" in error.value.message_dict["body"][0]
    assert not Conversation.objects.exists()
    _conversation, message = start(UserFactory(), UserFactory(), body="x" * services.MAX_BODY_CHARS)
    assert len(message.body) == services.MAX_BODY_CHARS


def test_bidi_overrides_and_control_characters_are_stripped():
    _conversation, message = start(
        UserFactory(),
        UserFactory(),
        body="invoice\u202egpj.exe\x00 ok\r\nnext",
        subject="a\u202eb\x07",
    )
    assert message.body == "invoicegpj.exe ok\nnext"
    assert message.conversation.subject == "ab"


def test_only_active_participants_may_send():
    sender, recipient, outsider = UserFactory(), UserFactory(), UserFactory()
    conversation, _ = start(sender, recipient)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, author=outsider, body="Let me in")
    with pytest.raises(PermissionDenied):
        services.message_send(
            conversation=conversation, author=UserFactory(coordinator=True), body="Let me in"
        )
    services.conversation_leave(conversation=conversation, user=recipient)
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, author=recipient, body="Back")
    assert conversation.messages.count() == 1


def test_no_reply_once_everyone_else_has_left():
    sender, recipient = UserFactory(), UserFactory()
    conversation, _ = start(sender, recipient)
    services.conversation_leave(conversation=conversation, user=recipient)
    with pytest.raises(ValidationError):
        services.message_send(conversation=conversation, author=sender, body="Anyone?")
    assert conversation.messages.count() == 1


def test_a_new_message_notifies_the_other_active_unmuted_participants(
    notified, django_capture_on_commit_callbacks
):
    sender, reader, muter, leaver = UserFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=True):
        conversation, first = start(sender, reader, muter, leaver)
    assert len(notified) == 1
    assert set(notified[0]["recipients"]) == {reader, muter, leaver}
    assert notified[0]["kind"] == "message"
    assert notified[0]["target"] == first
    assert notified[0]["actor"] == sender

    services.conversation_mute(conversation=conversation, user=muter, muted=True)
    services.conversation_leave(conversation=conversation, user=leaver)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.message_send(conversation=conversation, author=reader, body="Reply")
    assert len(notified) == 2
    assert notified[1]["recipients"] == [sender]
    assert notified[1]["target"] == reply
    assert notified[1]["actor"] == reader


def test_nothing_is_notified_when_the_transaction_fails(notified):
    sender, recipient = UserFactory(), UserFactory()
    conversation, _ = start(sender, recipient)
    # Without a commit (the test's transaction is rolled back) no task runs.
    assert notified == []
    assert conversation.messages.count() == 1


def test_a_message_hidden_before_the_task_runs_is_not_notified(notified):
    from tadamun.messaging.tasks import notify_new_message

    sender, recipient = UserFactory(), UserFactory()
    _conversation, message = start(sender, recipient)
    Message.objects.filter(pk=message.pk).update(is_hidden=True)
    assert notify_new_message.call(message_id=message.pk) == 0
    assert notify_new_message.call(message_id=999_999) == 0
    assert notified == []


def test_its_author_may_change_a_message():
    sender, recipient = UserFactory(), UserFactory()
    _conversation, message = start(sender, recipient, body="Hello")
    services.message_edit(message=message, by=sender, body="مرحباً")
    message.refresh_from_db()
    assert message.body == "مرحباً"
    assert message.language == "ar"
    assert message.edited is not None


def test_nobody_else_may_change_a_message_nor_a_hidden_one():
    sender, recipient = UserFactory(), UserFactory()
    _conversation, message = start(sender, recipient, body="Hello")
    with pytest.raises(PermissionDenied):
        services.message_edit(message=message, by=recipient, body="Changed")
    Message.objects.filter(pk=message.pk).update(is_hidden=True)
    message.refresh_from_db()
    with pytest.raises(ValidationError):
        services.message_edit(message=message, by=sender, body="Changed")
    message.refresh_from_db()
    assert message.body == "Hello"
    assert message.edited is None


def test_leave_mute_and_mark_read():
    sender, recipient = UserFactory(), UserFactory()
    conversation, _ = start(sender, recipient)
    services.conversation_mute(conversation=conversation, user=recipient, muted=True)
    assert Participant.objects.get(conversation=conversation, user=recipient).muted
    services.conversation_mark_read(conversation=conversation, user=recipient)
    assert selectors.unread_conversations_count(recipient) == 0
    services.conversation_leave(conversation=conversation, user=recipient)
    assert Participant.objects.get(conversation=conversation, user=recipient).left_at
    with pytest.raises(PermissionDenied):
        services.conversation_leave(conversation=conversation, user=recipient)
    with pytest.raises(PermissionDenied):
        services.conversation_mute(conversation=conversation, user=recipient, muted=False)


def test_messages_are_registered_private_content():
    kind = content.kind_of(Message)
    assert kind.text_fields == ()
    sender, recipient, coordinator = UserFactory(), UserFactory(), UserFactory(coordinator=True)
    _conversation, message = start(sender, recipient)
    assert kind.authors(message) == [sender]
    assert content.can_see(recipient, message)
    assert not content.can_see(coordinator, message)
    assert message.get_absolute_url().endswith(f"?message={message.pk}#message-{message.pk}")
