"""The signers' mail (confirmation link, reminder) as an outbox: one SignatureMail row per
signature and kind, created in the signing transaction, sent by workers.

A worker claims due rows under a row lock (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so
two workers never take the same row; SQLite: the IMMEDIATE transaction serialises claims) and
stamps them with a lease (`claimed_until`) and its `claim_token`. It then sends each row
outside any transaction and writes the relay's answer to that row in the same step it marks
it sent (guarded by the claim token). A worker killed after claiming leaves rows that become
due again when the lease runs out; one killed between the relay's 250 and the mark would
resend that one message (the same SMTP-level ambiguity every MTA has).

The confirmation token is random and only its sha256 is stored (Signature.token_hash), so the
link can only be made when a message is built: each message with a link carries a new token
and makes the earlier links void, like a password-reset mail. The transport is the one of
list mail (tadamun.lists.transport): SMTP to the relay with a reply code per recipient, or
Django's mailer in development and tests.
"""

from __future__ import annotations

import datetime
import email.policy
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.lists.delivery import backoff
from tadamun.lists.transport import Reply, open_transport
from tadamun.lockdown.selectors import site_locked
from tadamun.petitions.models import Petition, Signature, SignatureMail

logger = logging.getLogger(__name__)

BATCH = 100
LEASE = datetime.timedelta(minutes=5)
# A temporary failure is retried with the lists' back-off (1, 5, 15, 60 minutes, then every
# 4 hours); after this many attempts the row is given up.
MAX_ATTEMPTS = 8
# Pending signatures get one reminder this long after signing (not after REMINDER_UNTIL).
REMINDER_AFTER = datetime.timedelta(hours=24)
REMINDER_UNTIL = datetime.timedelta(days=7)
DUE_STATES = (SignatureMail.State.QUEUED, SignatureMail.State.DEFERRED)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class OutboxReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    reminders_queued: int = 0


def due_mail(*, now: datetime.datetime):
    return SignatureMail.objects.filter(state__in=DUE_STATES, next_attempt__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def claim_due(
    *,
    limit: int = BATCH,
    mail_ids: list[int] | None = None,
    lease: datetime.timedelta = LEASE,
    now: datetime.datetime | None = None,
) -> tuple[str, list[int]]:
    """Take up to `limit` due rows for this worker: (claim token, their ids)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    if site_locked():  # the site's lockdown stops all mail; it waits in the outbox
        return token, []
    with transaction.atomic():
        due = due_mail(now=now).order_by("next_attempt", "id")
        if mail_ids is not None:
            due = due.filter(pk__in=mail_ids)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            SignatureMail.objects.filter(pk__in=ids).update(
                claimed_until=now + lease, claim_token=token
            )
    return token, ids


def send_due(
    *, limit: int = BATCH, mail_ids: list[int] | None = None, lease: datetime.timedelta = LEASE
) -> OutboxReport:
    """Claim and send due rows, batch after batch, until none is left."""
    report = OutboxReport()
    while True:
        token, ids = claim_due(limit=limit, mail_ids=mail_ids, lease=lease)
        if not ids:
            return report
        report.claimed += len(ids)
        send_claimed(token, ids, report=report)
        if mail_ids is not None and len(ids) >= len(mail_ids):
            return report  # every row asked for was claimed: no need for an empty claim


def send_claimed(token: str, ids: list[int], *, report: OutboxReport) -> None:
    rows = (
        SignatureMail.objects.filter(pk__in=ids, claim_token=token)
        .select_related("signature__petition", "signature__partner")
        .order_by("pk")
    )
    transport = open_transport()
    try:
        for row in rows:
            _send_row(row, token=token, transport=transport, report=report)
    finally:
        transport.close()


def _send_row(row: SignatureMail, *, token: str, transport, report: OutboxReport) -> None:
    signature = row.signature
    petition = signature.petition
    still_wanted = (
        signature.state == Signature.State.PENDING
        and not signature.anonymised
        and signature.email
        and petition.status == Petition.Status.OPEN
    )
    if not still_wanted:
        _finish(row, token, SignatureMail.State.FAILED, "no longer waiting for confirmation")
        report.failed += 1
        return
    link_token = secrets.token_urlsafe(32)
    stored = Signature.objects.filter(pk=signature.pk, state=Signature.State.PENDING).update(
        token_hash=hash_token(link_token)
    )
    if not stored:  # confirmed a moment ago
        _finish(row, token, SignatureMail.State.FAILED, "no longer waiting for confirmation")
        report.failed += 1
        return
    message = build_message(row, link_token)
    try:
        replies = transport.send(
            message.from_email,
            [signature.email],
            # CRLF line ends and folded headers, as SMTP wants them (RFC 5321 §2.3.8).
            message.message(policy=email.policy.SMTP).as_bytes(),
        )
        reply = replies.get(signature.email, Reply(421, "no reply for this recipient"))
    except Exception as error:  # any trouble sending is a temporary failure
        logger.warning("signature mail %s not sent: %r", row.pk, error)
        reply = Reply(421, f"transport error: {error!r}")
    record_reply(row, token, reply, report=report)


def build_message(row: SignatureMail, link_token: str) -> EmailMessage:
    """The message in the signer's language, with the confirmation link."""
    signature = row.signature
    petition = signature.petition
    language = signature.language if signature.language in ("ar", "en") else "ar"
    with translation.override(language):
        path = reverse("petitions:confirm", args=[petition.slug, link_token])
        context = {
            "signature": signature,
            "petition": petition,
            "petition_title": petition.text_in("title", language),
            "confirm_url": settings.SITE_URL + path,
            "petition_url": settings.SITE_URL + petition.get_absolute_url(),
            "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
            "site_url": settings.SITE_URL,
            "language": language,
        }
        template = f"petitions/mail/{row.kind}"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[signature.email],
        # An automatic message (RFC 3834): autoresponders must not answer it.
        headers={"Auto-Submitted": "auto-generated"},
    )
    return message


