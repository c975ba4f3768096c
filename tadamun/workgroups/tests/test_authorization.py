"""Who may do what: every workgroup page and action × every role, in an OPEN and a CLOSED
workgroup.

Roles: anonymous, applicant, outsider (a network member not in the group), member, moderator,
owner, coordinator (not in the group: a coordinator sees that a CLOSED workgroup exists and
looks after its membership and settings, but does not read its discussions). Each cell is a
status code, or where the person is sent ("login", "pending"), or "done" (the action happened
and redirected back), or "same" (redirected back with a message, nothing changed). For
actions, the test checks the state before and after: it changes exactly when the cell says
"done".
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tadamun.lists.models import MailingList, Subscription, ThreadMute
from tadamun.workgroups.models import Post, WorkgroupMembership

from .conftest import World


@dataclass
class Case:
    method: str
    url: Any  # (world, group) -> str
    open: tuple  # one cell per role in World.ROLES, for the OPEN workgroup
    closed: tuple  # … and for the CLOSED one
    data: Any = None  # (world, group) -> dict
    state: Any = None  # (world, group, user) -> anything; compared before and after


def url(name, args):
    return lambda w, g: reverse(f"workgroups:{name}", args=[g.workgroup.slug, *args(w, g)])


def slug_url(name):
    return lambda w, g: reverse(f"workgroups:{name}", args=[g.workgroup.slug])


def membership_state(w, g, user):
    return list(
        WorkgroupMembership.objects.filter(workgroup=g.workgroup)
        .order_by("pk")
        .values_list("user_id", "status", "role")
    )


def posts_state(w, g, user):
    return list(Post.objects.filter(workgroup=g.workgroup).values_list("pk", "status"))


L, PEND = "login", "pending"

CASES = {
    # ------------------------------------------------------------------------------ pages
    "workgroup list": Case(
        "get",
        lambda w, g: reverse("workgroups:list"),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 200, 200, 200, 200, 200),
    ),
    "workgroup page": Case(
        "get",
        slug_url("workgroup"),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 200),
    ),
    "thread page": Case(
        "get",
        url("thread", lambda w, g: [g.thread.pk]),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "thread holding only a held post": Case(
        "get",
        url("thread", lambda w, g: [g.held_thread.pk]),
        (L, PEND, 404, 404, 200, 200, 200),
        (L, PEND, 404, 404, 200, 200, 404),
    ),
    "new thread form": Case(
        "get",
        slug_url("thread_new"),
        (L, PEND, 403, 200, 200, 200, 403),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "moderation queue": Case(
        "get",
        slug_url("moderation"),
        (L, PEND, 403, 403, 200, 200, 200),
        (L, PEND, 404, 403, 200, 200, 403),
    ),
    "archive": Case(
        "get",
        slug_url("archive"),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "archive month": Case(
        "get",
        url("archive_month", lambda w, g: [g.first.created.year, g.first.created.month]),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "search": Case(
        "get",
        lambda w, g: reverse("workgroups:search", args=[g.workgroup.slug]) + "?q=Secret",
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "attachment": Case(
        "get",
        url("attachment", lambda w, g: [g.attachment.pk]),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "attachment of a held post": Case(
        "get",
        url("attachment", lambda w, g: [g.held_attachment.pk]),
        (L, PEND, 404, 404, 200, 200, 200),
        (L, PEND, 404, 404, 200, 200, 404),
    ),
    "mbox": Case(
        "get",
        slug_url("archive_mbox"),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "month mbox": Case(
        "get",
        url("archive_month_mbox", lambda w, g: [g.first.created.year, g.first.created.month]),
        (L, PEND, 200, 200, 200, 200, 200),
        (L, PEND, 404, 200, 200, 200, 404),
    ),
    "members page": Case(
        "get",
        slug_url("members"),
        (L, PEND, 403, 403, 200, 200, 200),
        (L, PEND, 404, 403, 200, 200, 200),
    ),
    "list settings page": Case(
        "get",
        slug_url("list_settings"),
        (L, PEND, 403, 403, 403, 200, 200),
        (L, PEND, 404, 403, 403, 200, 200),
    ),
    # ---------------------------------------------------------------------------- actions
    "join": Case(
        "post",
        slug_url("join"),
        # Members are in already; the closed workgroup takes no one who simply joins.
        (L, PEND, "done", "same", "same", "same", "done"),
        (L, PEND, 404, "same", "same", "same", "same"),
        state=membership_state,
    ),
    "leave": Case(
        "post",
        slug_url("leave"),
        # The only owner may not leave; outsiders and coordinators are not in.
        (L, PEND, "same", "done", "done", "same", "same"),
        (L, PEND, 404, "done", "done", "same", "same"),
        state=membership_state,
    ),
    "start a thread": Case(
        "post",
        slug_url("thread_new"),
        (L, PEND, 403, "done", "done", "done", 403),
        (L, PEND, 404, "done", "done", "done", 404),
        data=lambda w, g: {"subject": "New subject", "body": "New body"},
        state=posts_state,
    ),
    "reply": Case(
        "post",
        url("reply", lambda w, g: [g.thread.pk]),
        (L, PEND, 403, "done", "done", "done", 403),
        (L, PEND, 404, "done", "done", "done", 404),
        data=lambda w, g: {"body": "A reply"},
        state=posts_state,
    ),
    "reply to a held-only thread": Case(
        "post",
        url("reply", lambda w, g: [g.held_thread.pk]),
        # Moderators see the thread, but there is nothing published to reply to.
        (L, PEND, 404, 404, 400, 400, 403),
        (L, PEND, 404, 404, 400, 400, 404),
        data=lambda w, g: {"body": "A reply"},
        state=posts_state,
    ),
    "approve a held post": Case(
        "post",
        url("moderate", lambda w, g: [g.held_post.pk]),
        (L, PEND, 403, 403, "done", "done", "done"),
        (L, PEND, 404, 403, "done", "done", 403),
        data=lambda w, g: {"action": "approve"},
        state=posts_state,
    ),
    "approve a request to join": Case(
        "post",
        url("membership_decide", lambda w, g: [g.requested.pk]),
        (L, PEND, 403, 403, "done", "done", "done"),
        (L, PEND, 404, 403, "done", "done", "done"),
        data=lambda w, g: {"decision": "approve"},
        state=membership_state,
    ),
    "invite a network member": Case(
        "post",
        slug_url("members"),
        (L, PEND, 403, 403, "done", "done", "done"),
        (L, PEND, 404, 403, "done", "done", "done"),
        data=lambda w, g: {"email": w.invitee.email},
        state=membership_state,
    ),
    "make a member moderator": Case(
        "post",
        url("membership_role", lambda w, g: [g.member_membership.pk]),
        (L, PEND, 403, 403, 403, "done", "done"),
        (L, PEND, 404, 403, 403, "done", "done"),
        data=lambda w, g: {"role": "moderator"},
        state=membership_state,
    ),
    "remove a member": Case(
        "post",
        url("membership_remove", lambda w, g: [g.member_membership.pk]),
        (L, PEND, 403, 403, 403, "done", "done"),
        (L, PEND, 404, 403, 403, "done", "done"),
        state=membership_state,
    ),
    "change list settings": Case(
        "post",
        slug_url("list_settings"),
        (L, PEND, 403, 403, 403, "done", "done"),
        (L, PEND, 404, 403, 403, "done", "done"),
        data=lambda w, g: {
            "subject_prefix": "[changed]",
            "reply_to": "list",
            "dmarc_mitigation": "domains",
            "dmarc_domains": "gmail.com",
            "nonmember_action": "hold",
            "moderate_first_post": "on",
            "max_message_bytes": 10_000_000,
            "max_attachment_bytes": 5_000_000,
            "attachment_policy": "strip_dangerous",
            "footer_languages": "ar,en",
            "held_expiry_days": 14,
            "personalise": "on",
            "recipients_per_transaction": 500,
        },
        state=lambda w, g, user: MailingList.objects.get(workgroup=g.workgroup).subject_prefix,
    ),
    "choose the digest": Case(
        "post",
        slug_url("subscription"),
        (L, PEND, 403, "done", "done", "done", 403),
        (L, PEND, 404, "done", "done", "done", 403),
        data=lambda w, g: {"mode": "digest"},
        state=lambda w, g, user: list(
            Subscription.objects.filter(mailing_list__workgroup=g.workgroup).values_list(
                "email", "mode"
            )
        ),
    ),
    "mute a thread": Case(
        "post",
        url("mute", lambda w, g: [g.thread.pk]),
        (L, PEND, "done", "done", "done", "done", "done"),
        (L, PEND, 404, "done", "done", "done", 404),
        data=lambda w, g: {"muted": "on"},
        state=lambda w, g, user: ThreadMute.objects.filter(thread=g.thread).count(),
    ),
}

MATRIX = [
    pytest.param(name, kind, role, getattr(case, kind)[index], id=f"{name} | {kind} | {role}")
    for name, case in CASES.items()
    for kind in ("open", "closed")
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


@pytest.mark.parametrize(("name", "kind", "role", "expected"), MATRIX)
def test_authorization_matrix(client, world, name, kind, role, expected):
    case = CASES[name]
    group = getattr(world, kind)
    user = world.user(role)
    if user:
        client.force_login(user)
    before = case.state(world, group, user) if case.state else None
    data = case.data(world, group) if case.data else {}
    response = getattr(client, case.method)(case.url(world, group), data)
    result = outcome(response)
    if expected == "same":
        assert result == "done"
    else:
        assert result == expected
    if case.state:
        changed = case.state(world, group, user) != before
        assert changed == (expected == "done"), "state changed" if changed else "no change"
