"""Who may do what with campaigns: every page and action × every role (conftest.World) × the
three kinds of campaign (a draft, one in coalition review, an open one).

Cells: "shown"/"absent" (the list shows the campaign or not), a status code, where the person
is sent ("login", "pending"), or "done" (the action happened and redirected). For actions the
state is compared before and after: it changes exactly when the cell says "done".
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import reverse

from tadamun.campaigns.models import Campaign

from .conftest import World, login
from .factories import complete_texts


@dataclass
class Case:
    method: str
    url: Any  # (world, campaign) -> str
    cells: dict  # kind -> one cell per role in World.ROLES
    data: Any = None  # (world, campaign) -> dict
    state: Any = None  # (world, campaign) -> anything; compared before and after


L, P, Y, N, D = "login", "pending", "shown", "absent", "done"
#         anonymous applicant member lead_admin partner_admin proposer coordinator
EDITORS_ONLY = (404, 404, 404, 200, 404, 200, 200)
EVERYONE = (200,) * 7


def state(w, c) -> tuple:
    c = Campaign.objects.get(pk=c.pk)
    return (
        Campaign.objects.count(),
        c.status,
        c.title_en,
        c.reviews.count(),
        c.targets.count(),
        c.events.count(),
        c.updates.count(),
    )


def edit_data(w, c) -> dict:
    return {
        **complete_texts("edited"),
        "lead_organisations": [w.lead.pk, w.lead_b.pk],
        "partner_organisations": [w.partner.pk],
    }


def url(name):
    return lambda w, c: reverse(f"campaigns:{name}", args=[c.slug])


CASES = {
    "list": Case(
        "get",
        lambda w, c: reverse("campaigns:list"),
        {
            "draft": (N, N, N, Y, N, Y, N),
            "review": (N, N, N, Y, N, Y, N),
            "open": (Y,) * 7,
        },
    ),
    "detail": Case(
        "get",
        url("campaign"),
        {"draft": EDITORS_ONLY, "review": EDITORS_ONLY, "open": EVERYONE},
    ),
    "review_queue": Case(
        "get",
        lambda w, c: reverse("campaigns:review_queue"),
        {kind: (L, P, 403, 200, 200, 200, 200) for kind in World.KINDS},
    ),
    "propose_page": Case(
        "get",
        lambda w, c: reverse("campaigns:propose"),
        {kind: (L, P, 403, 200, 200, 200, 200) for kind in World.KINDS},
    ),
    "propose": Case(
        "post",
        lambda w, c: reverse("campaigns:propose"),
        {kind: (L, P, 403, D, 400, D, D) for kind in World.KINDS},
        # lead_admin, proposer and coordinator administer (or coordinate) `lead_b` / `lead`;
        # the partner's administrator may propose, but not with others' organisations as leads.
        data=lambda w, c: {**complete_texts("new"), "lead_organisations": [w.lead_b.pk, w.lead.pk]},
        state=lambda w, c: Campaign.objects.count(),
    ),
    "edit_page": Case(
        "get",
        url("edit"),
        {
            "draft": (L, P, 404, 200, 404, 200, 200),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, 200, 403, 200, 200),
        },
    ),
    "edit": Case(
        "post",
        url("edit"),
        {
            "draft": (L, P, 404, D, 404, D, D),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, D, 403, D, D),
        },
        data=edit_data,
    ),
    "submit": Case(
        "post",
        url("submit"),
        {
            "draft": (L, P, 404, D, 404, D, D),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, 403, 403, 403, 403),
        },
    ),
    "review_page": Case(
        "get",
        url("review"),
        {
            "draft": (L, P, 404, 403, 404, 403, 403),
            "review": (L, P, 404, 200, 404, 403, 200),
            "open": (L, P, 403, 403, 403, 403, 403),
        },
    ),
    "review": Case(
        "post",
        url("review"),
        {
            "draft": (L, P, 404, 403, 404, 403, 403),
            "review": (L, P, 404, D, 404, 403, D),
            "open": (L, P, 403, 403, 403, 403, 403),
        },
        data=lambda w, c: {"decision": "approve", "comment": ""},
    ),
    "status": Case(
        "post",
        url("status"),
        {
            "draft": (L, P, 404, 403, 404, 403, 403),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, D, 403, D, D),
        },
        data=lambda w, c: {"status": "closed"},
    ),
    "add_update": Case(
        "post",
        url("update_new"),
        {
            "draft": (L, P, 404, 403, 404, 403, 403),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, D, 403, D, D),
        },
        data=lambda w, c: {
            "title_ar": "خبر",
            "title_en": "News",
            "body_ar": "نص",
            "body_en": "Text",
        },
    ),
    "add_target": Case(
        "post",
        url("targets"),
        {
            "draft": (L, P, 404, D, 404, D, D),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, D, 403, D, D),
        },
        data=lambda w, c: {"name_ar": "وزارة العمل", "name_en": "Ministry of Labour"},
    ),
    "add_event": Case(
        "post",
        url("events"),
        {
            "draft": (L, P, 404, D, 404, D, D),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, D, 403, D, D),
        },
        data=lambda w, c: {
            "title_ar": "وقفة",
            "title_en": "Rally",
            "starts_at": "2030-05-01T10:00",
        },
    ),
    "links_page": Case(
        "get",
        url("links"),
        {
            "draft": (L, P, 404, 200, 404, 200, 200),
            "review": (L, P, 404, 403, 404, 403, 403),
            "open": (L, P, 403, 200, 403, 200, 200),
        },
    ),
}


def outcome(response, case: Case, campaign: Campaign) -> Any:
    if case.method == "get" and case.url(None, campaign) == reverse("campaigns:list"):
        assert response.status_code == 200
        return Y if campaign.title_en in response.text else N
    if response.status_code == 302:
        location = urlsplit(response["Location"]).path
        if location == reverse("account_login"):
            return L
        if location == reverse("accounts:pending"):
            return P
        return D
    return response.status_code


def attempt(client, w: World, case: Case, campaign: Campaign, role: str) -> tuple[Any, bool]:
    """(the outcome, whether the state changed) for one role — inside a transaction rolled
    back afterwards, so that every role meets the same world."""
    with transaction.atomic():
        client.logout()
        login(client, w.user(role))
        take_state = case.state or state
        before = take_state(w, campaign)
        address = case.url(w, campaign)
        if case.method == "get":
            response = client.get(address)
        else:
            response = client.post(address, case.data(w, campaign) if case.data else {})
        result = outcome(response, case, campaign), take_state(w, campaign) != before
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_matrix(client, name):
    w = World()
    case = CASES[name]
    wrong = []
    for kind in World.KINDS:
        campaign = w.campaigns[kind]
        for role, expected in zip(World.ROLES, case.cells[kind], strict=True):
            found, changed = attempt(client, w, case, campaign, role)
            if found != expected:
                wrong.append(f"{kind} × {role}: expected {expected}, got {found}")
            if case.method == "post" and changed != (expected == D):
                wrong.append(f"{kind} × {role}: the state changed={changed} ({found})")
    assert wrong == []
