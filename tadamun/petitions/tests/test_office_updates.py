"""Updates to signers: written by staff, approved by another person who is a coordinator,
capped per week, one copy per confirmed, consenting, not anonymised signer, in the signer's
language, with an unsubscribe link that works (and only for the one it names)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import AuditEvent
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory
from tadamun.petitions import delivery, office
from tadamun.petitions.models import Signature, SignerUpdate, UpdateDelivery
from tadamun.petitions.tests.factories import PartnerFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(petition):
    person = UserFactory()
    MembershipFactory(
        user=person,
        organisation=petition.campaign.lead_organisations.get(),
        role=OrganisationMembership.Role.ADMIN,
    )
    return person


@pytest.fixture
def approver(db):
    return UserFactory(coordinator=True)


def write(petition, by, **extra) -> SignerUpdate:
    fields = {
        "subject_ar": "أخبار الحملة",
        "subject_en": "Campaign news",
        "body_ar": "شكراً لتوقيعكم.",
        "body_en": "Thank you for signing.",
        **extra,
    }
    return office.update_create(petition=petition, by=by, **fields)


def test_copies_go_only_to_confirmed_consenting_signers_with_an_address(petition, writer, approver):
    wanted = [
        SignatureFactory(petition=petition, confirmed=True, consent_lead=True, language=lang)
        for lang in ("ar", "en")
    ]
    SignatureFactory(petition=petition, confirmed=True, consent_lead=False)
    SignatureFactory(petition=petition, consent_lead=True)  # pending
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True, state="invalid")
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True, anonymised=True)
    batch = office.paper_batch_create(petition=petition, by=approver)
    office.paper_signature_add(batch=batch, by=approver, name="No Mail", consent_lead=True)

    update = write(petition, writer)
    assert update.status == SignerUpdate.Status.DRAFT
    assert office.update_approve(update=update, by=approver) == 2
    copies = UpdateDelivery.objects.filter(update=update)
    assert {(c.signature_id, c.recipient, c.language) for c in copies} == {
        (s.pk, s.email, s.language) for s in wanted
    }
    update.refresh_from_db()
    assert update.approved_by == approver
    assert update.approved_at is not None
    assert AuditEvent.objects.get(action="petition_update_approved").detail["recipients"] == 2


def test_a_partners_update_goes_to_its_own_consenting_signers(petition, writer, approver):
    partner = PartnerFactory(petition=petition)
    theirs = SignatureFactory(
        petition=petition, partner=partner, confirmed=True, consent_partner=True
    )
    SignatureFactory(petition=petition, partner=partner, confirmed=True, consent_partner=False)
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    update = write(petition, writer, partner=partner)
    assert office.update_approve(update=update, by=approver) == 1
    assert UpdateDelivery.objects.get().signature_id == theirs.pk


def test_the_author_never_approves_their_own_update(petition, approver):
    update = write(petition, approver)  # a coordinator is staff too
    with pytest.raises(ValidationError) as error:
        office.update_approve(update=update, by=approver)
    assert error.value.code == "four_eyes"
    update.refresh_from_db()
    assert update.status == SignerUpdate.Status.DRAFT
    assert not UpdateDelivery.objects.exists()


def test_only_a_coordinator_approves(petition, writer):
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin,
        organisation=petition.campaign.lead_organisations.get(),
        role=OrganisationMembership.Role.ADMIN,
    )
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    update = write(petition, writer)
    with pytest.raises(PermissionDenied):
        office.update_approve(update=update, by=other_admin)
    with pytest.raises(PermissionDenied):
        office.update_reject(update=update, by=other_admin)
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.DRAFT


def test_at_most_one_update_a_week_by_default(petition, writer, approver):
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    first, second = write(petition, writer), write(petition, writer)
    office.update_approve(update=first, by=approver)
    with pytest.raises(ValidationError) as error:
        office.update_approve(update=second, by=approver)
    assert error.value.code == "cap"
    second.refresh_from_db()
    assert second.status == SignerUpdate.Status.DRAFT
    assert UpdateDelivery.objects.filter(update=second).count() == 0
    # Eight days later the week has passed.
    SignerUpdate.objects.filter(pk=first.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert office.update_approve(update=second, by=approver) == 1


def test_the_weekly_cap_is_a_setting(petition, writer, approver, settings):
    settings.PETITION_UPDATES_PER_WEEK = 2
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    updates = [write(petition, writer) for _ in range(3)]
    office.update_approve(update=updates[0], by=approver)
    office.update_approve(update=updates[1], by=approver)
    with pytest.raises(ValidationError):
        office.update_approve(update=updates[2], by=approver)
    assert office.next_update_allowed_at(petition) is not None


def test_a_rejected_update_is_never_sent(petition, writer, approver):
    SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    update = write(petition, writer)
    office.update_reject(update=update, by=approver, reason="Too long")
    with pytest.raises(ValidationError):
        office.update_approve(update=update, by=approver)
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.REJECTED
    assert not UpdateDelivery.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject_en", "News\r\nBcc: everyone@example.org"),
        ("subject_ar", "خبر\nBcc: x@example.org"),
        ("subject_en", ""),
        ("body_ar", "   "),
        ("subject_en", "x" * 201),
        ("body_en", "y" * 20_001),
    ],
)
def test_hostile_or_missing_update_fields_are_refused(petition, writer, field, value):
    with pytest.raises(ValidationError) as error:
        write(petition, writer, **{field: value})
    assert field in error.value.message_dict
    assert not SignerUpdate.objects.exists()


def test_sent_copies_speak_the_signers_language_and_carry_their_unsubscribe_link(
    petition, writer, approver, django_capture_on_commit_callbacks
):
    arabic = SignatureFactory(petition=petition, confirmed=True, consent_lead=True, language="ar")
    english = SignatureFactory(petition=petition, confirmed=True, consent_lead=True, language="en")
    update = write(petition, writer, body_en="Thank you, **all**.")
    with django_capture_on_commit_callbacks(execute=True):
        office.update_approve(update=update, by=approver)
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address[arabic.email].subject == "أخبار الحملة"
    assert by_address[english.email].subject == "Campaign news"
    english_message = by_address[english.email].message()
    link = english_message["List-Unsubscribe"].strip("<>")
    assert english_message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/en/petitions/news/unsubscribe/" in link
    assert link in english_message.get_body(("plain",)).get_content()
    assert "<strong>all</strong>" in english_message.get_body(("html",)).get_content()
    update.refresh_from_db()
    assert update.status == SignerUpdate.Status.SENT
    assert set(UpdateDelivery.objects.values_list("state", flat=True)) == {"sent"}


def test_unsubscribing_stops_the_news_and_only_for_that_signer(client, petition, writer, approver):
    signer = SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    other = SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    token = delivery.unsubscribe_token(signer.pk, "lead")
    url = reverse("petitions:update_unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert Signature.objects.get(pk=signer.pk).consent_lead  # a GET changes nothing
    assert client.post(url).status_code == 200
    assert not Signature.objects.get(pk=signer.pk).consent_lead
    assert Signature.objects.get(pk=other.pk).consent_lead
    assert client.post(url).status_code == 200  # replayed: harmless
    # The next update does not reach them.
    assert office.update_approve(update=write(petition, writer), by=approver) == 1


def test_a_copy_queued_before_unsubscribing_is_not_sent(petition, writer, approver):
    signer = SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    update = write(petition, writer)
    office.update_approve(update=update, by=approver)  # on_commit not run: still queued
    office.consent_withdraw(signature=signer, kind="lead")
    report = delivery.deliver_updates_due()
    assert report.sent == 0
    assert mail.outbox == []
    assert UpdateDelivery.objects.get().state == UpdateDelivery.State.FAILED


@pytest.mark.parametrize(
    "token",
    ["", "123-l", "1-l:forged", "abc-l:x", "\u202e1-l:x", "1-z:" + "A" * 27],
)
def test_forged_unsubscribe_tokens_change_nothing(client, petition, token):
    signer = SignatureFactory(petition=petition, confirmed=True, consent_lead=True)
    if not token:
        token = delivery.unsubscribe_token(signer.pk, "lead")[:-3] + "xyz"
    url = reverse("petitions:update_unsubscribe", args=[token])
    assert client.get(url).status_code == 404
    client.post(url)
    assert Signature.objects.get(pk=signer.pk).consent_lead


def test_a_partner_token_leaves_the_lead_consent_alone(client, petition):
    partner = PartnerFactory(petition=petition)
    signer = SignatureFactory(
        petition=petition, partner=partner, confirmed=True, consent_lead=True, consent_partner=True
    )
    token = delivery.unsubscribe_token(signer.pk, "partner")
    client.post(reverse("petitions:update_unsubscribe", args=[token]))
    signer.refresh_from_db()
    assert signer.consent_lead
    assert not signer.consent_partner


def test_approval_page_for_the_author_shows_no_button(client, petition, approver):
    update = write(petition, approver)
    client.force_login(approver)
    page = client.get(reverse("petitions:office_update", args=[petition.slug, update.pk]))
    assert page.status_code == 200
    assert not page.context["may_approve"]
    response = client.post(
        reverse("petitions:office_update_approve", args=[petition.slug, update.pk])
    )
    assert response.status_code == 302
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.DRAFT


@pytest.mark.parametrize("reason", ["Nope\u202e", "r" * 2001])
def test_a_hostile_rejection_reason_changes_nothing(client, petition, writer, approver, reason):
    update = write(petition, writer)
    client.force_login(approver)
    response = client.post(
        reverse("petitions:office_update_reject", args=[petition.slug, update.pk]),
        {"reason": reason},
        follow=True,
    )
    assert "could not be read" in response.content.decode()
    assert SignerUpdate.objects.get().status == SignerUpdate.Status.DRAFT
    assert not AuditEvent.objects.filter(action="petition_update_rejected").exists()
