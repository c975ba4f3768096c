"""Mail of the back office: updates to signers (UpdateDelivery) and the petition delivered to
its targets (TargetDelivery), through the same outbound path as the lists
(tadamun.lists.transport: the MTA relay, or Django's mailer in development and tests).

Both outboxes work like tadamun.lists.delivery: a worker claims a batch of due rows under a
row lock (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the IMMEDIATE transaction serialises
claims), stamps them with a lease and a claim token, and sends outside the transaction, one
SMTP transaction per copy (each copy is personal: the signer's language, their own
unsubscribe link). The answer to each copy is written, in autocommit, before the next copy is
sent: a worker killed at any point leaves unmarked only the copy in flight; the others are
sent or still due, and become due again when the lease runs out — none lost, none sent twice
except across a real SMTP-level ambiguity. 4xx answers defer with the lists' back-off, 5xx
ones end the row.
"""

from __future__ import annotations

import datetime
import email.policy
import email.utils
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, fields
from email.headerregistry import Address
from email.message import EmailMessage

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.core.markdown import render_markdown
from tadamun.lists import dkim
from tadamun.lists.delivery import DEFAULT_LEASE, GIVE_UP_AFTER, backoff
from tadamun.lists.transport import Reply, open_transport
from tadamun.lockdown.selectors import site_locked
from tadamun.petitions.models import (
    Petition,
    Signature,
    SignerUpdate,
    TargetDelivery,
    UpdateDelivery,
)

logger = logging.getLogger(__name__)

SMTP_POLICY = email.policy.SMTP
DEFAULT_BATCH = 200
UNSUBSCRIBE_SALT = "tadamun.petitions.unsubscribe"
KINDS = {"l": "lead", "p": "partner"}


@dataclass
class OfficeReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    bounced: int = 0
    failed: int = 0

    def __iadd__(self, other: OfficeReport) -> OfficeReport:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self


# ------------------------------------------------------------------------ unsubscribe


def unsubscribe_token(signature_id: int, kind: str) -> str:
    """A signed token naming one signature and what it stops ("lead" or "partner" news).
    It does not expire: the link sits in old mail."""
    letter = "p" if kind == "partner" else "l"
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{signature_id}-{letter}")


def read_unsubscribe_token(token: str) -> tuple[Signature, str] | None:
    """(signature, kind) for a genuine token whose signature still has an address."""
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    pk, _dash, letter = value.partition("-")
    if not pk.isdigit() or letter not in KINDS:
        return None
    signature = (
        Signature.objects.select_related("petition", "partner__organisation")
        .filter(pk=int(pk), anonymised=False)
        .first()
    )
    if signature is None:
        return None
    return signature, KINDS[letter]


def unsubscribe_url(token: str, language: str) -> str:
    with translation.override(language):
        path = reverse("petitions:update_unsubscribe", args=[token])
    return f"{settings.SITE_URL}{path}"


def petition_url(petition: Petition, language: str) -> str:
    with translation.override(language):
        return f"{settings.SITE_URL}{petition.get_absolute_url()}"


# ----------------------------------------------------------------------------- claims


def _claim(model, *, limit: int, lease: datetime.timedelta, **filters) -> tuple[str, list]:
    """Take up to `limit` due rows of `model` for this worker: (claim token, rows)."""
    token = uuid.uuid4().hex
    if site_locked():  # the site's lockdown stops all mail; it waits in the outbox
        return token, []
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            model.objects.filter(
                state__in=[model.State.QUEUED, model.State.DEFERRED],
                next_attempt__lte=now,
                **filters,
            )
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("next_attempt", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[: int(limit)]
        )
        if ids:
            model.objects.filter(pk__in=ids).update(claimed_until=now + lease, claim_token=token)
    rows = list(model.objects.filter(pk__in=ids, claim_token=token).order_by("pk")) if ids else []
    return token, rows


def _mark_sent(model, row, token: str) -> None:
    # Autocommitted at once: a worker killed after this line never sends this copy again.
    model.objects.filter(pk=row.pk, claim_token=token).update(
        state=model.State.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        claimed_until=None,
        last_error="",
    )


def _end(model, rows: list, token: str, state: str, reason: str) -> None:
    model.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(
        state=state, claimed_until=None, last_error=reason[:2000]
    )


