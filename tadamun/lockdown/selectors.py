"""Whether the site or a workgroup is locked down. Asked on every request, for every
workgroup a page checks, and by every mail worker. The answer is one indexed query of the
active lockdowns, read once per request (SiteLockdownMiddleware opens and closes the request's
memo, so a page that asks sixty times asks once, and every page costs the same one query)
and, outside requests (mail workers), kept for LOCAL_SECONDS. A lockdown takes effect at the
next request of every web process, within a second in the workers, and at once in the process
that starts or lifts it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db.models import QuerySet

from tadamun.lockdown.models import Lockdown

LOCAL_SECONDS = 1.0
_local: dict = {}
_request = threading.local()


@dataclass(frozen=True)
class State:
    site: bool
    workgroup_ids: frozenset[int]


def _read() -> State:
    active = list(Lockdown.objects.filter(lifted_at__isnull=True).values_list("workgroup_id"))
    return State(
        site=any(workgroup_id is None for (workgroup_id,) in active),
        workgroup_ids=frozenset(wid for (wid,) in active if wid is not None),
    )


def state() -> State:
    if getattr(_request, "active", False):
        if _request.state is None:
            _request.state = _read()
        return _request.state
    now = time.monotonic()
    if _local and _local["until"] > now:
        return _local["state"]
    found = _read()
    _local.update(until=now + LOCAL_SECONDS, state=found)
    return found


def request_started() -> None:
    _request.active, _request.state = True, None


def request_finished() -> None:
    _request.active, _request.state = False, None


def forget_state() -> None:
    _local.clear()
    _request.state = None


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
