"""The kinds of content people write, registered once, so that the apps that act on *any* item
(the translation queue, notifications, reports to coordinators, and later search and the API)
ask one question — "may this person see this item?" — of the same selector the item's own pages
use, and never keep a second copy of the rule.

An app registers each model in its `AppConfig.ready()`:

    content.register(
        Post,
        label=_("post"),
        visible_to=selectors.posts_visible_to,   # (user) -> QuerySet of what that user may see
        authors=lambda post: [post.author],      # people told about decisions on the item
    )

and the item's `get_absolute_url()` is where people are sent.

A kind that people can find through the site's search also passes `search=`: a function
`(obj) -> tadamun.search.documents.SearchDocument | None` saying what of the item is indexed
(title, plain-text body, languages, date, workgroup, files whose text is extracted); the search
app keeps its index in step with every save and deletion of the kind's rows. Which results a
searcher sees is still decided by `visible_to`, at query time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet


@dataclass(frozen=True)
class ContentKind:
    model: type[models.Model]
    label: Any  # a lazy translatable string
    visible_to: Callable[[Any], QuerySet]
    authors: Callable[[Any], Iterable[Any]] = field(default=lambda obj: [])
    # Fields whose text the item is made of, in the order a reader meets them (translations,
    # search snippets). Empty for kinds that carry no translatable text.
    text_fields: tuple[str, ...] = ()
    # The workgroup an item belongs to (its audience), or None for network-wide items: reports
    # on it are reviewed by that workgroup's moderators as well as by coordinators.
    workgroup: Callable[[Any], Any] = field(default=lambda obj: None)
    # What the search index holds of an item (see the module docstring); None: not searchable.
    search: Callable[[Any], Any] | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


_REGISTRY: dict[str, ContentKind] = {}
# Called with every kind, registered before or after the listener (see `on_register`).
_LISTENERS: list[Callable[[ContentKind], None]] = []


def register(
    model: type[models.Model],
    *,
    label: Any,
    visible_to: Callable[[Any], QuerySet],
    authors: Callable[[Any], Iterable[Any]] | None = None,
    text_fields: tuple[str, ...] = (),
    workgroup: Callable[[Any], Any] | None = None,
    search: Callable[[Any], Any] | None = None,
) -> ContentKind:
    kind = ContentKind(
        model=model,
        label=label,
        visible_to=visible_to,
        authors=authors or (lambda obj: []),
        text_fields=text_fields,
        workgroup=workgroup or (lambda obj: None),
        search=search,
    )
    _REGISTRY[kind.key] = kind
    for listener in _LISTENERS:
        listener(kind)
    return kind


def on_register(listener: Callable[[ContentKind], None]) -> None:
    """Call `listener(kind)` for every kind, those registered already and those to come (the
    search index connects its receivers to each searchable model this way, whatever the order
    of the apps)."""
    _LISTENERS.append(listener)
    for kind in list(_REGISTRY.values()):
        listener(kind)


def kinds() -> list[ContentKind]:
    return list(_REGISTRY.values())


def kind_of(obj_or_model) -> ContentKind:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    try:
        return _REGISTRY[model._meta.label_lower]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not a registered kind of content") from None


def kind_for_content_type(content_type: ContentType) -> ContentKind | None:
    return _REGISTRY.get(f"{content_type.app_label}.{content_type.model}")


def can_see(user, obj) -> bool:
    """True when `user` may see `obj` according to its kind's own selector."""
    if obj is None or obj.pk is None:
        return False
    return kind_of(obj).visible_to(user).filter(pk=obj.pk).exists()


def visible_ids(user, model: type[models.Model], ids: Iterable[int]) -> set[int]:
    """Of `ids` (primary keys of `model`), those `user` may see — one query."""
    ids = list(ids)
    if not ids:
        return set()
    return set(kind_of(model).visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def resolve(content_type_id: int, object_id: int):
    """The object behind a (content type, id) pair, or None if it is gone or not registered."""
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        return None
    kind = kind_for_content_type(content_type)
    if kind is None:
        return None
    return kind.model._default_manager.filter(pk=object_id).first()