def _record_failure(model, row, token: str, reply: Reply, *, started, report: OfficeReport) -> None:
    """5xx ends the row (bounced, or failed where there is no bounce state); 4xx defers it
    with back-off, and fails it after GIVE_UP_AFTER (RFC 5321 §4.5.4.1)."""
    now = timezone.now()
    error = f"{reply.code} {reply.text}"[:2000]
    if reply.permanent:
        state = getattr(model.State, "BOUNCED", model.State.FAILED)
        model.objects.filter(pk=row.pk, claim_token=token).update(
            state=state, attempts=F("attempts") + 1, claimed_until=None, last_error=error
        )
        if state == model.State.FAILED:
            report.failed += 1
        else:
            report.bounced += 1
        return
    attempts = row.attempts + 1
    gave_up = started is not None and now - started >= GIVE_UP_AFTER
    model.objects.filter(pk=row.pk, claim_token=token).update(
        state=model.State.FAILED if gave_up else model.State.DEFERRED,
        attempts=attempts,
        next_attempt=now + backoff(attempts),
        claimed_until=None,
        last_error=error,
    )
    if gave_up:
        report.failed += 1
    else:
        report.deferred += 1


def _defer_all(model, rows: list, token: str, reason: str, report: OfficeReport) -> None:
    now = timezone.now()
    for row in rows:
        model.objects.filter(pk=row.pk, claim_token=token).update(
            state=model.State.DEFERRED,
            attempts=F("attempts") + 1,
            next_attempt=now + backoff(row.attempts + 1),
            claimed_until=None,
            last_error=reason[:2000],
        )
    report.deferred += len(rows)


def _release_unfinished(model, token: str, error: Exception) -> None:
    """A bug must not hold the rows for the whole lease, nor resend them in a hot loop."""
    model.objects.filter(claim_token=token, claimed_until__isnull=False).update(
        state=model.State.DEFERRED,
        attempts=F("attempts") + 1,
        next_attempt=timezone.now() + backoff(1),
        claimed_until=None,
        last_error=f"worker error: {error!r}"[:2000],
    )


# ----------------------------------------------------------------------------- messages


def _from_address(language: str) -> Address:
    name = settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"])
    return Address(display_name=name, addr_spec=settings.DEFAULT_FROM_EMAIL)


def _headers(message: EmailMessage, *, to: str, subject: str, language: str) -> None:
    message["From"] = _from_address(language)
    message["To"] = to
    message["Subject"] = " ".join(subject.split())
    message["Date"] = email.utils.format_datetime(timezone.now())
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    message["Content-Language"] = language


def sender_name(update: SignerUpdate, language: str) -> str:
    """Who the news is from: the partner, or the campaign's lead organisations."""
    from tadamun.core.templatetags.bidi import pick

    if update.partner_id:
        return pick(update.partner.organisation, "name", language)
    names = [
        pick(org, "name", language) for org in update.petition.campaign.lead_organisations.all()
    ]
    return "، ".join(names) if language == "ar" else ", ".join(names)


def build_update_message(
    update: SignerUpdate, *, recipient: str, language: str, token: str
) -> bytes:
    """One signer's copy: subject and text in their language, their unsubscribe link
    (RFC 2369 List-Unsubscribe, RFC 8058 one-click)."""
    petition = update.petition
    language = language if language in ("ar", "en") else "ar"
    link = unsubscribe_url(token, language)
    context = {
        "update": update,
        "petition": petition,
        "subject": getattr(update, f"subject_{language}"),
        "body": getattr(update, f"body_{language}"),
        "title": getattr(petition, f"title_{language}"),
        "sender": sender_name(update, language),
        "unsubscribe_url": link,
        "petition_url": petition_url(petition, language),
        "language": language,
        "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
    }
    with translation.override(language):
        context["body_html"] = render_markdown(context["body"])
        text = render_to_string("petitions/mail_office/update.txt", context)
        html = render_to_string("petitions/mail_office/update.html", context)
    message = EmailMessage(policy=SMTP_POLICY)
    _headers(message, to=recipient, subject=context["subject"], language=language)
    message["List-Unsubscribe"] = f"<{link}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    # Signed like list mail when DKIM is configured (tadamun.lists.dkim; unchanged if not).
    return dkim.sign(message.as_bytes(policy=SMTP_POLICY))


