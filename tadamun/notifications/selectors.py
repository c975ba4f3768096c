"""Reads about notifications: who may be told about an item, each person's choices, and what a
person's notifications page shows.

Whether someone may see a notification's target is always asked of the target's own
visibility selector through the content registry (`tadamun.core.content`) — when the
notification is made, when it is mailed, and when it is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet, Value
from django.utils.safestring import SafeString

from tadamun.accounts.selectors import viewer_is_member
from tadamun.core import content
from tadamun.notifications.kinds import KINDS, sentence_html
from tadamun.notifications.models import Notification, NotificationPreference, NotificationSettings

User = get_user_model()

# Recipients asked about per query: each is one SELECT of a UNION, and SQLite allows 500.
VISIBILITY_BATCH = 400


def reachable_people(ids: Iterable[int]) -> QuerySet:
    """Of `ids`, the people who may be notified at all: active members (not applicants,
    declined or suspended people, nor deactivated accounts)."""
    return User.objects.filter(pk__in=list(ids), is_active=True).filter(
        Q(status=User.Status.MEMBER) | Q(is_superuser=True)
    )


def who_may_see(people: Iterable[Any], target: models.Model) -> set[int]:
    """Primary keys of those of `people` (User instances) who may see `target`, asked of the
    target kind's own selector: one UNION query per few hundred people, not one per person."""
    kind = content.kind_of(target)
    if target.pk is None:
        return set()
    seen: set[int] = set()
    for batch in batched(people, VISIBILITY_BATCH):
        branches = []
        for person in batch:
            visible = kind.visible_to(person)
            if visible.query.is_empty():
                continue
            branches.append(
                visible.filter(pk=target.pk)
                .order_by()
                .values_list(Value(person.pk, output_field=models.BigIntegerField()), flat=True)
            )
        if not branches:
            continue
        query = branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]
        seen.update(query.order_by())
    return seen


def visible_targets(user, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """Of (content type id, object id) pairs, the targets `user` may see now, keyed by pair:
    one query per kind of target. Deleted items and items `user` may no longer see are
    missing from the answer."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in pairs:
        by_type[content_type_id].add(object_id)
    found: dict[tuple[int, int], Any] = {}
    for content_type_id, ids in by_type.items():
        content_type = ContentType.objects.get_for_id(content_type_id)
        kind = content.kind_for_content_type(content_type)
        if kind is None:
            continue
        for obj in kind.visible_to(user).filter(pk__in=ids).order_by():
            found[(content_type_id, obj.pk)] = obj
    return found


def channels_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's e-mail channel for `kind` (their choice, else the kind's default)."""
    user_ids = list(user_ids)
    default = KINDS[kind].default_channel
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "channel"
        )
    )
    return {user_id: chosen.get(user_id, default) for user_id in user_ids}


def preferences_of(user) -> dict[str, str]:
    """`user`'s channel for every kind, in the order of the settings page."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return {key: chosen.get(key, kind.default_channel) for key, kind in KINDS.items()}


def settings_of(user) -> NotificationSettings:
    """`user`'s person-wide settings (unsaved defaults when they never chose)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def content_free(user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who want content-free e-mails."""
    return set(
        NotificationSettings.objects.filter(
            user_id__in=list(user_ids), content_free_emails=True
        ).values_list("user_id", flat=True)
    )


def notifications_of(user) -> QuerySet[Notification]:
    """`user`'s own notifications, newest first (nobody else's, whoever asks)."""
    if not viewer_is_member(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created", "-pk")


def unread_count(user) -> int:
    if not viewer_is_member(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@dataclass
class Shown:
    """A notification as one reader sees it: the target only if they may still see it, the
    actor's name only if they may see the actor."""

    notification: Notification
    target: Any  # None when gone or no longer visible
    actor_name: str | None

    @property
    def available(self) -> bool:
        return self.target is not None

    @property
    def sentence(self) -> SafeString:
        """In the language of the page being rendered."""
        n = self.notification
        return sentence_html(n.kind, actor_name=self.actor_name, data=n.data)


def shown_to(user, notifications: Iterable[Notification]) -> list[Shown]:
    """Prepare a page of `user`'s notifications: one query per kind of target, one for
    actors."""
    notifications = list(notifications)
    targets = visible_targets(user, ((n.content_type_id, n.object_id) for n in notifications))
    actor_ids = {n.actor_id for n in notifications if n.actor_id}
    names: dict[int, str] = {}
    if actor_ids:
        people = content.kind_of(User).visible_to(user).filter(pk__in=actor_ids).order_by()
        names = {person.pk: str(person) for person in people}
    return [
        Shown(
            notification=n,
            target=targets.get((n.content_type_id, n.object_id)),
            actor_name=names.get(n.actor_id),
        )
        for n in notifications
    ]
