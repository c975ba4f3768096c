"""A post as the message a subscriber receives (RFC 5322 with the list headers of RFC 2369,
RFC 2919 and RFC 8058).

One builder per post computes everything the copies share; `build()` then makes one
recipient's personalised copy (VERP envelope, personal one-click unsubscribe link) or the copy
shared by a batch of recipients.
"""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext

from tadamun.lists.models import MailingList, Subscription

# Serialise exactly as sent: CRLF, RFC 2047 encoded headers, lines folded at 78.
SMTP_POLICY = email.policy.SMTP
# Stands in for the personal unsubscribe link while the shared parts are rendered once.
_UNSUBSCRIBE_MARK = "\x00unsubscribe-url\x00"


@dataclass
class OutgoingMail:
    """One message as sent (CRLF bytes) and its SMTP envelope sender (the recipients are the
    caller's)."""

    data: bytes
    envelope_from: str

    def as_bytes(self) -> bytes:
        return self.data

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


def list_languages(mailing_list: MailingList) -> list[str]:
    known = {code for code, _name in settings.LANGUAGES}
    languages = [code.strip() for code in mailing_list.footer_languages.split(",")]
    return [code for code in languages if code in known] or [settings.LANGUAGE_CODE[:2]]


def list_name(mailing_list: MailingList, language: str) -> str:
    workgroup = mailing_list.workgroup
    return (workgroup.name_ar if language == "ar" else workgroup.name_en) or workgroup.slug


def helper_address(mailing_list: MailingList, suffix: str) -> str:
    """`<slug>-<suffix>@LISTS_DOMAIN` (join, leave, request, owner, bounces, confirm…)."""
    return f"{mailing_list.local_part}-{suffix}@{settings.LISTS_DOMAIN}"


def bounce_address(mailing_list: MailingList, recipient: str = "", delivery_id=None) -> str:
    """The envelope sender: the recipient's VERP address when personalised, so that an
    asynchronous bounce names the address it is about; `<slug>-bounces@` otherwise."""
    if recipient:
        try:
            from tadamun.lists.addresses import verp_address
        except ImportError:  # the inbound side is not installed
            pass
        else:
            return verp_address(mailing_list, recipient, delivery_id=delivery_id)
    return helper_address(mailing_list, "bounces")


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def thread_url(thread, language: str) -> str:
    """The thread on the site (the web archive of the discussion)."""
    slug = thread.workgroup.slug
    with translation.override(language):
        try:
            path = reverse("workgroups:thread", kwargs={"slug": slug, "pk": thread.pk})
        except NoReverseMatch:
            path = f"/{language}/workgroups/{slug}/threads/{thread.pk}/"
    return absolute_url(path)


def workgroup_url(workgroup, language: str) -> str:
    with translation.override(language):
        try:
            path = reverse("workgroups:workgroup", kwargs={"slug": workgroup.slug})
        except NoReverseMatch:
            path = f"/{language}/workgroups/{workgroup.slug}/"
    return absolute_url(path)


def delivery_settings_url(workgroup, language: str) -> str:
    """Where a member chooses every message, the digest or web only (and resumes delivery)."""
    with translation.override(language):
        try:
            path = reverse("workgroups:subscription", kwargs={"slug": workgroup.slug})
        except NoReverseMatch:
            path = f"/{language}/workgroups/{workgroup.slug}/delivery/"
    return absolute_url(path)


def unsubscribe_url(subscription: Subscription) -> str:
    """The recipient's own one-click unsubscribe link (no language prefix: mail providers
    POST to it, RFC 8058)."""
    from tadamun.lists.subscriptions import unsubscribe_token

    return absolute_url(
        reverse("lists:unsubscribe", kwargs={"token": unsubscribe_token(subscription)})
    )


def one_line(value: str) -> str:
    """Header values never carry line breaks (header injection) or runs of blanks."""
    return " ".join((value or "").split())


def prefixed_subject(subject: str, prefix: str) -> str:
    """The subject with the list's prefix, unless a reply already carries it."""
    subject = one_line(subject)
    prefix = one_line(prefix)
    if not prefix or prefix.casefold() in subject.casefold():
        return subject
    return f"{prefix} {subject}"


def author_address(post) -> Address | None:
    try:
        return Address(display_name=one_line(post.author_name), addr_spec=post.author_email)
    except (ValueError, IndexError, TypeError):
        return None


