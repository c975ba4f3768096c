"""Searching: what a viewer finds, in rank order, and only what they may see.

`search(viewer, raw_query, ...)` asks the engine (search.engines) for ranked candidate entries,
with the filters (kind, workgroup, language, dates) in the same SQL, then keeps only the items
the kind's own selector (`core.content` → `visible_to(viewer)`) lets the viewer see — the very
selector of the item's pages — batch after batch until the page is full.

Cost: one engine query for up to `MAX_SCANNED` ranked candidates, then, per batch of them
(`BATCH`, doubling while the page is not full), one light query for the entries and one
visibility query per kind present in it; then one query for the page's entries and one per
kind for the page's objects (plus what their `get_absolute_url()` reads). When most candidates
are hidden from the viewer, deeper pages check more of them: at most `MAX_SCANNED` per request,
after which the results stop (`Results.truncated`). No total count is computed (it would need
every candidate checked); pages link to the next one when there is one.

Snippets and highlighted titles are built from escaped text with `<mark>` around the words
matching the query (search.analysis.highlight_spans) — never raw user text marked safe.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language

from tadamun.accounts.selectors import viewer_is_member
from tadamun.core import content
from tadamun.search import analysis
from tadamun.search.documents import searchable_kinds
from tadamun.search.engines import Filters, Match, engine_for
from tadamun.search.models import SearchEntry
from tadamun.workgroups.models import Workgroup
from tadamun.workgroups.selectors import readable_workgroups

BATCH = 100
MAX_SCANNED = 2000
MAX_PAGE = 50
SNIPPET_LENGTH = 200
# How far before the first matching word a snippet starts.
SNIPPET_LEAD = 60
# highlight_spans reads long texts this many characters at a time, until a match.
SCAN_CHUNK = 4000
TITLE_FALLBACK_LENGTH = 80


@dataclass
class Result:
    obj: Any
    kind: content.ContentKind
    url: str
    title: SafeString
    snippet: SafeString
    date: datetime.datetime | None
    is_hidden: bool = False

    @property
    def kind_label(self):
        return self.kind.label

    @property
    def kind_key(self) -> str:
        return self.kind.key


@dataclass
class Results:
    query: analysis.ParsedQuery
    items: list[Result] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    has_next: bool = False
    # True when the scan stopped at MAX_SCANNED before the page was full.
    truncated: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def searched(self) -> bool:
        """False when the query had no word to look for (empty, or only stop words)."""
        return bool(self.query)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def workgroups_to_filter_by(viewer) -> QuerySet[Workgroup]:
    """The workgroups offered in the workgroup filter: those whose content `viewer` may read."""
    if not viewer_is_member(viewer):
        return Workgroup.objects.none()
    return readable_workgroups(viewer).order_by("slug")


def search(
    viewer,
    raw_query: str,
    *,
    kinds: list[str] | None = None,
    workgroup: Workgroup | int | None = None,
    language: str | None = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """The items matching `raw_query` that `viewer` may see, best first (see the module
    docstring). `kinds` are content keys ("social.post"); `since` is inclusive, `until`
    exclusive."""
    query = analysis.parse_query(raw_query or "")
    page = max(1, min(int(page), MAX_PAGE))
    results = Results(query=query, page=page, per_page=per_page)
    match = Match.from_query(query)
    if not match:
        return results
    searchable = {kind.key: kind for kind in searchable_kinds()}
    wanted = [key for key in (kinds or searchable) if key in searchable]
    if not wanted:
        return results
    filters = Filters(
        # Every kind: no kind condition (the engine need not read the entries to rank).
        kinds=None if set(wanted) == set(searchable) else wanted,
        workgroup_id=getattr(workgroup, "pk", workgroup),
        language=language or None,
        since=since,
        until=until,
    )
    skip = (page - 1) * per_page
    needed = per_page + 1  # one more than the page: is there a next page?
    found: list[int] = []
    # One engine query for every candidate this request may look at, best first.
    ids = engine_for(connection).candidate_ids(match, filters, limit=MAX_SCANNED)
    scanned = 0
    batch = BATCH
    while len(found) < needed and scanned < len(ids):
        chunk = ids[scanned : scanned + batch]
        scanned += len(chunk)
        for entry_id in _visible_entries(viewer, chunk, searchable):
            if skip:
                skip -= 1
            else:
                found.append(entry_id)
        # Few visible so far: check more at each step (fewer visibility queries).
        batch *= 2
    results.truncated = len(found) < needed and len(ids) == MAX_SCANNED == scanned
    results.has_next = len(found) > per_page
    page_ids = found[:per_page]
    entries = SearchEntry.objects.in_bulk(page_ids)
    results.items = _results(viewer, [entries[pk] for pk in page_ids], searchable, query)
    return results


def _visible_entries(viewer, ids: list[int], searchable: dict) -> list[int]:
    """The entries of `ids` (in that order) whose item `viewer` may see (their texts are not
    read here: only the page's entries are)."""
    if not ids:
        return []
    light = SearchEntry.objects.filter(pk__in=ids).only("pk", "kind", "object_id")
    entries = {entry.pk: entry for entry in light}
    by_kind: dict[str, set[int]] = defaultdict(set)
    for entry in entries.values():
        by_kind[entry.kind].add(entry.object_id)
    visible: dict[str, set[int]] = {}
    for key, object_ids in by_kind.items():
        kind = searchable.get(key)
        visible[key] = content.visible_ids(viewer, kind.model, object_ids) if kind else set()
    return [
        pk for pk in ids if pk in entries and entries[pk].object_id in visible[entries[pk].kind]
    ]


def _results(viewer, entries: list[SearchEntry], searchable: dict, query) -> list[Result]:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry.object_id)
    objects: dict[tuple[str, int], Any] = {}
    for key, object_ids in by_kind.items():
        kind = searchable[key]
        # Through the selector again: the page shows only what is visible at this moment.
        for obj in kind.visible_to(viewer).filter(pk__in=object_ids):
            objects[(key, obj.pk)] = obj
    language = (get_language() or "ar")[:2]
    items = []
    for entry in entries:
        obj = objects.get((entry.kind, entry.object_id))
        if obj is None:
            continue
        title = entry.titles.get(language) or entry.title
        text = entry.body
        if entry.file_text:
            text = f"{text}\n\n{entry.file_text}" if text else entry.file_text
        items.append(
            Result(
                obj=obj,
                kind=searchable[entry.kind],
                url=obj.get_absolute_url(),
                title=highlight(title or _fallback_title(text), query),
                snippet=snippet(text, query),
                date=entry.date,
                is_hidden=bool(getattr(obj, "is_hidden", False)),
            )
        )
    return items


