"""Writes about workgroups and their discussions.

`post_create` is the one path by which a message enters a discussion — written on the web,
received by e-mail, or imported from an archive: stored once, threaded, and (when published)
queued for delivery to the list's subscribers in the same transaction.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from tadamun.workgroups import threading
from tadamun.workgroups.models import Attachment, Post, Thread, Workgroup


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_type: str
    data: bytes


@transaction.atomic
def post_create(
    *,
    workgroup: Workgroup,
    subject: str,
    body: str,
    source: str,
    author=None,
    author_name: str = "",
    author_email: str = "",
    parent: Post | None = None,
    in_reply_to: str = "",
    references: str = "",
    message_id: str = "",
    status: str = Post.Status.PUBLISHED,
    hold_reason: str = "",
    language: str = "",
    created: datetime | None = None,
    attachments: Iterable[IncomingAttachment] = (),
    deliver: bool = True,
) -> Post:
    """Store a message in its thread; queue its deliveries when it is published.

    A reply written on the web passes `parent`; mail passes its In-Reply-To/References and
    the parent is found from them, with the subject as fallback. `message_id` is the mail's
    own (kept, so that replies to it thread) or a new one for web posts."""
    created = created or timezone.now()
    subject = (subject or "").strip()[:300] or "—"
    if parent is None:
        parent = threading.find_parent(
            workgroup=workgroup, in_reply_to=in_reply_to, references=references
        )
    if parent is not None:
        thread = parent.thread
        if not in_reply_to:
            in_reply_to = parent.message_id
        if not references:
            references = " ".join([*threading.message_ids(parent.references), parent.message_id])
    else:
        thread = threading.find_thread_by_subject(workgroup=workgroup, subject=subject)
        if thread is not None:
            parent = thread.posts.order_by("-created", "-pk").first()
    if thread is None:
        thread = Thread.objects.create(
            workgroup=workgroup,
            subject=subject,
            subject_key=threading.subject_key(subject),
            language=language,
            started_by=author,
            last_activity=created,
        )
    post = Post.objects.create(
        thread=thread,
        workgroup=workgroup,
        parent=parent,
        author=author,
        author_name=author_name or (author.display_name if author else ""),
        author_email=author_email or (author.email if author else ""),
        subject=subject,
        body=body,
        language=language,
        message_id=message_id or threading.new_message_id(),
        in_reply_to=in_reply_to[:998],
        references=references,
        source=source,
        status=status,
        hold_reason=hold_reason,
        created=created,
    )
    for attachment in attachments:
        _attach(post, attachment)
    if status == Post.Status.PUBLISHED:
        post_published(post, deliver=deliver)
    return post


def _attach(post: Post, incoming: IncomingAttachment) -> Attachment:
    digest = hashlib.sha256(incoming.data).hexdigest()
    attachment = Attachment(
        post=post,
        filename=incoming.filename[:255] or "attachment",
        content_type=incoming.content_type[:255] or "application/octet-stream",
        size=len(incoming.data),
        sha256=digest,
    )
    attachment.file.save(digest, ContentFile(incoming.data), save=False)
    attachment.save()
    return attachment


def post_published(post: Post, *, deliver: bool = True) -> None:
    """A post becomes part of its thread's public life: counts, activity, deliveries."""
    Thread.objects.filter(pk=post.thread_id).update(
        post_count=F("post_count") + 1,
        last_activity=Greatest("last_activity", Value(post.created)),
    )
    if deliver:
        from tadamun.lists.delivery import queue_deliveries

        queue_deliveries(post=post)
