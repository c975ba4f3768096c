"""Signers' personal data is erased a configurable time after the petition closes; the counts
stay exactly as they were."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.uploads import check_file
from tadamun.petitions import office
from tadamun.petitions.anonymise import anonymise_due
from tadamun.petitions.models import (
    PaperBatch,
    Petition,
    Signature,
    SignatureMail,
    UpdateDelivery,
)
from tadamun.petitions.tally import counts
from tadamun.petitions.tests.factories import PartnerFactory, PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def closed_days_ago(days: int, **fields) -> Petition:
    return PetitionFactory(
        closed=True, closed_at=timezone.now() - datetime.timedelta(days=days), **fields
    )


def test_anonymising_erases_personal_data_and_keeps_every_count():
    petition = closed_days_ago(200)
    partner = PartnerFactory(petition=petition)
    confirmed = [
        SignatureFactory(
            petition=petition,
            confirmed=True,
            partner=partner,
            organisation_name="Union",
            token_hash="a" * 64,
            consent_lead=True,
        )
        for _ in range(3)
    ]
    pending = SignatureFactory(petition=petition, governorate="erbil")
    SignatureMail.objects.create(signature=pending, kind="confirm", next_attempt=timezone.now())
    staff = UserFactory(coordinator=True)
    office.paper_batch_create(
        petition=petition,
        by=staff,
        counted=25,
        evidence=check_file(
            SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"), max_bytes=100_000
        ),
    )
    update = office.update_create(
        petition=petition, by=staff, subject_ar="a", subject_en="b", body_ar="c", body_en="d"
    )
    office.update_approve(update=update, by=UserFactory(coordinator=True))
    assert UpdateDelivery.objects.count() == 3
    before = counts(petition, fresh=True)

    assert anonymise_due() == 4

    after = counts(petition, fresh=True)
    assert after == before
    assert after.total == 28
    for signature in Signature.objects.filter(petition=petition):
        assert signature.anonymised
        assert signature.name == ""
        assert signature.email == ""
        assert signature.organisation_name == ""
        assert signature.token_hash == ""
        assert signature.email_normalised == f"anon:{signature.pk}"
        assert str(signature.country) == "IQ"
    assert Signature.objects.get(pk=pending.pk).governorate == "erbil"
    assert Signature.objects.get(pk=confirmed[0].pk).state == Signature.State.CONFIRMED
    assert not SignatureMail.objects.exists()
    assert not UpdateDelivery.objects.exists()
    assert PaperBatch.objects.get().evidence.name == ""
    petition.refresh_from_db()
    assert petition.anonymised_at is not None
    assert anonymise_due() == 0  # once


def test_the_scan_file_is_deleted_after_the_commit(django_capture_on_commit_callbacks):
    petition = PetitionFactory()
    staff = UserFactory(coordinator=True)
    batch = office.paper_batch_create(
        petition=petition,
        by=staff,
        counted=3,
        evidence=check_file(SimpleUploadedFile("s.pdf", b"%PDF-1.4\n"), max_bytes=1000),
    )
    path = batch.evidence.path
    assert os.path.exists(path)
    Petition.objects.filter(pk=petition.pk).update(
        status="closed", closed_at=timezone.now() - datetime.timedelta(days=400)
    )
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_due()
    assert not os.path.exists(path)


def test_nothing_is_anonymised_before_its_time(settings):
    recent = closed_days_ago(10)
    SignatureFactory(petition=recent, confirmed=True)
    still_open = PetitionFactory()
    SignatureFactory(petition=still_open, confirmed=True)
    assert anonymise_due() == 0
    assert not Signature.objects.filter(anonymised=True).exists()
    # The setting shortens the wait for every petition…
    settings.PETITION_ANONYMISE_AFTER_DAYS = 7
    assert anonymise_due() == 1
    assert Signature.objects.get(petition=still_open).name != ""


def test_a_petition_can_keep_its_data_for_less_or_more_time():
    short = closed_days_ago(6, anonymise_after_days=5)
    long = closed_days_ago(300, anonymise_after_days=365)
    SignatureFactory(petition=short, confirmed=True)
    SignatureFactory(petition=long, confirmed=True)
    assert anonymise_due() == 1
    assert Signature.objects.get(petition=short).anonymised
    assert not Signature.objects.get(petition=long).anonymised
    later = timezone.now() + datetime.timedelta(days=70)
    assert anonymise_due(now=later) == 1
    assert Signature.objects.get(petition=long).anonymised
