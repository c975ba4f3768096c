"""Bounce scores, as Mailman's: a permanent failure adds 1, a temporary one 0.5, at most one
bounce counts per day (a busy list must not disable someone in one afternoon), and a score
left alone for `BOUNCE_STALE_AFTER` starts again from zero. At the list's threshold, delivery
is disabled and the member is told why and how to turn it back on.

Bounces arrive two ways: a 5xx answer during our own SMTP transaction (delivery.py), and an
asynchronous bounce to a VERP address (the inbound side parses it and calls `record_bounce`).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.lists.models import BounceEvent, MailingList, Subscription

PERMANENT_SCORE = 1.0
TEMPORARY_SCORE = 0.5
BOUNCE_STALE_AFTER = datetime.timedelta(days=7)
DISABLED_BY_BOUNCES = _("Mail to this address kept bouncing")


@transaction.atomic
def record_bounce(
    *,
    mailing_list: MailingList,
    recipient: str,
    permanent: bool,
    detail: str,
    delivery_id: int | None = None,
) -> BounceEvent | None:
    """Note a bounce for `recipient` on `mailing_list`; returns the event, or None when the
    address is not (or no longer) subscribed."""
    subscription = (
        Subscription.objects.select_for_update()
        .filter(mailing_list=mailing_list, email__iexact=(recipient or "").strip())
        .first()
    )
    if subscription is None:
        return None
    now = timezone.now()
    event = BounceEvent.objects.create(
        subscription=subscription,
        delivery_id=delivery_id,
        permanent=permanent,
        detail=(detail or "")[:10_000],
    )
    last = subscription.last_bounce
    if last is not None and now - last > BOUNCE_STALE_AFTER:
        subscription.bounce_score = 0
    if last is None or timezone.localdate(last) != timezone.localdate(now):
        subscription.bounce_score += PERMANENT_SCORE if permanent else TEMPORARY_SCORE
    else:
        # Same day: a permanent failure still counts fully if only a temporary one had.
        gap = PERMANENT_SCORE - TEMPORARY_SCORE
        midnight = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(now), datetime.time())
        )
        earlier_today = subscription.bounces.filter(received__gte=midnight).exclude(pk=event.pk)
        if permanent and not earlier_today.filter(permanent=True).exists():
            subscription.bounce_score += gap
    subscription.last_bounce = now
    fields = ["bounce_score", "last_bounce"]
    if (
        subscription.status == Subscription.Status.ACTIVE
        and subscription.bounce_score >= mailing_list.bounce_score_threshold
    ):
        subscription.status = Subscription.Status.DISABLED
        subscription.disabled_reason = str(DISABLED_BY_BOUNCES)[:200]
        fields += ["status", "disabled_reason"]
        transaction.on_commit(lambda: notify_disabled(subscription_id=subscription.pk))
    subscription.save(update_fields=fields)
    return event


def notify_disabled(*, subscription_id: int) -> None:
    """Tell the member (in their language) that delivery stopped, why, and how to resume.

    Sent to the account's address as well when it differs, since the subscribed one is the
    address that bounces."""
    from tadamun.lists.outbound import delivery_settings_url, helper_address, list_name
    from tadamun.lists.tasks import send_list_notice

    subscription = (
        Subscription.objects.select_related("mailing_list__workgroup", "user")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        return
    mailing_list = subscription.mailing_list
    language = subscription.language
    if subscription.user is not None:
        language = subscription.user.preferred_language or language
    last = subscription.bounces.order_by("-received", "-pk").first()
    context = {
        "list_name": list_name(mailing_list, language),
        "list_address": mailing_list.address,
        "address": subscription.email,
        "score": subscription.bounce_score,
        "detail": last.detail if last else "",
        "settings_url": delivery_settings_url(mailing_list.workgroup, language),
        "join_address": helper_address(mailing_list, "join"),
    }
    recipients = {subscription.email.lower()}
    if subscription.user is not None and subscription.user.email:
        recipients.add(subscription.user.email.lower())
    for to in sorted(recipients):
        send_list_notice.enqueue(
            mailing_list_id=mailing_list.pk,
            template="lists/mail/delivery_disabled",
            to=to,
            language=language,
            context=context,
        )
