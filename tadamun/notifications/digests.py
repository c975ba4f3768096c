"""The daily summary of notifications, for the kinds people chose to receive that way.

`send_notification_digests()` is run hourly by `manage.py periodic`; each person gets at most
one summary per day, whatever the frequency. A summary is taken before it is sent — the
person's `last_digest` mark moved by compare-and-set, their notifications marked as digested,
in one transaction — so a crash or an overlapping run never sends the same notifications twice
(at worst one summary is lost, never doubled). Visibility is checked again at send time.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tadamun.notifications import emails, selectors
from tadamun.notifications.kinds import Channel
from tadamun.notifications.models import Notification, NotificationSettings

logger = logging.getLogger(__name__)

DIGEST_INTERVAL = datetime.timedelta(hours=24)
# Items listed in one summary; the rest are on the notifications page it links to.
DIGEST_MAX_ITEMS = 50


def _waiting() -> Q:
    return Q(email_state=Notification.EmailState.PENDING, email_channel=Channel.DAILY)


def _take(user_id: int, now: datetime.datetime) -> list[Notification]:
    """Take `user_id`'s summary if it is due: move their mark and mark their waiting
    notifications digested, atomically. Empty when not due or taken by another run."""
    row, _created = NotificationSettings.objects.get_or_create(user_id=user_id)
    previous = row.last_digest
    if previous is not None and previous > now - DIGEST_INTERVAL:
        return []
    with transaction.atomic():
        same_mark = Q(last_digest__isnull=True) if previous is None else Q(last_digest=previous)
        if not NotificationSettings.objects.filter(same_mark, pk=user_id).update(last_digest=now):
            return []
        waiting = list(
            Notification.objects.filter(_waiting(), recipient_id=user_id)
            .select_related("recipient")
            .order_by("-created", "-pk")
        )
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
            email_state=Notification.EmailState.DIGESTED
        )
    return waiting


def send_notification_digests(*, now: datetime.datetime | None = None) -> int:
    """Send every due daily summary; returns how many were sent."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(_waiting())
        .exclude(recipient__notification_settings__last_digest__gt=now - DIGEST_INTERVAL)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    content_free = selectors.content_free(due) if due else set()
    sent = 0
    for user_id in due:
        waiting = _take(user_id, now)
        if not waiting:
            continue
        targets = emails.still_visible(waiting)
        gone = [n.pk for n in waiting if n.pk not in targets]
        if gone:
            Notification.objects.filter(pk__in=gone).update(
                email_state=Notification.EmailState.SKIPPED
            )
        items = [(n, targets[n.pk]) for n in waiting if n.pk in targets]
        if not items:
            continue
        try:
            emails.send_digest(
                waiting[0].recipient,
                items[:DIGEST_MAX_ITEMS],
                total=len(items),
                content_free=user_id in content_free,
            )
        except Exception:
            # The summary is lost rather than sent twice; the notifications stay on the site.
            logger.exception("notification summary for person %s not sent", user_id)
            continue
        sent += 1
    return sent
