"""The list address scheme, as Mailman's: `<slug>@LISTS_DOMAIN` posts to the list and the
helpers `<slug>-join`, `-leave`, `-owner`, `-request`, `<slug>-confirm+<token>` (double opt-in
by reply) and `<slug>-bounces+<token>` (VERP, one return path per recipient).

The VERP token is signed with the site's secret key, so that a forged bounce cannot raise
another subscriber's bounce score and get them unsubscribed.
"""

import base64
import enum
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

from tadamun.lists.models import MailingList


class Role(enum.StrEnum):
    POST = "post"
    JOIN = "join"
    LEAVE = "leave"
    OWNER = "owner"
    REQUEST = "request"
    BOUNCES = "bounces"
    CONFIRM = "confirm"


# Suffixes that take a `+token` (RFC 5233 sub-addressing) and those that do not.
TOKEN_ROLES = {Role.BOUNCES, Role.CONFIRM}
SUFFIXES = {f"-{role}": role for role in Role if role != Role.POST}
SIGNATURE_LENGTH = 16  # base32 characters: 80 bits of HMAC-SHA256
VERP_SALT = "tadamun.lists.verp"
# An unquoted local part (RFC 5322 §3.4.1 dot-atom) that can travel inside a VERP token as is.
PLAIN_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/?^_`{|}~.-]{1,64}$")


@dataclass(frozen=True)
class ParsedAddress:
    """What a recipient address says, before any database look-up."""

    slug: str
    role: Role
    token: str = ""


@dataclass(frozen=True)
class ListAddress:
    """A recipient address resolved to its list."""

    mailing_list: MailingList
    role: Role
    token: str = ""


def split_address(address: str) -> tuple[str, str]:
    """`local@domain` → (local, domain); the domain lower-cased, angle brackets dropped."""
    address = (address or "").strip().strip("<>").strip()
    local, _at, domain = address.rpartition("@")
    if not _at:
        return address, ""
    return local, domain.lower()


def parse_local_part(local_part: str) -> list[ParsedAddress]:
    """The readings of a local part, most specific first. A slug may itself contain hyphens
    (`peace-building-join` is the `-join` address of `peace-building`, unless a list is
    called `peace-building-join`), so the caller tries each against the database."""
    local_part = (local_part or "").strip()
    readings: list[ParsedAddress] = []
    base, plus, token = local_part.partition("+")
    lowered = base.lower()
    for suffix, role in SUFFIXES.items():
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            slug = lowered[: -len(suffix)]
            if role in TOKEN_ROLES:
                if plus and token:
                    readings.append(ParsedAddress(slug, role, token))
                elif role == Role.BOUNCES:
                    # A bounce of mail sent without VERP (our own auto-replies).
                    readings.append(ParsedAddress(slug, role, ""))
            elif not plus:
                readings.append(ParsedAddress(slug, role))
    if not plus:
        readings.append(ParsedAddress(lowered, Role.POST))
    else:
        # `slug+anything@` is the list itself (sub-addressing some clients add).
        readings.append(ParsedAddress(lowered, Role.POST))
    return readings


def resolve(address: str) -> ListAddress | None:
    """The enabled list and role an address names, or None (LMTP answers 550 5.1.1)."""
    local, domain = split_address(address)
    if not local or domain != settings.LISTS_DOMAIN.lower():
        return None
    readings = parse_local_part(local)
    slugs = {reading.slug for reading in readings}
    lists = {
        mailing_list.workgroup.slug.lower(): mailing_list
        for mailing_list in MailingList.objects.select_related("workgroup").filter(
            enabled=True, workgroup__slug__in=slugs
        )
    }
    # A list whose whole name matches wins over a helper address of a shorter-named list.
    exact = next((r for r in readings if r.role == Role.POST and r.slug in lists), None)
    if exact is not None and "+" not in local:
        return ListAddress(lists[exact.slug], Role.POST)
    for reading in readings:
        if reading.slug in lists:
            return ListAddress(lists[reading.slug], reading.role, reading.token)
    return None


def list_address(mailing_list: MailingList, role: Role | str = Role.POST, token: str = "") -> str:
    """`<slug>[-role][+token]@LISTS_DOMAIN`."""
    role = Role(role)
    local = (
        mailing_list.workgroup.slug
        if role == Role.POST
        else f"{mailing_list.workgroup.slug}-{role}"
    )
    if token:
        local = f"{local}+{token}"
    return f"{local}@{settings.LISTS_DOMAIN}"


def confirm_address(mailing_list: MailingList, token: str) -> str:
    """Where a reply confirms a subscription or an unsubscription (double opt-in by reply)."""
    return list_address(mailing_list, Role.CONFIRM, token)


# ------------------------------------------------------------------------------------- VERP


def _signature(slug: str, payload: str, secret: str | None = None) -> str:
    # Lower-cased: some MTAs fold the case of local parts. 80 bits are plenty against forgery
    # by mail (each guess costs the attacker a message).
    digest = salted_hmac(
        VERP_SALT, f"{slug.lower()}\0{payload.lower()}", secret=secret, algorithm="sha256"
    ).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:SIGNATURE_LENGTH]


def verp_address(mailing_list: MailingList, recipient: str, delivery_id: int | None = None) -> str:
    """The return path of one recipient's copy: `<slug>-bounces+<payload>.<signature>@…`.

    The payload is `d<delivery id>` when there is a delivery row, else the recipient as
    `r<user>=<domain>` (the classic VERP form) or `b<base32>` for addresses that cannot sit
    in a local part unquoted."""
    slug = mailing_list.workgroup.slug
    if delivery_id is not None:
        payload = f"d{int(delivery_id)}"
    else:
        user, domain = split_address(recipient)
        if PLAIN_LOCAL_PART.match(user) and re.fullmatch(r"[a-z0-9.-]{1,253}", domain):
            payload = f"r{user}={domain}"
        else:
            encoded = base64.b32encode(recipient.encode("utf-8")).decode("ascii")
            payload = "b" + encoded.rstrip("=").lower()
    return list_address(mailing_list, Role.BOUNCES, f"{payload}.{_signature(slug, payload)}")


def parse_verp(local_part: str) -> tuple[str, str | int] | None:
    """`<slug>-bounces+<token>` → (slug, delivery id as int, or recipient address), or None
    when the local part is not a VERP address or its signature does not verify."""
    local_part = split_address(local_part)[0] if "@" in local_part else local_part
    base, plus, token = local_part.partition("+")
    if not plus or not base.lower().endswith("-bounces"):
        return None
    slug = base[: -len("-bounces")].lower()
    payload, dot, signature = token.rpartition(".")
    if not dot or len(signature) != SIGNATURE_LENGTH or len(payload) < 2:
        return None
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(
        hmac.compare_digest(signature.lower(), _signature(slug, payload, secret))
        for secret in secrets
    ):
        return None
    kind, value = payload[0].lower(), payload[1:]
    if kind == "d" and value.isdigit():
        return slug, int(value)
    if kind == "r" and "=" in value:
        user, _eq, domain = value.rpartition("=")
        return slug, f"{user}@{domain}"
    if kind == "b":
        try:
            padded = value.upper() + "=" * (-len(value) % 8)
            return slug, base64.b32decode(padded).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def token_hash(token: str) -> str:
    """What `Subscription.confirm_token_hash` stores: the token itself is only ever mailed."""
    return hashlib.sha256(token.strip().lower().encode("utf-8")).hexdigest()
