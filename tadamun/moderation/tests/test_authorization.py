"""Who may do what with reports: every page and action × every role, for an item of no
workgroup (reviewed by coordinators), of an OPEN workgroup (its moderators and coordinators)
and of a CLOSED workgroup (its moderators, and coordinators who belong to it — not the others).

Each cell is a status code, or where the person is sent ("login", "pending"), or "back" (sent
back to the item with a message), or "done" (the action happened and redirected). For actions
the test checks the state before and after: it changes exactly when the cell says "done".
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tadamun.moderation import services
from tadamun.moderation.models import ModerationDecision, Report

from .conftest import World, ids, make_post


@dataclass
class Case:
    method: str
    url: Any  # (world, item) -> str
    cells: dict  # item name -> one cell per role in World.ROLES
    data: Any = None  # (world, item) -> dict
    state: Any = None  # (world, item) -> anything; compared before and after
    setup: Any = None  # (world, item) -> None, run before the request


def item_url(name):
    return lambda w, obj: reverse(f"moderation:{name}", args=ids(obj))


def report_state(w, obj):
    ct, pk = ids(obj)
    return list(
        Report.objects.filter(content_type_id=ct, object_id=pk)
        .order_by("pk")
        .values_list("pk", "reporter_id", "reason", "status")
    )


def decision_state(w, obj):
    ct, pk = ids(obj)
    return (
        type(obj).objects.get(pk=obj.pk).is_hidden,
        report_state(w, obj),
        ModerationDecision.objects.filter(content_type_id=ct, object_id=pk).count(),
    )


def hide_item(w, obj):
    type(obj).objects.filter(pk=obj.pk).update(is_hidden=True)


L, P, B = "login", "pending", "back"
#             anon app  member outsider reporter author moderator coord outside_coord
EVERYWHERE = (L, P, 200, 200, B, B, 200, 200, 200)
NOT_OUTSIDE = (L, P, 200, 404, B, B, 200, 200, 404)
QUEUE = (L, P, 403, 403, 403, 403, 200, 200, 200)


def reviewers(network, open_, closed):
    """Cells for the review pages: `ok` for reviewers, 404 for everyone else."""
    return {
        "network": (L, P, 404, 404, 404, 404, 404, network, network),
        "open": (L, P, 404, 404, 404, 404, open_, open_, open_),
        "closed": (L, P, 404, 404, 404, 404, closed, closed, 404),
    }


CASES = {
    "report form": Case(
        "get",
        item_url("report"),
        {"network": EVERYWHERE, "open": EVERYWHERE, "closed": NOT_OUTSIDE},
    ),
    "send a report": Case(
        "post",
        item_url("report"),
        {
            "network": (L, P, "done", "done", B, B, "done", "done", "done"),
            "open": (L, P, "done", "done", B, B, "done", "done", "done"),
            "closed": (L, P, "done", 404, B, B, "done", "done", 404),
        },
        data=lambda w, obj: {"reason": "harassment", "note": "Please look"},
        state=report_state,
    ),
    "queue": Case(
        "get",
        lambda w, obj: reverse("moderation:queue"),
        # The same page whatever the item: checked once (what it lists is checked below).
        {"network": QUEUE},
    ),
    "handled queue": Case(
        "get",
        lambda w, obj: reverse("moderation:queue") + "?show=handled",
        {"network": QUEUE},
    ),
    "my reports": Case(
        "get",
        lambda w, obj: reverse("moderation:my_reports"),
        {"network": (L, P, 200, 200, 200, 200, 200, 200, 200)},
    ),
    "item page": Case("get", item_url("item"), reviewers(200, 200, 200)),
    "hide": Case(
        "post",
        item_url("hide"),
        reviewers("done", "done", "done"),
        data=lambda w, obj: {"hide-reason": "spam", "hide-note": "Advertising"},
        state=decision_state,
    ),
    "restore": Case(
        "post",
        item_url("restore"),
        reviewers("done", "done", "done"),
        data=lambda w, obj: {"restore-note": "It was fine"},
        state=decision_state,
        setup=hide_item,
    ),
    "dismiss": Case(
        "post",
        item_url("dismiss"),
        reviewers("done", "done", "done"),
        data=lambda w, obj: {"dismiss-note": "Not spam"},
        state=decision_state,
    ),
}

MATRIX = [
    pytest.param(name, item, role, cells[index], id=f"{name} | {item} | {role}")
    for name, case in CASES.items()
    for item, cells in case.cells.items()
    for index, role in enumerate(World.ROLES)
]


def outcome(response, obj) -> Any:
    if response.status_code != 302:
        return response.status_code
    target = urlsplit(response["Location"]).path
    if target.startswith(reverse("account_login")):
        return "login"
    if target == reverse("accounts:pending"):
        return "pending"
    if target == obj.get_absolute_url():
        return "back"
    return "redirect"


@pytest.mark.parametrize(("name", "item", "role", "expected"), MATRIX)
def test_authorization_matrix(client, world, notified, name, item, role, expected):
    case = CASES[name]
    obj = world.item(item)
    if case.setup:
        case.setup(world, obj)
    user = world.user(role)
    if user:
        client.force_login(user)
    before = case.state(world, obj) if case.state else None
    data = case.data(world, obj) if case.data else {}
    response = getattr(client, case.method)(case.url(world, obj), data)
    result = outcome(response, obj)
    if expected == "done":
        # Reports go back to the item; decisions back to the item's review page.
        assert result in {"back", "redirect"}
    else:
        assert result == expected
    if case.state:
        changed = case.state(world, obj) != before
        assert changed == (expected == "done"), "state changed" if changed else "no change"


QUEUED = {
    "moderator": {"open", "closed"},
    "coordinator": {"network", "open", "closed"},
    "outside_coordinator": {"network", "open"},
}


@pytest.mark.parametrize("role", sorted(QUEUED))
def test_each_reviewer_sees_exactly_their_items_in_the_queue(client, world, role):
    client.force_login(world.user(role))
    page = client.get(reverse("moderation:queue")).content.decode()
    for name in World.ITEMS:
        link = reverse("moderation:item", args=ids(world.item(name)))
        assert (link in page) == (name in QUEUED[role]), name
    # The closed workgroup's words never reach a coordinator outside it.
    assert ("Closed group secret text" in page) == ("closed" in QUEUED[role])


def test_nobody_reviews_reports_on_what_they_wrote(client, world):
    """A moderator's own post in their workgroup goes to the coordinators, not to them, and
    they never learn who reported it."""
    own = make_post(world.moderator, body="Moderator's own words", workgroup=world.open_group)
    services.report_create(reporter=world.reporter, obj=own, reason="harassment")
    client.force_login(world.moderator)
    assert (
        reverse("moderation:item", args=ids(own))
        not in client.get(reverse("moderation:queue")).content.decode()
    )
    assert client.get(reverse("moderation:item", args=ids(own))).status_code == 404
    response = client.post(reverse("moderation:hide", args=ids(own)), {"hide-reason": "spam"})
    assert response.status_code == 404
    own.refresh_from_db()
    assert not own.is_hidden
    client.force_login(world.coordinator)
    page = client.get(reverse("moderation:item", args=ids(own))).content.decode()
    assert "Reporting Member" in page