def _fallback_title(text: str) -> str:
    """For items without a title (comments, untitled posts): their first words."""
    words = " ".join(text.split())
    if len(words) <= TITLE_FALLBACK_LENGTH:
        return words
    return words[: TITLE_FALLBACK_LENGTH - 1].rstrip() + "…"


# ------------------------------------------------------------------------------- snippets


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """`text` escaped, with each span wrapped in <mark>."""
    pieces: list[tuple[Any]] = []
    position = 0
    for start, end in spans:
        if start < position:
            continue
        if start > position:
            pieces.append((text[position:start],))
        pieces.append((format_html("<mark>{}</mark>", text[start:end]),))
        position = end
    if position < len(text):
        pieces.append((text[position:],))
    return format_html_join("", "{}", pieces)


def highlight(text: str, query) -> SafeString:
    """`text` escaped, the words matching `query` in <mark>."""
    return _marked(text, analysis.highlight_spans(text, query) if query else [])


_SPACE = re.compile(r"\s+")


def _first_match(text: str, query) -> int | None:
    """Where the first word matching `query` starts, reading `text` a chunk at a time."""
    start = 0
    while start < len(text):
        end = min(len(text), start + SCAN_CHUNK)
        if end < len(text):
            # Cut at a space, never inside a word.
            space = text.rfind(" ", start + SCAN_CHUNK // 2, end)
            end = space if space > start else end
        spans = analysis.highlight_spans(text[start:end], query)
        if spans:
            return start + spans[0][0]
        start = end
    return None


_PARAGRAPHS = re.compile(r"\n\s*\n")


def snippet(text: str, query, *, length: int = SNIPPET_LENGTH) -> SafeString:
    """About `length` characters of `text` around its first word matching `query` (its start
    when none does), escaped, matching words in <mark>, "…" where text was cut.

    The snippet stays within one paragraph — an item's text and its translation are separate
    paragraphs — so that it is in one language and `dir="auto"` sets its direction right."""
    paragraphs = [_SPACE.sub(" ", part).strip() for part in _PARAGRAPHS.split(text or "")]
    paragraphs = [part for part in paragraphs if part]
    if not paragraphs:
        return SafeString("")
    chosen, first = paragraphs[0], None
    if query:
        for paragraph in paragraphs:
            first = _first_match(paragraph, query)
            if first is not None:
                chosen = paragraph
                break
    return _window(chosen, first, query, length)


def _window(text: str, first: int | None, query, length: int) -> SafeString:
    start = 0 if first is None else max(0, first - SNIPPET_LEAD)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first or 0) else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (first or start) else end
    window = text[start:end]
    spans = analysis.highlight_spans(window, query) if query else []
    return format_html(
        "{}{}{}",
        "…" if start > 0 else "",
        _marked(window, spans),
        "…" if end < len(text) else "",
    )


def kinds_for(viewer) -> list[content.ContentKind]:
    """The searchable kinds `viewer` may see any item of (anonymous visitors: no people, no
    workgroups) — asked without a query: a selector answering `.none()` says so."""
    return [kind for kind in searchable_kinds() if not kind.visible_to(viewer).query.is_empty()]


def kind_choices(viewer) -> list[tuple[str, str]]:
    return [(kind.key, capfirst(str(kind.label))) for kind in kinds_for(viewer)]
