"""Commands by mail, as Mailman's: `<slug>-join` subscribes, `<slug>-leave` unsubscribes,
`<slug>-request` reads `subscribe` / `unsubscribe` / `help` (or اشتراك / إلغاء الاشتراك /
مساعدة) from the subject and the first lines of the body, and `<slug>-confirm+<token>`
confirms.

Both subscribing and unsubscribing need a confirmation (Mailman's default): a From header is
easily forged, so only whoever reads the mailbox can change its subscription. The
confirmation goes by a link (the `lists:confirm` page) or by replying to the -confirm+token
address. Outside addresses may subscribe to open workgroups only; a closed workgroup's list
reaches its own members and nobody else.
"""

import datetime
import re
import secrets
import unicodedata

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tadamun.lists import replies
from tadamun.lists.addresses import Role, confirm_address, token_hash
from tadamun.lists.models import InboundMessage, MailingList, Subscription
from tadamun.lists.parsing import ParsedMessage
from tadamun.workgroups.models import Workgroup, WorkgroupMembership
from tadamun.workgroups.threading import REPLY_PREFIX

SUBSCRIBE, UNSUBSCRIBE, HELP, CONFIRM = "subscribe", "unsubscribe", "help", "confirm"
MAX_COMMAND_LINES = 10
CONFIRM_MAX_AGE = datetime.timedelta(days=7)  # as the confirmation link's
# Longest first: "إلغاء الاشتراك" contains "الاشتراك". Arabic is matched after folding
# hamza-alef forms and removing diacritics (see `_fold`).
COMMAND_WORDS = [
    ("الغاء الاشتراك", UNSUBSCRIBE),
    ("الغاء اشتراك", UNSUBSCRIBE),
    ("unsubscribe", UNSUBSCRIBE),
    ("leave", UNSUBSCRIBE),
    ("signoff", UNSUBSCRIBE),
    ("subscribe", SUBSCRIBE),
    ("join", SUBSCRIBE),
    ("اشتراك", SUBSCRIBE),
    ("اشترك", SUBSCRIBE),
    ("الاشتراك", SUBSCRIBE),
    ("help", HELP),
    ("مساعدة", HELP),
    ("مساعده", HELP),
    ("confirm", CONFIRM),
    ("تاكيد", CONFIRM),
]
TOKEN = re.compile(r"\b([0-9a-f]{32})\b", re.I)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text)  # diacritics and tatweel
    text = text.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه"}))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def find_command(subject: str, body: str) -> tuple[str, str] | None:
    """The first command in the subject or the first body lines: (command, argument)."""
    lines = [REPLY_PREFIX.sub("", subject or "")]
    for line in (body or "").split("\n")[: MAX_COMMAND_LINES * 3]:
        if line.strip() in {"--", "-- "} or line.startswith(">"):
            break
        if line.strip():
            lines.append(line)
        if len(lines) > MAX_COMMAND_LINES:
            break
    for line in lines:
        folded = _fold(line)
        for word, command in COMMAND_WORDS:
            if folded == word or folded.startswith(word + " "):
                token = TOKEN.search(line)
                return command, token.group(1).lower() if token else ""
    return None


def handle_command_message(
    *, mailing_list: MailingList, role: Role, token: str, parsed: ParsedMessage
) -> str:
    """Run the command a message to a command address carries; returns the new state of the
    inbound message."""
    sender = parsed.from_address
    if not sender:
        return InboundMessage.State.IGNORED
    from tadamun.lists.inbound import sender_language, sender_user

    user = sender_user(sender)
    language = sender_language(sender, mailing_list, user) or ""
    if role == Role.CONFIRM:
        command = (CONFIRM, token)
    elif role == Role.JOIN:
        command = (SUBSCRIBE, "")
    elif role == Role.LEAVE:
        command = (UNSUBSCRIBE, "")
    else:
        command = find_command(parsed.subject, parsed.body) or ("", "")
    action, argument = command
    reply_language = language or _language_of_command(parsed)
    if action == SUBSCRIBE:
        subscription_request(
            mailing_list=mailing_list,
            email=sender,
            language=reply_language,
            subscription_language=language or parsed.language,
            in_reply_to=parsed.message_id,
        )
    elif action == UNSUBSCRIBE:
        unsubscription_request(
            mailing_list=mailing_list,
            email=sender,
            language=reply_language,
            in_reply_to=parsed.message_id,
        )
    elif action == CONFIRM and argument:
        outcome, subscription = confirm_subscription(mailing_list=mailing_list, token=argument)
        _reply_outcome(
            mailing_list,
            to=subscription.email if subscription else sender,
            outcome=outcome,
            language=subscription.language if subscription else reply_language,
            in_reply_to=parsed.message_id,
        )
    elif action == HELP:
        replies.send_reply(
            mailing_list=mailing_list,
            to=sender,
            template="command_help",
            language=language,
            context=replies.list_context(mailing_list, language=language),
            in_reply_to=parsed.message_id,
        )
    else:
        _reply_outcome(
            mailing_list,
            to=sender,
            outcome="unknown",
            language=language,
            in_reply_to=parsed.message_id,
        )
    return InboundMessage.State.DONE


