"""The signing rate of a petition as a small server-drawn bar chart (tadamun.core.charts).

Confirmed signatures per day over the last 30 days, counted by one grouped query whose result
is kept in the cache for a minute: a busy petition page must not count signatures on every
view. The days are those of the site's time zone (Baghdad), the labels those of the reader.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tadamun.core.charts import bar_chart
from tadamun.core.templatetags.bidi import ldate, num
from tadamun.petitions.models import Petition, Signature

DAYS = 30
CACHE_SECONDS = 60
LABEL_EVERY = 7  # a date under every 7th bar (counted back from today), or they overlap


def _cache_key(petition_id: int, today: datetime.date) -> str:
    # The day is part of the key: after midnight the window moves, whatever the cache holds.
    return f"petitions:signing-chart:{petition_id}:{today.isoformat()}"


def signatures_per_day(petition_id: int, *, today: datetime.date) -> dict[datetime.date, int]:
    """{day: confirmed signatures} for the DAYS days up to `today` (days without any are
    missing), from the cache when it was counted less than CACHE_SECONDS ago."""
    key = _cache_key(petition_id, today)
    cached = cache.get(key)
    if cached is not None:
        return cached
    zone = timezone.get_current_timezone()
    first = today - datetime.timedelta(days=DAYS - 1)
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    rows = (
        Signature.objects.filter(
            petition_id=petition_id,
            state=Signature.State.CONFIRMED,
            confirmed_at__gte=since,
        )
        .annotate(day=TruncDate("confirmed_at", tzinfo=zone))
        .values("day")
        .annotate(signatures=Count("pk"))
        .order_by()
    )
    per_day = {row["day"]: row["signatures"] for row in rows if row["day"] <= today}
    cache.set(key, per_day, CACHE_SECONDS)
    return per_day


def signing_chart(petition: Petition) -> SafeString:
    """An <svg> bar chart of confirmed signatures per day, the last 30 days, oldest first in
    the reading direction. Place it in a <figure class="chart-figure">."""
    today = timezone.localdate()
    per_day = signatures_per_day(petition.pk, today=today)
    points = []
    for back in range(DAYS - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        short = ldate(day, "d MMM") if back % LABEL_EVERY == 0 else ""
        points.append((short, ldate(day, "long"), per_day.get(day, 0)))
    return bar_chart(
        points,
        title=_("Confirmed signatures per day, last 30 days"),
        chart_id=f"signing-{petition.pk}",
        value_text=num,
    )
