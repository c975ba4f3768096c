"""The audit log's listeners on Django's and allauth's authentication signals.

Only glue: each receiver turns a signal into one `audit()` call (or forgets an ended session).
A failed sign-in records neither the typed address nor the client's address: only a keyed
hash of the folded address, so repeated attempts against one account can be grouped.
"""

import hashlib
import hmac

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from tadamun.accounts import services
from tadamun.accounts.models import User
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent


def typed_email_hash(email: str) -> str:
    key = hashlib.sha256(b"failed-login-email:" + settings.SECRET_KEY.encode()).digest()
    folded = email.strip().casefold()
    return hmac.new(key, folded.encode(), hashlib.sha256).hexdigest()[:32]


@receiver(auth_signals.user_logged_in, dispatch_uid="tadamun_audit_login")
def on_logged_in(sender, request, user, **kwargs):
    audit(AuditEvent.Action.LOGIN, actor=user, subject=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="tadamun_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    typed = str(credentials.get("email") or credentials.get("username") or "")
    subject = User.objects.filter(email__iexact=typed.strip()).first() if typed else None
    audit(
        AuditEvent.Action.LOGIN_FAILED,
        subject=subject,
        email_hmac=typed_email_hash(typed) if typed else "",
    )


@receiver(auth_signals.user_logged_out, dispatch_uid="tadamun_audit_logout")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit(AuditEvent.Action.LOGOUT, actor=user, subject=user)
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        services.session_forget(session_key=session.session_key)


@receiver(account_signals.password_changed, dispatch_uid="tadamun_audit_password_changed")
def on_password_changed(sender, request, user, **kwargs):
    audit(AuditEvent.Action.PASSWORD_CHANGED, actor=user, subject=user)


@receiver(account_signals.password_reset, dispatch_uid="tadamun_audit_password_reset")
def on_password_reset(sender, request, user, **kwargs):
    audit(AuditEvent.Action.PASSWORD_RESET, actor=user, subject=user)


@receiver(account_signals.email_confirmed, dispatch_uid="tadamun_audit_email_confirmed")
def on_email_confirmed(sender, request, email_address, **kwargs):
    audit(AuditEvent.Action.EMAIL_CONFIRMED, actor=email_address.user, subject=email_address.user)


def _kind(authenticator: Authenticator) -> str:
    return str(authenticator.type)


@receiver(mfa_signals.authenticator_added, dispatch_uid="tadamun_audit_mfa_added")
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    audit(AuditEvent.Action.MFA_ADDED, actor=user, subject=user, kind=_kind(authenticator))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="tadamun_audit_mfa_removed")
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    audit(AuditEvent.Action.MFA_REMOVED, actor=user, subject=user, kind=_kind(authenticator))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="tadamun_audit_mfa_reset")
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    audit(
        AuditEvent.Action.MFA_CODES_REGENERATED,
        actor=user,
        subject=user,
        kind=_kind(authenticator),
    )
