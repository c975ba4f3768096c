"""Mail the list itself sends back about received mail: command results, confirmations,
"held for moderation" and "rejected" notices, and mail forwarded to the list's owners.

Each reply is rendered in the sender's language when it is known, else in Arabic and English
in one message (the sender may read either). Replies are automatic responses in the sense of
RFC 3834: they carry `Auto-Submitted: auto-replied`, go out with the list's -bounces address
as return path, are never sent to an auto-responder, and at most `MAX_REPLIES_PER_DAY` go to
one address a day (a forged From must not turn the list into a mail cannon).
"""

import email
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from tadamun.lists.addresses import Role, list_address
from tadamun.lists.models import InboundMessage, MailingList

logger = logging.getLogger(__name__)

MAX_REPLIES_PER_DAY = 10
LANGUAGES = ("ar", "en")
SEPARATOR = "\n\n— — — — —\n\n"


def reply_languages(language: str) -> list[str]:
    """The one known language, or both (Arabic first)."""
    return [language] if language in LANGUAGES else list(LANGUAGES)


def render_reply(*, template: str, languages: list[str], context: dict) -> tuple[str, str]:
    """Subject and body of `lists/email/<template>.<lang>.txt` (first line: the subject) in
    each language, joined."""
    subjects, bodies = [], []
    for language in languages:
        full_context = {
            **context,
            "language": language,
            "site_url": settings.SITE_URL,
            "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
        }
        with translation.override(language):
            text = render_to_string(f"lists/email/{template}.{language}.txt", full_context)
        subject, _newline, body = text.lstrip().partition("\n")
        subjects.append(" ".join(subject.split()))
        bodies.append(body.strip("\n"))
    return " / ".join(subjects), SEPARATOR.join(bodies) + "\n"


def absolute_url(name: str, *, language: str = "ar", **kwargs) -> str:
    """The site URL of a named route, or "" while that route does not exist."""
    try:
        with translation.override(language if language in LANGUAGES else "ar"):
            return settings.SITE_URL + reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def list_context(mailing_list: MailingList, *, language: str = "") -> dict:
    """What every reply template may mention about its list."""
    workgroup = mailing_list.workgroup
    return {
        "list_address": mailing_list.address,
        "join_address": list_address(mailing_list, Role.JOIN),
        "leave_address": list_address(mailing_list, Role.LEAVE),
        "request_address": list_address(mailing_list, Role.REQUEST),
        "owner_address": list_address(mailing_list, Role.OWNER),
        "workgroup_name_ar": workgroup.name_ar,
        "workgroup_name_en": workgroup.name_en,
        "workgroup_url": absolute_url("workgroups:detail", language=language, slug=workgroup.slug)
        or settings.SITE_URL,
    }


def _within_daily_limit(mailing_list_id: int, to: str) -> bool:
    key = f"lists:replies:{mailing_list_id}:{to.lower()}:{timezone.now():%Y%m%d}"
    try:
        if cache.add(key, 1, timeout=60 * 60 * 25):
            return True
        return cache.incr(key) <= MAX_REPLIES_PER_DAY
    except Exception:  # the cache being down must not stop a reply
        logger.warning("reply rate limit unavailable", exc_info=True)
        return True


def send_reply(
    *,
    mailing_list: MailingList,
    to: str,
    template: str,
    language: str = "",
    context: dict | None = None,
    in_reply_to: str = "",
) -> None:
    """Send a reply about received mail once the current transaction commits."""
    if not to:
        return
    kwargs = {
        "mailing_list_id": mailing_list.pk,
        "to": to,
        "template": template,
        "languages": reply_languages(language),
        "context": context or {},
        "in_reply_to": in_reply_to,
    }
    transaction.on_commit(lambda: send_reply_task.enqueue(**kwargs))


@task(queue_name="mail")
def send_reply_task(
    *,
    mailing_list_id: int,
    to: str,
    template: str,
    languages: list[str],
    context: dict,
    in_reply_to: str = "",
) -> None:
    mailing_list = MailingList.objects.select_related("workgroup").get(pk=mailing_list_id)
    if not _within_daily_limit(mailing_list_id, to):
        logger.info("reply to %s not sent: daily limit reached", mailing_list)
        return
    subject, body = render_reply(template=template, languages=languages, context=context)
    headers = {
        "From": list_address(mailing_list, Role.REQUEST),
        "Auto-Submitted": "auto-replied",  # RFC 3834 §5
        "X-Loop": mailing_list.address,
        "List-Id": f"<{mailing_list.list_id}>",
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = in_reply_to
    EmailMessage(
        subject=subject,
        body=body,
        from_email=list_address(mailing_list, Role.BOUNCES),
        to=[to],
        headers=headers,
    ).send()


def forward_to_owners(*, inbound: InboundMessage, owners: list[str]) -> None:
    if owners:
        transaction.on_commit(
            lambda: forward_to_owners_task.enqueue(inbound_id=inbound.pk, owners=owners)
        )


@task(queue_name="mail")
def forward_to_owners_task(*, inbound_id: int, owners: list[str]) -> None:
    """Mail to `<slug>-owner@` reaches the workgroup's owners and moderators, the original
    attached whole."""
    inbound = InboundMessage.objects.select_related("mailing_list__workgroup").get(pk=inbound_id)
    mailing_list = inbound.mailing_list
    raw = bytes(inbound.raw)
    message = EmailMessage(
        subject=f"[{mailing_list.workgroup.slug}-owner] {inbound.envelope_from or '—'}",
        body=(
            "رسالة إلى مالكي القائمة، مرفقة كما وصلت.\n"
            "A message to the list owners, attached as received.\n"
        ),
        from_email=list_address(mailing_list, Role.BOUNCES),
        to=owners,
        headers={
            "From": list_address(mailing_list, Role.OWNER),
            "Auto-Submitted": "auto-generated",
            "X-Loop": list_address(mailing_list, Role.OWNER),
        },
    )
    try:
        message.attach(content=email.message_from_bytes(raw), mimetype="message/rfc822")
        message.message().as_bytes()  # fails here, not in the mail backend, if unreadable
    except Exception:
        message.attachments = []
        message.attach("original.eml", raw, "application/octet-stream")
    message.send()
