import sys
import types

import pytest
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.messaging import services


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


@pytest.fixture
def notified(monkeypatch):
    """Every call of `tadamun.notifications.services.notify`, recorded instead of run (the
    notifications app decides what a notification does; here we check whom we tell)."""
    calls: list[dict] = []

    def notify(*, recipients, kind, target, actor=None, data=None) -> int:
        people = list(recipients)
        calls.append({"recipients": people, "kind": kind, "target": target, "actor": actor})
        return len(people)

    try:
        from tadamun.notifications import services as module
    except ImportError:  # the notifications app is written in parallel
        module = types.ModuleType("tadamun.notifications.services")
        monkeypatch.setitem(sys.modules, "tadamun.notifications.services", module)
        import tadamun.notifications

        monkeypatch.setattr(tadamun.notifications, "services", module, raising=False)
    monkeypatch.setattr(module, "notify", notify, raising=False)
    return calls


class World:
    """A group conversation between `participant`, `partner` and `former` (who left it), and
    people around it: a hidden member, an outsider, a coordinator, an applicant, a suspended
    member (who once took part in another conversation)."""

    ROLES = [
        "anonymous",
        "applicant",
        "suspended",
        "participant",
        "former",
        "outsider",
        "coordinator",
    ]

    def __init__(self):
        self.participant = UserFactory(display_name="Participant Person")
        self.partner = UserFactory(display_name="Partner Person")
        self.former = UserFactory(display_name="Former Person")
        self.outsider = UserFactory(display_name="Outside Person")
        self.coordinator = UserFactory(coordinator=True, display_name="Coordinating Person")
        self.applicant = UserFactory(applicant=True, display_name="Applying Person")
        self.hidden = UserFactory(hidden=True, display_name="Hidden Person")
        self.suspended = UserFactory(display_name="Suspended Person")
        self.conversation, self.first = services.conversation_start(
            sender=self.participant,
            recipients=[self.partner, self.former],
            subject="Planning",
            body="First message of the group",
        )
        self.reply = services.message_send(
            conversation=self.conversation, author=self.partner, body="A reply from the partner"
        )
        services.conversation_leave(conversation=self.conversation, user=self.former)
        other, _message = services.conversation_start(
            sender=self.suspended, recipients=[self.partner], body="Before suspension"
        )
        self.suspended_conversation = other
        self.suspended.status = self.suspended.Status.SUSPENDED
        self.suspended.save()

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()
