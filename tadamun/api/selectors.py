"""Reads about API tokens. Who may use the API at all is decided by `api_user_refusal`."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from tadamun.accounts import selectors as accounts
from tadamun.api.models import ApiToken
from tadamun.lockdown.selectors import site_locked

# The secret's prefix tells people (and secret scanners) what the string is.
TOKEN_PREFIX = "tdm_"  # noqa: S105 (not a secret: the prefix of every one)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_of(user) -> QuerySet[ApiToken]:
    """`user`'s tokens, the revoked ones too (they show when they were revoked)."""
    if not accounts.viewer_is_member(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created", "-pk")


def active_tokens_of(user) -> QuerySet[ApiToken]:
    return tokens_of(user).filter(revoked__isnull=True)


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token whose secret this is (a revoked one is no token)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.filter(token_hash=token_hash(secret), revoked__isnull=True)
        .select_related("user")
        .first()
    )


def api_user_refusal(user) -> tuple[int, str] | None:
    """Why `user` (signed in by session or token) may not use the API now, as (HTTP status,
    reason), or None. The same rules as the pages: approved members only; the second factor
    the security policy asks for; nobody but coordinators during a site lockdown."""
    if not accounts.viewer_is_member(user):
        return 403, "Only approved members of the network may use the API."
    reason = accounts.second_factor_required_reason(user)
    if reason and not accounts.has_strong_second_factor(user):
        return 403, "Add a second factor to your account before you use the API."
    if site_locked() and not accounts.viewer_is_coordinator(user):
        return 503, "The site is locked down."
    return None
