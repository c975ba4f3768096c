"""A workgroup's archive as an mbox file (the "mboxrd" variant, which any mail client and
Mailman's / HyperKitty's importers read), streamed post by post.

A post that came by mail is written from the raw bytes the LMTP server kept
(lists.InboundMessage), so the export holds exactly what was received; a post written on the
web (or imported without raw bytes) is rebuilt from its fields as a UTF-8 text message with the
same Message-ID / In-Reply-To / References that its delivered copies carried.
"""

import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from django.db.models import QuerySet

from tadamun.lists.models import InboundMessage, MailingList
from tadamun.workgroups.models import Post, Workgroup

# mboxrd (RFC 4155 and the qmail mbox(5) page): every body line that starts with zero or more
# ">" followed by "From " gets one more ">", so that readers can reverse it exactly.
FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)
CHUNK = 200


def _envelope_line(post: Post, sender: str) -> bytes:
    sender = (sender or "MAILER-DAEMON").replace(" ", "") or "MAILER-DAEMON"
    when = post.created.strftime("%a %b %d %H:%M:%S %Y")
    return f"From {sender} {when}\n".encode("ascii", "replace")


def message_from_fields(post: Post, mailing_list: MailingList) -> bytes:
    """A web post as the list would have sent it (the author's own address is not put in an
    export: the list address stands in, as in the delivered copy's DMARC-safe From)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr((post.author_name or "", mailing_list.address))
    message["To"] = mailing_list.address
    message["Subject"] = post.subject
    message["Date"] = format_datetime(post.created)
    message["Message-ID"] = post.message_id
    if post.in_reply_to:
        message["In-Reply-To"] = post.in_reply_to
    if post.references:
        message["References"] = post.references
    message["List-Id"] = f"<{mailing_list.list_id}>"
    if post.language:
        message["Content-Language"] = post.language
    message.set_content(post.body, charset="utf-8")
    for attachment in post.attachments.all():
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            continue
        maintype, _slash, subtype = (attachment.content_type or "").partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message.as_bytes()


def _entry(post: Post, raw: bytes | None, mailing_list: MailingList) -> bytes:
    if raw:
        data, sender = bytes(raw), post.author_email
    else:
        data, sender = message_from_fields(post, mailing_list), mailing_list.address
    data = data.replace(b"\r\n", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    return _envelope_line(post, sender) + FROM_LINE.sub(rb">\1", data) + b"\n"


def stream(workgroup: Workgroup, posts: QuerySet[Post]) -> Iterator[bytes]:
    """Yield the mbox of `posts` (already limited to what the reader may see), oldest first,
    in chunks so that a large archive never sits in memory whole."""
    mailing_list = MailingList.objects.filter(workgroup=workgroup).first() or MailingList(
        workgroup=workgroup
    )
    pks = list(posts.order_by("created", "pk").values_list("pk", flat=True))
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        raws = dict(
            InboundMessage.objects.filter(post_id__in=chunk)
            .order_by("received", "pk")
            .values_list("post_id", "raw")
        )
        for post in (
            Post.objects.filter(pk__in=chunk)
            .prefetch_related("attachments")
            .order_by("created", "pk")
        ):
            yield _entry(post, raws.get(post.pk), mailing_list)
