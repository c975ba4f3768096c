"""Lock down and lift: one step each, reversible, audited.

A workgroup's lockdown hides it from everyone but the network's coordinators (no page, no
search result, no feed entry, nobody can post), signs its members out (coordinators, who
respond to the emergency, stay signed in), and stops its mail: queued list deliveries wait,
digests skip it, and the LMTP server answers 451 (try later) for its addresses, so senders'
servers keep the messages and deliver them after the lifting. The site's lockdown does the
same for everything: every page but signing in answers 503 to all but coordinators, everyone
else is signed out, and no list, digest or petition mail goes out. Lifting restores
visibility and mail; sessions are not restored (people sign in again)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.accounts.services import sessions_end_for_users
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent
from tadamun.lockdown import selectors
from tadamun.lockdown.models import Lockdown


class NotAllowed(Exception):
    pass


def _check(by: User) -> None:
    if not (by.is_authenticated and by.is_member and by.is_network_coordinator):
        raise NotAllowed


def _people_to_sign_out(workgroup):
    people = User.objects.exclude(is_coordinator=True)
    if workgroup is not None:
        from tadamun.workgroups.models import WorkgroupMembership

        people = people.filter(
            pk__in=WorkgroupMembership.objects.filter(workgroup=workgroup).values("user_id")
        )
    return people


def lockdown_start(*, by: User, workgroup=None, reason: str = "") -> Lockdown:
    """Lock down `workgroup` (None: the whole site). Starting one already active returns it."""
    _check(by)
    with transaction.atomic():
        existing = selectors.active_lockdown(workgroup)
        if existing is not None:
            return existing
        lockdown = Lockdown.objects.create(
            workgroup=workgroup, reason=reason.strip()[:500], started_by=by
        )
        transaction.on_commit(selectors.forget_state)
    selectors.forget_state()
    # After the commit: from here no new page or mail passes; then the sessions go.
    ended = sessions_end_for_users(users=_people_to_sign_out(workgroup))
    Lockdown.objects.filter(pk=lockdown.pk).update(sessions_ended=ended)
    lockdown.sessions_ended = ended
    audit(
        AuditEvent.Action.LOCKDOWN_STARTED,
        actor=by,
        scope="site" if workgroup is None else "workgroup",
        workgroup=getattr(workgroup, "slug", ""),
        sessions_ended=ended,
    )
    return lockdown


def lockdown_lift(*, by: User, lockdown: Lockdown) -> Lockdown:
    _check(by)
    with transaction.atomic():
        updated = Lockdown.objects.filter(pk=lockdown.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=by
        )
        transaction.on_commit(selectors.forget_state)
    selectors.forget_state()
    lockdown.refresh_from_db()
    if updated:
        audit(
            AuditEvent.Action.LOCKDOWN_LIFTED,
            actor=by,
            scope="site" if lockdown.workgroup_id is None else "workgroup",
            workgroup=getattr(lockdown.workgroup, "slug", ""),
        )
        _wake_mail()
    return lockdown


def _wake_mail() -> None:
    """Queued mail waited during the lockdown: send it now rather than at the next sweep."""
    from tadamun.lists.tasks import deliver_due_task
    from tadamun.petitions.outbox import wake_senders

    transaction.on_commit(lambda: deliver_due_task.enqueue())
    transaction.on_commit(wake_senders)
