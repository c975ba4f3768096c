"""Keeping a public petition honest without a third-party captcha.

- Rate limits per client address, per network (/24 for IPv4, /48 for IPv6: one household, one
  office, one small provider) and per e-mail domain, counted in the shared cache. Keys are
  `hashed_client_address()` of the address or of the network: the raw address is never
  stored, not even in the cache.
- A honeypot field that people do not see and bots fill in, and a signed timestamp: a form
  sent back sooner than a person can read and fill it is refused.
- A list of disposable-address domains (disposable_domains.txt beside this module).
- An alert to the coordinators when a petition's signing rate jumps.
"""

from __future__ import annotations

import datetime
import ipaddress
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core import signing
from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.adapter import hashed_client_address
from tadamun.core.cache import hit_windows
from tadamun.petitions.models import Petition

# (how many, in how many seconds) for each kind of key; PETITION_RATE_LIMITS overrides any.
DEFAULT_RATE_LIMITS = {
    "address": (10, 600),
    "network": (40, 600),
    "domain": (60, 600),
}
# The large providers where a campaign's supporters really are: a burst of signatures from
# gmail.com is a successful campaign, not an attack; their limit is this many times larger.
LARGE_PROVIDERS = frozenset(
    {
        "gmail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "yandex.com",
        "yandex.ru",
        "mail.ru",
        "hotmail.fr",
        "yahoo.fr",
        "web.de",
        "orange.fr",
    }
)
LARGE_PROVIDER_FACTOR = 20

# A person needs longer than this to read the form and fill it in; a form older than
# FORM_MAX_AGE is refused too (it carries a fresh timestamp when shown again).
FORM_MIN_SECONDS = 3
FORM_MAX_AGE = 60 * 60 * 24
FORM_SALT = "tadamun.petitions.sign-form"

# Signing-rate alerts: the last ALERT_RECENT minutes against the ALERT_BEFORE minutes before
# them; an alert when the recent rate is ALERT_FACTOR times the earlier one (and at least
# ALERT_MIN_RECENT signatures, so that 3 after 0 is no "jump"); one alert per ALERT_WINDOW.
ALERT_RECENT = 10
ALERT_BEFORE = 60
ALERT_FACTOR = 5
ALERT_MIN_RECENT = 30
ALERT_WINDOW = datetime.timedelta(hours=1)


class Refused(Exception):
    """A submission refused by a protection; `message` says why, in the reader's language."""

    def __init__(self, message, *, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# ------------------------------------------------------------------------------ addresses


def client_ip(request) -> str:
    """The client's address as allauth sees it (honouring ALLAUTH_TRUSTED_PROXY_COUNT or
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER); kept in memory only, to be hashed at once."""
    try:
        return DefaultAccountAdapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all: every such request shares one key
        return "unknown"


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) network around `address`, as text."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class ClientKeys:
    """The hashed keys of one request (never the raw address)."""

    address: str
    network: str

    @classmethod
    def of(cls, request) -> ClientKeys:
        ip = client_ip(request)
        return cls(
            address=hashed_client_address(ip),
            network=hashed_client_address("net:" + network_of(ip)),
        )


# ------------------------------------------------------------------------------ rate limits


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_RATE_LIMITS, **getattr(settings, "PETITION_RATE_LIMITS", {})}


def check_rate_limits(*, client: ClientKeys, domain: str) -> None:
    """Count one signing attempt against the client's address, network and e-mail domain (one
    cache round trip on Redis); raises Refused (429) when any is over its limit."""
    limits = _limits()
    domain_limit, domain_seconds = limits["domain"]
    if domain in LARGE_PROVIDERS:
        domain_limit *= LARGE_PROVIDER_FACTOR
    checks = [
        ("address", client.address, limits["address"]),
        ("network", client.network, limits["network"]),
        ("domain", domain, (domain_limit, domain_seconds)),
    ]
    now = int(time.time())
    counts = hit_windows(
        django_cache,
        [
            (f"petitions:rl:{kind}:{key}:{now // seconds}", seconds + 5)
            for kind, key, (_limit, seconds) in checks
        ],
    )
    if any(count > limit for count, (_kind, _key, (limit, _s)) in zip(counts, checks, strict=True)):
        raise Refused(
            _(
                "Too many signatures have come from your connection or your e-mail "
                "provider in the last few minutes. Please try again later."
            ),
            status=429,
        )


