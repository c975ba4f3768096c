"""Outbound list mail: one Delivery row per recipient, created in the transaction that
publishes the post."""

from django.db import transaction
from django.utils import timezone

from tadamun.lists.models import Delivery, MailingList, Subscription, ThreadMute


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
    """Ask a task worker to send the post's deliveries now (owned by the delivery worker)."""
    from tadamun.lists.tasks import deliver_post

    deliver_post.enqueue(post_id=post_id)
