"""Background work of the outbound side (django.tasks; the arguments are primary keys)."""

import datetime
import email.utils
import logging
from email.headerregistry import Address
from email.message import EmailMessage

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tadamun.lists import dkim
from tadamun.lists.delivery import DEFAULT_BATCH, DeliveryReport, deliver_due, next_retry
from tadamun.lists.models import MailingList
from tadamun.lists.outbound import SMTP_POLICY, helper_address, list_name
from tadamun.lists.transport import open_transport

logger = logging.getLogger(__name__)


def _deliver_until_done(post_id: int | None) -> DeliveryReport:
    total = DeliveryReport()
    while True:
        report = deliver_due(limit=DEFAULT_BATCH, worker_id="task", post_id=post_id)
        total += report
        if not report.claimed:
            break
    schedule_retry()
    return total


@task(queue_name="mail")
def deliver_post(*, post_id: int) -> dict:
    """Send the due deliveries of one post (enqueued when the post is published)."""
    return vars(_deliver_until_done(post_id))


@task(queue_name="mail")
def deliver_due_task() -> dict:
    """Send every due delivery (retries of deferred ones)."""
    return vars(_deliver_until_done(None))


def schedule_retry() -> None:
    """Make sure a task will run when the earliest deferred delivery is due, so that retries
    need no process of their own (`manage.py deliver` is the alternative)."""
    when = next_retry()
    if when is None or not deliver_due_task.get_backend().supports_defer:
        return
    when = max(when, timezone.now() + datetime.timedelta(seconds=1))
    # One scheduled retry per minute is plenty, however many posts were deferred.
    if cache.add(f"lists:retry:{when:%Y%m%d%H%M}", 1, timeout=3600):
        deliver_due_task.using(run_after=when).enqueue()


@task(queue_name="mail")
def send_digests_task() -> int:
    from tadamun.lists.digests import send_digests

    return send_digests()


@task(queue_name="mail")
def send_list_notice(
    *,
    mailing_list_id: int,
    template: str,
    to: str,
    language: str,
    context: dict,
    reply_to: str = "",
) -> None:
    """A message from the list itself to one person (confirmation, delivery disabled…):
    `<template>_subject.txt` and `<template>.txt` rendered in the person's language, sent the
    way list mail goes, from `<slug>-owner@` so that a human answer reaches the owners."""
    mailing_list = MailingList.objects.select_related("workgroup").get(pk=mailing_list_id)
    context = {
        **context,
        "list_name": list_name(mailing_list, language),
        "list_address": mailing_list.address,
        "site_url": settings.SITE_URL,
        "network_name": settings.NETWORK_NAME.get(language, settings.NETWORK_NAME["en"]),
        "language": language,
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = Address(
        display_name=context["list_name"], addr_spec=helper_address(mailing_list, "owner")
    )
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(timezone.now())
    message["Message-ID"] = email.utils.make_msgid(domain=settings.LISTS_DOMAIN)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    message["List-Id"] = email.utils.formataddr(
        (context["list_name"], mailing_list.list_id), charset="utf-8"
    )
    message.set_content(body, charset="utf-8")
    transport = open_transport()
    try:
        replies = transport.send(
            helper_address(mailing_list, "bounces"),
            [to],
            dkim.sign(message.as_bytes(policy=SMTP_POLICY)),
        )
    finally:
        transport.close()
    reply = replies[to]
    if not reply.ok:
        # Recorded as a failed task (django-tasks-db keeps it) rather than lost silently.
        raise RuntimeError(f"list notice to {to} refused: {reply.code} {reply.text}")
