"""Reading bilingual content: what a reader sees of an item in their language, and the queue.

`localize(obj, language)` and `localize_many(objs, language)` give a `Localized` view of items;
templates use `{% localized obj as loc %}` (see templatetags) and include
`translations/_text.html` or read `loc.text.<field>` themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from tadamun.core import content
from tadamun.translations.models import Translation, TranslationRequest

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


@dataclass
class Localized:
    obj: object
    original_language: str
    shown_language: str
    text: dict[str, str]  # the fields in the shown language
    original: dict[str, str]  # the fields as written
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def is_translation(self) -> bool:
        return self.shown_language != self.original_language

    @property
    def languages(self) -> list[str]:
        return [self.original_language, *sorted(self.translations)]

    @property
    def missing(self) -> list[str]:
        return [code for code in LANGUAGE_CODES if code not in self.languages]

    @property
    def other(self) -> tuple[str, dict[str, str]] | None:
        """The version not shown (the original under a translation, or a translation under the
        original) — what "both side by side" puts next to the text."""
        if self.is_translation:
            return self.original_language, self.original
        for code, fields in sorted(self.translations.items()):
            if code != self.shown_language:
                return code, fields
        return None


def _text_fields(obj) -> tuple[str, ...]:
    return content.kind_of(obj).text_fields


def _original_fields(obj) -> dict[str, str]:
    return {name: getattr(obj, name) or "" for name in _text_fields(obj)}


def _build(obj, language: str, translations: dict[str, dict[str, str]]) -> Localized:
    original = _original_fields(obj)
    shown = obj.language
    text = original
    if language != obj.language and language in translations:
        shown = language
        # A field left untranslated falls back to the original's.
        text = {name: translations[language].get(name) or original[name] for name in original}
    return Localized(
        obj=obj,
        original_language=obj.language,
        shown_language=shown,
        text=text,
        original=original,
        translations=translations,
    )


def translations_of(obj) -> dict[str, dict[str, str]]:
    content_type = ContentType.objects.get_for_model(type(obj))
    rows = Translation.objects.filter(content_type=content_type, object_id=obj.pk).exclude(
        language=obj.language
    )
    return {row.language: row.fields for row in rows}


def localize(obj, language: str) -> Localized:
    return _build(obj, language, translations_of(obj))


def localize_many(objs: Sequence, language: str) -> list[Localized]:
    """Localized views of `objs` (of any registered kinds) in one query per kind."""
    by_type: dict[int, list] = defaultdict(list)
    for obj in objs:
        by_type[ContentType.objects.get_for_model(type(obj)).pk].append(obj.pk)
    found: dict[tuple[int, int], dict[str, dict[str, str]]] = defaultdict(dict)
    if by_type:
        condition = Q()
        for type_id, ids in by_type.items():
            condition |= Q(content_type_id=type_id, object_id__in=ids)
        for row in Translation.objects.filter(condition).only(
            "content_type_id", "object_id", "language", "fields"
        ):
            found[(row.content_type_id, row.object_id)][row.language] = row.fields
    result = []
    for obj in objs:
        type_id = ContentType.objects.get_for_model(type(obj)).pk
        translations = {
            code: fields
            for code, fields in found.get((type_id, obj.pk), {}).items()
            if code != obj.language
        }
        result.append(_build(obj, language, translations))
    return result


def has_all_languages(obj) -> bool:
    """True when the item exists in every language of the site (its original + translations
    whose every text field is filled)."""
    translations = translations_of(obj)
    fields = _text_fields(obj)
    for code in LANGUAGE_CODES:
        if code == obj.language:
            continue
        translated = translations.get(code)
        if not translated:
            return False
        if any(getattr(obj, name) and not (translated.get(name) or "").strip() for name in fields):
            return False
    return True


def can_translate(user, obj) -> bool:
    """Authors of an item and members with the translator role may add its translations, when
    they may see it."""
    if not getattr(user, "is_authenticated", False) or not user.is_member:
        return False
    kind = content.kind_of(obj)
    if not (user.is_translator or any(author == user for author in kind.authors(obj))):
        return False
    return content.can_see(user, obj)


def open_request_for(obj, target_language: str) -> TranslationRequest | None:
    return TranslationRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        target_language=target_language,
        status__in=TranslationRequest.OPEN,
    ).first()


def queue_for(
    user, *, source: str | None = None, target: str | None = None
) -> list[TranslationRequest]:
    """Open requests `user` (a translator) may work on, the longest-waiting first, each with its
    `item` set — only items the translator may see."""
    if not getattr(user, "is_authenticated", False) or not (user.is_member and user.is_translator):
        return []
    requests: QuerySet = TranslationRequest.objects.filter(
        status__in=TranslationRequest.OPEN
    ).select_related("claimed_by", "content_type")
    if source:
        requests = requests.filter(source_language=source)
    if target:
        requests = requests.filter(target_language=target)
    requests = list(requests.order_by("created", "pk")[:500])
    return _with_visible_items(user, requests)


def _with_visible_items(user, requests: Iterable[TranslationRequest]) -> list[TranslationRequest]:
    by_type: dict[int, list[TranslationRequest]] = defaultdict(list)
    for request in requests:
        by_type[request.content_type_id].append(request)
    kept: list[TranslationRequest] = []
    for type_id, group in by_type.items():
        kind = content.kind_for_content_type(ContentType.objects.get_for_id(type_id))
        if kind is None:
            continue
        items = kind.visible_to(user).in_bulk([request.object_id for request in group])
        for request in group:
            item = items.get(request.object_id)
            if item is not None:
                request.item = item
                kept.append(request)
    kept.sort(key=lambda request: (request.created, request.pk))
    return kept


def queue_pairs(requests: Iterable[TranslationRequest]) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for request in requests:
        counts[(request.source_language, request.target_language)] += 1
    return [(source, target, count) for (source, target), count in sorted(counts.items())]


def requests_of(obj) -> QuerySet[TranslationRequest]:
    return TranslationRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    )