def build_target_message(
    petition: Petition, *, recipient: str, target, pdf: bytes, total: int
) -> bytes:
    """The petition to one decision maker: Arabic and English in one message, the delivery
    PDF (text, figures, signers) attached."""
    parts = []
    for language in ("ar", "en"):
        context = {
            "petition": petition,
            "target": target,
            "title": getattr(petition, f"title_{language}"),
            "text": getattr(petition, f"text_{language}"),
            "target_name": getattr(target, f"name_{language}") or str(target),
            "total": total,
            "petition_url": petition_url(petition, language),
            "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
        }
        with translation.override(language):
            parts.append(render_to_string("petitions/mail_office/target.txt", context))
    subject = f"{petition.title_ar} / {petition.title_en}"
    message = EmailMessage(policy=SMTP_POLICY)
    _headers(message, to=recipient, subject=subject, language="ar, en")
    message.set_content("\n\n――――――――――――\n\n".join(parts), charset="utf-8")
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=f"petition-{petition.slug}.pdf"
    )
    # Signed like list mail when DKIM is configured (tadamun.lists.dkim; unchanged if not).
    return dkim.sign(message.as_bytes(policy=SMTP_POLICY))


def delivery_pdf_bytes(petition: Petition) -> bytes | None:
    """The delivery PDF (petitions.pdf, another part of the app), or None while it is not
    available."""
    try:
        from tadamun.petitions import pdf
    except ImportError:
        return None
    make = getattr(pdf, "delivery_pdf", None)
    if make is None:
        return None
    return make(petition)


# ------------------------------------------------------------------------------ updates


def _still_wanted(update: SignerUpdate, signature: Signature | None) -> bool:
    if signature is None or signature.anonymised or not signature.email:
        return False
    if signature.state != Signature.State.CONFIRMED:
        return False
    if update.partner_id:
        return signature.partner_id == update.partner_id and signature.consent_partner
    return signature.consent_lead


def deliver_updates_due(
    *,
    limit: int = DEFAULT_BATCH,
    update_id: int | None = None,
    lease: datetime.timedelta = DEFAULT_LEASE,
) -> OfficeReport:
    """Claim one batch of due update copies and send it."""
    filters = {"update_id": update_id} if update_id is not None else {}
    report, update_ids = _deliver_claimed(
        UpdateDelivery, "update_id", _send_update_rows, limit=limit, lease=lease, **filters
    )
    if update_ids:
        _finish_updates(update_ids)
    return report


def _deliver_claimed(model, group_field: str, send_rows, *, limit, lease, **filters):
    """Claim one batch of due `model` rows and send them, grouped by `group_field` (one
    update, one petition), through one transport; unfinished rows are released when sending
    fails. Returns the report and the groups sent."""
    token, rows = _claim(model, limit=limit, lease=lease, **filters)
    report = OfficeReport(claimed=len(rows))
    if not rows:
        return report, []
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[getattr(row, group_field)].append(row)
    transport = open_transport()
    try:
        for group_id, group_rows in groups.items():
            send_rows(group_id, group_rows, token=token, transport=transport, report=report)
    except Exception as error:
        _release_unfinished(model, token, error)
        raise
    finally:
        transport.close()
    return report, list(groups)


def _send_update_rows(update_id, rows, *, token, transport, report) -> None:
    update = (
        SignerUpdate.objects.select_related("petition__campaign", "partner__organisation")
        .filter(pk=update_id)
        .first()
    )
    if update is None or update.status not in {
        SignerUpdate.Status.APPROVED,
        SignerUpdate.Status.SENT,
    }:
        _end(UpdateDelivery, rows, token, UpdateDelivery.State.FAILED, "the update is withdrawn")
        report.failed += len(rows)
        return
    signatures = Signature.objects.in_bulk([row.signature_id for row in rows if row.signature_id])
    for row in rows:
        signature = signatures.get(row.signature_id)
        if not _still_wanted(update, signature):
            _end(UpdateDelivery, [row], token, UpdateDelivery.State.FAILED, "no longer consenting")
            report.failed += 1
            continue
        kind = "partner" if update.partner_id else "lead"
        data = build_update_message(
            update,
            recipient=row.recipient,
            language=row.language,
            token=unsubscribe_token(signature.pk, kind),
        )
        replies = transport.send(settings.DEFAULT_FROM_EMAIL, [row.recipient], data)
        reply = replies.get(row.recipient, Reply(421, "no reply for this recipient"))
        if reply.ok:
            _mark_sent(UpdateDelivery, row, token)
            report.sent += 1
        else:
            _record_failure(
                UpdateDelivery, row, token, reply, started=update.approved_at, report=report
            )


