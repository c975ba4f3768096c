"""Notification e-mail tasks (they take primary keys)."""

from __future__ import annotations

from django.tasks import task

from tadamun.notifications import emails, selectors
from tadamun.notifications.kinds import Channel
from tadamun.notifications.models import Notification


def send_immediate(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications that still wait for one; returns how many were
    sent. Each notification is taken (pending → sent) before its mail goes, so two runs never
    mail it twice; one whose target is gone or no longer visible to its recipient is skipped."""
    due = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            email_state=Notification.EmailState.PENDING,
            email_channel=Channel.IMMEDIATELY,
        ).select_related("recipient")
    )
    if not due:
        return 0
    targets = emails.still_visible(due)
    skipped = [n.pk for n in due if n.pk not in targets]
    if skipped:
        Notification.objects.filter(
            pk__in=skipped, email_state=Notification.EmailState.PENDING
        ).update(email_state=Notification.EmailState.SKIPPED)
    content_free = selectors.content_free({n.recipient_id for n in due})
    sent = 0
    for notification in due:
        if notification.pk not in targets:
            continue
        taken = Notification.objects.filter(
            pk=notification.pk, email_state=Notification.EmailState.PENDING
        ).update(email_state=Notification.EmailState.SENT)
        if not taken:
            continue
        emails.send_one(
            notification,
            targets[notification.pk],
            content_free=notification.recipient_id in content_free,
        )
        sent += 1
    return sent


@task(queue_name="mail")
def send_notification_emails(*, notification_ids: list[int]) -> int:
    return send_immediate(notification_ids)


@task()
def notify_task(
    *,
    recipient_ids: list[int],
    kind: str,
    content_type_id: int,
    object_id: int,
    actor_id: int | None = None,
    data: dict | None = None,
) -> int:
    """`services.notify_later`: the target is looked up again (it may be gone by now)."""
    from tadamun.core import content
    from tadamun.notifications.services import notify

    target = content.resolve(content_type_id, object_id)
    if target is None:
        return 0
    return notify(recipients=recipient_ids, kind=kind, target=target, actor=actor_id, data=data)