def rewrites_from(mailing_list: MailingList, post, author: Address | None) -> bool:
    """DMARC mitigation: should the list, not the author, be in From?

    A post written on the web never left the author's mail domain, so it cannot pass that
    domain's DMARC: it is always sent from the list. A mailed post is rewritten always, or when
    the author's domain is one of the configured ones (those publishing p=reject/quarantine)."""
    if author is None or post.source != post.Source.EMAIL:
        return True
    policy = mailing_list.dmarc_mitigation
    if policy == MailingList.Dmarc.ALWAYS:
        return True
    if policy == MailingList.Dmarc.DOMAINS:
        domains = {line.strip().casefold() for line in mailing_list.dmarc_domains.split()}
        return author.domain.casefold() in domains
    return False


class PostMessageBuilder:
    """Renders one post for a list; the shared parts are computed once."""

    def __init__(self, post, mailing_list: MailingList | None = None):
        self.post = post
        self.mailing_list = mailing_list or post.workgroup.mailing_list
        ml = self.mailing_list
        self.languages = list_languages(ml)
        self.main_language = self.languages[0]
        self.list_address = Address(
            display_name=list_name(ml, self.main_language), addr_spec=ml.address
        )
        self._headers = self._shared_headers()
        self._footers: dict[bool, str] = {}
        self._attachments = None
        self._template: tuple[bytes, bytes] | None = None
        # Marks that no post can contain by chance.
        nonce = secrets.token_hex(8)
        self._link_mark = f"https://unsubscribe.invalid/{nonce}"
        self._body_mark = f"BODY-{nonce}"

    def _shared_headers(self) -> list[tuple[str, object]]:
        post, ml = self.post, self.mailing_list
        author = author_address(post)
        headers: list[tuple[str, object]] = []
        reply_to: list[Address] = []
        cc: list[Address] = []
        if rewrites_from(ml, post, author):
            name = one_line(post.author_name) or (author.username if author else "")
            with translation.override(self.main_language):
                display = gettext("%(name)s via %(list)s") % {
                    "name": name,
                    "list": self.list_address.display_name,
                }
            headers.append(("From", Address(display_name=display, addr_spec=ml.address)))
            if author is not None:
                # The author stays reachable: directly when replies go to the author, on Cc
                # when they go to the list (as Mailman's dmarc_mitigate_action munge_from).
                if ml.reply_to == MailingList.ReplyTo.AUTHOR:
                    reply_to.append(author)
                else:
                    cc.append(author)
        else:
            headers.append(("From", author))
        if ml.reply_to == MailingList.ReplyTo.LIST:
            reply_to.insert(0, self.list_address)
        headers.append(("To", self.list_address))
        if cc:
            headers.append(("Cc", cc))
        if reply_to:
            headers.append(("Reply-To", reply_to))
        headers.append(("Subject", prefixed_subject(post.subject, ml.subject_prefix)))
        headers.append(("Date", email.utils.format_datetime(post.created)))
        headers.append(("Message-ID", one_line(post.message_id)))
        if post.in_reply_to:
            headers.append(("In-Reply-To", one_line(post.in_reply_to)))
        if post.references:
            headers.append(("References", one_line(post.references)))
        name = one_line(list_name(ml, self.main_language))
        list_id = email.utils.formataddr((name, ml.list_id), charset="utf-8")
        headers += [
            ("List-Id", list_id),  # RFC 2919
            ("List-Post", f"<mailto:{ml.address}>"),  # RFC 2369 §3
            ("List-Help", f"<mailto:{helper_address(ml, 'request')}?subject=help>"),
            (
                "List-Subscribe",
                f"<{workgroup_url(ml.workgroup, self.main_language)}>, "
                f"<mailto:{helper_address(ml, 'join')}>",
            ),
            ("List-Owner", f"<mailto:{helper_address(ml, 'owner')}>"),
            ("List-Archive", f"<{thread_url(post.thread, self.main_language)}>"),
            ("Precedence", "list"),
            ("X-Loop", ml.address),
        ]
        return headers

    def _footer(self, personal: bool) -> str:
        if personal not in self._footers:
            parts = []
            for language in self.languages:
                context = {
                    "list_name": list_name(self.mailing_list, language),
                    "list_address": self.mailing_list.address,
                    "leave_address": helper_address(self.mailing_list, "leave"),
                    "thread_url": thread_url(self.post.thread, language),
                    "unsubscribe_url": _UNSUBSCRIBE_MARK if personal else "",
                }
                with translation.override(language):
                    parts.append(render_to_string("lists/footer.txt", context).strip())
            self._footers[personal] = "\n\n".join(parts)
        return self._footers[personal]

    def attachments(self) -> list[tuple[bytes, str, str, str]]:
        if self._attachments is None:
            self._attachments = []
            for attachment in self.post.attachments.all():
                with attachment.file.open("rb") as stored:
                    data = stored.read()
                maintype, _slash, subtype = attachment.content_type.partition("/")
                if not maintype or not subtype:
                    maintype, subtype = "application", "octet-stream"
                self._attachments.append((data, maintype, subtype, attachment.filename))
        return self._attachments

    def _message(self, *, body: str, unsubscribe: str, one_click: bool, cte=None):
        message = EmailMessage(policy=SMTP_POLICY)
        for name, value in self._headers:
            message[name] = value
        message["List-Unsubscribe"] = unsubscribe
        if one_click:
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
        message.set_content(body, charset="utf-8", cte=cte)
        for data, maintype, subtype, filename in self.attachments():
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        return message

    def _text(self, footer: str) -> str:
        body = self.post.body.replace("\r\n", "\n").rstrip()
        return f"{body}\n\n-- \n{footer}\n"

    def _personal_template(self) -> tuple[bytes, bytes]:
        """The personalised copy serialised once, with marks where the personal link and the
        text part go; `build()` splices each recipient's into it. The email package takes
        about 15 ms to assemble and fold a message, which a 10,000-recipient fan-out cannot
        spend per copy."""
        if self._template is None:
            leave = helper_address(self.mailing_list, "leave")
            message = self._message(
                body=f"{self._body_mark}\n",
                unsubscribe=f"<{self._link_mark}>, <mailto:{leave}?subject=unsubscribe>",
                one_click=True,
                cte="7bit",
            )
            data = message.as_bytes(policy=SMTP_POLICY)
            # The text part is the only 7bit one: its encoding becomes base64 below.
            data = data.replace(
                b"Content-Transfer-Encoding: 7bit\r\n", b"Content-Transfer-Encoding: base64\r\n", 1
            )
            self._template = (data, self._body_mark.encode() + b"\r\n")
        return self._template

    def build(self, *, subscription: Subscription | None = None, delivery_id=None) -> OutgoingMail:
        """The copy for one subscriber (personalised) or, without one, the batch copy."""
        ml = self.mailing_list
        if subscription is None:
            # RFC 8058 one-click needs a link that identifies the recipient: batched copies
            # offer the -leave address only.
            leave = helper_address(ml, "leave")
            message = self._message(
                body=self._text(self._footer(personal=False)),
                unsubscribe=f"<mailto:{leave}?subject=unsubscribe>",
                one_click=False,
            )
            return OutgoingMail(
                data=message.as_bytes(policy=SMTP_POLICY), envelope_from=bounce_address(ml)
            )
        template, body_mark = self._personal_template()
        link = unsubscribe_url(subscription)
        text = self._text(self._footer(personal=True).replace(_UNSUBSCRIBE_MARK, link))
        encoded = base64.encodebytes(text.encode("utf-8")).replace(b"\n", b"\r\n")
        data = template.replace(self._link_mark.encode(), link.encode(), 1).replace(
            body_mark, encoded, 1
        )
        return OutgoingMail(
            data=data, envelope_from=bounce_address(ml, subscription.email, delivery_id)
        )

    def digest_part(self) -> EmailMessage:
        """The post as a message/rfc822 part of a digest: its own headers and body, without the
        list's headers and footer (the digest carries those once)."""
        message = EmailMessage(policy=SMTP_POLICY)
        keep = {
            "From",
            "Cc",
            "Reply-To",
            "Subject",
            "Date",
            "Message-ID",
            "In-Reply-To",
            "References",
        }
        for name, value in self._headers:
            if name in keep:
                message[name] = value
        message.set_content(self.post.body.replace("\r\n", "\n").rstrip() + "\n", charset="utf-8")
        return message


def render_post(
    *, post, subscription: Subscription | None = None, delivery_id=None
) -> OutgoingMail:
    """One post as one subscriber's copy (or the shared batch copy without a subscription)."""
    return PostMessageBuilder(post).build(subscription=subscription, delivery_id=delivery_id)
