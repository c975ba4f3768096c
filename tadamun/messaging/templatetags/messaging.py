"""`{% load messaging %}{% messages_nav_item %}`: the header's link to the inbox, with the
number of conversations holding unread messages (one query; nothing for non-members)."""

from django import template

from tadamun.messaging.selectors import unread_conversations_count

register = template.Library()


@register.inclusion_tag("messaging/_nav_item.html", takes_context=True)
def messages_nav_item(context) -> dict:
    user = context.get("user")
    is_member = bool(user is not None and user.is_authenticated and user.is_member)
    return {
        "show": is_member,
        "unread": unread_conversations_count(user) if is_member else 0,
    }
