"""Keeping the search index in step with the content.

`index_object(obj)` and `remove_object(obj)` are called by the receivers in search.receivers
on every save and deletion of an indexed kind — inside the transaction that writes the content,
so an item and its index entry commit (or roll back) together. The text of files is the one
exception: reading a large PDF must not hold the database, so it is extracted once per file by
a task right after commit (`index_files_task`), which then updates the entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from tadamun.core import content
from tadamun.search import analysis
from tadamun.search.documents import SearchDocument, searchable_kinds
from tadamun.search.engines import tokens
from tadamun.search.extract import extract_field_file
from tadamun.search.models import BODY_MAX, FILE_TEXT_MAX, TITLE_MAX, SearchEntry

logger = logging.getLogger(__name__)


def is_searchable(model) -> bool:
    try:
        return content.kind_of(model).search is not None
    except LookupError:
        return False


def _terms(*texts: str) -> str:
    """The engines' tokens of the analysed texts, one space between them."""
    return " ".join(tokens(analysis.index_text("\n".join(text for text in texts if text))))


def _files_key(document: SearchDocument) -> str:
    return ",".join(file.key for file in document.files)[:700]


def _extract(document: SearchDocument) -> str:
    texts = []
    for file in document.files:
        texts.append(
            extract_field_file(file.file, filename=file.filename, content_type=file.content_type)
        )
    return "\n\n".join(text for text in texts if text)[:FILE_TEXT_MAX]


@dataclass
class _Fields:
    values: dict

    def differ_from(self, entry: SearchEntry) -> bool:
        return any(getattr(entry, name) != value for name, value in self.values.items())


def entry_fields(
    kind: content.ContentKind, document: SearchDocument, file_key: str = "", file_text: str = ""
) -> _Fields:
    """What the entry of an item holds (`.values`: the SearchEntry fields), computed from its
    kind's search document — and the files' text when already extracted. Used by index_object
    and by bulk loaders (bench/search.py)."""
    title = (document.title or "").strip()
    titles = {code: text.strip() for code, text in document.titles.items() if text and text.strip()}
    body = (document.body or "")[:BODY_MAX]
    other_titles = [text for text in dict.fromkeys(titles.values()) if text != title]
    return _Fields(
        {
            "kind": kind.key,
            "workgroup_id": getattr(document.workgroup, "pk", document.workgroup),
            "languages": "".join(f"|{code}" for code in document.languages) + "|"
            if document.languages
            else "",
            "date": document.date,
            "title": title[:TITLE_MAX],
            "titles": {code: text[:TITLE_MAX] for code, text in titles.items()},
            "body": body,
            "file_key": file_key,
            "file_text": file_text,
            "title_terms": _terms(title, *other_titles),
            "body_terms": _terms(body, document.extra, file_text),
        }
    )


def index_object(obj, *, extract_files: bool = False) -> SearchEntry | None:
    """Write (or remove) the index entry of `obj`, an item of a kind with a search hook.

    Files already extracted (same key) keep their text. New files are extracted here only when
    `extract_files` (the task and search_reindex, outside any transaction); otherwise the entry
    is written without their text and `index_files_task` is queued for after the commit."""
    kind = content.kind_of(obj)
    if kind.search is None:
        return None
    document = kind.search(obj)
    if document is None:
        remove_object(obj)
        return None
    content_type = ContentType.objects.get_for_model(type(obj))
    entry = SearchEntry.objects.filter(content_type=content_type, object_id=obj.pk).first()
    file_key = _files_key(document)
    pending = False
    if entry is not None and entry.file_key == file_key:
        file_text = entry.file_text
    elif not document.files:
        file_text = ""
    elif extract_files:
        file_text = _extract(document)
    else:
        # Until the task has read the new file, the entry holds no file text (and no key).
        file_key, file_text, pending = "", "", True
    fields = entry_fields(kind, document, file_key, file_text)
    with transaction.atomic():
        if entry is None:
            entry = SearchEntry.objects.create(
                content_type=content_type, object_id=obj.pk, **fields.values
            )
        elif fields.differ_from(entry):
            for name, value in fields.values.items():
                setattr(entry, name, value)
            entry.save()
        if pending:
            content_type_id, object_id = content_type.pk, obj.pk
            transaction.on_commit(
                lambda: _enqueue_files(content_type_id=content_type_id, object_id=object_id)
            )
    return entry


def _enqueue_files(*, content_type_id: int, object_id: int) -> None:
    from tadamun.search.tasks import index_files_task

    index_files_task.enqueue(content_type_id=content_type_id, object_id=object_id)


def remove_object(obj) -> int:
    """Delete the index entry of `obj` (nothing when it has none)."""
    content_type = ContentType.objects.get_for_model(type(obj))
    deleted, _by_model = SearchEntry.objects.filter(
        content_type=content_type, object_id=obj.pk
    ).delete()
    return deleted


def index_files(*, content_type_id: int, object_id: int) -> SearchEntry | None:
    """Extract the text of the item's new files and update its entry (the task's work)."""
    obj = content.resolve(content_type_id, object_id)
    if obj is None or not is_searchable(obj):
        return None
    return index_object(obj, extract_files=True)


# ------------------------------------------------------------------------------- rebuilding


@dataclass
class Progress:
    kind: str
    done: int
    total: int


def reindex(
    *,
    kinds: Iterable[str] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    chunk_size: int = 200,
) -> int:
    """Index every item of the given kinds (keys; all searchable kinds when None), extracting
    file text where needed, and drop the entries of items that no longer exist. Returns the
    number of items indexed."""
    wanted = set(kinds) if kinds else None
    done_total = 0
    for kind in searchable_kinds():
        if wanted is not None and kind.key not in wanted:
            continue
        model = kind.model
        content_type = ContentType.objects.get_for_model(model)
        existing = model._default_manager.order_by("pk")
        total = existing.count()
        done = 0
        if on_progress:
            on_progress(Progress(kind.key, done, total))
        for obj in existing.iterator(chunk_size=chunk_size):
            index_object(obj, extract_files=True)
            done += 1
            if on_progress and (done % chunk_size == 0 or done == total):
                on_progress(Progress(kind.key, done, total))
        SearchEntry.objects.filter(content_type=content_type).exclude(
            object_id__in=model._default_manager.values("pk")
        ).delete()
        done_total += done
    return done_total
