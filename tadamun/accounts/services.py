"""Writes about people: profile, roles, sessions and the security policy. Each is audited."""

import datetime

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.accounts import selectors
from tadamun.accounts.models import SecurityPolicy, User, UserSession
from tadamun.accounts.useragent import summarise_user_agent
from tadamun.api.services import tokens_revoke_for_users
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent

# How stale a session's "last seen" may get before a request writes it again.
SESSION_TOUCH_INTERVAL = datetime.timedelta(minutes=5)


def person_update_profile(
    *,
    person: User,
    legal_name: str,
    display_name: str,
    bio: str,
    preferred_language: str,
    hide_membership: bool,
) -> User:
    """Names arrive validated (forms.NameField); the unique folded name is re-checked by the
    database, which is what holds under concurrent edits."""
    was_hidden = person.hide_membership
    person.legal_name = legal_name
    person.display_name = display_name
    person.bio = bio
    person.preferred_language = preferred_language
    person.hide_membership = hide_membership
    try:
        with transaction.atomic():
            person.save(
                update_fields=[
                    "legal_name",
                    "display_name",
                    "display_name_folded",
                    "bio",
                    "preferred_language",
                    "hide_membership",
                ]
            )
            if was_hidden != hide_membership:
                audit(
                    AuditEvent.Action.PRIVACY_CHANGED,
                    actor=person,
                    subject=person,
                    hide_membership={"before": was_hidden, "after": hide_membership},
                )
    except IntegrityError as exc:
        person.refresh_from_db()
        raise ValidationError(
            {"display_name": _("This name is too close to another member's name.")}
        ) from exc
    return person


def _roles(person: User) -> dict:
    return {
        "is_coordinator": person.is_coordinator,
        "is_translator": person.is_translator,
        "status": person.status,
    }


@transaction.atomic
def person_set_roles(
    *, person: User, by: User, is_coordinator: bool, is_translator: bool, status: str
) -> User:
    """A coordinator sets another person's (or their own) network roles and standing."""
    person = User.objects.select_for_update().get(pk=person.pk)
    before = _roles(person)
    if status not in {User.Status.MEMBER, User.Status.SUSPENDED}:
        raise ValidationError({"status": _("A person can be made a member or suspended here.")})
    if person.status not in {User.Status.MEMBER, User.Status.SUSPENDED} and (
        status != person.status
    ):
        raise ValidationError(
            {"status": _("Applicants are approved or declined through their application.")}
        )
    stays_coordinator = is_coordinator and status == User.Status.MEMBER
    if (
        person.is_coordinator
        and not stays_coordinator
        and not selectors.coordinators_other_than(person).select_for_update().exists()
    ):
        raise ValidationError(
            _("The network needs at least one coordinator. Make someone else a coordinator first.")
        )
    person.is_coordinator = is_coordinator
    person.is_translator = is_translator
    person.status = status
    person.save(update_fields=["is_coordinator", "is_translator", "status"])
    after = _roles(person)
    if after != before:
        audit(AuditEvent.Action.ROLE_CHANGED, actor=by, subject=person, before=before, after=after)
    if status == User.Status.SUSPENDED and before["status"] != status:
        # A suspension takes effect now, not when the person's session expires.
        _end_sessions(UserSession.objects.filter(user=person))
    return person


@transaction.atomic
def security_policy_update(
    *, by: User, require_mfa_for_coordinators: bool, require_mfa_for_org_admins: bool
) -> SecurityPolicy:
    policy = SecurityPolicy.objects.select_for_update().get(pk=selectors.security_policy().pk)
    before = {
        "require_mfa_for_coordinators": policy.require_mfa_for_coordinators,
        "require_mfa_for_org_admins": policy.require_mfa_for_org_admins,
    }
    after = {
        "require_mfa_for_coordinators": require_mfa_for_coordinators,
        "require_mfa_for_org_admins": require_mfa_for_org_admins,
    }
    if before != after:
        policy.require_mfa_for_coordinators = require_mfa_for_coordinators
        policy.require_mfa_for_org_admins = require_mfa_for_org_admins
        policy.save()
        audit(AuditEvent.Action.MFA_POLICY, actor=by, before=before, after=after)
    return policy


def session_touch(*, user: User, session_key: str, user_agent: str) -> UserSession:
    """Record that this session is in use now (the middleware throttles the calls)."""
    now = timezone.now()
    tracked, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": user, "last_seen": now},
        create_defaults={
            "user": user,
            "last_seen": now,
            "user_agent_summary": summarise_user_agent(user_agent),
        },
    )
    return tracked


def session_forget(*, session_key: str) -> None:
    """The session ended by signing out; its record goes with it."""
    UserSession.objects.filter(session_key=session_key).delete()


def _end_sessions(tracked) -> int:
    keys = list(tracked.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def session_end(*, user: User, user_session: UserSession) -> None:
    """Sign one of the person's own sessions out (a lost phone, a shared computer)."""
    if user_session.user_id != user.pk:
        raise ValidationError(_("That session is not yours."))
    _end_sessions(UserSession.objects.filter(pk=user_session.pk))


@transaction.atomic
def sessions_end_for_users(*, users: QuerySet[User]) -> int:
    """Sign all of `users` out of every session and revoke their API tokens (a lockdown: a
    seized laptop's scripts stop with its browser); the caller audits it."""
    tokens_revoke_for_users(users=users)
    return _end_sessions(UserSession.objects.filter(user__in=users.values("pk")))


@transaction.atomic
def sessions_end_all(*, user: User) -> int:
    """Sign the person out of every session, this one included — and revoke their API tokens,
    which are sessions of their programs."""
    ended = sessions_end_for_users(users=User.objects.filter(pk=user.pk))
    audit(AuditEvent.Action.LOGOUT_EVERYWHERE, actor=user, subject=user, sessions=ended)
    return ended
