"""Writes of the petitions' back office: status changes, voiding signatures (and restoring
them), paper signatures, delivery to the targets and their response, updates to signers, and
withdrawing consent from an update's unsubscribe link.

Every function checks who is acting (office_selectors), runs in one transaction, keeps the
tallies right in that same transaction (`tally_add(delta=±n)`, then `forget()`), and writes
the audit log. Mail leaves through the outboxes of petitions.delivery, after the commit.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from tadamun.core.audit import audit
from tadamun.core.text import clean_name, clean_text
from tadamun.core.uploads import CheckedFile
from tadamun.core.validators import validate_name
from tadamun.petitions import office_selectors as selectors
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Partner,
    Petition,
    Signature,
    SignatureMail,
    SignerUpdate,
    TargetDelivery,
    UpdateDelivery,
)
from tadamun.petitions.normalise import InvalidAddress, normalise_email
from tadamun.petitions.tally import forget, tally_add

NOT_ALLOWED = _("You may not do this.")
# Absurd figures are typing mistakes: a bundle of paper sheets does not hold a million names.
COUNTED_MAX = 1_000_000
REASON_MAX = 2000
NOTE_MAX = 2000
UPDATE_SUBJECT_MAX = 200
UPDATE_BODY_MAX = 20_000
RESPONSE_MAX = 50_000
# Rows per statement when many signatures change at once (SQLite limits the parameters).
CHUNK = 500

# Status changes made by hand; "delivered" and "answered" come from the delivery tools.
STATUS_MOVES = {
    Petition.Status.DRAFT: {Petition.Status.OPEN},
    Petition.Status.OPEN: {Petition.Status.CLOSED},
    Petition.Status.CLOSED: {Petition.Status.OPEN},
}
# Paper signatures are entered while the petition collects, or after it closed (sheets come
# back late), never once it has been delivered.
PAPER_STATUSES = {Petition.Status.OPEN, Petition.Status.CLOSED}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def _require_staff(user, petition: Petition) -> None:
    _require(selectors.is_petition_staff(user, petition))


def _forget(petition_id: int) -> None:
    """The cached counts go now and again after the commit (a reader may have cached the old
    figures in between)."""
    forget(petition_id)
    transaction.on_commit(lambda: forget(petition_id))


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _tally(petition_id: int, rows: Iterable[tuple], *, sign: int) -> int:
    """Add (sign=+1) or take away (-1) confirmed signatures from the tallies: `rows` are
    (partner_id, country, governorate, source) of each one. Returns how many."""
    groups = Counter((p, str(c or ""), g or "", s) for p, c, g, s in rows)
    for (partner_id, country, governorate, source), number in groups.items():
        tally_add(
            petition_id=petition_id,
            partner_id=partner_id,
            country=country,
            governorate=governorate,
            source=source,
            delta=sign * number,
        )
    return sum(groups.values())


def updates_per_week() -> int:
    return int(getattr(settings, "PETITION_UPDATES_PER_WEEK", 1))


# ------------------------------------------------------------------------------ status


def petition_set_status(*, petition: Petition, status: str, by) -> Petition:
    """draft → open → closed (and closed → open again while the signers' data is kept)."""
    _require_staff(by, petition)
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if status not in STATUS_MOVES.get(petition.status, set()):
            raise ValidationError(
                _("A petition cannot go from “%(old)s” to “%(new)s”."),
                code="status",
                params={
                    "old": petition.get_status_display(),
                    "new": dict(Petition.Status.choices).get(status, status),
                },
            )
        if status == Petition.Status.OPEN and petition.anonymised_at is not None:
            raise ValidationError(
                _("The signers' data has been anonymised: this petition cannot open again."),
                code="anonymised",
            )
        if status == Petition.Status.OPEN:
            missing = [
                field
                for field in ("title_ar", "title_en", "text_ar", "text_en")
                if not getattr(petition, field).strip()
            ]
            if missing:
                raise ValidationError(
                    _("The petition needs its title and text in Arabic and English first."),
                    code="languages",
                )
        old = petition.status
        now = timezone.now()
        petition.status = status
        fields = ["status"]
        if status == Petition.Status.OPEN:
            if petition.opened_at is None:
                petition.opened_at = now
                fields.append("opened_at")
            petition.closed_at = None
            fields.append("closed_at")
        elif status == Petition.Status.CLOSED:
            petition.closed_at = now
            fields.append("closed_at")
        petition.save(update_fields=fields)
        audit("petition_status", actor=by, petition=petition.pk, old=old, new=status)
    return petition


# ------------------------------------------------------------------------ invalidation


def invalidation_create(
    *, petition: Petition, criteria: dict, reason: str, by, expected: int | None = None
) -> Invalidation:
    """Void every signature `criteria` select (see office_selectors.signatures_matching).

    `expected` is the count the person saw in the preview: if more or fewer signatures match
    now, nothing is voided and they are asked to look again. Confirmed signatures leave the
    tallies; pending ones lose their unsent confirmation mail."""
    _require_staff(by, petition)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why these signatures are voided.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("The reason is too long (2,000 characters at most).")]})
    if not any(criteria.get(key) for key in ("domain", "since", "until", "partner", "ids")):
        raise ValidationError(_("Choose which signatures to void."), code="no_criteria")
    with transaction.atomic():
        # Locks the rows: a confirmation arriving meanwhile waits, then finds them voided.
        found = list(
            selectors.signatures_matching(petition, criteria)
            .select_for_update()
            .values_list("pk", "state", "partner_id", "country", "governorate", "source")
        )
        if not found:
            raise ValidationError(_("No signature matches: nothing was voided."), code="empty")
        if expected is not None and expected != len(found):
            raise ValidationError(
                ngettext_lazy(
                    "The selection changed since the preview: %(number)s signature matches "
                    "now. Check the preview and confirm again.",
                    "The selection changed since the preview: %(number)s signatures match "
                    "now. Check the preview and confirm again.",
                    "number",
                ),
                code="changed",
                params={"number": len(found)},
            )
        invalidation = Invalidation.objects.create(
            petition=petition, by=by, reason=reason, criteria=criteria, count=len(found)
        )
        ids = [row[0] for row in found]
        for chunk in _chunks(ids):
            Signature.objects.filter(pk__in=chunk).update(
                state=Signature.State.INVALID, invalidation=invalidation
            )
            SignatureMail.objects.filter(
                signature_id__in=chunk,
                state__in=[SignatureMail.State.QUEUED, SignatureMail.State.DEFERRED],
            ).delete()
        confirmed = _tally(
            petition.pk,
            (row[2:] for row in found if row[1] == Signature.State.CONFIRMED),
            sign=-1,
        )
        _forget(petition.pk)
        audit(
            "petition_invalidated",
            actor=by,
            petition=petition.pk,
            invalidation=invalidation.pk,
            criteria=criteria,
            count=len(found),
            confirmed=confirmed,
        )
    return invalidation


