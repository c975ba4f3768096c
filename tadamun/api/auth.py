"""Who is asking: a personal access token (`Authorization: Bearer tdm_…`) or the browser's
session (with Django's CSRF check on unsafe methods — the API only has GETs). Either way the
person must be an approved member, with the second factor the policy asks of them, and nobody but
a coordinator gets in during a site lockdown (SiteLockdownMiddleware already answers 503 to
sessions; a token is only known here, so the rule is asked again)."""

from __future__ import annotations

from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from tadamun.api import selectors, services


def _admit(request, user):
    refusal = selectors.api_user_refusal(user)
    if refusal is not None:
        status, reason = refusal
        raise HttpError(status, reason)
    request.user = user
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = selectors.token_for_secret(token.strip())
        if found is None or not found.user.is_active:
            return None
        user = _admit(request, found.user)
        services.token_mark_used(token=found)
        return user


class MemberSessionAuth(SessionAuth):
    """django-ninja's `django_auth`, admitting approved members only."""

    def authenticate(self, request, key: str | None):
        if not request.user.is_authenticated:
            return None
        return _admit(request, request.user)
