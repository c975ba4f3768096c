"""Who may use the back office: every office page and action × every kind of person.

People (OfficeWorld.ROLES): anonymous, applicant, member (of the network, nothing to do with
the petition), partner_admin (administers a partner organisation of the petition), lead_admin
(administers the campaign's lead organisation), coordinator.

Cells: a status code, "login"/"pending" (where the person is sent), or "done" (the action
happened: a redirect, and the state changed). For every POST the state is compared before and
after: it changes exactly where the cell says "done".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.models import Target
from tadamun.core.models import AuditEvent
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory
from tadamun.petitions import office
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Petition,
    Signature,
    SignerUpdate,
)
from tadamun.petitions.tally import counts
from tadamun.petitions.tests.factories import (
    PartnerFactory,
    PetitionFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

ADMIN = OrganisationMembership.Role.ADMIN
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class OfficeWorld:
    ROLES = ["anonymous", "applicant", "member", "partner_admin", "lead_admin", "coordinator"]

    def __init__(self, *, draft: bool = False):
        self.petition = PetitionFactory(draft=draft) if draft else PetitionFactory()
        lead = self.petition.campaign.lead_organisations.get()
        self.partner = PartnerFactory(petition=self.petition)
        self.applicant = UserFactory(applicant=True)
        self.member = UserFactory()
        self.partner_admin = UserFactory()
        MembershipFactory(
            user=self.partner_admin, organisation=self.partner.organisation, role=ADMIN
        )
        self.lead_admin = UserFactory()
        MembershipFactory(user=self.lead_admin, organisation=lead, role=ADMIN)
        self.coordinator = UserFactory(coordinator=True)
        self.author = UserFactory()
        MembershipFactory(user=self.author, organisation=lead, role=ADMIN)
        self.signatures = [
            SignatureFactory(
                petition=self.petition,
                confirmed=True,
                partner=self.partner,
                consent_partner=True,
                consent_lead=True,
            )
            for _ in range(2)
        ]
        self.spam = SignatureFactory(
            petition=self.petition, confirmed=True, email="bot1@spam.example.net"
        )
        Target.objects.create(
            campaign=self.petition.campaign, name_en="Ministry", email="minister@example.org"
        )
        if not draft:
            self.update = office.update_create(
                petition=self.petition,
                by=self.author,
                subject_ar="خبر",
                subject_en="News",
                body_ar="نص",
                body_en="Text",
            )
            self.batch = office.paper_batch_create(
                petition=self.petition, by=self.author, note="names"
            )
            self.invalidation = office.invalidation_create(
                petition=self.petition,
                criteria={"ids": [self.spam.pk]},
                reason="spam",
                by=self.author,
            )

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world():
    return OfficeWorld()


@dataclass
class Case:
    name: str
    method: str
    url: Any  # (world) -> str
    cells: tuple
    data: Any = None  # (world) -> dict
    state: Any = None  # (world) -> anything comparable


L, P, D = "login", "pending", "done"
STAFF_PAGE = (L, P, 403, 403, 200, 200)
PARTNER_PAGE = (L, P, 403, 200, 200, 200)
STAFF_ACTION = (L, P, 403, 403, D, D)
COORDINATOR_ACTION = (L, P, 403, 403, 403, D)


def petition_state(w) -> tuple:
    petition = Petition.objects.get(pk=w.petition.pk)
    return (
        petition.status,
        petition.response_en,
        counts(petition, fresh=True).total,
        Signature.objects.filter(state=Signature.State.INVALID).count(),
        Invalidation.objects.count(),
        PaperBatch.objects.count(),
        Signature.objects.count(),
        tuple(SignerUpdate.objects.order_by("pk").values_list("status", flat=True)),
        SignerUpdate.objects.count(),
        AuditEvent.objects.filter(action="petition_export").count(),
    )


def _url(name, extra=None):
    def build(w):
        args = [w.petition.slug, *(extra(w) if extra else [])]
        return reverse(f"petitions:{name}", args=args)

    return build


CASES = [
    Case("dashboard", "get", _url("office"), STAFF_PAGE),
    Case("preview", "get", _url("office_preview"), STAFF_PAGE),
    Case("invalidate", "get", _url("office_invalidate"), STAFF_PAGE),
    Case("invalidations", "get", _url("office_invalidations"), STAFF_PAGE),
    Case("paper", "get", _url("office_paper"), STAFF_PAGE),
    Case("paper_batch", "get", _url("office_paper_batch", lambda w: [w.batch.pk]), STAFF_PAGE),
    Case("delivery", "get", _url("office_delivery"), STAFF_PAGE),
    Case("updates", "get", _url("office_updates"), STAFF_PAGE),
    Case("update_new", "get", _url("office_update_new"), STAFF_PAGE),
    Case("update", "get", _url("office_update", lambda w: [w.update.pk]), STAFF_PAGE),
    Case("export", "get", _url("office_export"), STAFF_PAGE),
    Case(
        "export_csv",
        "get",
        _url("office_export_csv"),
        (L, P, 403, 403, 200, 200),
        state=petition_state,
    ),
    Case(
        "partner",
        "get",
        _url("office_partner", lambda w: [w.partner.slug]),
        PARTNER_PAGE,
    ),
    Case(
        "partner_csv",
        "get",
        _url("office_partner_csv", lambda w: [w.partner.slug]),
        PARTNER_PAGE,
    ),
    Case(
        "status",
        "post",
        _url("office_status"),
        STAFF_ACTION,
        data=lambda w: {"status": "closed"},
        state=petition_state,
    ),
    Case(
        "invalidate_post",
        "post",
        _url("office_invalidate"),
        STAFF_ACTION,
        data=lambda w: {
            "ids": str(w.signatures[0].pk),
            "reason": "duplicate",
            "expected": "1",
        },
        state=petition_state,
    ),
    Case(
        "restore",
        "post",
        _url("office_invalidation_restore", lambda w: [w.invalidation.pk]),
        STAFF_ACTION,
        state=petition_state,
    ),
    Case(
        "paper_post",
        "post",
        _url("office_paper"),
        STAFF_ACTION,
        data=lambda w: {
            "kind": "counted",
            "counted": "12",
            "country": "IQ",
            "evidence": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        },
        state=petition_state,
    ),
    Case(
        "paper_name",
        "post",
        _url("office_paper_batch", lambda w: [w.batch.pk]),
        STAFF_ACTION,
        data=lambda w: {"name": "Zainab Ali", "country": "IQ", "language": "ar"},
        state=petition_state,
    ),
    Case(
        "update_new_post",
        "post",
        _url("office_update_new"),
        STAFF_ACTION,
        data=lambda w: {
            "subject_ar": "عنوان",
            "subject_en": "Subject",
            "body_ar": "نص",
            "body_en": "Text",
        },
        state=petition_state,
    ),
    Case(
        "approve",
        "post",
        _url("office_update_approve", lambda w: [w.update.pk]),
        COORDINATOR_ACTION,
        state=petition_state,
    ),
    Case(
        "reject",
        "post",
        _url("office_update_reject", lambda w: [w.update.pk]),
        COORDINATOR_ACTION,
        data=lambda w: {"reason": "Not now"},
        state=petition_state,
    ),
    Case(
        "deliver",
        "post",
        _url("office_delivery_send"),
        # The petition is open: staff are told to close it first (nothing changes).
        (L, P, 403, 403, 302, 302),
        state=petition_state,
    ),
    Case(
        "response",
        "post",
        _url("office_response"),
        # Not delivered yet: staff see the form again with the reason (400), nothing changes.
        (L, P, 403, 403, 400, 400),
        data=lambda w: {"response_ar": "رد", "response_en": "Reply"},
        state=petition_state,
    ),
]


class _Undo(Exception):
    """Raised to roll a role's request back, so that the next role finds the same world."""


