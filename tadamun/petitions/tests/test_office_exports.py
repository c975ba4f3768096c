"""CSV exports: streamed, with a BOM for Excel, every hostile cell defused, every export in the
audit log with its filter and row count; partners get only their own consenting signers."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import AuditEvent
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory
from tadamun.petitions.exports import safe_cell
from tadamun.petitions.tests.factories import PartnerFactory, SignatureFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("https://evil.example.com","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def coordinator(db):
    return UserFactory(coordinator=True)


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8")[1:]
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_cells_are_defused(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ali Hassan", "علي حسن", "", "a=b", "1-2", "'quoted"])
def test_ordinary_cells_are_left_alone(value):
    assert safe_cell(value) == value


def test_hostile_names_come_out_as_text(client, coordinator, petition):
    for name in HOSTILE:
        SignatureFactory(petition=petition, confirmed=True, name=name, organisation_name=name)
    SignatureFactory(petition=petition, confirmed=True, name="زينب علي")
    client.force_login(coordinator)
    response = client.get(reverse("petitions:office_export_csv", args=[petition.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    names = [row["name"] for row in rows]
    assert names[:-1] == ["'" + name for name in HOSTILE]
    assert names[-1] == "زينب علي"
    assert all(row["organisation"].startswith("'") for row in rows[:-1])


def test_every_export_is_audited_with_its_filter_and_row_count(client, coordinator, petition):
    partner = PartnerFactory(petition=petition)
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    SignatureFactory(petition=petition, confirmed=True, consent_lead=False)
    SignatureFactory(petition=petition, confirmed=True, partner=partner)
    SignatureFactory(petition=petition)  # pending
    client.force_login(coordinator)
    url = reverse("petitions:office_export_csv", args=[petition.slug])

    rows = read_csv(client.get(url, {"consent": "lead"}))
    assert len(rows) == 1
    rows = read_csv(client.get(url, {"state": "all"}))
    assert len(rows) == 4
    rows = read_csv(client.get(url, {"partner": partner.pk}))
    assert len(rows) == 1

    events = list(AuditEvent.objects.filter(action="petition_export").order_by("pk"))
    assert [event.detail["rows"] for event in events] == [1, 4, 1]
    assert all(event.actor == coordinator for event in events)
    assert all(event.detail["petition"] == petition.pk for event in events)
    assert events[0].detail["filter"]["consent"] == "lead"
    assert events[1].detail["filter"]["state"] == "all"
    assert events[2].detail["filter"]["partner"] == partner.pk


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2025-02-30"},
        {"since": "2025-03-02", "until": "2025-03-01"},
        {"state": "everything"},
        {"partner": "999999"},
        {"consent": "=1+1"},
    ],
)
def test_a_bad_filter_exports_nothing_and_logs_nothing(client, coordinator, petition, query):
    SignatureFactory(petition=petition, confirmed=True)
    client.force_login(coordinator)
    response = client.get(reverse("petitions:office_export_csv", args=[petition.slug]), query)
    assert response.status_code == 400
    assert not isinstance(response, StreamingHttpResponse)
    assert not AuditEvent.objects.filter(action="petition_export").exists()


def test_a_partner_takes_away_only_its_consenting_signers(client, petition):
    partner = PartnerFactory(petition=petition)
    admin = UserFactory()
    MembershipFactory(
        user=admin, organisation=partner.organisation, role=OrganisationMembership.Role.ADMIN
    )
    ours = SignatureFactory(
        petition=petition, partner=partner, confirmed=True, consent_partner=True, name="Ours"
    )
    SignatureFactory(petition=petition, partner=partner, confirmed=True, consent_partner=False)
    SignatureFactory(petition=petition, partner=partner, consent_partner=True)  # pending
    SignatureFactory(petition=petition, confirmed=True, consent_partner=True)  # another page
    client.force_login(admin)
    response = client.get(
        reverse("petitions:office_partner_csv", args=[petition.slug, partner.slug])
    )
    rows = read_csv(response)
    assert [(row["name"], row["email"]) for row in rows] == [("Ours", ours.email)]
    assert "consent_lead" not in rows[0]
    event = AuditEvent.objects.get(action="petition_export")
    assert event.actor == admin
    assert event.detail["partner"] == partner.pk
    assert event.detail["rows"] == 1
    # The staff export is not theirs.
    staff_url = reverse("petitions:office_export_csv", args=[petition.slug])
    assert client.get(staff_url).status_code == 403
    assert AuditEvent.objects.filter(action="petition_export").count() == 1