def invalidation_restore(*, invalidation: Invalidation, by) -> int:
    """Undo a voiding: its signatures come back as they were (confirmed ones into the
    tallies again, pending ones pending). The Invalidation row stays, marked restored."""
    petition = invalidation.petition
    _require_staff(by, petition)
    with transaction.atomic():
        invalidation = Invalidation.objects.select_for_update().get(pk=invalidation.pk)
        if invalidation.criteria.get("restored_at"):
            raise ValidationError(_("These signatures were already restored."), code="restored")
        found = list(
            Signature.objects.filter(invalidation=invalidation, state=Signature.State.INVALID)
            .select_for_update()
            .values_list("pk", "confirmed_at", "partner_id", "country", "governorate", "source")
        )
        confirmed_ids = [row[0] for row in found if row[1] is not None]
        pending_ids = [row[0] for row in found if row[1] is None]
        for chunk in _chunks(confirmed_ids):
            Signature.objects.filter(pk__in=chunk).update(
                state=Signature.State.CONFIRMED, invalidation=None
            )
        for chunk in _chunks(pending_ids):
            Signature.objects.filter(pk__in=chunk).update(
                state=Signature.State.PENDING, invalidation=None
            )
        _tally(petition.pk, (row[2:] for row in found if row[1] is not None), sign=+1)
        _forget(petition.pk)
        invalidation.criteria = {
            **invalidation.criteria,
            "restored_at": timezone.now().isoformat(),
            "restored_by": getattr(by, "pk", None),
            "restored": len(found),
        }
        invalidation.save(update_fields=["criteria"])
        audit(
            "petition_restored",
            actor=by,
            petition=petition.pk,
            invalidation=invalidation.pk,
            count=len(found),
            confirmed=len(confirmed_ids),
        )
    return len(found)


