import pytest
from django.contrib.auth.models import AnonymousUser

from tadamun.accounts.tests.factories import UserFactory
from tadamun.messaging import selectors, services
from tadamun.messaging.models import Message

pytestmark = pytest.mark.django_db


def test_conversations_are_seen_by_their_active_participants_only(world):
    conversation = world.conversation
    assert list(selectors.conversations_visible_to(world.participant)) == [conversation]
    assert conversation in selectors.conversations_visible_to(world.partner)
    for person in (world.former, world.outsider, world.coordinator, world.hidden):
        assert conversation not in selectors.conversations_visible_to(person)
    for person in (None, AnonymousUser(), world.applicant):
        assert not selectors.conversations_visible_to(person).exists()


def test_a_suspended_member_sees_none_of_their_conversations(world):
    assert not selectors.conversations_visible_to(world.suspended).exists()
    assert not selectors.messages_visible_to(world.suspended).exists()
    # …while the other person still does.
    assert world.suspended_conversation in selectors.conversations_visible_to(world.partner)


def test_messages_follow_their_conversation(world):
    both = {world.first, world.reply}
    assert set(selectors.messages_visible_to(world.participant)) >= both
    assert not set(selectors.messages_visible_to(world.former)) & both
    assert not set(selectors.messages_visible_to(world.coordinator)) & both
    assert not set(selectors.messages_visible_to(world.outsider)) & both


def test_a_hidden_message_is_seen_by_its_author_only(world):
    Message.objects.filter(pk=world.reply.pk).update(is_hidden=True)
    assert world.reply in selectors.messages_visible_to(world.partner)
    assert world.reply not in selectors.messages_visible_to(world.participant)
    assert world.reply not in selectors.messages_visible_to(world.coordinator)


def test_unread_count_is_one_query(world, django_assert_num_queries):
    # The participant has not read the partner's reply.
    with django_assert_num_queries(1):
        assert selectors.unread_conversations_count(world.participant) == 1
    assert selectors.unread_conversations_count(world.former) == 0
    assert selectors.unread_conversations_count(None) == 0


def test_unread_count_ignores_own_hidden_and_read_messages():
    sender, recipient = UserFactory(), UserFactory()
    assert selectors.unread_conversations_count(recipient) == 0
    conversation, message = services.conversation_start(
        sender=sender, recipients=[recipient], body="Hi"
    )
    assert selectors.unread_conversations_count(sender) == 0  # their own message
    assert selectors.unread_conversations_count(recipient) == 1
    Message.objects.filter(pk=message.pk).update(is_hidden=True)
    assert selectors.unread_conversations_count(recipient) == 0
    Message.objects.filter(pk=message.pk).update(is_hidden=False)
    services.conversation_mark_read(conversation=conversation, user=recipient)
    assert selectors.unread_conversations_count(recipient) == 0
    services.message_send(conversation=conversation, author=sender, body="Again")
    assert selectors.unread_conversations_count(recipient) == 1


def test_inbox_is_newest_activity_first_with_unread_counts():
    me, one, two = UserFactory(), UserFactory(), UserFactory()
    older, _ = services.conversation_start(sender=one, recipients=[me], body="One")
    services.message_send(conversation=older, author=one, body="One again")
    newer, _ = services.conversation_start(sender=me, recipients=[two], body="Mine")
    inbox = list(selectors.inbox_of(me))
    assert inbox == [newer, older]
    assert [c.unread for c in inbox] == [0, 2]
    assert inbox[1].last_body == "One again"
    assert {p.user for p in inbox[0].active_participants} == {me, two}
    services.message_send(conversation=older, author=me, body="Answer")
    inbox = list(selectors.inbox_of(me))
    assert inbox == [older, newer]
    assert inbox[0].unread == 0
    assert inbox[0].last_author_id == me.pk


def test_the_inbox_preview_never_shows_someone_elses_hidden_message():
    me, other = UserFactory(), UserFactory()
    conversation, _ = services.conversation_start(sender=me, recipients=[other], body="Hi")
    secret = services.message_send(conversation=conversation, author=other, body="Abuse")
    Message.objects.filter(pk=secret.pk).update(is_hidden=True)
    assert selectors.inbox_of(me).get().last_body == "Hi"
    assert selectors.inbox_of(other).get().last_body == "Abuse"


def test_existing_one_to_one_is_found_for_both_people_only():
    one, two, three = UserFactory(), UserFactory(), UserFactory()
    conversation, _ = services.conversation_start(sender=one, recipients=[two], body="Hi")
    assert selectors.existing_one_to_one(one, two) == conversation
    assert selectors.existing_one_to_one(two, one) == conversation
    assert selectors.existing_one_to_one(one, three) is None
    assert selectors.existing_one_to_one(three, two) is None
