"""Helpers for the inbound-mail tests: lists with members, messages built byte by byte, and a
real LMTP server on a free loopback port."""

import base64
import contextlib
import smtplib
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

from django.conf import settings

from tadamun.core.tests.sockets import free_port
from tadamun.lists.lmtp import lmtp_controller
from tadamun.lists.models import MailingList
from tadamun.workgroups.tests.factories import MembershipFactory, UserFactory, WorkgroupFactory

ARABIC_SUBJECT = "اجتماع مجموعة الخصخصة يوم الخميس"
ARABIC_BODY = "السلام عليكم،\nنلتقي يوم الخميس في بغداد لمناقشة قانون الخصخصة.\n"
ARABIC_FILENAME = "تقرير الخصخصة ٢٠٢٤.pdf"


def make_list(slug: str = "privatization", *, closed: bool = False, **policy) -> MailingList:
    workgroup = WorkgroupFactory(slug=slug, closed=closed)
    policy.setdefault("moderate_first_post", False)
    return MailingList.objects.create(workgroup=workgroup, **policy)


def make_member(mailing_list: MailingList, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(workgroup=mailing_list.workgroup, user=user)
    return user


def address(slug: str, suffix: str = "") -> str:
    return f"{slug}{suffix}@{settings.LISTS_DOMAIN}"


def plain_message(
    *,
    sender: str,
    to: str,
    subject: str = "Hello",
    body: str = "A message body.\n",
    message_id: str = "",
    headers: dict | None = None,
) -> bytes:
    message = MIMEText(body, "plain", "utf-8")
    message["From"] = sender
    message["To"] = to
    message["Subject"] = Header(subject, "utf-8")
    message["Message-ID"] = message_id or f"<{abs(hash((sender, subject, body)))}@example.org>"
    message["Date"] = "Thu, 28 Nov 2024 10:00:00 +0300"
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    return message.as_bytes()


def arabic_message(*, sender: str, to: str, message_id: str = "<arabic-1@example.org>") -> bytes:
    """RFC 2047 B-encoded Arabic subject, a base64 windows-1256 body, and an attachment whose
    Arabic name travels as an RFC 2231 parameter."""
    message = MIMEMultipart()
    message["From"] = formataddr(("أحمد العراقي", sender))
    message["To"] = to
    message["Subject"] = Header(ARABIC_SUBJECT, "utf-8")
    message["Message-ID"] = message_id
    body = MIMEText("", "plain")
    body.set_payload(base64.encodebytes(ARABIC_BODY.encode("cp1256")).decode("ascii"))
    del body["Content-Type"]
    del body["Content-Transfer-Encoding"]
    body["Content-Type"] = 'text/plain; charset="windows-1256"'
    body["Content-Transfer-Encoding"] = "base64"
    message.attach(body)
    attachment = MIMEApplication(b"%PDF-1.4 report", "pdf")
    attachment.add_header(
        "Content-Disposition", "attachment", filename=("utf-8", "", ARABIC_FILENAME)
    )
    message.attach(attachment)
    return message.as_bytes()


@contextlib.contextmanager
def running_lmtp_server():
    """The real server, in its own thread, on a free loopback port; yields the port."""
    port = free_port()
    controller = lmtp_controller(host="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextlib.contextmanager
def lmtp_client(port: int):
    client = smtplib.LMTP("127.0.0.1", port, timeout=10)
    try:
        yield client
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()
        client.close()
