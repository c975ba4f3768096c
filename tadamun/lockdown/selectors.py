"""Whether the site or a workgroup is locked down. Asked on every request and by every
mail worker, so the answer is cached (shared cache, dropped at each change) — a lockdown
takes effect at once in every process."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet

from tadamun.lockdown.models import Lockdown

CACHE_KEY = "lockdown:state:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class State:
    site: bool
    workgroup_ids: frozenset[int]


def state() -> State:
    found = cache.get(CACHE_KEY)
    if found is None:
        active = list(Lockdown.objects.filter(lifted_at__isnull=True).values_list("workgroup_id"))
        found = State(
            site=any(workgroup_id is None for (workgroup_id,) in active),
            workgroup_ids=frozenset(wid for (wid,) in active if wid is not None),
        )
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def forget_state() -> None:
    cache.delete(CACHE_KEY)


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
