"""The daily digest: for each DIGEST subscriber, the posts published since their last digest,
in one message.

The message is multipart/alternative (RFC 2046 §5.1.4) of
  1. text/plain — an RFC 1153 digest, for clients that show only plain text, and
  2. multipart/mixed — a table of contents, a multipart/digest of message/rfc822 parts (one
     per post, with its own From/Subject/Message-ID so that a client can reply to any one of
     them in its thread), and the footer.
The texts are in the subscriber's language; the unsubscribe link is their own.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
from email.headerregistry import Address
from email.message import EmailMessage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from tadamun.lists import dkim
from tadamun.lists.models import MailingList, Subscription, ThreadMute
from tadamun.lists.outbound import (
    SMTP_POLICY,
    PostMessageBuilder,
    bounce_address,
    helper_address,
    list_name,
    prefixed_subject,
    unsubscribe_url,
    workgroup_url,
)
from tadamun.lists.transport import open_transport
from tadamun.lockdown.selectors import state as lockdown_state

logger = logging.getLogger(__name__)
FIRST_DIGEST_WINDOW = datetime.timedelta(days=1)
# A digest is daily: however often the job runs (hourly by `manage.py periodic`), a subscriber
# gets at most one in this interval (a little under a day, so a daily cron may drift).
DIGEST_INTERVAL = datetime.timedelta(hours=20)


def digest_posts(*, subscription: Subscription, since: datetime.datetime, until: datetime.datetime):
    """Published posts of the subscriber's workgroup in (since, until], without muted threads."""
    from tadamun.workgroups.models import Post

    posts = Post.objects.filter(
        workgroup_id=subscription.mailing_list.workgroup_id,
        status=Post.Status.PUBLISHED,
        created__gt=since,
        created__lte=until,
    )
    if subscription.user_id:
        muted = ThreadMute.objects.filter(user_id=subscription.user_id).values("thread_id")
        posts = posts.exclude(thread_id__in=muted)
    return posts.select_related("thread__workgroup", "workgroup").order_by("created", "pk")


def build_digest(
    *, subscription: Subscription, posts: list, now: datetime.datetime
) -> tuple[EmailMessage, str]:
    """(message, envelope sender) of one subscriber's digest."""
    mailing_list: MailingList = subscription.mailing_list
    language = subscription.language if subscription.language in ("ar", "en") else "ar"
    name = list_name(mailing_list, language)
    builders = [PostMessageBuilder(post, mailing_list) for post in posts]
    link = unsubscribe_url(subscription)
    with translation.override(language):
        date = date_format(timezone.localtime(now), "DATE_FORMAT")
        subject = prefixed_subject(
            gettext("%(list)s digest, %(date)s") % {"list": name, "date": date},
            mailing_list.subject_prefix,
        )
        context = {
            "list_name": name,
            "list_address": mailing_list.address,
            "date": date,
            "entries": [
                {
                    "number": number,
                    "subject": post.subject,
                    "author": post.author_name or gettext("someone"),
                    "date": email.utils.format_datetime(post.created),
                    "message_id": post.message_id,
                    "body": post.body.replace("\r\n", "\n").rstrip(),
                }
                for number, post in enumerate(posts, start=1)
            ],
            "unsubscribe_url": link,
            "leave_address": helper_address(mailing_list, "leave"),
            "workgroup_url": workgroup_url(mailing_list.workgroup, language),
        }
        rfc1153 = render_to_string("lists/digest_rfc1153.txt", context)
        contents = render_to_string("lists/digest_contents.txt", context)
        footer = render_to_string("lists/digest_footer.txt", context)

    digest = MIMEMultipart("digest", policy=SMTP_POLICY)
    for builder in builders:
        digest.attach(MIMEMessage(builder.digest_part(), policy=SMTP_POLICY))
    mime = MIMEMultipart("mixed", policy=SMTP_POLICY)
    mime.attach(MIMEText(contents, "plain", "utf-8", policy=SMTP_POLICY))
    mime.attach(digest)
    mime.attach(MIMEText(footer, "plain", "utf-8", policy=SMTP_POLICY))
    message = MIMEMultipart("alternative", policy=SMTP_POLICY)
    message.attach(MIMEText(rfc1153, "plain", "utf-8", policy=SMTP_POLICY))
    message.attach(mime)

    message["From"] = Address(display_name=name, addr_spec=helper_address(mailing_list, "request"))
    message["To"] = subscription.email
    message["Reply-To"] = mailing_list.address
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(now)
    message["Message-ID"] = email.utils.make_msgid(domain=settings.LISTS_DOMAIN)
    message["List-Id"] = email.utils.formataddr((name, mailing_list.list_id), charset="utf-8")
    message["List-Post"] = f"<mailto:{mailing_list.address}>"
    message["List-Help"] = f"<mailto:{helper_address(mailing_list, 'request')}?subject=help>"
    message["List-Archive"] = f"<{workgroup_url(mailing_list.workgroup, language)}>"
    message["List-Unsubscribe"] = (
        f"<{link}>, <mailto:{helper_address(mailing_list, 'leave')}?subject=unsubscribe>"
    )
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Precedence"] = "list"
    message["X-Loop"] = mailing_list.address
    return message, bounce_address(mailing_list, subscription.email)


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Send every due digest; returns how many were sent. Run daily (`manage.py
    send_digests` from cron, or the `send_digests_task`). A digest that the relay refuses for
    now is left for the next run, which then covers both days."""
    from tadamun.lists.bounces import record_bounce

    now = now or timezone.now()
    lockdown = lockdown_state()
    if lockdown.site:
        return 0
    subscriptions = (
        Subscription.objects.allowed_to_read()
        .filter(
            status=Subscription.Status.ACTIVE,
            mode=Subscription.Mode.DIGEST,
            mailing_list__enabled=True,
        )
        .filter(Q(last_digest__isnull=True) | Q(last_digest__lte=now - DIGEST_INTERVAL))
        # Locked-down workgroups get no digest; their subscribers' marks stay where they
        # were, so the next digest after the lifting covers the whole time.
        .exclude(mailing_list__workgroup__in=lockdown.workgroup_ids)
        .select_related("mailing_list__workgroup")
        .order_by("mailing_list_id", "pk")
    )
    sent = 0
    transport = open_transport()
    try:
        for subscription in subscriptions.iterator(chunk_size=500):
            previous = subscription.last_digest
            # Take the subscriber's digest by moving the mark first (compare-and-set): two
            # overlapping runs never both send it.
            taken = Subscription.objects.filter(pk=subscription.pk, last_digest=previous).update(
                last_digest=now
            )
            if not taken:
                continue
            since = previous or now - FIRST_DIGEST_WINDOW
            posts = list(digest_posts(subscription=subscription, since=since, until=now))
            if not posts:
                continue
            message, envelope = build_digest(subscription=subscription, posts=posts, now=now)
            data = dkim.sign(message.as_bytes(policy=SMTP_POLICY))
            reply = transport.send(envelope, [subscription.email], data)[subscription.email]
            if reply.ok:
                sent += 1
            elif reply.permanent:
                record_bounce(
                    mailing_list=subscription.mailing_list,
                    recipient=subscription.email,
                    permanent=True,
                    detail=f"{reply.code} {reply.text}",
                )
            else:
                logger.warning("digest for subscription %s deferred: %s", subscription.pk, reply)
                Subscription.objects.filter(pk=subscription.pk, last_digest=now).update(
                    last_digest=previous
                )
    finally:
        transport.close()
    return sent