# ------------------------------------------------------------------------------ paper


def _check_place(country: str, governorate: str) -> dict:
    errors = {}
    if governorate and country and country != "IQ":
        errors["governorate"] = [_("A governorate is given only for Iraq.")]
    return errors


def _check_partner(petition: Petition, partner: Partner | None) -> None:
    if partner is not None and partner.petition_id != petition.pk:
        raise ValidationError({"partner": [_("This partner is not one of this petition's.")]})


def _check_paper_open(petition: Petition) -> None:
    if petition.status not in PAPER_STATUSES or petition.anonymised_at is not None:
        raise ValidationError(
            _(
                "Paper signatures are entered while the petition is open or closed, not once "
                "delivered."
            ),
            code="status",
        )


def paper_batch_create(
    *,
    petition: Petition,
    by,
    partner: Partner | None = None,
    counted: int = 0,
    country: str = "",
    governorate: str = "",
    evidence: CheckedFile | None = None,
    note: str = "",
) -> PaperBatch:
    """A batch of paper sheets. With `counted` > 0 it is a counted total, which needs its
    evidence (a scan of the sheets) and goes into the tallies at once; with 0 the names are
    entered one by one afterwards (paper_signature_add)."""
    _require_staff(by, petition)
    _check_paper_open(petition)
    _check_partner(petition, partner)
    note = clean_text(note)
    errors = _check_place(country, governorate)
    if counted < 0 or counted > COUNTED_MAX:
        errors["counted"] = [_("Give a number of signatures between 1 and 1,000,000.")]
    if counted and evidence is None:
        errors["evidence"] = [_("A counted total needs its evidence: upload a scan of the sheets.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is too long (2,000 characters at most).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        batch = PaperBatch(
            petition=petition,
            entered_by=by,
            partner=partner,
            counted=counted,
            country=country,
            governorate=governorate,
            note=note,
        )
        if evidence is not None:
            batch.evidence.save(evidence.file.name, evidence.file, save=False)
        batch.save()
        if counted:
            tally_add(
                petition_id=petition.pk,
                partner_id=partner.pk if partner else None,
                country=country,
                governorate=governorate,
                source=Signature.Source.PAPER,
                delta=counted,
            )
            _forget(petition.pk)
        audit(
            "petition_paper_batch",
            actor=by,
            petition=petition.pk,
            batch=batch.pk,
            counted=counted,
            partner=partner.pk if partner else None,
            evidence=evidence.filename if evidence else "",
        )
    return batch


def paper_batch_delete(*, batch: PaperBatch, by, reason: str) -> None:
    """Take back a counted total entered by mistake (its figure leaves the tallies; the
    audit log keeps the reason). Batches of names are corrected by voiding signatures."""
    petition = batch.petition
    _require_staff(by, petition)
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why this batch is removed.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("The reason is too long (2,000 characters at most).")]})
    with transaction.atomic():
        batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.counted or batch.signatures.exists():
            raise ValidationError(
                _("Only a counted total can be removed; void the names of a batch instead."),
                code="named",
            )
        tally_add(
            petition_id=petition.pk,
            partner_id=batch.partner_id,
            country=str(batch.country or ""),
            governorate=batch.governorate,
            source=Signature.Source.PAPER,
            delta=-batch.counted,
        )
        _forget(petition.pk)
        audit(
            "petition_paper_removed",
            actor=by,
            petition=petition.pk,
            batch=batch.pk,
            counted=batch.counted,
            reason=reason,
        )
        if batch.evidence:
            name = batch.evidence.name
            storage = batch.evidence.storage
            transaction.on_commit(lambda: storage.delete(name))
        batch.delete()


