"""Reads about people, their sessions, their second factors and the audit log."""

import datetime

from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils import timezone

from tadamun.accounts.models import SecurityPolicy, User, UserSession
from tadamun.core.models import AuditEvent
from tadamun.core.text import fold

# Factors that stand on their own as a second factor; recovery codes only back them up.
STRONG_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def viewer_is_member(viewer) -> bool:
    """Approved and active: may reach internal pages (anonymous visitors and applicants not)."""
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_member)


def viewer_is_coordinator(viewer) -> bool:
    return viewer_is_member(viewer) and viewer.is_network_coordinator


def active_member_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": User.Status.MEMBER, f"{prefix}is_active": True})


def shown_people_q(viewer, prefix: str = "") -> Q:
    """The people `viewer` may see listed anywhere (directories, organisations, workgroups,
    counts): active members; those who hide their membership only to coordinators and to
    themselves. The one rule every app's selectors use."""
    q = active_member_q(prefix)
    if not viewer_is_coordinator(viewer):
        q &= Q(**{f"{prefix}hide_membership": False}) | Q(
            **{f"{prefix}pk": getattr(viewer, "pk", None)}
        )
    return q


def security_policy() -> SecurityPolicy:
    policy, _created = SecurityPolicy.objects.get_or_create(pk=1)
    return policy


def administers_any_organisation(user: User) -> bool:
    """Asked of the organisations app (imported here, not at the top: it imports this one)."""
    from tadamun.organisations.selectors import administers_any_organisation as ask

    return ask(user)


def has_strong_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=STRONG_FACTORS).exists()


def second_factor_required_reason(user: User, policy: SecurityPolicy | None = None) -> str:
    """ "coordinator", "org_admin" or "" — why the policy asks this person for a second factor."""
    if not user.is_authenticated or not user.is_member:
        return ""
    policy = policy or security_policy()
    if policy.require_mfa_for_coordinators and user.is_network_coordinator:
        return "coordinator"
    if policy.require_mfa_for_org_admins and administers_any_organisation(user):
        return "org_admin"
    return ""


def sessions_of(user: User) -> QuerySet[UserSession]:
    """The person's sessions that are still alive."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live)


def coordinators_other_than(user: User) -> QuerySet[User]:
    return User.objects.filter(
        is_coordinator=True, status=User.Status.MEMBER, is_active=True
    ).exclude(pk=user.pk)


def display_name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    folded = fold(name)
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    return others.filter(display_name_folded=folded).exists()


def audit_events(
    *,
    action: str = "",
    person: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log for coordinators, newest first, filtered as the audit page asks."""
    events = AuditEvent.objects.select_related("actor", "subject")
    if action:
        events = events.filter(action=action)
    if person:
        events = events.filter(
            Q(actor__display_name__icontains=person) | Q(subject__display_name__icontains=person)
        )
    tz = timezone.get_current_timezone()
    if date_from:
        start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
        events = events.filter(created__gte=start)
    if date_to:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min)
        events = events.filter(created__lt=end.replace(tzinfo=tz))
    return events
