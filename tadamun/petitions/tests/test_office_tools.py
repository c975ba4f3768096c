"""The back office's tools and their rules: status changes, voiding and restoring signatures,
paper signatures, delivery to the targets and their response. Counts come from the tallies,
which every tool keeps in step with the signatures."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.models import Target
from tadamun.core.models import AuditEvent
from tadamun.core.uploads import check_file
from tadamun.petitions import delivery, office
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Petition,
    Signature,
    SignatureMail,
    TargetDelivery,
)
from tadamun.petitions.tally import counts
from tadamun.petitions.tests.factories import (
    PartnerFactory,
    PetitionFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff(db):
    return UserFactory(coordinator=True)


def total(petition) -> int:
    return counts(petition, fresh=True).total


def evidence(name="scan.pdf", data=PDF):
    return check_file(SimpleUploadedFile(name, data), max_bytes=1_000_000)


# ------------------------------------------------------------------------------ status


def test_a_draft_opens_then_closes_then_reopens_with_audit(staff):
    petition = PetitionFactory(draft=True)
    office.petition_set_status(petition=petition, status="open", by=staff)
    petition.refresh_from_db()
    assert petition.status == Petition.Status.OPEN
    assert petition.opened_at is not None
    office.petition_set_status(petition=petition, status="closed", by=staff)
    petition.refresh_from_db()
    assert petition.status == Petition.Status.CLOSED
    assert petition.closed_at is not None
    office.petition_set_status(petition=petition, status="open", by=staff)
    petition.refresh_from_db()
    assert petition.closed_at is None
    events = AuditEvent.objects.filter(action="petition_status").order_by("pk")
    assert [(e.detail["old"], e.detail["new"]) for e in events] == [
        ("draft", "open"),
        ("open", "closed"),
        ("closed", "open"),
    ]
    assert all(event.actor == staff for event in events)


@pytest.mark.parametrize(
    ("start", "target"),
    [("draft", "closed"), ("open", "draft"), ("open", "delivered"), ("closed", "answered")],
)
def test_impossible_status_changes_are_refused(staff, start, target):
    petition = PetitionFactory(status=start)
    with pytest.raises(ValidationError):
        office.petition_set_status(petition=petition, status=target, by=staff)
    petition.refresh_from_db()
    assert petition.status == start
    assert not AuditEvent.objects.filter(action="petition_status").exists()


def test_an_anonymised_petition_cannot_reopen(staff):
    petition = PetitionFactory(closed=True, anonymised_at=timezone.now())
    with pytest.raises(ValidationError):
        office.petition_set_status(petition=petition, status="open", by=staff)
    assert Petition.objects.get(pk=petition.pk).status == Petition.Status.CLOSED


# ------------------------------------------------------------------------ invalidation


def test_voiding_a_domain_takes_confirmed_ones_out_of_the_counts(staff, petition):
    keep = [SignatureFactory(petition=petition, confirmed=True) for _ in range(3)]
    spam_confirmed = [
        SignatureFactory(petition=petition, confirmed=True, email=f"bot{n}@Spam.Example.net")
        for n in range(4)
    ]
    spam_pending = SignatureFactory(petition=petition, email="bot9@spam.example.net")
    unsent = SignatureMail.objects.create(
        signature=spam_pending, kind="confirm", next_attempt=timezone.now()
    )
    assert total(petition) == 7

    invalidation = office.invalidation_create(
        petition=petition,
        criteria={"domain": "spam.example.net"},
        reason="Throw-away addresses",
        by=staff,
        expected=5,
    )

    assert invalidation.count == 5
    assert invalidation.by == staff
    assert total(petition) == 3
    voided = Signature.objects.filter(state=Signature.State.INVALID)
    assert set(voided.values_list("pk", flat=True)) == {
        s.pk for s in [*spam_confirmed, spam_pending]
    }
    assert set(voided.values_list("invalidation", flat=True)) == {invalidation.pk}
    assert all(Signature.objects.get(pk=s.pk).state == Signature.State.CONFIRMED for s in keep)
    assert not SignatureMail.objects.filter(pk=unsent.pk).exists()
    event = AuditEvent.objects.get(action="petition_invalidated")
    assert event.actor == staff
    assert event.detail["count"] == 5
    assert event.detail["confirmed"] == 4
    assert event.detail["criteria"] == {"domain": "spam.example.net"}


def test_voiding_by_partner_time_window_and_ids(staff, petition):
    partner = PartnerFactory(petition=petition)
    by_partner = [
        SignatureFactory(petition=petition, partner=partner, confirmed=True) for _ in range(2)
    ]
    other = SignatureFactory(petition=petition, confirmed=True)
    assert counts(petition, fresh=True).by_partner == {partner.pk: 2}
    office.invalidation_create(
        petition=petition, criteria={"partner": partner.pk}, reason="Abused page", by=staff
    )
    assert counts(petition, fresh=True).by_partner == {}
    assert total(petition) == 1

    old = SignatureFactory(petition=petition, confirmed=True)
    Signature.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=3))
    window = {
        "since": (timezone.now() - datetime.timedelta(days=4)).isoformat(),
        "until": (timezone.now() - datetime.timedelta(days=2)).isoformat(),
    }
    office.invalidation_create(petition=petition, criteria=window, reason="Burst", by=staff)
    assert Signature.objects.get(pk=old.pk).state == Signature.State.INVALID
    assert Signature.objects.get(pk=other.pk).state == Signature.State.CONFIRMED

    office.invalidation_create(
        petition=petition, criteria={"ids": [other.pk]}, reason="Asked to be removed", by=staff
    )
    assert total(petition) == 0
    assert Signature.objects.filter(state=Signature.State.INVALID).count() == 4
    assert {s.pk for s in by_partner} <= set(
        Signature.objects.filter(state="invalid").values_list("pk", flat=True)
    )


def test_a_selection_that_changed_since_the_preview_voids_nothing(staff, petition):
    for n in range(2):
        SignatureFactory(petition=petition, confirmed=True, email=f"x{n}@bad.example.com")
    with pytest.raises(ValidationError) as error:
        office.invalidation_create(
            petition=petition,
            criteria={"domain": "bad.example.com"},
            reason="spam",
            by=staff,
            expected=1,
        )
    assert "changed" in str(error.value)
    assert total(petition) == 2
    assert not Invalidation.objects.exists()
    assert not Signature.objects.filter(state="invalid").exists()


@pytest.mark.parametrize(
    ("criteria", "reason"),
    [({}, "no criteria"), ({"ids": [1]}, ""), ({"domain": "nowhere.example"}, "nothing")],
)
def test_voiding_needs_criteria_a_reason_and_a_match(staff, petition, criteria, reason):
    SignatureFactory(petition=petition, confirmed=True)
    with pytest.raises(ValidationError):
        office.invalidation_create(petition=petition, criteria=criteria, reason=reason, by=staff)
    assert not Invalidation.objects.exists()
    assert total(petition) == 1


def test_restoring_brings_back_each_signature_as_it_was(staff, petition):
    confirmed = SignatureFactory(petition=petition, confirmed=True, email="a@junk.example.org")
    pending = SignatureFactory(petition=petition, email="b@junk.example.org")
    invalidation = office.invalidation_create(
        petition=petition, criteria={"domain": "junk.example.org"}, reason="oops", by=staff
    )
    assert total(petition) == 0
    assert office.invalidation_restore(invalidation=invalidation, by=staff) == 2
    assert total(petition) == 1
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    assert confirmed.state == Signature.State.CONFIRMED
    assert pending.state == Signature.State.PENDING
    assert confirmed.invalidation is None
    invalidation.refresh_from_db()
    assert invalidation.criteria["restored"] == 2
    assert AuditEvent.objects.filter(action="petition_restored").count() == 1
    with pytest.raises(ValidationError):
        office.invalidation_restore(invalidation=invalidation, by=staff)
    assert total(petition) == 1


def test_the_restore_page_restores_once(client, staff, petition):
    signature = SignatureFactory(petition=petition, confirmed=True)
    invalidation = office.invalidation_create(
        petition=petition, criteria={"ids": [signature.pk]}, reason="test", by=staff
    )
    client.force_login(staff)
    url = reverse("petitions:office_invalidation_restore", args=[petition.slug, invalidation.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert total(petition) == 1
    assert AuditEvent.objects.filter(action="petition_restored").count() == 1


def test_the_invalidation_page_previews_then_voids(client, staff, petition):
    for n in range(3):
        SignatureFactory(petition=petition, confirmed=True, email=f"p{n}@mailinator.example")
    SignatureFactory(petition=petition, confirmed=True)
    client.force_login(staff)
    url = reverse("petitions:office_invalidate", args=[petition.slug])
    preview = client.get(url, {"domain": "@MAILINATOR.example"})
    assert preview.status_code == 200
    assert preview.context["matching"] == 3
    html = preview.content.decode()
    assert 'name="expected" value="3"' in html
    assert "p0@mailinator.example" not in html  # masked
    assert total(petition) == 4  # a preview changes nothing
    response = client.post(
        url, {"domain": "mailinator.example", "expected": "3", "reason": "disposable"}
    )
    assert response.status_code == 302
    assert total(petition) == 1


# ------------------------------------------------------------------------------ paper


def test_names_from_paper_count_as_confirmed_paper_signatures(staff, petition):
    partner = PartnerFactory(petition=petition)
    batch = office.paper_batch_create(
        petition=petition, by=staff, partner=partner, country="IQ", governorate="erbil"
    )
    first = office.paper_signature_add(batch=batch, by=staff, name="  Zainab   Ali ")
    second = office.paper_signature_add(batch=batch, by=staff, name="Omar Hassan")
    with_mail = office.paper_signature_add(
        batch=batch, by=staff, name="Sara", email="Sara+x@Example.org", consent_lead=True
    )
    assert first.name == "Zainab Ali"
    assert first.email_normalised == f"paper:{batch.pk}:1"
    assert second.email_normalised == f"paper:{batch.pk}:2"
    assert with_mail.email_normalised == "sara@example.org"
    for signature in (first, second, with_mail):
        assert signature.state == Signature.State.CONFIRMED
        assert signature.source == Signature.Source.PAPER
        assert signature.batch == batch
        assert signature.partner == partner
        assert signature.governorate == "erbil"
    figures = counts(petition, fresh=True)
    assert figures.paper == 3
    assert figures.by_partner == {partner.pk: 3}
    assert figures.by_governorate == {"erbil": 3}


def test_a_paper_name_whose_address_already_signed_is_refused(staff, petition):
    SignatureFactory(petition=petition, confirmed=True, email="ali@example.org")
    batch = office.paper_batch_create(petition=petition, by=staff)
    with pytest.raises(ValidationError) as error:
        office.paper_signature_add(batch=batch, by=staff, name="Ali", email="ALI@example.org")
    assert "email" in error.value.message_dict
    assert total(petition) == 1
    assert Signature.objects.count() == 1


def test_a_counted_total_needs_evidence_and_enters_the_tallies(staff, petition):
    with pytest.raises(ValidationError):
        office.paper_batch_create(petition=petition, by=staff, counted=40)
    assert not PaperBatch.objects.exists()
    batch = office.paper_batch_create(
        petition=petition, by=staff, counted=40, country="IQ", evidence=evidence()
    )
    assert batch.evidence.name.startswith("petitions/evidence/")
    assert counts(petition, fresh=True).paper == 40
    event = AuditEvent.objects.get(action="petition_paper_batch")
    assert event.detail["counted"] == 40
    with pytest.raises(ValidationError):
        office.paper_signature_add(batch=batch, by=staff, name="Not here")
    office.paper_batch_delete(batch=batch, by=staff, reason="Counted twice")
    assert counts(petition, fresh=True).paper == 0
    assert not PaperBatch.objects.exists()
    assert AuditEvent.objects.get(action="petition_paper_removed").detail["reason"] == (
        "Counted twice"
    )


@pytest.mark.parametrize("counted", [-1, 1_000_001])
def test_absurd_counts_are_refused(staff, petition, counted):
    with pytest.raises(ValidationError):
        office.paper_batch_create(petition=petition, by=staff, counted=counted, evidence=evidence())
    assert total(petition) == 0


@pytest.mark.parametrize("status", ["draft", "delivered", "answered"])
def test_no_paper_outside_open_or_closed(staff, status):
    petition = PetitionFactory(status=status)
    with pytest.raises(ValidationError):
        office.paper_batch_create(petition=petition, by=staff)
    assert not PaperBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("scan.pdf", b"MZ\x90\x00 not a pdf"),
        ("notes.txt", b"plain text is no scan"),
        ("tool.exe", b"MZ\x90\x00"),
    ],
)
def test_the_paper_page_refuses_evidence_that_is_no_scan(client, staff, petition, name, data):
    client.force_login(staff)
    response = client.post(
        reverse("petitions:office_paper", args=[petition.slug]),
        {"kind": "counted", "counted": "10", "evidence": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["evidence"]
    assert not PaperBatch.objects.exists()
    assert total(petition) == 0


def test_a_hidden_direction_character_never_reaches_the_stored_name(client, staff, petition):
    # Django drops non-printable characters from upload names; check_file refuses the rest.
    client.force_login(staff)
    client.post(
        reverse("petitions:office_paper", args=[petition.slug]),
        {"kind": "counted", "counted": "3", "evidence": SimpleUploadedFile("a\u202efdp.pdf", PDF)},
    )
    batch = PaperBatch.objects.get()
    assert "\u202e" not in batch.evidence.name
    event = AuditEvent.objects.get(action="petition_paper_batch")
    assert "\u202e" not in event.detail["evidence"]
    with pytest.raises(ValidationError):
        evidence(name="b\u202efdp.pdf")


def test_the_paper_pages_create_a_batch_and_add_names(client, staff, petition):
    client.force_login(staff)
    response = client.post(
        reverse("petitions:office_paper", args=[petition.slug]),
        {"kind": "names", "country": "IQ", "governorate": "basra", "note": "Market stall"},
    )
    batch = PaperBatch.objects.get()
    assert response["Location"] == reverse(
        "petitions:office_paper_batch", args=[petition.slug, batch.pk]
    )
    url = reverse("petitions:office_paper_batch", args=[petition.slug, batch.pk])
    response = client.post(url, {"name": "Huda Kareem", "country": "IQ", "language": "ar"})
    assert response.status_code == 302
    page = client.get(url)
    assert "Huda Kareem" in page.content.decode()
    assert counts(petition, fresh=True).by_governorate == {"basra": 1}


# --------------------------------------------------------------------------- delivery


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(delivery, "delivery_pdf_bytes", lambda petition: PDF)


def test_delivery_mails_each_target_with_an_address_once(
    staff, fake_pdf, django_capture_on_commit_callbacks
):
    petition = PetitionFactory(closed=True)
    SignatureFactory(petition=petition, confirmed=True)
    campaign = petition.campaign
    minister = Target.objects.create(campaign=campaign, name_en="Minister", email="m@example.org")
    Target.objects.create(campaign=campaign, name_en="Governor")  # no address: by hand
    with django_capture_on_commit_callbacks(execute=True):
        queued = office.delivery_start(petition=petition, by=staff)
    assert queued == 1
    petition.refresh_from_db()
    assert petition.status == Petition.Status.DELIVERED
    assert petition.delivered_at is not None
    row = TargetDelivery.objects.get()
    assert row.target == minister
    assert row.state == TargetDelivery.State.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0].message()
    assert mail.outbox[0].to == ["m@example.org"]
    raw = message.as_bytes()
    assert b"application/pdf" in raw
    assert f"petition-{petition.slug}.pdf".encode() in raw

    # Again, after a target was added: only the new one.
    Target.objects.create(campaign=campaign, name_en="Committee", email="c@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert office.delivery_start(petition=petition, by=staff) == 1
    assert len(mail.outbox) == 2
    assert TargetDelivery.objects.filter(state="sent").count() == 2
    assert AuditEvent.objects.filter(action="petition_delivered").count() == 2


def test_an_open_petition_is_closed_before_delivery(staff, petition):
    Target.objects.create(campaign=petition.campaign, name_en="M", email="m@example.org")
    with pytest.raises(ValidationError):
        office.delivery_start(petition=petition, by=staff)
    assert not TargetDelivery.objects.exists()
    assert Petition.objects.get(pk=petition.pk).status == Petition.Status.OPEN


def test_without_the_pdf_target_mail_waits(staff, monkeypatch):
    monkeypatch.setattr(delivery, "delivery_pdf_bytes", lambda petition: None)
    petition = PetitionFactory(closed=True)
    Target.objects.create(campaign=petition.campaign, name_en="M", email="m@example.org")
    office.delivery_start(petition=petition, by=staff)
    report = delivery.deliver_targets_due()
    assert report.deferred == 1
    row = TargetDelivery.objects.get()
    assert row.state == TargetDelivery.State.DEFERRED
    assert "PDF" in row.last_error
    assert mail.outbox == []


def test_the_response_is_published_in_both_languages(staff):
    petition = PetitionFactory(status=Petition.Status.DELIVERED)
    with pytest.raises(ValidationError) as error:
        office.response_publish(petition=petition, by=staff, response_ar="رد", response_en=" ")
    assert "response_en" in error.value.message_dict
    assert Petition.objects.get(pk=petition.pk).status == Petition.Status.DELIVERED
    office.response_publish(
        petition=petition, by=staff, response_ar="ردّ الوزارة", response_en="The answer"
    )
    petition.refresh_from_db()
    assert petition.status == Petition.Status.ANSWERED
    assert petition.response_en == "The answer"
    assert petition.responded_at is not None
    assert AuditEvent.objects.filter(action="petition_answered").count() == 1


def test_no_response_before_delivery(staff, petition):
    with pytest.raises(ValidationError):
        office.response_publish(petition=petition, by=staff, response_ar="رد", response_en="R")
    assert Petition.objects.get(pk=petition.pk).response_en == ""
