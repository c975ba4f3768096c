"""`{% localized obj as loc %}` — an item in the reader's language (see selectors.localize).
`{{ loc|field_html:"body" }}` — a field rendered for display: titles as text, the rest Markdown.
`{% translation_controls loc %}` — what the reader may do about languages on this item."""

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from tadamun.core.markdown import render_markdown
from tadamun.translations import selectors

register = template.Library()

PLAIN_FIELDS = {"title", "name", "subject"}


@register.simple_tag
def localized(obj, language: str | None = None):
    return selectors.localize(obj, language or get_language() or settings.LANGUAGE_CODE)


@register.filter
def field_html(text: str, field: str):
    if field in PLAIN_FIELDS:
        return escape(text)
    return render_markdown(text)


@register.filter
def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


@register.filter
def content_type_id(obj) -> int:
    return ContentType.objects.get_for_model(type(obj)).pk


@register.inclusion_tag("translations/_switch.html", takes_context=True)
def translation_controls(context, loc):
    request = context.get("request")
    user = getattr(request, "user", None)
    reader_language = get_language() or settings.LANGUAGE_CODE
    obj = loc.obj
    signed_in_member = bool(user and user.is_authenticated and user.is_member)
    can_translate = signed_in_member and selectors.can_translate(user, obj)
    wanted = reader_language if reader_language in loc.missing else None
    open_request = (
        selectors.open_request_for(obj, wanted) if (wanted and signed_in_member) else None
    )
    return {
        "loc": loc,
        "request": request,
        "ct": content_type_id(obj),
        "wanted": wanted,
        "can_ask": signed_in_member and wanted is not None,
        "asked": bool(open_request and open_request.requesters.filter(pk=user.pk).exists()),
        "open_request": open_request,
        "can_translate": can_translate,
        "missing": loc.missing,
        "both": bool(request and request.session.get("bilingual_both")),
        "plain_fields": PLAIN_FIELDS,
    }


@register.simple_tag(takes_context=True)
def show_both(context) -> bool:
    request = context.get("request")
    return bool(request and hasattr(request, "session") and request.session.get("bilingual_both"))


@register.filter
def fields_of(fields: dict) -> list[tuple[str, str]]:
    return [(name, value) for name, value in fields.items() if value]


@register.simple_tag
def lang_attrs(code: str):
    direction = "rtl" if code in settings.LANGUAGES_BIDI else "ltr"
    return mark_safe(f'lang="{escape(code)}" dir="{direction}"')  # nosec B308, B703
