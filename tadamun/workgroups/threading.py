"""Which thread a message belongs to: Message-ID / In-Reply-To / References first (RFC 5322
§3.6.4), then the subject without reply prefixes as a fallback."""

import datetime
import re
import uuid

from django.conf import settings
from django.utils import timezone

from tadamun.workgroups.models import Post, Thread, Workgroup

# Reply and forward prefixes in the languages of the network (and the common mail clients'):
# Re, Fwd, Fw, AW, WG, SV, VS, رد, إعادة توجيه, ح (Outlook Arabic "حول"), and list prefixes.
REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|sv|vs|رد|ردّ|إعادة توجيه|توجيه|ح)\s*(?:\[\d+\])?\s*[:：]\s*"
    r"|\[[^\]]{1,60}\]\s*)+",
    re.IGNORECASE,
)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,990}>")
SUBJECT_FALLBACK_DAYS = 60


def subject_key(subject: str) -> str:
    """The subject without reply/forward prefixes and list tags, case- and space-folded."""
    stripped = REPLY_PREFIX.sub("", subject or "")
    return " ".join(stripped.casefold().split())[:300]


def is_reply_subject(subject: str) -> bool:
    return bool(REPLY_PREFIX.match(subject or "")) and subject_key(subject) != " ".join(
        (subject or "").casefold().split()
    )


def message_ids(header_value: str) -> list[str]:
    """Message-IDs in a References/In-Reply-To header, in order, angle brackets kept."""
    return MESSAGE_ID.findall(header_value or "")


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.LISTS_DOMAIN}>"


def find_parent(*, workgroup: Workgroup, in_reply_to: str, references: str) -> Post | None:
    """The post replied to: In-Reply-To first, then References from the nearest ancestor."""
    candidates = message_ids(in_reply_to) + list(reversed(message_ids(references)))
    if not candidates:
        return None
    found = {
        post.message_id: post
        for post in Post.objects.filter(workgroup=workgroup, message_id__in=candidates)
    }
    for message_id in candidates:
        if message_id in found:
            return found[message_id]
    return None


def find_thread_by_subject(*, workgroup: Workgroup, subject: str) -> Thread | None:
    """Fallback for replies whose client dropped the headers: a recent thread of the same
    workgroup with the same subject, but only when the subject says it is a reply."""
    if not is_reply_subject(subject):
        return None
    since = timezone.now() - datetime.timedelta(days=SUBJECT_FALLBACK_DAYS)
    return (
        Thread.objects.filter(
            workgroup=workgroup, subject_key=subject_key(subject), last_activity__gte=since
        )
        .order_by("-last_activity")
        .first()
    )
