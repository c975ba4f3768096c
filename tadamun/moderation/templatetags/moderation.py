"""`{% load moderation %}` — for other apps' templates:

    {% include "moderation/_report_link.html" with obj=post %}

and for the site menu: `{% open_report_count as waiting %}` (None for people who review
nothing, else the number of items waiting for them).
"""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tadamun.moderation import selectors

register = template.Library()


@register.simple_tag
def content_type_id(obj) -> int | None:
    if obj is None or getattr(obj, "pk", None) is None:
        return None
    return ContentType.objects.get_for_model(obj).pk


@register.simple_tag(takes_context=True)
def report_url(context, obj) -> str:
    """Where `request.user` reports `obj`: empty for anyone who may not (signed out, not a
    member, its author, a kind that cannot be reported)."""
    user = context.get("user")
    if (
        obj is None
        or getattr(obj, "pk", None) is None
        or not getattr(user, "is_authenticated", False)
        or not user.is_member
        or not selectors.is_reportable(obj)
        or selectors.is_author(user, obj)
    ):
        return ""
    return reverse(
        "moderation:report",
        kwargs={"content_type_id": content_type_id(obj), "object_id": obj.pk},
    )


@register.simple_tag(takes_context=True)
def open_report_count(context) -> int | None:
    return selectors.open_item_count(context.get("user"))
