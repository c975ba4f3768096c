"""Who receives a list's mail: members subscribe directly; outside addresses by double opt-in
(a confirmation link, or a reply to `<slug>-confirm+<token>@`); everyone leaves by the link in
every message, the RFC 8058 one-click header, or a mail to `<slug>-leave@`.

Outside addresses have no account in the network, so they may only subscribe to the lists of
OPEN workgroups; a CLOSED workgroup's mail goes to its members alone.
"""

import datetime
import secrets

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.lists.models import Delivery, MailingList, Subscription, ThreadMute

UNSUBSCRIBE_SALT = "tadamun.lists.unsubscribe"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)


class SubscriptionRefused(PermissionDenied):
    """The person or address may not subscribe to this list."""


# ------------------------------------------------------------------------------- tokens


def unsubscribe_token(subscription: Subscription) -> str:
    """A signed token naming one subscription (and its address, so that a token does not
    outlive a change of address). It does not expire: the link sits in old mail."""
    signer = signing.Signer(salt=UNSUBSCRIBE_SALT, sep=".")
    return signer.sign(f"{subscription.pk}-{_address_tag(subscription.email)}")


def _address_tag(email: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT + ".address").signature(email.lower())[:8]


def subscription_for_unsubscribe_token(token: str) -> Subscription | None:
    signer = signing.Signer(salt=UNSUBSCRIBE_SALT, sep=".")
    try:
        value = signer.unsign(token)
    except signing.BadSignature:
        return None
    pk, _dash, tag = value.partition("-")
    if not pk.isdigit():
        return None
    subscription = (
        Subscription.objects.select_related("mailing_list__workgroup").filter(pk=pk).first()
    )
    if subscription is None or _address_tag(subscription.email) != tag:
        return None
    return subscription


def confirm_url(token: str, language: str) -> str:
    from tadamun.lists.outbound import absolute_url

    return absolute_url(reverse("lists:confirm", kwargs={"language": language, "token": token}))


def _token_hash(token: str) -> str:
    from tadamun.lists.addresses import token_hash

    return token_hash(token)


# ----------------------------------------------------------------------------- services


def _member_may_subscribe(mailing_list: MailingList, user) -> bool:
    from tadamun.workgroups.selectors import can_read

    return can_read(user, mailing_list.workgroup)


@transaction.atomic
def subscribe_member(
    *, mailing_list: MailingList, user, mode: str = Subscription.Mode.EACH
) -> Subscription:
    """Subscribe a member's account address: no confirmation (the address is verified)."""
    if not _member_may_subscribe(mailing_list, user):
        raise SubscriptionRefused(_("Only those who may read this workgroup may subscribe."))
    subscription = (
        Subscription.objects.select_for_update()
        .filter(mailing_list=mailing_list, email__iexact=user.email)
        .first()
    )
    if subscription is None:
        subscription = Subscription(mailing_list=mailing_list, email=user.email.lower())
    subscription.user = user
    subscription.mode = mode
    subscription.language = user.preferred_language or subscription.language
    subscription.status = Subscription.Status.ACTIVE
    subscription.confirm_token_hash = ""
    if mode == Subscription.Mode.DIGEST and subscription.last_digest is None:
        subscription.last_digest = timezone.now()
    subscription.save()
    return subscription


@transaction.atomic
def subscribe_address(*, mailing_list: MailingList, email: str, language: str) -> Subscription:
    """Double opt-in for an address without an account: a PENDING subscription and a
    confirmation mail (link, or reply to the confirm address). Asking again re-sends it; an
    address already subscribed is left alone (and nothing says so to whoever asked)."""
    from tadamun.workgroups.models import Workgroup

    if mailing_list.workgroup.visibility != Workgroup.Visibility.OPEN:
        raise SubscriptionRefused(_("Only members of this workgroup may subscribe."))
    email = email.strip().lower()
    validate_email(email)
    language = language if language in ("ar", "en") else "ar"
    subscription, _created = Subscription.objects.select_for_update().get_or_create(
        mailing_list=mailing_list,
        email=email,
        defaults={"status": Subscription.Status.PENDING, "language": language},
    )
    if subscription.status != Subscription.Status.PENDING:
        return subscription
    token = secrets.token_hex(16)  # lower-case: survives MTAs that fold local parts
    subscription.confirm_token_hash = _token_hash(token)
    subscription.language = language
    subscription.save(update_fields=["confirm_token_hash", "language"])
    transaction.on_commit(lambda: _send_confirmation(subscription_id=subscription.pk, token=token))
    return subscription


def _send_confirmation(*, subscription_id: int, token: str) -> None:
    from tadamun.lists.tasks import send_list_notice

    subscription = Subscription.objects.select_related("mailing_list__workgroup").get(
        pk=subscription_id
    )
    from tadamun.lists.addresses import confirm_address

    mailing_list = subscription.mailing_list
    reply_address = confirm_address(mailing_list, token)
    send_list_notice.enqueue(
        mailing_list_id=mailing_list.pk,
        template="lists/mail/confirm_subscription",
        to=subscription.email,
        language=subscription.language,
        context={
            "confirm_url": confirm_url(token, subscription.language),
            "confirm_address": reply_address,
            "token": token,
        },
        reply_to=reply_address,
    )


def pending_for_token(token: str) -> Subscription | None:
    """The PENDING subscription a confirmation token names, if it has not expired."""
    if not token:
        return None
    return (
        Subscription.objects.select_related("mailing_list__workgroup")
        .filter(
            confirm_token_hash=_token_hash(token),
            status=Subscription.Status.PENDING,
            created__gte=timezone.now() - CONFIRM_MAX_AGE,
        )
        .first()
    )


@transaction.atomic
def confirm(*, token: str) -> Subscription | None:
    """Activate the subscription a confirmation token names (by link or by reply)."""
    subscription = pending_for_token(token)
    if subscription is None:
        return None
    subscription.status = Subscription.Status.ACTIVE
    subscription.confirm_token_hash = ""
    subscription.save(update_fields=["status", "confirm_token_hash"])
    return subscription


@transaction.atomic
def unsubscribe(*, subscription: Subscription) -> None:
    """Stop all mail to the address at once: its queued copies are dropped as well."""
    Delivery.objects.filter(
        subscription=subscription,
        state__in=[Delivery.State.QUEUED, Delivery.State.DEFERRED],
    ).update(state=Delivery.State.FAILED, last_error="unsubscribed", claimed_until=None)
    subscription.delete()


@transaction.atomic
def set_mode(*, subscription: Subscription, mode: str) -> Subscription:
    """Every message, the daily digest, or web only."""
    if mode not in Subscription.Mode.values:
        raise ValueError(f"unknown delivery mode {mode!r}")
    subscription.mode = mode
    fields = ["mode"]
    if mode == Subscription.Mode.DIGEST and subscription.last_digest is None:
        # The first digest holds what is posted from now on, not the whole archive.
        subscription.last_digest = timezone.now()
        fields.append("last_digest")
    subscription.save(update_fields=fields)
    return subscription


@transaction.atomic
def enable_delivery(*, subscription: Subscription) -> Subscription:
    """Turn delivery back on after bounces disabled it; the score starts again from zero."""
    subscription.status = Subscription.Status.ACTIVE
    subscription.bounce_score = 0
    subscription.disabled_reason = ""
    subscription.save(update_fields=["status", "bounce_score", "disabled_reason"])
    return subscription


def mute_thread(*, user, thread) -> None:
    ThreadMute.objects.get_or_create(user=user, thread=thread)


def unmute_thread(*, user, thread) -> None:
    ThreadMute.objects.filter(user=user, thread=thread).delete()
