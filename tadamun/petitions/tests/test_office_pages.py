"""The office pages in Arabic and English, without inline code, and every form facing hostile
input: a clear message, a 400, and nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.models import Target
from tadamun.core.models import AuditEvent
from tadamun.core.tests.test_style import inline_code
from tadamun.core.uploads import check_file
from tadamun.petitions import office, pdf
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Petition,
    Signature,
    SignerUpdate,
)
from tadamun.petitions.office_selectors import signing_rate
from tadamun.petitions.tally import counts
from tadamun.petitions.tests.factories import PartnerFactory, PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return UserFactory(coordinator=True)


@pytest.fixture
def full(petition, coordinator):
    """A petition with something on every page."""
    partner = PartnerFactory(petition=petition)
    SignatureFactory(petition=petition, confirmed=True, partner=partner, name="<b>Bold</b>")
    SignatureFactory(petition=petition, email="someone.private@example.org")
    Target.objects.create(campaign=petition.campaign, name_ar="الوزارة", name_en="Ministry")
    batch = office.paper_batch_create(petition=petition, by=coordinator, note="Stall")
    office.paper_signature_add(batch=batch, by=coordinator, name="Huda")
    update = office.update_create(
        petition=petition,
        by=UserFactory(coordinator=True),
        subject_ar="خبر",
        subject_en="News",
        body_ar="نص",
        body_en="Text",
    )
    office.invalidation_create(
        petition=petition,
        criteria={"ids": [Signature.objects.filter(source="online").first().pk]},
        reason="test",
        by=coordinator,
    )
    return {"petition": petition, "partner": partner, "batch": batch, "update": update}


PAGES = [
    ("office", lambda f: []),
    ("office_preview", lambda f: []),
    ("office_invalidate", lambda f: []),
    ("office_invalidations", lambda f: []),
    ("office_paper", lambda f: []),
    ("office_paper_batch", lambda f: [f["batch"].pk]),
    ("office_delivery", lambda f: []),
    ("office_updates", lambda f: []),
    ("office_update_new", lambda f: []),
    ("office_update", lambda f: [f["update"].pk]),
    ("office_export", lambda f: []),
    ("office_partner", lambda f: [f["partner"].slug]),
]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_page_renders_in_both_languages(client, coordinator, full, language):
    client.force_login(coordinator)
    petition = full["petition"]
    for name, args in PAGES:
        with translation.override(language):
            url = reverse(f"petitions:{name}", args=[petition.slug, *args(full)])
        assert url.startswith(f"/{language}/petitions/")
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f'lang="{language}"' in html
        assert not inline_code(html), (name, inline_code(html))
        assert "<b>Bold</b>" not in html, name  # names are escaped


def test_the_dashboard_masks_addresses_and_shows_the_counts(client, coordinator, full):
    client.force_login(coordinator)
    response = client.get(reverse("petitions:office", args=[full["petition"].slug]))
    html = response.content.decode()
    assert "someone.private@example.org" not in html
    assert "s•••@example.org" in html
    assert response.context["states"].pending == 1
    assert response.context["figures"].total == counts(full["petition"], fresh=True).total


def test_staff_preview_a_draft(client, coordinator):
    petition = PetitionFactory(draft=True, text_en="We ask for **clean water**.")
    client.force_login(coordinator)
    response = client.get(reverse("petitions:office_preview", args=[petition.slug]))
    assert response.status_code == 200
    assert "<strong>clean water</strong>" in response.content.decode()


def test_the_pdfs_are_served_to_staff(client, coordinator, petition, monkeypatch):
    monkeypatch.setattr(pdf, "delivery_pdf", lambda p: b"%PDF-1.4 delivery")
    monkeypatch.setattr(pdf, "signature_sheet_pdf", lambda p: b"%PDF-1.4 sheet")
    client.force_login(coordinator)
    sheet = client.get(reverse("petitions:office_paper_sheet", args=[petition.slug]))
    assert sheet.status_code == 200
    assert sheet["Content-Type"] == "application/pdf"
    assert sheet.content == b"%PDF-1.4 sheet"
    document = client.get(reverse("petitions:office_delivery_pdf", args=[petition.slug]))
    assert document.content == b"%PDF-1.4 delivery"
    assert "attachment" in document["Content-Disposition"]
    client.force_login(UserFactory())
    assert (
        client.get(reverse("petitions:office_delivery_pdf", args=[petition.slug])).status_code
        == 403
    )


def test_status_changes_from_the_dashboard(client, coordinator):
    petition = PetitionFactory(draft=True)
    client.force_login(coordinator)
    url = reverse("petitions:office_status", args=[petition.slug])
    client.post(url, {"status": "open"})
    assert Petition.objects.get(pk=petition.pk).status == "open"
    client.post(url, {"status": "answered"})  # not offered: refused
    assert Petition.objects.get(pk=petition.pk).status == "open"
    assert AuditEvent.objects.filter(action="petition_status").count() == 1


# ------------------------------------------------------------------------- hostile input

LONG = "x" * 5000
RLO = "Ali\u202eexe.gpj"


def world_state(petition) -> tuple:
    return (
        Signature.objects.count(),
        Signature.objects.filter(state="invalid").count(),
        Invalidation.objects.count(),
        PaperBatch.objects.count(),
        SignerUpdate.objects.count(),
        counts(petition, fresh=True).total,
        Petition.objects.filter(pk=petition.pk).values_list("status", "response_en").get(),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", RLO),
        ("name", "<script>alert(1)</script>"),
        ("name", "Ali\r\nBcc: x@example.org"),
        ("name", LONG),
        ("name", ""),
        ("email", "not-an-address"),
        ("email", "a@b.c\r\nBcc: x@example.org"),
        ("email", "x" * 300 + "@example.org"),
        ("organisation_name", RLO),
        ("organisation_name", LONG),
        ("country", "XX"),
        ("governorate", "atlantis"),
        ("language", "fr"),
    ],
)
def test_hostile_paper_names(client, coordinator, petition, field, value):
    batch = office.paper_batch_create(petition=petition, by=coordinator)
    client.force_login(coordinator)
    before = world_state(petition)
    data = {"name": "Ali", "country": "IQ", "language": "ar", field: value}
    response = client.post(
        reverse("petitions:office_paper_batch", args=[petition.slug, batch.pk]), data
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert world_state(petition) == before


def test_a_governorate_outside_iraq_is_refused(client, coordinator, petition):
    batch = office.paper_batch_create(petition=petition, by=coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("petitions:office_paper_batch", args=[petition.slug, batch.pk]),
        {"name": "Ali", "country": "FR", "governorate": "basra", "language": "en"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["governorate"]
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("counted", "-5"),
        ("counted", "9999999999"),
        ("counted", "ten"),
        ("note", RLO),
        ("note", LONG),
        ("kind", "everything"),
        ("partner", "999999"),
    ],
)
def test_hostile_paper_batches(client, coordinator, petition, field, value):
    client.force_login(coordinator)
    before = world_state(petition)
    data = {"kind": "counted", "counted": "10", "country": "IQ", field: value}
    response = client.post(reverse("petitions:office_paper", args=[petition.slug]), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert world_state(petition) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject_en", "News\r\nBcc: all@example.org"),
        ("subject_ar", RLO),
        ("subject_en", LONG),
        ("body_ar", RLO),
        ("body_en", "y" * 20_001),
        ("body_en", ""),
        ("partner", "999999"),
    ],
)
def test_hostile_updates(client, coordinator, petition, field, value):
    client.force_login(coordinator)
    before = world_state(petition)
    data = {"subject_ar": "خبر", "subject_en": "News", "body_ar": "نص", "body_en": "Text"}
    data[field] = value
    response = client.post(reverse("petitions:office_update_new", args=[petition.slug]), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert world_state(petition) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("domain", "evil.example\r\nX-Header: 1"),
        ("domain", "exa mple.com"),
        ("domain", "user@example.com"),
        ("domain", "\u202eexample.com"),
        ("domain", "localhost"),
        ("ids", "1; DROP TABLE petitions_signature"),
        ("ids", "١٢"),
        ("ids", " ".join(["1"] * 10_001)),
        ("since", "yesterday"),
        ("partner", "999999"),
        ("reason", RLO),
        ("reason", "z" * 2001),
        ("reason", ""),
    ],
)
def test_hostile_invalidations(client, coordinator, petition, field, value):
    signature = SignatureFactory(petition=petition, confirmed=True)
    client.force_login(coordinator)
    before = world_state(petition)
    data = {"ids": str(signature.pk), "reason": "spam", "expected": "1", field: value}
    response = client.post(reverse("petitions:office_invalidate", args=[petition.slug]), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert world_state(petition) == before


def test_an_invalidation_without_criteria_says_so(client, coordinator, petition):
    SignatureFactory(petition=petition, confirmed=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("petitions:office_invalidate", args=[petition.slug]), {"reason": "all of them"}
    )
    assert response.status_code == 400
    assert "Choose which signatures to void." in response.context["form"].non_field_errors()
    assert Signature.objects.filter(state="invalid").count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("response_ar", RLO), ("response_en", ""), ("response_en", "r" * 50_001)],
)
def test_hostile_responses(client, coordinator, field, value):
    petition = PetitionFactory(status=Petition.Status.DELIVERED)
    client.force_login(coordinator)
    before = world_state(petition)
    data = {"response_ar": "رد", "response_en": "Reply", field: value}
    response = client.post(reverse("petitions:office_response", args=[petition.slug]), data)
    assert response.status_code == 400
    assert response.context["response_form"].errors[field]
    assert world_state(petition) == before


@pytest.mark.parametrize("value", ["", RLO, "q" * 2001])
def test_removing_a_counted_batch_needs_a_clean_reason(client, coordinator, petition, value):
    batch = office.paper_batch_create(
        petition=petition,
        by=coordinator,
        counted=9,
        evidence=check_file(SimpleUploadedFile("s.pdf", b"%PDF-1.4\n"), max_bytes=1000),
    )
    client.force_login(coordinator)
    before = world_state(petition)
    client.post(
        reverse("petitions:office_paper_batch_delete", args=[petition.slug, batch.pk]),
        {"reason": value},
    )
    assert world_state(petition) == before
    assert PaperBatch.objects.filter(pk=batch.pk).exists()


def test_the_signing_rate_counts_confirmations_per_hour(petition):
    # Half past the hour, so "five minutes ago" is in this hour whatever the clock says.
    now = timezone.now().replace(minute=30, second=0, microsecond=0)
    for minutes in (5, 70, 75, 60 * 30):
        signature = SignatureFactory(petition=petition, confirmed=True)
        Signature.objects.filter(pk=signature.pk).update(
            confirmed_at=now - datetime.timedelta(minutes=minutes)
        )
    SignatureFactory(petition=petition)  # pending: not a confirmation
    rate = signing_rate(petition, now=now)
    assert len(rate) == 24
    assert rate[-1][1] == 1
    assert sum(number for _hour, number in rate) == 3  # the one 30 hours ago is outside
    assert rate[-2][1] + rate[-3][1] == 2