def _language_of_command(parsed: ParsedMessage) -> str:
    """A stranger who writes اشتراك reads Arabic; one who writes "subscribe" gets both."""
    return "ar" if parsed.language == "ar" else ""


def _reply_outcome(
    mailing_list: MailingList, *, to: str, outcome: str, language: str, in_reply_to: str = ""
) -> None:
    replies.send_reply(
        mailing_list=mailing_list,
        to=to,
        template="command_result",
        language=language,
        context={
            **replies.list_context(mailing_list, language=language),
            "outcome": outcome,
            "email": to,
        },
        in_reply_to=in_reply_to,
    )


def may_subscribe(*, mailing_list: MailingList, email: str) -> bool:
    """Open workgroups take any address; closed ones only their active members'."""
    workgroup = mailing_list.workgroup
    if workgroup.visibility != Workgroup.Visibility.CLOSED:
        return True
    from tadamun.lists.inbound import is_active_member, sender_user

    return is_active_member(sender_user(email), workgroup)


def _new_token() -> str:
    # Lower-case hex: it travels in a local part, whose case some MTAs fold.
    return secrets.token_hex(16)


def confirm_url(token: str, *, language: str = "") -> str:
    """The confirmation page (`lists:confirm`) for a token, or "" while it is not routed."""
    try:
        from tadamun.lists.subscriptions import confirm_url as subscriptions_confirm_url

        return subscriptions_confirm_url(token, language if language in ("ar", "en") else "ar")
    except (ImportError, NoReverseMatch):
        return ""


def unsubscribe_url(subscription: Subscription) -> str:
    """The subscription's own unsubscribe page (`lists:unsubscribe`), or "" while unrouted."""
    try:
        from tadamun.lists.subscriptions import unsubscribe_token

        return settings.SITE_URL + reverse(
            "lists:unsubscribe", kwargs={"token": unsubscribe_token(subscription)}
        )
    except (ImportError, NoReverseMatch):
        return ""


@transaction.atomic
def subscription_request(
    *,
    mailing_list: MailingList,
    email: str,
    language: str = "",
    subscription_language: str = "",
    in_reply_to: str = "",
) -> Subscription | None:
    """Ask `email` to confirm a subscription (double opt-in, RFC-free but Mailman's rule).

    Creates or refreshes a PENDING subscription with a new confirmation token; an active
    subscriber is told so; a closed workgroup's list refuses outside addresses."""
    email = email.strip().lower()
    existing = (
        Subscription.objects.select_for_update()
        .filter(mailing_list=mailing_list, email__iexact=email)
        .first()
    )
    if (
        existing is not None
        and existing.status == Subscription.Status.ACTIVE
        and existing.mode != Subscription.Mode.NONE
    ):
        # Also withdraws a pending unsubscription: its token must not work any more.
        if existing.confirm_token_hash:
            existing.confirm_token_hash = ""
            existing.save(update_fields=["confirm_token_hash"])
        _reply_outcome(
            mailing_list,
            to=email,
            outcome="already_subscribed",
            language=language,
            in_reply_to=in_reply_to,
        )
        return existing
    if not may_subscribe(mailing_list=mailing_list, email=email):
        _reply_outcome(
            mailing_list, to=email, outcome="closed", language=language, in_reply_to=in_reply_to
        )
        return None
    from tadamun.lists.inbound import sender_user

    user = sender_user(email)
    token = _new_token()
    if existing is not None and existing.status == Subscription.Status.PENDING:
        # A fresh request starts the confirmation period afresh.
        existing.delete()
        existing = None
    if existing is None:
        existing = Subscription(mailing_list=mailing_list, email=email)
        existing.status = Subscription.Status.PENDING
    elif existing.status == Subscription.Status.DISABLED:
        existing.status = Subscription.Status.PENDING
    existing.user = existing.user or user
    existing.language = (
        (user.preferred_language if user else "") or subscription_language or language or "ar"
    )
    existing.confirm_token_hash = token_hash(token)
    existing.save()
    _mail_confirmation(
        mailing_list,
        subscription=existing,
        token=token,
        action=SUBSCRIBE,
        language=language,
        in_reply_to=in_reply_to,
    )
    return existing


