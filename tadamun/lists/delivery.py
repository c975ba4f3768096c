"""Outbound list mail: one Delivery row per recipient, created in the transaction that
publishes the post, then sent by workers.

A worker claims a batch of due rows under a row lock (PostgreSQL: SELECT … FOR UPDATE SKIP
LOCKED; SQLite: the IMMEDIATE transaction serialises claims), stamps them with a lease and a
claim token, and sends outside the transaction over one SMTP connection. Each SMTP
transaction's answer is written to the rows it covered before the next transaction starts, so
a worker killed at any point leaves only rows that were never acknowledged; they become due
again when the lease runs out and are sent then — no recipient gets a second copy, except
across a real SMTP-level ambiguity (the line dropping between the end of DATA and the reply).

The hot paths are single SQL statements rather than ORM loops: rows are queued with one
INSERT … SELECT … ON CONFLICT DO NOTHING, claimed with one UPDATE … RETURNING, and a
personalised copy is marked sent with one autocommitted UPDATE right after the relay accepted
it (on PostgreSQL without waiting for the WAL flush: see SentMarker).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, fields

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tadamun.lists.models import Delivery, MailingList, Subscription, ThreadMute
from tadamun.lists.transport import Reply, open_transport
from tadamun.lockdown.selectors import state as lockdown_state

logger = logging.getLogger(__name__)

# Rows per claim: a few SMTP transactions' worth for batched lists (500 recipients each by
# default), about half a second of work for personalised ones; small enough that the workers
# finish a fan-out at about the same time.
DEFAULT_BATCH = 500
DEFAULT_LEASE = datetime.timedelta(minutes=10)
# Retry a temporary failure after 1, 5, 15 minutes, 1 hour, then every 4 hours; give up after
# five days, as MTAs do (RFC 5321 §4.5.4.1 suggests at least 4–5 days).
BACKOFF_SECONDS = (60, 300, 900, 3600, 14400)
GIVE_UP_AFTER = datetime.timedelta(days=5)
DUE_STATES = (Delivery.State.QUEUED, Delivery.State.DEFERRED)


def queue_deliveries(*, post) -> int:
    """Create the delivery rows of a published post: every active subscriber who takes each
    message, except those who muted the thread. Idempotent (one row per recipient).

    One INSERT … SELECT in the database (SQLite ≥ 3.24, PostgreSQL): building 10,000 model
    instances took 0.6–2.3 s of the LMTP accept."""
    mailing_list = MailingList.objects.filter(workgroup_id=post.workgroup_id, enabled=True).first()
    if mailing_list is None:
        return 0
    now = timezone.now()
    ops = connection.ops
    table = connection.ops.quote_name(Delivery._meta.db_table)
    subscriptions = ops.quote_name(Subscription._meta.db_table)
    mutes = ops.quote_name(ThreadMute._meta.db_table)
    columns = (
        "post_id, subscription_id, recipient, state, attempts, next_attempt, claim_token, "
        "last_error, created"
    )
    now_value = ops.adapt_datetimefield_value(now)
    # (SQLite needs the SELECT to have a WHERE clause for ON CONFLICT to parse as upsert.)
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608  # nosec B608 (names from the models; values are parameters)
        f"SELECT %s, s.id, s.email, %s, 0, %s, '', '', %s FROM {subscriptions} s "
        "WHERE s.mailing_list_id = %s AND s.status = %s AND s.mode = %s "
        "AND s.id IN ({allowed}) "
        f"AND NOT EXISTS (SELECT 1 FROM {mutes} m "
        "WHERE m.thread_id = %s AND m.user_id = s.user_id) "
        "ORDER BY s.id "
        "ON CONFLICT (post_id, recipient) DO NOTHING"
    )
    params = [
        post.pk,
        Delivery.State.QUEUED,
        now_value,
        now_value,
        mailing_list.pk,
        Subscription.Status.ACTIVE,
        Subscription.Mode.EACH,
        post.thread_id,
    ]
    # Only subscribers who may still read the workgroup (Subscription.objects.allowed_to_read).
    allowed_sql, allowed_params = (
        Subscription.objects.allowed_to_read()
        .filter(mailing_list_id=mailing_list.pk)
        .values("id")
        .query.sql_with_params()
    )
    sql = sql.replace("{allowed}", allowed_sql)
    params = [*params[:7], *allowed_params, *params[7:]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = max(cursor.rowcount, 0)
    transaction.on_commit(lambda: _kick_workers(post.pk))
    return created


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
    """Take up to `limit` due rows for this worker: (claim token, rows).

    One statement: UPDATE … WHERE id IN (the first due rows) RETURNING …. On PostgreSQL the
    inner SELECT locks the rows it takes and skips those another worker is taking (FOR UPDATE
    SKIP LOCKED); on SQLite the statement holds the database's write lock."""
    token = uuid.uuid4().hex
    lockdown = lockdown_state()
    if lockdown.site:  # no list mail leaves during the site's lockdown; it waits
        return token, []
    ops = connection.ops
    table = ops.quote_name(Delivery._meta.db_table)
    now = timezone.now()
    now_value = ops.adapt_datetimefield_value(now)
    where = (
        "state IN (%s, %s) AND next_attempt <= %s "
        "AND (claimed_until IS NULL OR claimed_until <= %s)"
    )
    params: list = [
        ops.adapt_datetimefield_value(now + lease),
        token,
        *DUE_STATES,
        now_value,
        now_value,
    ]
    if post_id is not None:
        where += " AND post_id = %s"
        params.append(post_id)
    if lockdown.workgroup_ids:  # nor the mail of a locked-down workgroup
        posts = ops.quote_name(Delivery._meta.get_field("post").related_model._meta.db_table)
        marks = ", ".join(["%s"] * len(lockdown.workgroup_ids))
        # The table name comes from the model; the ids are parameters.
        where += f" AND post_id NOT IN (SELECT id FROM {posts} WHERE workgroup_id IN ({marks}))"  # noqa: S608  # nosec B608
        params.extend(sorted(lockdown.workgroup_ids))
    params.append(int(limit))
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    sql = (
        f"UPDATE {table} SET claimed_until = %s, claim_token = %s WHERE id IN ("  # noqa: S608  # nosec B608
        f"SELECT id FROM {table} WHERE {where} ORDER BY next_attempt, id LIMIT %s{lock}) "
        "RETURNING id, post_id, subscription_id, recipient, state, attempts, created"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows = [
        Delivery(
            id=pk,
            post_id=post,
            subscription_id=subscription,
            recipient=recipient,
            attempts=attempts,
            created=_datetime(created),
            state=state,
            claim_token=token,
            claimed_until=now + lease,
        )
        for pk, post, subscription, recipient, state, attempts, created in found
    ]
    rows.sort(key=lambda row: (row.post_id, row.pk))
    return token, rows


def _datetime(value) -> datetime.datetime:
    """A datetime column read by raw SQL (SQLite gives text, in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


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
    # Stop sending once half the lease is gone: past its end another worker may take the rows
    # not marked yet and send them too (measured by tadamun/security_suite/durability.py: a
    # batch slowed by a stalled database or relay outlived its lease and 25 recipients got
    # two copies). What is left is released for the next claim.
    deadline = rows[0].claimed_until - lease / 2
    transport = open_transport()
    try:
        for post_rows in by_post.values():
            if timezone.now() >= deadline:
                break
            _send_post_rows(
                post_rows, token=token, transport=transport, report=report, deadline=deadline
            )
        if timezone.now() >= deadline:
            _release_unsent(token)
    except Exception as error:
        # A bug must not hold the rows for the whole lease, nor resend them in a hot loop.
        _release_unfinished(token, error)
        raise
    finally:
        transport.close()
    return report


def _send_post_rows(
    rows: list[Delivery],
    *,
    token: str,
    transport,
    report: DeliveryReport,
    deadline: datetime.datetime,
):
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
    # Re-checked at sending: someone suspended or removed since the post was queued gets
    # nothing (Subscription.objects.allowed_to_read).
    subscriptions = (
        Subscription.objects.allowed_to_read()
        .only("id", "email", "status", "mode")
        .in_bulk([row.subscription_id for row in rows])
    )
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
    transport.open()
    builder = PostMessageBuilder(post, mailing_list, eight_bit=transport.supports_8bit)
    if mailing_list.personalise:
        # One copy per recipient: its own VERP return path and one-click unsubscribe link,
        # each signed. Each copy's answer is written (one autocommitted UPDATE) before the
        # next copy is sent, as before: a worker killed at any point leaves unmarked only
        # the copy whose SMTP transaction was in progress.
        with SentMarker(token) as marker:
            for row in current:
                if timezone.now() >= deadline:
                    return
                mail = builder.build(
                    subscription=subscriptions[row.subscription_id],
                    delivery_id=row.pk,
                    sign=True,
                )
                replies = transport.send(
                    mail.envelope_from, [row.recipient], mail.data, eight_bit=mail.eight_bit
                )
                reply = replies.get(row.recipient)
                if reply is not None and reply.ok:
                    report.sent += 1
                    if not marker.mark(row.pk):
                        # The lease ran out and another worker took the row: it has taken
                        # the rest of the batch too; stop sending them.
                        return
                else:
                    record_replies(token, [row], replies, mailing_list=mailing_list, report=report)
    else:
        mail = builder.build(sign=True)
        size = max(1, mailing_list.recipients_per_transaction)
        for start in range(0, len(current), size):
            if timezone.now() >= deadline:
                return
            chunk = current[start : start + size]
            replies = transport.send(
                mail.envelope_from,
                [row.recipient for row in chunk],
                mail.data,
                eight_bit=mail.eight_bit,
            )
            record_replies(token, chunk, replies, mailing_list=mailing_list, report=report)


class SentMarker:
    """Marks single rows sent with one UPDATE each on one cursor, committed at once
    (autocommit): about a tenth of the cost of an ORM update in its own transaction. Inside a
    surrounding transaction (tests) the statement simply joins it."""

    def __init__(self, token: str):
        self.token = token
        table = connection.ops.quote_name(Delivery._meta.db_table)
        self.sql = (
            f"UPDATE {table} SET state = %s, sent_at = %s, attempts = attempts + 1, "  # noqa: S608  # nosec B608
            "claimed_until = NULL, last_error = '' WHERE id = %s AND claim_token = %s"
        )
        self.cursor = None

    def __enter__(self) -> SentMarker:
        self.cursor = connection.cursor()
        self.relaxed = connection.vendor == "postgresql" and connection.get_autocommit()
        if self.relaxed:
            # Each mark is committed to the server before the next copy is sent, but without
            # waiting for the WAL flush: a worker killed at any point loses nothing (the
            # server has the commit); only a crash of the database server itself could lose
            # the last fraction of a second of marks, whose copies would then be sent again —
            # what SQLite's synchronous=NORMAL (WAL) already allows on power loss.
            self.cursor.execute("SET synchronous_commit TO off")
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.relaxed:
                with contextlib.suppress(DatabaseError):
                    self.cursor.execute("RESET synchronous_commit")
        finally:
            self.cursor.close()

    def mark(self, pk: int) -> bool:
        """Whether the row was still this worker's to mark."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = (Delivery.State.SENT, now, pk, self.token)
        try:
            self.cursor.execute(self.sql, params)
        except (OperationalError, InterfaceError):
            if not _reconnect():
                raise
            self.__enter__()  # a cursor on the new connection
            self.cursor.execute(self.sql, params)
        return self.cursor.rowcount != 0


def _reconnect() -> bool:
    """After a database error outside any transaction: if the connection itself is gone (the
    server restarted, the backend was terminated, the network dropped), open a new one and
    say so, for the caller to write again what it was writing.

    The relay's answer must not be lost with the connection: a copy the relay accepted whose
    row stays unmarked comes back when the lease runs out and is sent a second time (measured
    by tadamun/security_suite/durability.py: every terminated connection in the middle of a
    fan-out gave one duplicate). The writes retried are idempotent (guarded by the claim
    token)."""
    if connection.in_atomic_block or connection.is_usable():
        return False
    connection.close()
    connection.ensure_connection()
    return True


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
    try:
        _write_replies(token, sent, bounced, deferred, now, mailing_list=mailing_list)
    except (OperationalError, InterfaceError):
        if not _reconnect():
            raise
        _write_replies(token, sent, bounced, deferred, now, mailing_list=mailing_list)
    report.sent += len(sent)
    report.bounced += len(bounced)
    for row, _reply in deferred:
        if now - row.created >= GIVE_UP_AFTER:
            report.failed += 1
        else:
            report.deferred += 1


def _write_replies(token, sent, bounced, deferred, now, *, mailing_list) -> None:
    from tadamun.lists.bounces import record_bounce

    with transaction.atomic():
        if sent:
            Delivery.objects.filter(pk__in=[row.pk for row in sent], claim_token=token).update(
                state=Delivery.State.SENT,
                sent_at=now,
                attempts=F("attempts") + 1,
                claimed_until=None,
                last_error="",
            )
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


def _finish(token: str, rows: list[Delivery], state: str, reason: str, report) -> None:
    Delivery.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(
        state=state, claimed_until=None, last_error=reason
    )
    report.failed += len(rows)


def _release_unsent(token: str) -> None:
    """Give back the rows of a claim that were not sent (their lease ran short): due again at
    once, for the next claim, without counting an attempt."""
    Delivery.objects.filter(
        claim_token=token, claimed_until__isnull=False, state__in=DUE_STATES
    ).update(claimed_until=None)


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
