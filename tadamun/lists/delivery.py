"""Outbound list mail: one Delivery row per recipient, created in the transaction that
publishes the post, then sent by workers.

A worker claims a batch of due rows under a row lock (PostgreSQL: SELECT … FOR UPDATE SKIP
LOCKED; SQLite: the IMMEDIATE transaction serialises claims), stamps them with a lease and a
claim token, and sends outside the transaction over one SMTP connection. Each SMTP
transaction's answer is written to the rows it covered before the next transaction starts, so
a worker killed at any point leaves only rows that were never acknowledged; they become due
again when the lease runs out and are sent then — no recipient gets a second copy, except
across a real SMTP-level ambiguity (the line dropping between the end of DATA and the reply).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, fields

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from tadamun.lists import dkim
from tadamun.lists.models import Delivery, MailingList, Subscription, ThreadMute
from tadamun.lists.transport import Reply, open_transport

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 200
DEFAULT_LEASE = datetime.timedelta(minutes=10)
# Retry a temporary failure after 1, 5, 15 minutes, 1 hour, then every 4 hours; give up after
# five days, as MTAs do (RFC 5321 §4.5.4.1 suggests at least 4–5 days).
BACKOFF_SECONDS = (60, 300, 900, 3600, 14400)
GIVE_UP_AFTER = datetime.timedelta(days=5)
DUE_STATES = (Delivery.State.QUEUED, Delivery.State.DEFERRED)


def queue_deliveries(*, post) -> int:
    """Create the delivery rows of a published post: every active subscriber who takes each
    message, except those who muted the thread. Idempotent (one row per recipient)."""
    mailing_list = MailingList.objects.filter(workgroup_id=post.workgroup_id, enabled=True).first()
    if mailing_list is None:
        return 0
    muted = ThreadMute.objects.filter(thread_id=post.thread_id).values("user_id")
    subscribers = (
        Subscription.objects.filter(
            mailing_list=mailing_list,
            status=Subscription.Status.ACTIVE,
            mode=Subscription.Mode.EACH,
        )
        .exclude(user_id__in=muted)
        .values_list("pk", "email")
    )
    now = timezone.now()
    rows = [
        Delivery(post=post, subscription_id=pk, recipient=email, next_attempt=now)
        for pk, email in subscribers.iterator(chunk_size=2000)
    ]
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    transaction.on_commit(lambda: _kick_workers(post.pk))
    return len(rows)


def _kick_workers(post_id: int) -> None:
    """Ask a task worker to send the post's deliveries now."""
    from tadamun.lists.tasks import deliver_post

    deliver_post.enqueue(post_id=post_id)


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    bounced: int = 0
    failed: int = 0

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th temporary failure."""
    index = min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1
    return datetime.timedelta(seconds=BACKOFF_SECONDS[index])


def due_deliveries(*, now: datetime.datetime, post_id: int | None = None):
    due = Delivery.objects.filter(state__in=DUE_STATES, next_attempt__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )
    if post_id is not None:
        due = due.filter(post_id=post_id)
    return due


def claim_due(
    *,
    limit: int = DEFAULT_BATCH,
    post_id: int | None = None,
    lease: datetime.timedelta = DEFAULT_LEASE,
) -> tuple[str, list[Delivery]]:
    """Take up to `limit` due rows for this worker: (claim token, rows)."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        now = timezone.now()
        candidates = due_deliveries(now=now, post_id=post_id).order_by("next_attempt", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        pks = list(candidates.values_list("pk", flat=True)[:limit])
        if not pks:
            return token, []
        Delivery.objects.filter(pk__in=pks).update(claimed_until=now + lease, claim_token=token)
    rows = list(Delivery.objects.filter(pk__in=pks, claim_token=token).order_by("post_id", "pk"))
    return token, rows


def deliver_due(
    *,
    limit: int = DEFAULT_BATCH,
    worker_id: str = "",
    post_id: int | None = None,
    lease: datetime.timedelta = DEFAULT_LEASE,
) -> DeliveryReport:
    """Claim one batch of due deliveries and send it. Returns what happened; `claimed` is 0
    when nothing was due."""
    token, rows = claim_due(limit=limit, post_id=post_id, lease=lease)
    report = DeliveryReport(claimed=len(rows))
    if not rows:
        return report
    logger.debug("worker %s claimed %d deliveries (%s)", worker_id, len(rows), token)
    by_post: dict[int, list[Delivery]] = defaultdict(list)
    for row in rows:
        by_post[row.post_id].append(row)
    transport = open_transport()
    try:
        for post_rows in by_post.values():
            _send_post_rows(post_rows, token=token, transport=transport, report=report)
    except Exception as error:
        # A bug must not hold the rows for the whole lease, nor resend them in a hot loop.
        _release_unfinished(token, error)
        raise
    finally:
        transport.close()
    return report


def _send_post_rows(rows: list[Delivery], *, token: str, transport, report: DeliveryReport):
    from tadamun.lists.outbound import PostMessageBuilder
    from tadamun.workgroups.models import Post

    post = (
        Post.objects.select_related("workgroup__mailing_list", "thread__workgroup")
        .filter(pk=rows[0].post_id)
        .first()
    )
    if post is None or post.status != Post.Status.PUBLISHED:
        _finish(token, rows, Delivery.State.FAILED, "the post is no longer published", report)
        return
    mailing_list = post.workgroup.mailing_list
    subscriptions = Subscription.objects.in_bulk([row.subscription_id for row in rows])
    current, stale = [], []
    for row in rows:
        subscription = subscriptions.get(row.subscription_id)
        still_wanted = (
            subscription is not None
            and subscription.status == Subscription.Status.ACTIVE
            and subscription.mode == Subscription.Mode.EACH
        )
        (current if still_wanted else stale).append(row)
    if stale:
        _finish(token, stale, Delivery.State.FAILED, "no longer subscribed", report)
    if not current:
        return
    builder = PostMessageBuilder(post, mailing_list)
    if mailing_list.personalise:
        # One copy per recipient: its own VERP return path and one-click unsubscribe link,
        # each signed.
        for row in current:
            mail = builder.build(
                subscription=subscriptions[row.subscription_id], delivery_id=row.pk
            )
            data = dkim.sign(mail.as_bytes())
            replies = transport.send(mail.envelope_from, [row.recipient], data)
            record_replies(token, [row], replies, mailing_list=mailing_list, report=report)
    else:
        mail = builder.build()
        data = dkim.sign(mail.as_bytes())
        size = max(1, mailing_list.recipients_per_transaction)
        for start in range(0, len(current), size):
            chunk = current[start : start + size]
            replies = transport.send(mail.envelope_from, [row.recipient for row in chunk], data)
            record_replies(token, chunk, replies, mailing_list=mailing_list, report=report)


def record_replies(
    token: str,
    rows: list[Delivery],
    replies: dict[str, Reply],
    *,
    mailing_list: MailingList,
    report: DeliveryReport,
) -> None:
    """Write one SMTP transaction's answers to its rows, in one database transaction:
    2xx sent, 4xx deferred with back-off (failed after GIVE_UP_AFTER), 5xx bounced."""
    from tadamun.lists.bounces import record_bounce

    now = timezone.now()
    sent, bounced, deferred = [], [], []
    for row in rows:
        reply = replies.get(row.recipient, Reply(421, "no reply for this recipient"))
        if reply.ok:
            sent.append(row)
        elif reply.permanent:
            bounced.append((row, reply))
        else:
            deferred.append((row, reply))
    with transaction.atomic():
        if sent:
            Delivery.objects.filter(pk__in=[row.pk for row in sent], claim_token=token).update(
                state=Delivery.State.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                claimed_until=None,
                last_error="",
            )
            report.sent += len(sent)
        for row, reply in bounced:
            Delivery.objects.filter(pk=row.pk, claim_token=token).update(
                state=Delivery.State.BOUNCED,
                attempts=F("attempts") + 1,
                claimed_until=None,
                last_error=f"{reply.code} {reply.text}"[:2000],
            )
            record_bounce(
                mailing_list=mailing_list,
                recipient=row.recipient,
                permanent=True,
                detail=f"{reply.code} {reply.text}",
                delivery_id=row.pk,
            )
            report.bounced += 1
        for row, reply in deferred:
            attempts = row.attempts + 1
            gave_up = now - row.created >= GIVE_UP_AFTER
            Delivery.objects.filter(pk=row.pk, claim_token=token).update(
                state=Delivery.State.FAILED if gave_up else Delivery.State.DEFERRED,
                attempts=attempts,
                next_attempt=now + backoff(attempts),
                claimed_until=None,
                last_error=f"{reply.code} {reply.text}"[:2000],
            )
            if gave_up:
                report.failed += 1
            else:
                report.deferred += 1


def _finish(token: str, rows: list[Delivery], state: str, reason: str, report) -> None:
    Delivery.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(
        state=state, claimed_until=None, last_error=reason
    )
    report.failed += len(rows)


def _release_unfinished(token: str, error: Exception) -> None:
    now = timezone.now()
    Delivery.objects.filter(claim_token=token, claimed_until__isnull=False).update(
        state=Delivery.State.DEFERRED,
        attempts=F("attempts") + 1,
        next_attempt=now + backoff(1),
        claimed_until=None,
        last_error=f"worker error: {error!r}"[:2000],
    )


def next_retry() -> datetime.datetime | None:
    """When the earliest deferred delivery becomes due, if any."""
    row = (
        Delivery.objects.filter(state=Delivery.State.DEFERRED)
        .order_by("next_attempt")
        .values_list("next_attempt", flat=True)
        .first()
    )
    return row


def pending_count(*, due_only: bool = False) -> int:
    """Rows not finished yet: queued or deferred (with `due_only`, deferred ones only once
    their retry time has come), claimed by a worker or not."""
    rows = Delivery.objects.filter(state__in=DUE_STATES)
    if due_only:
        rows = rows.filter(Q(state=Delivery.State.QUEUED) | Q(next_attempt__lte=timezone.now()))
    return rows.count()
