"""Whether the site or a workgroup is locked down. Asked on every request, for every
workgroup a page checks, and by every mail worker: the answer (one indexed query of the
active lockdowns) is kept in the process for LOCAL_SECONDS, so a page that asks sixty times
asks the database once, and a lockdown takes effect in every process within a second — in
the process that starts or lifts it, at once."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import QuerySet

from tadamun.lockdown.models import Lockdown

LOCAL_SECONDS = 1.0
_local: dict = {}


@dataclass(frozen=True)
class State:
    site: bool
    workgroup_ids: frozenset[int]


def state() -> State:
    now = time.monotonic()
    if _local and _local["until"] > now:
        return _local["state"]
    active = list(Lockdown.objects.filter(lifted_at__isnull=True).values_list("workgroup_id"))
    found = State(
        site=any(workgroup_id is None for (workgroup_id,) in active),
        workgroup_ids=frozenset(wid for (wid,) in active if wid is not None),
    )
    _local.update(until=now + LOCAL_SECONDS, state=found)
    return found


def forget_state() -> None:
    _local.clear()


def site_locked() -> bool:
    return state().site


def locked_workgroup_ids() -> frozenset[int]:
    return state().workgroup_ids


def workgroup_locked(workgroup_id: int | None) -> bool:
    return workgroup_id is not None and workgroup_id in state().workgroup_ids


def mail_stopped_for(workgroup_id: int | None = None) -> bool:
    """No list mail goes out, and none comes in, for a locked workgroup or a locked site."""
    current = state()
    return current.site or (workgroup_id is not None and workgroup_id in current.workgroup_ids)


def active_lockdown(workgroup=None) -> Lockdown | None:
    return Lockdown.objects.filter(workgroup=workgroup, lifted_at__isnull=True).first()


def history() -> QuerySet[Lockdown]:
    return Lockdown.objects.select_related("workgroup", "started_by", "lifted_by")