@transaction.atomic
def unsubscription_request(
    *, mailing_list: MailingList, email: str, language: str = "", in_reply_to: str = ""
) -> Subscription | None:
    """Ask `email` to confirm leaving the list. A pending request is simply withdrawn."""
    subscription = (
        Subscription.objects.select_for_update()
        .filter(mailing_list=mailing_list, email__iexact=email)
        .first()
    )
    if subscription is None or (
        subscription.user_id and subscription.mode == Subscription.Mode.NONE
    ):
        _reply_outcome(
            mailing_list,
            to=email,
            outcome="not_subscribed",
            language=language,
            in_reply_to=in_reply_to,
        )
        return None
    if subscription.status == Subscription.Status.PENDING:
        subscription.delete()
        _reply_outcome(
            mailing_list,
            to=email,
            outcome="pending_cancelled",
            language=language,
            in_reply_to=in_reply_to,
        )
        return None
    token = _new_token()
    subscription.confirm_token_hash = token_hash(token)
    subscription.save(update_fields=["confirm_token_hash"])
    _mail_confirmation(
        mailing_list,
        subscription=subscription,
        token=token,
        action=UNSUBSCRIBE,
        language=language or subscription.language,
        in_reply_to=in_reply_to,
    )
    return subscription


@transaction.atomic
def confirm_subscription(
    *, mailing_list: MailingList, token: str
) -> tuple[str, Subscription | None]:
    """Carry out what a confirmation token stands for: a PENDING subscription becomes ACTIVE;
    on an active one, the token confirms leaving (an outside address is removed, a member's
    subscription turns to "web only"). Returns (outcome, subscription)."""
    subscription = (
        Subscription.objects.select_for_update()
        .filter(mailing_list=mailing_list, confirm_token_hash=token_hash(token))
        .exclude(confirm_token_hash="")
        .first()
    )
    if subscription is None:
        return "bad_token", None
    subscription.confirm_token_hash = ""
    if subscription.status == Subscription.Status.PENDING:
        if subscription.created < timezone.now() - CONFIRM_MAX_AGE:
            return "bad_token", None
        subscription.status = Subscription.Status.ACTIVE
        if subscription.user_id and subscription.mode == Subscription.Mode.NONE:
            subscription.mode = Subscription.Mode.EACH
        subscription.save(update_fields=["confirm_token_hash", "status", "mode"])
        return "subscribed", subscription
    if subscription.status == Subscription.Status.ACTIVE and (
        subscription.mode == Subscription.Mode.NONE and subscription.user_id
    ):
        # A member on "web only" asked to receive mail again.
        subscription.mode = Subscription.Mode.EACH
        subscription.save(update_fields=["confirm_token_hash", "mode"])
        return "subscribed", subscription
    if _is_member_subscription(subscription):
        subscription.mode = Subscription.Mode.NONE
        subscription.status = Subscription.Status.ACTIVE
        subscription.save(update_fields=["confirm_token_hash", "mode", "status"])
    else:
        _unsubscribe(subscription)
    return "unsubscribed", subscription


def _unsubscribe(subscription: Subscription) -> None:
    try:
        from tadamun.lists.subscriptions import unsubscribe
    except ImportError:
        subscription.delete()
    else:
        unsubscribe(subscription=subscription)  # also drops its queued copies


def _is_member_subscription(subscription: Subscription) -> bool:
    return (
        bool(subscription.user_id)
        and WorkgroupMembership.objects.filter(
            workgroup_id=subscription.mailing_list.workgroup_id,
            user_id=subscription.user_id,
            status=WorkgroupMembership.Status.ACTIVE,
        ).exists()
    )


def _mail_confirmation(
    mailing_list: MailingList,
    *,
    subscription: Subscription,
    token: str,
    action: str,
    language: str,
    in_reply_to: str,
) -> None:
    replies.send_reply(
        mailing_list=mailing_list,
        to=subscription.email,
        template="command_confirm",
        language=language,
        context={
            **replies.list_context(mailing_list, language=language),
            "action": action,
            "email": subscription.email,
            "confirm_address": confirm_address(mailing_list, token),
            "confirm_url": (
                confirm_url(token, language=language)
                if action == SUBSCRIBE
                else unsubscribe_url(subscription)
            ),
        },
        in_reply_to=in_reply_to,
    )