def paper_signature_add(
    *,
    batch: PaperBatch,
    by,
    name: str,
    email: str = "",
    country: str = "",
    governorate: str = "",
    organisation_name: str = "",
    consent_lead: bool = False,
    consent_partner: bool = False,
    language: str = "ar",
) -> Signature:
    """One name from a paper sheet: confirmed at once (the signer signed in ink), counted as
    paper. Without an e-mail address the unique key is a placeholder of the batch."""
    petition = batch.petition
    _require_staff(by, petition)
    _check_paper_open(petition)
    if batch.counted:
        raise ValidationError(
            _("This batch is a counted total: its names are not entered one by one."),
            code="counted",
        )
    errors: dict[str, list] = {}
    try:
        validate_name(name)
    except ValidationError as error:
        errors["name"] = error.messages
    name = clean_name(name)
    if not name and "name" not in errors:
        errors["name"] = [_("Type the name as written on the sheet.")]
    try:
        validate_name(organisation_name)
    except ValidationError as error:
        errors["organisation_name"] = error.messages
    organisation_name = clean_name(organisation_name)
    email = (email or "").strip()
    key = ""
    if email:
        try:
            key = normalise_email(email)
        except InvalidAddress:
            errors["email"] = [_("This e-mail address is not valid.")]
    country = country or str(batch.country or "") or "IQ"
    governorate = governorate or (batch.governorate if country == str(batch.country) else "")
    errors.update(_check_place(country, governorate))
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = "ar"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One entry at a time per batch: the placeholder numbers stay unique.
        batch = PaperBatch.objects.select_for_update().get(pk=batch.pk)
        if key:
            existing = Signature.objects.filter(petition=petition, email_normalised=key).first()
            if existing is not None:
                raise ValidationError(
                    {
                        "email": [
                            _("This address has already signed this petition (signature %(id)s).")
                            % {"id": existing.pk}
                        ]
                    }
                )
        else:
            prefix = f"paper:{batch.pk}:"
            number = (
                Signature.objects.filter(
                    petition=petition, email_normalised__startswith=prefix
                ).count()
                + 1
            )
            while Signature.objects.filter(
                petition=petition, email_normalised=f"{prefix}{number}"
            ).exists():
                number += 1
            key = f"{prefix}{number}"
        now = timezone.now()
        signature = Signature.objects.create(
            petition=petition,
            partner=batch.partner,
            name=name,
            show_name=False,
            email=email,
            email_normalised=key,
            country=country,
            governorate=governorate,
            organisation_name=organisation_name,
            consent_lead=consent_lead,
            consent_partner=consent_partner and batch.partner_id is not None,
            language=language,
            state=Signature.State.CONFIRMED,
            source=Signature.Source.PAPER,
            batch=batch,
            confirmed_at=now,
        )
        tally_add(
            petition_id=petition.pk,
            partner_id=batch.partner_id,
            country=country,
            governorate=governorate,
            source=Signature.Source.PAPER,
        )
        _forget(petition.pk)
    return signature


# --------------------------------------------------------------------------- delivery


def delivery_start(*, petition: Petition, by) -> int:
    """Deliver the petition: one TargetDelivery per campaign target with an e-mail address
    (the PDF attached, sent by petitions.delivery), status → delivered. Run again after a
    target was added, it queues only the new ones. Returns how many were queued."""
    _require_staff(by, petition)
    from tadamun.petitions import delivery

    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.status not in {Petition.Status.CLOSED, Petition.Status.DELIVERED}:
            raise ValidationError(_("Close the petition before delivering it."), code="status")
        now = timezone.now()
        targets = [target for target in selectors.targets_of(petition) if target.email]
        already = set(
            TargetDelivery.objects.filter(petition=petition).values_list("target_id", flat=True)
        )
        new = [
            TargetDelivery(
                petition=petition, target=target, recipient=target.email, next_attempt=now
            )
            for target in targets
            if target.pk not in already
        ]
        TargetDelivery.objects.bulk_create(new, ignore_conflicts=True)
        if petition.status != Petition.Status.DELIVERED:
            petition.status = Petition.Status.DELIVERED
            petition.delivered_at = now
            petition.save(update_fields=["status", "delivered_at"])
        audit(
            "petition_delivered",
            actor=by,
            petition=petition.pk,
            targets=[row.target_id for row in new],
        )
        if new:
            transaction.on_commit(lambda: delivery.kick_targets(petition.pk))
    return len(new)


