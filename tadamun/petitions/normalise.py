"""The key on which "one signature per petition per address" is enforced.

Two spellings that reach the same mailbox must give the same key, or one person could sign a
petition many times: `Ali.Hassan+iraq@GMAIL.com` and `alihassan@gmail.com` are one mailbox.
Only rules every provider follows are applied to every address (the domain is
case-insensitive, RFC 5321 §2.4, and is compared in its IDNA/ASCII form); sub-addressing
(`+tag`) is removed everywhere because every large provider and most MTAs treat it as a tag;
dots are removed only where the provider documents that they are ignored (Gmail).
"""

from __future__ import annotations

import unicodedata

# Gmail ignores dots in the local part; googlemail.com is the same mailbox service.
DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


class InvalidAddress(ValueError):
    """The address cannot be normalised (no @, empty parts, an undecodable domain)."""


def idna_domain(domain: str) -> str:
    """The domain in lower-case ASCII (IDNA 2003 through Python's codec: `عراق.com` →
    `xn--mgbtx2b.com`); a trailing root dot is dropped."""
    domain = unicodedata.normalize("NFC", domain).strip().rstrip(".").lower()
    if not domain:
        raise InvalidAddress("empty domain")
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise InvalidAddress("undecodable domain") from error


def email_domain(address: str) -> str:
    """The normalised domain of `address` (for the per-domain rate limit and the disposable
    list)."""
    _, _, domain = address.rpartition("@")
    return idna_domain(domain)


def normalise_email(address: str) -> str:
    """One key per mailbox: lower case, IDNA domain, no `+tag`, and for Gmail no dots."""
    address = unicodedata.normalize("NFC", address or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidAddress("not an address")
    domain = idna_domain(domain)
    local = local.lower().split("+", 1)[0]
    if domain in DOTS_IGNORED:
        domain = DOTS_IGNORED[domain]
        local = local.replace(".", "")
    if not local:
        raise InvalidAddress("empty local part")
    return f"{local}@{domain}"
