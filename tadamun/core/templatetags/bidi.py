"""Template helpers for bilingual content and localised numbers and dates.

Loaded as a builtin in every template: `{{ org|tr:"name" }}` picks `name_ar` or `name_en` by the
current language (falling back to the other), `{{ n|num }}` and `{{ d|ldate }}` format numbers
and dates the way a reader of the current language expects (Arabic-Indic digits in Arabic).
"""

import datetime

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_decimal
from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()

BABEL_LOCALES = {"ar": "ar_IQ", "en": "en_GB"}


ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _locale() -> str:
    return BABEL_LOCALES.get((get_language() or "ar")[:2], "en_GB")


def _digits(text: str) -> str:
    """Iraqi readers expect Arabic-Indic digits in Arabic text."""
    if (get_language() or "ar")[:2] == "ar":
        return text.translate(ARABIC_INDIC_DIGITS)
    return text


def pick(obj, field: str, language: str | None = None) -> str:
    """The value of `<field>_<language>`, else the other language's."""
    language = (language or get_language() or "ar")[:2]
    other = "en" if language == "ar" else "ar"
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_{other}", "") or ""


@register.filter
def tr(obj, field: str) -> str:
    return pick(obj, field)


@register.filter
def num(value) -> str:
    if value in (None, ""):
        return ""
    return _digits(format_decimal(value, locale=_locale(), numbering_system="default"))


@register.filter
def ldate(value, form: str = "long") -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return _digits(format_datetime(timezone.localtime(value), format=form, locale=_locale()))
    return _digits(format_date(value, format=form, locale=_locale()))


@register.filter
def ago(value) -> str:
    """How long ago, in the reader's language ("3 hours ago", "قبل ٣ ساعات")."""
    if not value:
        return ""
    # Babel says "… ago" for a negative span.
    span = value - timezone.now()
    if span > datetime.timedelta(0):
        span = datetime.timedelta(0)
    return _digits(format_timedelta(span, add_direction=True, threshold=1.0, locale=_locale()))


@register.simple_tag
def user_text(value, tag: str = "span"):
    """User-written text, isolated so that its direction cannot disturb the page."""
    return format_html('<{} dir="auto">{}</{}>', tag, value, tag)
