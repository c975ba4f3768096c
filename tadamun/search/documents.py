"""What a kind of content gives the search index about one item.

A kind registered in `core.content` with `search=<hook>` answers `hook(obj)` with a
`SearchDocument` (or None to keep the item out of the index). The hook says only *what* is
indexed; *who* may find it is decided at query time by the kind's `visible_to` selector, so
hidden, draft or restricted items may be indexed like any other.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from tadamun.core import content


@dataclass(frozen=True)
class FileToIndex:
    """A stored file whose text is extracted (PDF, DOCX, ODT, plain text) and indexed with the
    item. `key` identifies the file's content (its SHA-256): the text is extracted once per key,
    after the transaction that stored the file has committed (see search.services)."""

    key: str
    file: Any  # a FieldFile
    filename: str = ""
    content_type: str = ""


@dataclass
class SearchDocument:
    # Shown as the result's link and weighted above the body.
    title: str
    # Plain text (no Markdown, no HTML): indexed and used for snippets.
    body: str = ""
    # The language the item was written in ("" when unknown) and the others it can be read in.
    language: str = ""
    other_languages: tuple[str, ...] = ()
    # When it was written (None for people, organisations and workgroups: the date filter
    # leaves them out).
    date: datetime.datetime | None = None
    # The workgroup the item belongs to (its audience or its library), for the workgroup filter.
    workgroup: Any = None
    # Titles per reader language ({"ar": ..., "en": ...}): shown instead of `title` in that
    # language and indexed as titles too (names in both languages, translated titles).
    titles: dict[str, str] = field(default_factory=dict)
    # Indexed like the body, never shown in a snippet.
    extra: str = ""
    files: tuple[FileToIndex, ...] = ()

    @property
    def languages(self) -> list[str]:
        found = [self.language, *self.other_languages, *self.titles]
        return sorted({code for code in found if code})


def searchable_kinds() -> list[content.ContentKind]:
    """The registered kinds of content with a search hook, in registration order."""
    return [kind for kind in content.kinds() if kind.search is not None]