def response_publish(*, petition: Petition, by, response_ar: str, response_en: str) -> Petition:
    """The target's answer, published on the petition's page in both languages."""
    _require_staff(by, petition)
    response_ar, response_en = clean_text(response_ar), clean_text(response_en)
    errors = {}
    for field, value in (("response_ar", response_ar), ("response_en", response_en)):
        if not value:
            errors[field] = [_("The response is published in Arabic and English: fill in both.")]
        elif len(value) > RESPONSE_MAX:
            errors[field] = [_("The response is too long (50,000 characters at most).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        if petition.status not in {Petition.Status.DELIVERED, Petition.Status.ANSWERED}:
            raise ValidationError(
                _("A response is published once the petition has been delivered."),
                code="status",
            )
        first = petition.status != Petition.Status.ANSWERED
        petition.response_ar, petition.response_en = response_ar, response_en
        petition.status = Petition.Status.ANSWERED
        if first:
            petition.responded_at = timezone.now()
        petition.save(update_fields=["response_ar", "response_en", "status", "responded_at"])
        audit("petition_answered", actor=by, petition=petition.pk, changed=not first)
    return petition


# ---------------------------------------------------------------------------- updates


def _clean_update(
    *, subject_ar: str, subject_en: str, body_ar: str, body_en: str
) -> tuple[dict, dict]:
    errors: dict[str, list] = {}
    cleaned = {}
    for field, raw in (("subject_ar", subject_ar), ("subject_en", subject_en)):
        if "\r" in raw or "\n" in raw:
            # A subject becomes a mail header: a line break would start another header.
            errors[field] = [_("A subject is one line: remove the line breaks.")]
            continue
        value = _one_line(raw)
        if not value:
            errors[field] = [_("Write the subject in both languages.")]
        elif len(value) > UPDATE_SUBJECT_MAX:
            errors[field] = [_("The subject is too long (200 characters at most).")]
        cleaned[field] = value
    for field, raw in (("body_ar", body_ar), ("body_en", body_en)):
        value = clean_text(raw)
        if not value:
            errors[field] = [_("Write the text in both languages.")]
        elif len(value) > UPDATE_BODY_MAX:
            errors[field] = [_("The text is too long (20,000 characters at most).")]
        cleaned[field] = value
    return cleaned, errors


def update_create(
    *,
    petition: Petition,
    by,
    partner: Partner | None = None,
    subject_ar: str,
    subject_en: str,
    body_ar: str,
    body_en: str,
) -> SignerUpdate:
    """A draft update to the signers who agreed to the lead's news (or to a partner's),
    waiting for a coordinator's approval."""
    _require_staff(by, petition)
    _check_partner(petition, partner)
    if petition.status == Petition.Status.DRAFT or petition.anonymised_at is not None:
        raise ValidationError(
            _("Updates go to signers: this petition has none to write to."), code="status"
        )
    cleaned, errors = _clean_update(
        subject_ar=subject_ar, subject_en=subject_en, body_ar=body_ar, body_en=body_en
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        update = SignerUpdate.objects.create(
            petition=petition, partner=partner, written_by=by, **cleaned
        )
        audit(
            "petition_update_written",
            actor=by,
            petition=petition.pk,
            update=update.pk,
            partner=partner.pk if partner else None,
        )
    return update


def next_update_allowed_at(petition: Petition, *, now: datetime.datetime | None = None):
    """When the weekly cap lets another update be approved (None: now)."""
    now = now or timezone.now()
    week_ago = now - datetime.timedelta(days=7)
    approved = list(
        SignerUpdate.objects.filter(
            petition=petition,
            approved_at__gte=week_ago,
            status__in=[SignerUpdate.Status.APPROVED, SignerUpdate.Status.SENT],
        )
        .order_by("approved_at")
        .values_list("approved_at", flat=True)
    )
    cap = updates_per_week()
    if len(approved) < cap:
        return None
    # The oldest approval that must leave the window before another fits.
    return approved[len(approved) - cap] + datetime.timedelta(days=7)


def update_approve(*, update: SignerUpdate, by) -> int:
    """A coordinator other than the author approves: one UpdateDelivery per consenting signer
    is queued in this transaction, then sent by petitions.delivery. At most
    PETITION_UPDATES_PER_WEEK updates of a petition are approved in any seven days. Returns
    the number of copies queued."""
    petition = update.petition
    _require(selectors.may_approve_updates(by))
    from tadamun.petitions import delivery

    with transaction.atomic():
        # The petition row serialises approvals: two coordinators cannot both pass the cap.
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        update = SignerUpdate.objects.select_for_update().get(pk=update.pk)
        if update.status != SignerUpdate.Status.DRAFT:
            raise ValidationError(_("This update has already been decided."), code="decided")
        if update.written_by_id is None or update.written_by_id == by.pk:
            raise ValidationError(
                _("Another coordinator must approve an update: not the person who wrote it."),
                code="four_eyes",
            )
        if petition.anonymised_at is not None:
            raise ValidationError(
                _("The signers' data has been anonymised: there is no one to write to."),
                code="anonymised",
            )
        now = timezone.now()
        allowed_at = next_update_allowed_at(petition, now=now)
        if allowed_at is not None:
            cap = updates_per_week()
            raise ValidationError(
                ngettext_lazy(
                    "At most %(cap)s update a week goes to the signers of a petition: the "
                    "next one can be approved from %(when)s.",
                    "At most %(cap)s updates a week go to the signers of a petition: the "
                    "next one can be approved from %(when)s.",
                    "cap",
                ),
                code="cap",
                params={
                    "cap": cap,
                    "when": timezone.localtime(allowed_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        recipients = selectors.update_recipients(petition, update.partner).values_list(
            "pk", "email", "language"
        )
        queued = 0
        batch = []
        for pk, email, language in recipients.iterator(chunk_size=2000):
            batch.append(
                UpdateDelivery(
                    update=update,
                    signature_id=pk,
                    recipient=email,
                    language=language if language in ("ar", "en") else "ar",
                    next_attempt=now,
                )
            )
            if len(batch) >= 1000:
                UpdateDelivery.objects.bulk_create(batch, ignore_conflicts=True)
                queued += len(batch)
                batch = []
        if batch:
            UpdateDelivery.objects.bulk_create(batch, ignore_conflicts=True)
            queued += len(batch)
        update.status = SignerUpdate.Status.APPROVED if queued else SignerUpdate.Status.SENT
        update.approved_by = by
        update.approved_at = now
        update.save(update_fields=["status", "approved_by", "approved_at"])
        audit(
            "petition_update_approved",
            actor=by,
            petition=petition.pk,
            update=update.pk,
            recipients=queued,
        )
        update_id = update.pk
        if queued:
            transaction.on_commit(lambda: delivery.kick_update(update_id))
    return queued


def update_reject(*, update: SignerUpdate, by, reason: str = "") -> SignerUpdate:
    """A coordinator declines the update (the author may write a better one)."""
    _require(selectors.may_approve_updates(by))
    reason = clean_text(reason)[:REASON_MAX]
    with transaction.atomic():
        update = SignerUpdate.objects.select_for_update().get(pk=update.pk)
        if update.status != SignerUpdate.Status.DRAFT:
            raise ValidationError(_("This update has already been decided."), code="decided")
        update.status = SignerUpdate.Status.REJECTED
        update.approved_by = by
        update.approved_at = None
        update.save(update_fields=["status", "approved_by", "approved_at"])
        audit(
            "petition_update_rejected",
            actor=by,
            petition=update.petition_id,
            update=update.pk,
            reason=reason,
        )
    return update


def consent_withdraw(*, signature: Signature, kind: str) -> bool:
    """From an update's unsubscribe link: no more news from the lead ("lead") or from the
    partner ("partner"). Copies of updates not sent yet are dropped. Idempotent; returns
    whether anything changed."""
    field = "consent_partner" if kind == "partner" else "consent_lead"
    with transaction.atomic():
        changed = Signature.objects.filter(pk=signature.pk, **{field: True}).update(
            **{field: False}
        )
        pending = UpdateDelivery.objects.filter(
            signature=signature,
            state__in=[UpdateDelivery.State.QUEUED, UpdateDelivery.State.DEFERRED],
        )
        if kind == "partner":
            pending = pending.filter(update__partner__isnull=False)
        else:
            pending = pending.filter(update__partner__isnull=True)
        pending.update(state=UpdateDelivery.State.FAILED, last_error="unsubscribed")
    setattr(signature, field, False)
    return bool(changed)