def allow_once(key: str, seconds: int) -> bool:
    """True the first time in `seconds` for `key` (resending a confirmation, telling an
    address it already signed): nobody can make us mail someone over and over."""
    return django_cache.add(f"petitions:once:{key}", 1, timeout=seconds)


# ------------------------------------------------------------------- honeypot and timing


def form_stamp() -> str:
    """The signed moment a form was shown (a hidden field)."""
    return signing.dumps(int(time.time()), salt=FORM_SALT, compress=False)


def check_form_stamp(value: str, *, now: float | None = None) -> None:
    """Refuse a missing, forged or stale stamp, and a form filled faster than a person can."""
    now = time.time() if now is None else now
    try:
        shown = int(signing.loads(value or "", salt=FORM_SALT, max_age=FORM_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise Refused(
            _("This form has expired. Please check your details and send it again.")
        ) from error
    if now - shown > FORM_MAX_AGE:
        raise Refused(_("This form has expired. Please check your details and send it again."))
    if now - shown < FORM_MIN_SECONDS:
        raise Refused(_("That was very fast. Please check your details and send the form again."))


def check_honeypot(value: str) -> None:
    if value:
        raise Refused(_("Your signature could not be accepted. Please try again."))


# --------------------------------------------------------------------- disposable domains

DISPOSABLE_FILE = Path(__file__).with_name("disposable_domains.txt")


@cache
def disposable_domains() -> frozenset[str]:
    lines = DISPOSABLE_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def is_disposable(domain: str) -> bool:
    """Whether `domain` (IDNA, lower case) or a parent of it is a disposable-address
    service (`x.mailinator.com` is mailinator.com)."""
    known = disposable_domains()
    parts = domain.lower().rstrip(".").split(".")
    return any(".".join(parts[i:]) in known for i in range(len(parts) - 1))


# --------------------------------------------------------------------------- rate alerts


def _minute(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // 60


def _rate_key(petition_id: int, minute: int) -> str:
    return f"petitions:rate:{petition_id}:{minute}"


def record_signing(petition_id: int, *, now: datetime.datetime | None = None) -> None:
    """Count one new signature in the petition's per-minute buckets (for rate alerts)."""
    key = _rate_key(petition_id, _minute(now or timezone.now()))
    hit_windows(django_cache, [(key, (ALERT_RECENT + ALERT_BEFORE + 5) * 60)])


def signing_rates(petition_id: int, *, now: datetime.datetime | None = None) -> tuple[int, int]:
    """(signatures in the last ALERT_RECENT minutes, in the ALERT_BEFORE minutes before)."""
    current = _minute(now or timezone.now())
    keys = {
        _rate_key(petition_id, current - offset): offset
        for offset in range(ALERT_RECENT + ALERT_BEFORE)
    }
    found = django_cache.get_many(list(keys))
    recent = sum(n for key, n in found.items() if keys[key] < ALERT_RECENT)
    before = sum(n for key, n in found.items() if keys[key] >= ALERT_RECENT)
    return recent, before


def rate_jumped(recent: int, before: int) -> bool:
    """Whether the recent rate per minute is ALERT_FACTOR times the earlier one."""
    if recent < ALERT_MIN_RECENT:
        return False
    recent_rate = recent / ALERT_RECENT
    before_rate = max(before, 1) / ALERT_BEFORE
    return recent_rate >= ALERT_FACTOR * before_rate


def claim_alert(petition_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Take this window's one alert for the petition: a single conditional UPDATE, so two
    requests at the same moment cannot both send it."""
    now = now or timezone.now()
    return bool(
        Petition.objects.filter(pk=petition_id)
        .filter(Q(last_alert_at__isnull=True) | Q(last_alert_at__lte=now - ALERT_WINDOW))
        .update(last_alert_at=now)
    )
