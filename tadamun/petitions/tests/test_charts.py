"""Confirmed signatures per day (tadamun/petitions/charts.py)."""

import datetime
import re

from django.core.cache import cache
from django.utils import timezone, translation

from tadamun.petitions import charts
from tadamun.petitions.models import Signature
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory


def confirmed(petition, at, **kwargs):
    signature = SignatureFactory(petition=petition, confirmed=True, **kwargs)
    Signature.objects.filter(pk=signature.pk).update(confirmed_at=at)
    return signature


def test_counts_confirmed_signatures_per_day_of_the_last_30(petition):
    now = timezone.now()
    today = timezone.localdate()
    confirmed(petition, now)
    confirmed(petition, now)
    confirmed(petition, now - datetime.timedelta(days=3))
    confirmed(petition, now - datetime.timedelta(days=40))  # too old
    SignatureFactory(petition=petition)  # pending: not counted
    confirmed(PetitionFactory(), now)  # another petition
    per_day = charts.signatures_per_day(petition.pk, today=today)
    three_days_ago = timezone.localdate(now - datetime.timedelta(days=3))
    assert per_day == {today: 2, three_days_ago: 1}


def test_days_are_baghdad_days(petition, settings):
    settings.TIME_ZONE = "Asia/Baghdad"
    evening_utc = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)  # 01:30 on 2 March
    confirmed(petition, evening_utc)
    per_day = charts.signatures_per_day(petition.pk, today=datetime.date(2026, 3, 5))
    assert per_day == {datetime.date(2026, 3, 2): 1}


def test_the_count_is_cached_for_a_minute(petition, django_assert_num_queries):
    confirmed(petition, timezone.now())
    with django_assert_num_queries(1):
        first = charts.signing_chart(petition)
    confirmed(petition, timezone.now())
    with django_assert_num_queries(0):
        second = charts.signing_chart(petition)
    assert second == first  # the new signature shows once the minute is over …
    cache.clear()
    with django_assert_num_queries(1):
        third = charts.signing_chart(petition)
    assert third != first  # … or the cache is emptied


def test_the_chart_has_thirty_bars_and_reads_out_each_day(petition):
    confirmed(petition, timezone.now())
    with translation.override("en"):
        svg = charts.signing_chart(petition)
    assert svg.count('class="chart-bar"') == 30
    assert f'id="signing-{petition.pk}-title"' in svg
    assert "Confirmed signatures per day, last 30 days" in svg
    description = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert description.count(";") == 29
    assert description.endswith(": 1")


def test_the_chart_in_arabic_uses_arabic_indic_digits(petition):
    confirmed(petition, timezone.now())
    with translation.override("ar"):
        svg = charts.signing_chart(petition)
    description = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert description.endswith(": ١")
    assert not re.search(r"[0-9]", description)
