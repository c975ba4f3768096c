"""Counting confirmed signatures without counting them on every page view.

`tally_add()` is called in the transaction that confirms (+1), voids (-1) or enters (paper) a
signature: it adds to one of `Tally.SHARDS` rows of its (petition, partner, country,
governorate, source) — an upsert, so concurrent confirmations spread over several rows instead
of queueing on one. `counts()` sums the rows (a few dozen per petition) and keeps the result in
the cache for `CACHE_SECONDS`; `forget()` drops it after a change that must show at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Sum

from tadamun.petitions.models import Petition, Tally

CACHE_SECONDS = 2


def tally_add(
    *,
    petition_id: int,
    partner_id: int | None,
    country: str,
    governorate: str,
    source: str,
    delta: int = 1,
) -> None:
    """Add `delta` to one shard of the row for these keys (created when missing)."""
    shard = random.randrange(Tally.SHARDS)  # noqa: S311 (spreading writes, not a secret)
    keys = {
        "petition_id": petition_id,
        "partner_key": partner_id or 0,
        "country": country or "",
        "governorate": governorate or "",
        "source": source,
        "shard": shard,
    }
    table = Tally._meta.db_table
    with connection.cursor() as cursor:
        # One statement on both databases (SQLite ≥ 3.24 and PostgreSQL know ON CONFLICT).
        cursor.execute(
            f"INSERT INTO {table} (petition_id, partner_id, partner_key, country, governorate, "  # noqa: S608  # nosec B608
            "source, shard, count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (petition_id, partner_key, country, governorate, source, shard) "
            f"DO UPDATE SET count = {table}.count + EXCLUDED.count",
            [
                keys["petition_id"],
                partner_id,
                keys["partner_key"],
                keys["country"],
                keys["governorate"],
                keys["source"],
                shard,
                delta,
            ],
        )


@dataclass
class Counts:
    total: int = 0
    online: int = 0
    paper: int = 0
    by_country: dict[str, int] = field(default_factory=dict)
    by_governorate: dict[str, int] = field(default_factory=dict)
    by_partner: dict[int, int] = field(default_factory=dict)


def _cache_key(petition_id: int) -> str:
    return f"petitions:counts:{petition_id}"


def counts(petition: Petition | int, *, fresh: bool = False) -> Counts:
    """The petition's confirmed (and paper) signatures: total, by source, country,
    governorate (Iraq) and partner. From the tallies, cached for CACHE_SECONDS."""
    petition_id = getattr(petition, "pk", petition)
    if not fresh:
        cached = cache.get(_cache_key(petition_id))
        if cached is not None:
            return cached
    result = Counts()
    rows = (
        Tally.objects.filter(petition_id=petition_id)
        .values("partner_key", "country", "governorate", "source")
        .annotate(n=Sum("count"))
    )
    for row in rows:
        n = row["n"] or 0
        if not n:
            continue
        result.total += n
        if row["source"] == "paper":
            result.paper += n
        else:
            result.online += n
        if row["country"]:
            result.by_country[row["country"]] = result.by_country.get(row["country"], 0) + n
        if row["governorate"]:
            key = row["governorate"]
            result.by_governorate[key] = result.by_governorate.get(key, 0) + n
        if row["partner_key"]:
            key = row["partner_key"]
            result.by_partner[key] = result.by_partner.get(key, 0) + n
    cache.set(_cache_key(petition_id), result, CACHE_SECONDS)
    return result


def forget(petition: Petition | int) -> None:
    cache.delete(_cache_key(getattr(petition, "pk", petition)))


def next_goal(goal: int, total: int) -> int:
    """The goal shown: the first goal, then — once passed — the next step up (×2, ×2.5, ×2
    again: 1,000 → 2,000 → 5,000 → 10,000 → 20,000 → 50,000 …)."""
    goal = max(goal, 1)
    steps = (2, 2.5, 2)
    index = 0
    while total >= goal:
        goal = int(goal * steps[index % 3])
        index += 1
    return goal
