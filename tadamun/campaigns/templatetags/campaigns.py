"""Dates on campaign pages: a day without the clock (when a campaign opened), and a day with
the hour and minute (when an event starts), in the reader's language and digits."""

import datetime

from babel.dates import format_skeleton
from django import template
from django.utils import timezone

from tadamun.core.templatetags.bidi import _digits, _locale, ldate

register = template.Library()


@register.filter
def day(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return ldate(value, "long")


@register.filter
def day_and_time(value) -> str:
    if not value:
        return ""
    value = timezone.localtime(value)
    locale = _locale()
    return _digits(
        f"{format_skeleton('yMMMEd', value, locale=locale)} · "
        f"{format_skeleton('Hm', value, locale=locale)}"
    )
