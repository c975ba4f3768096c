"""Who may do what with direct messages: every page and action × every role.

Roles (World.ROLES): anonymous, applicant, suspended (once a participant elsewhere),
participant (in the group conversation), former (took part, then left), outsider (another
member), coordinator (not in it: coordinators do not read direct messages). Each cell is a
status code, where the person is sent ("login", "pending"), or "done" (the action happened and
redirected). For actions the state is compared before and after: it changes exactly when the
cell says "done". A conversation someone is not in answers 404, never 403.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tadamun.messaging.models import Conversation, Message, Participant

from .conftest import World


@dataclass
class Case:
    method: str
    url: Any  # (world) -> str
    expected: tuple  # one cell per role in World.ROLES
    data: Any = None  # (world) -> dict
    state: Any = None  # (world) -> anything; compared before and after


def conversation_url(name):
    return lambda w: reverse(f"messaging:{name}", args=[w.conversation.pk])


def messages_state(w):
    return list(Message.objects.order_by("pk").values_list("pk", "body"))


def participants_state(w):
    return list(
        Participant.objects.order_by("pk").values_list("pk", "left_at", "muted", "last_read_at")
    )


L, PEND = "login", "pending"

CASES = {
    "inbox": Case("get", lambda w: reverse("messaging:inbox"), (L, PEND, 403, 200, 200, 200, 200)),
    "new message form": Case(
        "get", lambda w: reverse("messaging:new"), (L, PEND, 403, 200, 200, 200, 200)
    ),
    "open the conversation": Case(
        "get", conversation_url("conversation"), (L, PEND, 403, 200, 404, 404, 404)
    ),
    "open a message's link": Case(
        "get", lambda w: w.reply.get_absolute_url(), (L, PEND, 403, 200, 404, 404, 404)
    ),
    "change a message": Case(
        "get",
        lambda w: reverse("messaging:edit", args=[w.conversation.pk, w.first.pk]),
        (L, PEND, 403, 200, 404, 404, 404),
    ),
    "reply": Case(
        "post",
        conversation_url("conversation"),
        (L, PEND, 403, "done", 404, 404, 404),
        data=lambda w: {"body": "A reply"},
        state=messages_state,
    ),
    "save a changed message": Case(
        "post",
        lambda w: reverse("messaging:edit", args=[w.conversation.pk, w.first.pk]),
        (L, PEND, 403, "done", 404, 404, 404),
        data=lambda w: {"body": "Changed"},
        state=messages_state,
    ),
    "leave": Case(
        "post",
        conversation_url("leave"),
        (L, PEND, 403, "done", 404, 404, 404),
        state=participants_state,
    ),
    "mute": Case(
        "post",
        conversation_url("mute"),
        (L, PEND, 403, "done", 404, 404, 404),
        data=lambda w: {"muted": "1"},
        state=participants_state,
    ),
    "start a conversation with a hidden member": Case(
        "post",
        lambda w: reverse("messaging:new"),
        # Only coordinators may see hidden members; for anyone else the name is unknown.
        (L, PEND, 403, 400, 400, 400, "done"),
        data=lambda w: {"recipients": "Hidden Person", "body": "Hello"},
        state=lambda w: Conversation.objects.count(),
    ),
}

MATRIX = [
    pytest.param(name, role, case.expected[index], id=f"{name} | {role}")
    for name, case in CASES.items()
    for index, role in enumerate(World.ROLES)
]


def outcome(response) -> Any:
    if response.status_code != 302:
        return response.status_code
    target = urlsplit(response["Location"]).path
    if target.startswith(reverse("account_login")):
        return "login"
    if target == reverse("accounts:pending"):
        return "pending"
    return "done"


@pytest.mark.parametrize(("name", "role", "expected"), MATRIX)
def test_authorization_matrix(client, world, name, role, expected):
    case = CASES[name]
    user = world.user(role)
    if user:
        client.force_login(user)
    before = case.state(world) if case.state else None
    data = case.data(world) if case.data else {}
    response = getattr(client, case.method)(case.url(world), data)
    assert outcome(response) == expected
    if case.state:
        changed = case.state(world) != before
        assert changed == (expected == "done"), "state changed" if changed else "no change"


@pytest.mark.parametrize("role", ["former", "outsider", "coordinator"])
def test_nothing_of_the_conversation_leaks_to_those_outside_it(client, world, role):
    client.force_login(world.user(role))
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert "Planning" not in inbox
    assert "First message of the group" not in inbox
    for url in (
        reverse("messaging:conversation", args=[world.conversation.pk]),
        world.first.get_absolute_url(),
    ):
        assert "First message of the group" not in client.get(url).content.decode()


def test_a_hidden_member_and_an_unknown_name_get_the_same_answer(client, world):
    client.force_login(world.outsider)
    hidden = client.post(reverse("messaging:new"), {"recipients": "Hidden Person", "body": "Hello"})
    nobody = client.post(reverse("messaging:new"), {"recipients": "Nobody Person", "body": "Hello"})
    assert hidden.status_code == nobody.status_code == 400
    hidden_errors = hidden.context["form"].errors["recipients"]
    nobody_errors = nobody.context["form"].errors["recipients"]
    assert hidden_errors[0].replace("Hidden", "X") == nobody_errors[0].replace("Nobody", "X")
