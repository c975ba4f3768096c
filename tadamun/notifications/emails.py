"""Notification e-mails: one notification at once, or the daily summary, in the recipient's
language — or, for people who chose content-free e-mails, a message that only says there is
something new, with a link to their notifications.

Every e-mail is composed at send time from the target as it is then, and only for targets the
recipient may still see (asked of the target's own selector): an item deleted or made private
since the notification was made is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from tadamun.core import content
from tadamun.core.mail import send_templated_mail
from tadamun.core.markdown import plain_text
from tadamun.notifications import kinds, selectors
from tadamun.notifications.models import Notification

User = get_user_model()

TITLE_LIMIT = 120
EXCERPT_LIMIT = 300


@dataclass
class Item:
    """What an e-mail says about one notification, in the recipient's language."""

    sentence: str
    title: str
    excerpt: str
    note: str
    url: str


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _texts(target, language: str) -> tuple[str, str]:
    """(title, excerpt) of `target` in `language` (its translation when there is one)."""
    fields = content.kind_of(target).text_fields
    if not fields or not hasattr(target, "language"):
        name = getattr(target, f"name_{language}", None) or str(target)
        return plain_text(str(name), limit=TITLE_LIMIT), ""
    from tadamun.translations.selectors import localize

    text = localize(target, language).text
    values = [text.get(name) or "" for name in fields]
    if len(values) == 1:
        return "", plain_text(values[0], limit=EXCERPT_LIMIT)
    title = plain_text(values[0], limit=TITLE_LIMIT)
    return title, plain_text("\n\n".join(values[1:]), limit=EXCERPT_LIMIT)


def _item(notification: Notification, target, recipient, actor_names: dict[int, str]) -> Item:
    """Called inside `translation.override(recipient's language)`."""
    language = recipient.preferred_language
    title, excerpt = _texts(target, language)
    note = ""
    if notification.kind == "report_decision":
        note = plain_text(str(notification.data.get("note") or ""), limit=EXCERPT_LIMIT)
    return Item(
        sentence=kinds.sentence(
            notification.kind,
            actor_name=actor_names.get(notification.actor_id),
            data=notification.data,
        ),
        title=title,
        excerpt=excerpt,
        note=note,
        url=_absolute(reverse("notifications:open", kwargs={"pk": notification.pk})),
    )


def still_visible(notifications: Iterable[Notification]) -> dict[int, object]:
    """{notification pk: target} for those whose recipient may still see the target and is
    still an active member: one resolution and one visibility query per distinct target."""
    notifications = list(notifications)
    by_target: dict[tuple[int, int], list[Notification]] = defaultdict(list)
    for n in notifications:
        by_target[(n.content_type_id, n.object_id)].append(n)
    reachable = set(
        selectors.reachable_people({n.recipient_id for n in notifications}).values_list(
            "pk", flat=True
        )
    )
    found: dict[int, object] = {}
    for (content_type_id, object_id), group in by_target.items():
        target = content.resolve(content_type_id, object_id)
        if target is None:
            continue
        people = [n.recipient for n in group if n.recipient_id in reachable]
        allowed = selectors.who_may_see(people, target)
        for n in group:
            if n.recipient_id in allowed:
                found[n.pk] = target
    return found


def _actor_names(recipient, notifications: Iterable[Notification]) -> dict[int, str]:
    """Names of the actors `recipient` may see (others are "someone")."""
    ids = {n.actor_id for n in notifications if n.actor_id}
    if not ids:
        return {}
    people = content.kind_of(User).visible_to(recipient).filter(pk__in=ids).order_by()
    return {person.pk: str(person) for person in people}


def send_one(notification: Notification, target, *, content_free: bool) -> None:
    recipient = notification.recipient
    language = recipient.preferred_language
    with translation.override(language):
        list_url = _absolute(reverse("notifications:list"))
        settings_url = _absolute(reverse("notifications:settings"))
        if content_free:
            send_templated_mail(
                template="notifications/email/content_free",
                to=recipient.email,
                language=language,
                context={"list_url": list_url, "settings_url": settings_url},
            )
            return
        item = _item(notification, target, recipient, _actor_names(recipient, [notification]))
        send_templated_mail(
            template="notifications/email/notification",
            to=recipient.email,
            language=language,
            context={
                "recipient": recipient,
                "item": item,
                "list_url": list_url,
                "settings_url": settings_url,
            },
        )


def send_digest(
    recipient, items: list[tuple[Notification, object]], *, total: int, content_free: bool
) -> None:
    language = recipient.preferred_language
    with translation.override(language):
        list_url = _absolute(reverse("notifications:list"))
        settings_url = _absolute(reverse("notifications:settings"))
        if content_free:
            send_templated_mail(
                template="notifications/email/content_free",
                to=recipient.email,
                language=language,
                context={"list_url": list_url, "settings_url": settings_url},
            )
            return
        names = _actor_names(recipient, [n for n, _target in items])
        send_templated_mail(
            template="notifications/email/digest",
            to=recipient.email,
            language=language,
            context={
                "recipient": recipient,
                "items": [_item(n, target, recipient, names) for n, target in items],
                "count": total,
                "more": total - len(items),
                "list_url": list_url,
                "settings_url": settings_url,
            },
        )
