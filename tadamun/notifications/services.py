"""Writes: making notifications, reading them, and people's choices about them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.core import content
from tadamun.notifications import kinds, selectors
from tadamun.notifications.kinds import KINDS, Channel
from tadamun.notifications.models import Notification, NotificationPreference, NotificationSettings

# A second event of the same kind about the same item within this time updates the unread
# notification already there (ten reactions make one notification, not ten e-mails).
COLLAPSE_WINDOW = datetime.timedelta(hours=1)
# Notification e-mails handed to one task.
EMAIL_TASK_BATCH = 200


def _pk(person: Any) -> int | None:
    if person is None:
        return None
    if isinstance(person, int):
        return person
    return getattr(person, "pk", None)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    target: models.Model,
    actor: Any | None = None,
    data: dict | None = None,
) -> int:
    """Tell `recipients` about `target`; returns how many people were told.

    Leaves out the actor, people who are not active members, and anyone who may not see
    `target` (its kind's own selector, through the content registry). Stores the site
    notifications in bulk and sends e-mail as each person chose for `kind`: at once (a task
    after commit, which checks visibility again), in the daily summary, or never. A second event
    of the same kind about the same item soon after updates the person's unread notification
    instead of adding one. A handful of queries whatever the number of recipients.
    """
    kinds.get(kind)  # unknown kinds are a programming error
    content.kind_of(target)  # so is a target that is not a registered kind of content
    if target.pk is None:
        raise ValueError("notify() needs a saved target")
    data = dict(data or {})
    actor_id = _pk(actor)
    wanted = {pk for pk in map(_pk, recipients) if pk is not None and pk != actor_id}
    if not wanted:
        return 0
    people = list(selectors.reachable_people(wanted))
    allowed = selectors.who_may_see(people, target)
    if not allowed:
        return 0
    content_type = ContentType.objects.get_for_model(target)
    now = timezone.now()
    with transaction.atomic():
        recent = dict(
            Notification.objects.filter(
                recipient_id__in=allowed,
                kind=kind,
                content_type=content_type,
                object_id=target.pk,
                read_at__isnull=True,
                created__gte=now - COLLAPSE_WINDOW,
            )
            .order_by("recipient_id", "-created")
            .values_list("recipient_id", "pk")
        )
        if recent:
            Notification.objects.filter(pk__in=recent.values()).update(
                actor_id=actor_id,
                data=data,
                created=now,
                occurrences=F("occurrences") + 1,
            )
        new = sorted(allowed - recent.keys())
        channels = selectors.channels_for(new, kind)
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=recipient_id,
                    kind=kind,
                    actor_id=actor_id,
                    content_type=content_type,
                    object_id=target.pk,
                    data=data,
                    created=now,
                    email_channel=channels[recipient_id],
                    email_state=(
                        Notification.EmailState.SKIPPED
                        if channels[recipient_id] == Channel.NEVER
                        else Notification.EmailState.PENDING
                    ),
                )
                for recipient_id in new
            ]
        )
        immediate = [
            n.pk for n in created if n.email_channel == Channel.IMMEDIATELY and n.pk is not None
        ]
        if immediate:
            transaction.on_commit(lambda: _enqueue_emails(immediate))
    return len(allowed)


def notify_later(
    *,
    recipients: Iterable[Any],
    kind: str,
    target: models.Model,
    actor: Any | None = None,
    data: dict | None = None,
) -> None:
    """`notify()` in the task worker, after the current transaction commits — for a large
    audience (every follower, every member of a big workgroup), where asking each person's
    visibility costs a few milliseconds of Python per person and should not hold a page."""
    kinds.get(kind)
    content.kind_of(target)
    arguments = {
        "recipient_ids": sorted({pk for pk in map(_pk, recipients) if pk is not None}),
        "kind": kind,
        "content_type_id": ContentType.objects.get_for_model(target).pk,
        "object_id": target.pk,
        "actor_id": _pk(actor),
        "data": dict(data or {}),
    }

    def enqueue() -> None:
        from tadamun.notifications.tasks import notify_task

        notify_task.enqueue(**arguments)

    transaction.on_commit(enqueue)


def _enqueue_emails(notification_ids: list[int]) -> None:
    from tadamun.notifications.tasks import send_notification_emails

    for start in range(0, len(notification_ids), EMAIL_TASK_BATCH):
        send_notification_emails.enqueue(
            notification_ids=notification_ids[start : start + EMAIL_TASK_BATCH]
        )


def open_notification(*, notification: Notification) -> None:
    """Mark one notification read (opening it)."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_update(*, user, channels: dict[str, str], content_free_emails: bool) -> None:
    """Save `user`'s e-mail channel for every kind and their content-free choice. Every kind
    must be given a known channel, or nothing changes."""
    unknown = set(channels) - set(KINDS)
    missing = set(KINDS) - set(channels)
    bad = {kind for kind, channel in channels.items() if channel not in Channel.values}
    if unknown or missing or bad:
        raise ValidationError(_("Choose one of the offered options for every kind."))
    with transaction.atomic():
        NotificationPreference.objects.filter(user=user).delete()
        NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(user=user, kind=kind, channel=channel)
                for kind, channel in channels.items()
                if channel != KINDS[kind].default_channel
            ]
        )
        NotificationSettings.objects.update_or_create(
            user=user, defaults={"content_free_emails": bool(content_free_emails)}
        )
