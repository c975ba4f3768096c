import io

import pytest

from tadamun.accounts.tests.factories import UserFactory
from tadamun.messaging import selectors
from tadamun.messaging.demo import CONVERSATIONS, DOMAIN, seed
from tadamun.messaging.models import Conversation, Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_people():
    """The demo people the conversations need (seed_demo makes them; here only those)."""
    names = {name for _subject, people, _messages, _readers in CONVERSATIONS for name in people}
    return {
        name: UserFactory(
            email=f"{name}@{DOMAIN}", hidden=name == "hidden", coordinator=name == "coordinator"
        )
        for name in sorted(names)
    }


def test_demo_conversations_are_bilingual_and_partly_unread(demo_people):
    out = io.StringIO()
    seed(stdout=out)
    assert "3 demo conversations" in out.getvalue()
    assert Conversation.objects.count() == 3
    assert set(Message.objects.values_list("language", flat=True)) == {"ar", "en"}
    assert Conversation.objects.filter(is_group=True).count() == 1
    assert selectors.unread_conversations_count(demo_people["admin.basra"]) == 2
    assert selectors.unread_conversations_count(demo_people["member.basra"]) == 0
    assert selectors.unread_conversations_count(demo_people["coordinator"]) == 0
    # A second run changes nothing.
    seed(stdout=io.StringIO())
    assert Conversation.objects.count() == 3


def test_demo_is_skipped_without_its_people():
    seed(stdout=io.StringIO())
    assert not Conversation.objects.exists()