def _finish_updates(update_ids: list[int]) -> None:
    """An approved update whose copies are all finished is sent."""
    unfinished = UpdateDelivery.objects.filter(
        update_id__in=update_ids,
        state__in=[UpdateDelivery.State.QUEUED, UpdateDelivery.State.DEFERRED],
    ).values_list("update_id", flat=True)
    SignerUpdate.objects.filter(pk__in=update_ids, status=SignerUpdate.Status.APPROVED).exclude(
        pk__in=unfinished
    ).update(status=SignerUpdate.Status.SENT)


# ------------------------------------------------------------------------------ targets


def deliver_targets_due(
    *,
    limit: int = DEFAULT_BATCH,
    petition_id: int | None = None,
    lease: datetime.timedelta = DEFAULT_LEASE,
) -> OfficeReport:
    """Claim one batch of due target deliveries and send them, the PDF attached."""
    filters = {"petition_id": petition_id} if petition_id is not None else {}
    report, _petitions = _deliver_claimed(
        TargetDelivery, "petition_id", _send_target_rows, limit=limit, lease=lease, **filters
    )
    return report


def _send_target_rows(petition_id, rows, *, token, transport, report) -> None:
    from tadamun.petitions.tally import counts

    petition = Petition.objects.select_related("campaign").get(pk=petition_id)
    pdf = delivery_pdf_bytes(petition)
    if pdf is None:
        _defer_all(TargetDelivery, rows, token, "the delivery PDF is not available yet", report)
        return
    total = counts(petition, fresh=True).total
    targets = {target.pk: target for target in petition.campaign.targets.all()}
    for row in rows:
        target = targets.get(row.target_id)
        data = build_target_message(
            petition, recipient=row.recipient, target=target, pdf=pdf, total=total
        )
        replies = transport.send(settings.DEFAULT_FROM_EMAIL, [row.recipient], data)
        reply = replies.get(row.recipient, Reply(421, "no reply for this recipient"))
        if reply.ok:
            _mark_sent(TargetDelivery, row, token)
            report.sent += 1
        else:
            _record_failure(TargetDelivery, row, token, reply, started=row.created, report=report)


# -------------------------------------------------------------------------------- work


def deliver_office_due(*, limit: int = DEFAULT_BATCH) -> OfficeReport:
    """Everything due in both outboxes (retries included), batch after batch: what
    `manage.py periodic` (or a task) runs."""
    total = OfficeReport()
    for deliver in (deliver_updates_due, deliver_targets_due):
        while True:
            report = deliver(limit=limit)
            total += report
            if not report.claimed:
                break
    schedule_retry()
    return total


def next_retry() -> datetime.datetime | None:
    """When the earliest deferred copy becomes due, if any."""
    candidates = [
        model.objects.filter(state=model.State.DEFERRED)
        .order_by("next_attempt")
        .values_list("next_attempt", flat=True)
        .first()
        for model in (UpdateDelivery, TargetDelivery)
    ]
    found = [value for value in candidates if value is not None]
    return min(found) if found else None


def schedule_retry() -> None:
    """A task runs when the earliest deferred copy is due, if the task backend can defer."""
    when = next_retry()
    if when is None or not deliver_office_due_task.get_backend().supports_defer:
        return
    when = max(when, timezone.now() + datetime.timedelta(seconds=1))
    if cache.add(f"petitions:retry:{when:%Y%m%d%H%M}", 1, timeout=3600):
        deliver_office_due_task.using(run_after=when).enqueue()


@task(queue_name="mail")
def send_update_task(*, update_id: int) -> dict:
    """Send an approved update's copies (enqueued when it is approved)."""
    total = OfficeReport()
    while True:
        report = deliver_updates_due(update_id=update_id)
        total += report
        if not report.claimed:
            break
    schedule_retry()
    return vars(total)


@task(queue_name="mail")
def send_targets_task(*, petition_id: int) -> dict:
    """Send a delivered petition to its targets."""
    total = OfficeReport()
    while True:
        report = deliver_targets_due(petition_id=petition_id)
        total += report
        if not report.claimed:
            break
    schedule_retry()
    return vars(total)


@task(queue_name="mail")
def deliver_office_due_task() -> dict:
    return vars(deliver_office_due())


def kick_update(update_id: int) -> None:
    send_update_task.enqueue(update_id=update_id)


def kick_targets(petition_id: int) -> None:
    send_targets_task.enqueue(petition_id=petition_id)
