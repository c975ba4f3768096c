"""Writes of API tokens: made (the secret returned once), revoked, marked as used."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.selectors import viewer_is_member
from tadamun.api.models import ApiToken
from tadamun.api.selectors import TOKEN_PREFIX, active_tokens_of, token_hash
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent

# Enough for every device and script a person runs; a bound on what one account can mint.
MAX_ACTIVE_TOKENS = 10


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret — the only time the secret exists outside the
    person's hands."""
    if not viewer_is_member(user):
        raise PermissionDenied
    if active_tokens_of(user).select_for_update().count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You have %(n)s active tokens already: revoke one first."),
            params={"n": MAX_ACTIVE_TOKENS},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip(), token_hash=token_hash(secret))
    audit(AuditEvent.Action.API_TOKEN_CREATED, actor=user, subject=user, token=token.pk)
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    """Revoke one token (audited; revoking a revoked token changes nothing)."""
    if ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=timezone.now()):
        audit(
            AuditEvent.Action.API_TOKEN_REVOKED,
            actor=token.user,
            subject=token.user,
            token=token.pk,
        )


def tokens_revoke_for_users(*, users) -> int:
    """Revoke every active token of `users` (a queryset of people): a lockdown signs their
    programs out with their browsers."""
    return ApiToken.objects.filter(user__in=users.values("pk"), revoked__isnull=True).update(
        revoked=timezone.now()
    )


def token_mark_used(*, token: ApiToken, today: datetime.date | None = None) -> None:
    """At most one write per token per day: the date only."""
    today = today or timezone.localdate()
    if token.last_used != today:
        ApiToken.objects.filter(pk=token.pk).update(last_used=today)
        token.last_used = today