def _check(client, world, case, role_index) -> None:
    role = OfficeWorld.ROLES[role_index]
    client.logout()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    url = case.url(world)
    before = case.state(world) if case.state else None
    data = case.data(world) if case.data else {}
    response = getattr(client, case.method)(url, data)
    expected = case.cells[role_index]
    where = f"{case.name} as {role}"
    if expected == L:
        assert response.status_code == 302, where
        assert reverse("account_login") in response["Location"], where
    elif expected == P:
        assert response.status_code == 302, where
        assert response["Location"] == reverse("accounts:pending"), where
    elif expected == D:
        assert response.status_code == 302, where
    else:
        assert response.status_code == expected, where
    if case.state is not None and case.method == "post":
        after = case.state(world)
        if expected == D:
            assert after != before, where
        else:
            assert after == before, where


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_office_matrix(client, world, case):
    """Each role in turn, each in a savepoint rolled back afterwards."""
    for role_index in range(len(OfficeWorld.ROLES)):
        try:
            with transaction.atomic():
                _check(client, world, case, role_index)
                raise _Undo
        except _Undo:
            pass


@pytest.mark.parametrize("role_index", range(len(OfficeWorld.ROLES)), ids=OfficeWorld.ROLES)
def test_a_draft_is_not_revealed_to_those_outside_it(client, role_index):
    world = OfficeWorld(draft=True)
    role = OfficeWorld.ROLES[role_index]
    if world.user(role) is not None:
        client.force_login(world.user(role))
    response = client.get(reverse("petitions:office", args=[world.petition.slug]))
    expected = (L, P, 404, 404, 200, 200)[role_index]
    if expected in (L, P):
        assert response.status_code == 302
    else:
        assert response.status_code == expected


def test_a_partner_admin_sees_only_their_own_partner(client, world):
    other = PartnerFactory(petition=world.petition)
    client.force_login(world.partner_admin)
    mine = client.get(
        reverse("petitions:office_partner", args=[world.petition.slug, world.partner.slug])
    )
    assert mine.status_code == 200
    theirs = client.get(reverse("petitions:office_partner", args=[world.petition.slug, other.slug]))
    assert theirs.status_code == 403
    csv = client.get(
        reverse("petitions:office_partner_csv", args=[world.petition.slug, other.slug])
    )
    assert csv.status_code == 403


def test_the_admin_of_another_campaigns_lead_is_not_staff(client, world):
    elsewhere = PetitionFactory()
    stranger = UserFactory()
    MembershipFactory(
        user=stranger, organisation=elsewhere.campaign.lead_organisations.get(), role=ADMIN
    )
    client.force_login(stranger)
    assert client.get(reverse("petitions:office", args=[world.petition.slug])).status_code == 403
    assert client.get(reverse("petitions:office", args=[elsewhere.slug])).status_code == 200


def test_services_refuse_non_staff_whoever_calls_them(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        office.petition_set_status(petition=world.petition, status="closed", by=world.member)
    with pytest.raises(PermissionDenied):
        office.invalidation_create(
            petition=world.petition,
            criteria={"ids": [world.signatures[0].pk]},
            reason="x",
            by=world.partner_admin,
        )
    with pytest.raises(PermissionDenied):
        office.update_approve(update=world.update, by=world.lead_admin)
    assert Petition.objects.get(pk=world.petition.pk).status == Petition.Status.OPEN
    assert counts(world.petition, fresh=True).total == 2
