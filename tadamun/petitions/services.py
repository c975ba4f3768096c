"""Writes of the public side: signing and confirming.

Signing stores a PENDING signature and its confirmation mail (the outbox row) in one
transaction; the unique (petition, email_normalised) constraint — not a check before the
insert — decides whether the address had signed, so two requests racing with one address end
in one row. Whatever happened, the signer is shown the same "check your e-mail" page: a
stranger typing someone's address learns nothing. Confirming counts the signature in the
tallies in the same transaction that marks it confirmed.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.petitions import outbox, protection
from tadamun.petitions.models import Partner, Petition, Signature, SignatureMail
from tadamun.petitions.normalise import normalise_email
from tadamun.petitions.outbox import hash_token
from tadamun.petitions.tally import tally_add

# A pending signer who signs again gets the confirmation again at most this often; a
# confirmed one is told "you have already signed" at most this often.
RESEND_EVERY = datetime.timedelta(minutes=10)
ALREADY_SIGNED_EVERY = datetime.timedelta(hours=6)


# The signing rate is compared with the last hour's at most this often per petition.
RATE_CHECK_SECONDS = 10


class SigningClosed(Exception):
    """The petition takes no signatures (closed, delivered, answered)."""

    message = _("This petition is closed: it no longer takes signatures.")


class InvalidToken(Exception):
    """No signature of this petition has this confirmation token."""


class Outcome(enum.StrEnum):
    NEW = "new"  # a new signature, waiting for confirmation
    PENDING = "pending"  # the address had signed and not confirmed yet
    CONFIRMED = "confirmed"  # the address had signed and confirmed
    VOID = "void"  # the address's signature was voided


class Confirmation(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"


@dataclass(frozen=True)
class SignatureData:
    """What a signer typed, already cleaned (forms.SignForm.signature_data)."""

    name: str
    show_name: bool
    email: str
    country: str
    governorate: str
    organisation_name: str
    consent_lead: bool
    consent_partner: bool


def petition_sign(
    *,
    petition: Petition,
    partner: Partner | None,
    data: SignatureData,
    language: str,
) -> Outcome:
    """Sign `petition` (through `partner`'s page, if any). Returns what happened, which the
    page must not show: every outcome leads to the same "check your e-mail" page."""
    if petition.status != Petition.Status.OPEN:
        raise SigningClosed
    if partner is not None and partner.petition_id != petition.pk:
        raise ValueError("partner of another petition")
    email_normalised = normalise_email(data.email)
    now = timezone.now()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                petition=petition,
                partner=partner,
                name=data.name,
                show_name=data.show_name,
                email=data.email,
                email_normalised=email_normalised,
                country=data.country,
                governorate=data.governorate if data.country == "IQ" else "",
                organisation_name=data.organisation_name,
                consent_lead=data.consent_lead,
                consent_partner=data.consent_partner and partner is not None,
                language=language,
                source=Signature.Source.ONLINE,
            )
            SignatureMail.objects.create(
                signature=signature, kind=SignatureMail.Kind.CONFIRM, next_attempt=now
            )
    except IntegrityError:
        return _signed_again(
            petition=petition, email_normalised=email_normalised, language=language, now=now
        )
    transaction.on_commit(outbox.wake_senders)
    transaction.on_commit(partial(_watch_signing_rate, petition.pk))
    return Outcome.NEW


def _signed_again(
    *, petition: Petition, email_normalised: str, language: str, now: datetime.datetime
) -> Outcome:
    existing = Signature.objects.filter(
        petition=petition, email_normalised=email_normalised
    ).first()
    if existing is None:  # the other row was rolled back or deleted meanwhile
        return Outcome.PENDING
    if existing.state == Signature.State.PENDING:
        if protection.allow_once(f"resend:{existing.pk}", int(RESEND_EVERY.total_seconds())):
            mail, created = SignatureMail.objects.get_or_create(
                signature=existing,
                kind=SignatureMail.Kind.CONFIRM,
                defaults={"next_attempt": now},
            )
            if not created:
                SignatureMail.objects.filter(pk=mail.pk).update(
                    state=SignatureMail.State.QUEUED,
                    next_attempt=now,
                    claimed_until=None,
                    claim_token="",
                    last_error="",
                )
            transaction.on_commit(outbox.wake_senders)
        return Outcome.PENDING
    if existing.state == Signature.State.CONFIRMED:
        if existing.email and protection.allow_once(
            f"already:{existing.pk}", int(ALREADY_SIGNED_EVERY.total_seconds())
        ):
            transaction.on_commit(partial(_tell_already_signed, existing.pk, language))
        return Outcome.CONFIRMED
    return Outcome.VOID


def _tell_already_signed(signature_id: int, language: str) -> None:
    from tadamun.petitions.tasks import send_already_signed

    send_already_signed.enqueue(signature_id=signature_id, language=language)


def _watch_signing_rate(petition_id: int) -> None:
    """Count the new signature per minute; when the rate jumps, the coordinators are told
    (once per alert window)."""
    protection.record_signing(petition_id)
    # Reading the rates costs a few dozen cache keys: at most once every 10 seconds.
    if RATE_CHECK_SECONDS and not protection.allow_once(
        f"rate-check:{petition_id}", RATE_CHECK_SECONDS
    ):
        return
    recent, before = protection.signing_rates(petition_id)
    if protection.rate_jumped(recent, before) and protection.claim_alert(petition_id):
        from tadamun.petitions.tasks import send_rate_alert

        send_rate_alert.enqueue(petition_id=petition_id, recent=recent, before=before)


def signature_for_token(*, petition: Petition, token: str) -> Signature:
    """The online signature of `petition` whose confirmation link carries `token`."""
    if not token or len(token) > 128:
        raise InvalidToken
    signature = (
        Signature.objects.filter(
            petition=petition,
            token_hash=hash_token(token),
            source=Signature.Source.ONLINE,
            anonymised=False,
        )
        .exclude(state=Signature.State.INVALID)
        .first()
    )
    if signature is None:
        raise InvalidToken
    return signature


def signature_confirm(*, petition: Petition, token: str) -> Confirmation:
    """Confirm the signature whose link carries `token`: PENDING → CONFIRMED and +1 in the
    tallies, in one transaction with the signature locked, so that two clicks at once count
    once. A replayed link changes nothing (ALREADY); a forged one raises InvalidToken."""
    signature = signature_for_token(petition=petition, token=token)
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update().filter(pk=signature.pk).first()
        )  # the state as it is now, locked until commit
        if (
            signature is None
            or signature.anonymised
            or signature.state == Signature.State.INVALID
            or signature.token_hash != hash_token(token)
        ):
            raise InvalidToken
        if signature.state == Signature.State.CONFIRMED:
            return Confirmation.ALREADY
        status = Petition.objects.filter(pk=petition.pk).values_list("status", flat=True).first()
        if status != Petition.Status.OPEN:
            raise SigningClosed
        Signature.objects.filter(pk=signature.pk).update(
            state=Signature.State.CONFIRMED, confirmed_at=timezone.now()
        )
        tally_add(
            petition_id=petition.pk,
            partner_id=signature.partner_id,
            country=str(signature.country),
            governorate=signature.governorate,
            source=signature.source,
        )
        # The counts stay cached (2 s): under a stream of confirmations, dropping them at
        # each one would make every page view sum the tallies again. The signer's own
        # "confirmed" page reads them fresh.
    return Confirmation.CONFIRMED
