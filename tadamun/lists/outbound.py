"""A post as the message a subscriber receives (RFC 5322 with the list headers of RFC 2369,
RFC 2919 and RFC 8058).

One builder per post computes everything the copies share; `build()` then makes one
recipient's personalised copy (VERP envelope, personal one-click unsubscribe link) or the copy
shared by a batch of recipients.
"""

from __future__ import annotations

import binascii
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

from tadamun.lists import dkim
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
    # The text is 8bit: the SMTP transaction must say BODY=8BITMIME.
    eight_bit: bool = False

    def as_bytes(self) -> bytes:
        return self.data

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class _PersonalTemplate:
    headers: bytes  # the header block, with the link mark
    body_start: bytes  # the body up to the personal text (encoded), at a line end
    body_end: bytes  # the body after the text part's content
    personal_text: str  # the rest of the text, from the line of the first link mark
    eight_bit: bool
    hasher: dkim.BodyHasher | None
    canonical_headers: bytes = b""  # as signed, with the link mark


def _encode_text(text: str, eight_bit: bool) -> bytes:
    """Lines of text (LF ends) as the body of a text part: 8bit UTF-8, or quoted-printable
    (RFC 2045 §6.7: lines of at most 76 characters); CRLF line ends either way."""
    data = text.encode("utf-8")
    if not eight_bit:
        data = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    return data.replace(b"\n", b"\r\n")


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

    def __init__(self, post, mailing_list: MailingList | None = None, *, eight_bit: bool = False):
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
        self._templates: dict[bool, _PersonalTemplate] = {}
        self._fits_8bit: bool | None = None
        self._link_around: tuple[str, str] | None = None
        # Set by the sender when the relay takes 8bit text (SMTP 8BITMIME, RFC 6152).
        self.eight_bit = eight_bit
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

    def _personal_template(self) -> _PersonalTemplate:
        """The personalised copy serialised once, split where the personal parts go; `build()`
        splices each recipient's link into it. The email package takes about 15 ms to assemble
        and fold a message, which a 10,000-recipient fan-out cannot spend per copy.

        The text part is sent as 8bit when the relay takes it (RFC 6152) and the text allows
        it (lines of at most 998 octets, no bare CR or NUL), else as quoted-printable: both
        encode line by line, so the text up to the line of the first personal link is
        encoded (and DKIM-hashed) once and only the rest per copy."""
        eight_bit = self.eight_bit and self._text_fits_8bit()
        if eight_bit not in self._templates:
            leave = helper_address(self.mailing_list, "leave")
            message = self._message(
                body=f"{self._body_mark}\n",
                unsubscribe=f"<{self._link_mark}>, <mailto:{leave}?subject=unsubscribe>",
                one_click=True,
                cte="7bit",
            )
            data = message.as_bytes(policy=SMTP_POLICY)
            # The text part is the only 7bit one: its encoding becomes the chosen one.
            cte = b"8bit" if eight_bit else b"quoted-printable"
            data = data.replace(
                b"Content-Transfer-Encoding: 7bit\r\n",
                b"Content-Transfer-Encoding: " + cte + b"\r\n",
                1,
            )
            split = data.index(b"\r\n\r\n") + 2
            headers, body = data[:split], data[split + 2 :]
            mark = self._body_mark.encode() + b"\r\n"
            start, _mark, end = body.partition(mark)
            text = self._text(self._footer(personal=True))
            cut = text.rfind("\n", 0, text.index(_UNSUBSCRIBE_MARK)) + 1
            shared = _encode_text(text[:cut], eight_bit)
            template = _PersonalTemplate(
                headers=headers,
                body_start=start + shared,
                body_end=end,
                personal_text=text[cut:],
                eight_bit=eight_bit,
                hasher=None,
            )
            if dkim.signing_enabled():
                template.hasher = dkim.BodyHasher(template.body_start, template.body_end)
                template.canonical_headers = dkim.canonical_headers(headers)
            self._templates[eight_bit] = template
        return self._templates[eight_bit]

    def _unsubscribe_url(self, subscription: Subscription) -> str:
        """unsubscribe_url(), with the URL around the token resolved once per post."""
        from tadamun.lists.subscriptions import unsubscribe_token

        token = unsubscribe_token(subscription)
        if self._link_around is None:
            link = unsubscribe_url(subscription)
            if link.count(token) != 1:
                return link
            self._link_around = tuple(link.split(token))
        before, after = self._link_around
        return f"{before}{token}{after}"

    def _text_fits_8bit(self) -> bool:
        if self._fits_8bit is None:
            text = self._text(self._footer(personal=True))
            text = text.replace(_UNSUBSCRIBE_MARK, "x" * 200)
            self._fits_8bit = (
                "\r" not in text
                and "\x00" not in text
                and all(len(line.encode("utf-8")) <= 996 for line in text.split("\n"))
            )
        return self._fits_8bit

    def build(
        self, *, subscription: Subscription | None = None, delivery_id=None, sign: bool = False
    ) -> OutgoingMail:
        """The copy for one subscriber (personalised) or, without one, the batch copy; with
        `sign`, DKIM-signed (when signing is configured)."""
        ml = self.mailing_list
        if subscription is None:
            # RFC 8058 one-click needs a link that identifies the recipient: batched copies
            # offer the -leave address only.
            leave = helper_address(ml, "leave")
            text = self._text(self._footer(personal=False))
            eight_bit = self.eight_bit and "\r" not in text and "\x00" not in text
            eight_bit = eight_bit and all(len(x.encode()) <= 996 for x in text.split("\n"))
            message = self._message(
                body=text,
                unsubscribe=f"<mailto:{leave}?subject=unsubscribe>",
                one_click=False,
                cte="8bit" if eight_bit else None,
            )
            data = message.as_bytes(policy=SMTP_POLICY)
            return OutgoingMail(
                data=dkim.sign(data) if sign else data,
                envelope_from=bounce_address(ml),
                eight_bit=eight_bit,
            )
        template = self._personal_template()
        link = self._unsubscribe_url(subscription)
        mark, link_bytes = self._link_mark.encode(), link.encode()
        headers = template.headers.replace(mark, link_bytes, 1)
        personal = _encode_text(
            template.personal_text.replace(_UNSUBSCRIBE_MARK, link), template.eight_bit
        )
        data = b"".join((headers, b"\r\n", template.body_start, personal, template.body_end))
        if sign and template.hasher is not None:
            canonical = template.canonical_headers.replace(mark, link_bytes, 1)
            body_hash = template.hasher.digest(personal)
            data = dkim.signature_header(headers, body_hash, canonical=canonical) + data
        return OutgoingMail(
            data=data,
            envelope_from=bounce_address(ml, subscription.email, delivery_id),
            eight_bit=template.eight_bit,
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
