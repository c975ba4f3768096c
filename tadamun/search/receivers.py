"""The index follows the content: every save or deletion of a row of a kind registered with a
search hook (core.content) updates its entry in the same transaction, and so does a change to
the rows an item's entry is made of (`watch`: its translations, a document's versions).

Receivers are connected to those models only (never to every model: a receiver on all
deletions would stop Django's fast bulk deletes everywhere), as each kind is registered —
before or after this app is ready (core.content.on_register). Fixtures (`raw`) are ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from tadamun.core import content
from tadamun.search import services

# model -> the searchable item (or None) a row of it belongs to
_WATCHED: dict[type[Model], Callable[[Model], Model | None]] = {}


def on_save(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.index_object(instance)


def on_delete(sender, instance, **kwargs) -> None:
    services.remove_object(instance)


def follow_kind(kind: content.ContentKind) -> None:
    """Keep the entries of `kind` in step with its rows (a kind without a search hook: none)."""
    if kind.search is None:
        return
    uid = f"search_index_{kind.key}"
    post_save.connect(on_save, sender=kind.model, dispatch_uid=f"{uid}_save")
    post_delete.connect(on_delete, sender=kind.model, dispatch_uid=f"{uid}_delete")


def _reindex_item(item) -> None:
    if item is None or item.pk is None or not services.is_searchable(item):
        return
    fresh = type(item)._default_manager.filter(pk=item.pk).first()
    if fresh is not None:
        services.index_object(fresh)


def _deleted_through_its_item(instance, origin) -> bool:
    """A watched row deleted because something else is being deleted (its item, in a cascade):
    that deletion removes the entry itself, so there is nothing to re-index."""
    if origin is None:
        return False
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return origin_model is not type(instance)


def on_watched_save(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _reindex_item(_WATCHED[sender](instance))


def on_watched_delete(sender, instance, origin=None, **kwargs) -> None:
    if not _deleted_through_its_item(instance, origin):
        _reindex_item(_WATCHED[sender](instance))


def watch(model: type[Model], item_of: Callable[[Model], Model | None]) -> None:
    """Re-index `item_of(row)` whenever a row of `model` is saved or deleted."""
    _WATCHED[model] = item_of
    uid = f"search_watch_{model._meta.label_lower}"
    post_save.connect(on_watched_save, sender=model, dispatch_uid=f"{uid}_save")
    post_delete.connect(on_watched_delete, sender=model, dispatch_uid=f"{uid}_delete")


def connect() -> None:
    content.on_register(follow_kind)