def record_reply(row: SignatureMail, token: str, reply: Reply, *, report: OutboxReport) -> None:
    """The relay's answer, written to the row (and for a reminder, to the signature) in one
    transaction: 2xx sent, 5xx failed, anything else deferred with back-off."""
    now = timezone.now()
    mine = SignatureMail.objects.filter(pk=row.pk, claim_token=token)
    with transaction.atomic():
        if reply.ok:
            mine.update(
                state=SignatureMail.State.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                claimed_until=None,
                last_error="",
            )
            if row.kind == SignatureMail.Kind.REMINDER:
                Signature.objects.filter(pk=row.signature_id).update(reminded_at=now)
            report.sent += 1
            return
        attempts = row.attempts + 1
        give_up = reply.permanent or attempts >= MAX_ATTEMPTS
        mine.update(
            state=SignatureMail.State.FAILED if give_up else SignatureMail.State.DEFERRED,
            attempts=attempts,
            next_attempt=now + backoff(attempts),
            claimed_until=None,
            last_error=f"{reply.code} {reply.text}"[:2000],
        )
    if give_up:
        report.failed += 1
    else:
        report.deferred += 1


def _finish(row: SignatureMail, token: str, state: str, reason: str) -> None:
    SignatureMail.objects.filter(pk=row.pk, claim_token=token).update(
        state=state, claimed_until=None, last_error=reason
    )


def queue_reminders(*, now: datetime.datetime | None = None) -> int:
    """One reminder row for each signature of an open petition still pending REMINDER_AFTER
    after signing (the unique (signature, kind) keeps it to one, however often this runs)."""
    now = now or timezone.now()
    waiting = (
        Signature.objects.filter(
            state=Signature.State.PENDING,
            source=Signature.Source.ONLINE,
            anonymised=False,
            petition__status=Petition.Status.OPEN,
            created__lte=now - REMINDER_AFTER,
            created__gt=now - REMINDER_UNTIL,
        )
        .exclude(email="")
        .exclude(mails__kind=SignatureMail.Kind.REMINDER)
        .values_list("pk", flat=True)
    )
    rows = [
        SignatureMail(signature_id=pk, kind=SignatureMail.Kind.REMINDER, next_attempt=now)
        for pk in waiting[:5000]
    ]
    created = SignatureMail.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


# ------------------------------------------------------------------ waking the senders
#
# Each new row wakes a sender, but not one task per row: under a stream of signatures a task
# per message costs more than the message (its row, its claim, its result, an SMTP session of
# its own). A sender is a task that sends batch after batch in one SMTP session each until
# nothing is due. SENDERS flags in the cache say which are queued or running; a new row
# queues a sender only when a flag is free. A sender clears its flag *before* its last look
# for due rows, so a row committed while the flag was still set is seen by that last look
# (the row is committed before the flag is tried). A sender that dies leaves its flag to
# expire (SENDER_FLAG_SECONDS) and its claimed rows to their lease; the periodic sweep sends
# whatever remains.

SENDERS = 2
SENDER_FLAG_SECONDS = 60


def _sender_flag(slot: int) -> str:
    return f"petitions:sender:{slot}"


def wake_senders() -> None:
    """After a commit that queued signer mail: make sure a sender will look for it."""
    from django.core.cache import cache

    from tadamun.petitions.tasks import send_signer_mail

    for slot in range(SENDERS):
        if cache.add(_sender_flag(slot), 1, timeout=SENDER_FLAG_SECONDS):
            send_signer_mail.enqueue(slot=slot)
            return
    # Every sender is queued or running: its last look will find the new row.


def run_sender(slot: int) -> OutboxReport:
    """The body of one sender: send until nothing is due, clear the flag, look once more."""
    from django.core.cache import cache

    report = send_due()
    cache.delete(_sender_flag(slot))
    last = send_due()
    for name in ("claimed", "sent", "deferred", "failed"):
        setattr(report, name, getattr(report, name) + getattr(last, name))
    return report


def send_due_mail() -> dict:
    """The periodic sweep (`manage.py periodic`): queue the reminders that are due, then send
    every due row — new ones, deferred ones whose retry time came, and those whose worker
    died (lease run out)."""
    queued = queue_reminders()
    report = send_due()
    report.reminders_queued = queued
    return vars(report)
