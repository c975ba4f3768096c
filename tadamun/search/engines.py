"""Two full-text engines behind one interface: SQLite FTS5 (the embedded default) and
PostgreSQL full-text search (production). Both match the same tokens — the terms of
search.analysis, split by `tokens()` into runs of letters and digits, which both databases'
tokenizers keep whole (FTS5's unicode61 without diacritic removal; PostgreSQL's parser under
the 'simple' configuration: no stemming, no stop words of its own, since the terms are already
analysed) — so the same data gives the same matches on both. Ranking differs slightly (bm25
against ts_rank), titles weigh more on both; both rank only the newest `RANK_WINDOW` matches.

A query matches items holding every loose term (anywhere) and every quoted phrase (its terms
next to each other, within the title or within the body).

`engine_for(connection).candidate_ids(...)` returns SearchEntry ids in rank order; visibility
is applied afterwards by search.selectors.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import connection as default_connection

# Longer runs are not words (PostgreSQL would refuse them past 2 KB): left out on both sides.
MAX_TOKEN_LENGTH = 100
# Terms of a query that count; the rest of a very long query is ignored.
MAX_QUERY_TOKENS = 24
# How much more a title match counts than a body match in FTS5's bm25 (PostgreSQL's ts_rank_cd
# weighs titles (A) 1.0 against bodies (B) 0.4 by default).
TITLE_WEIGHT = 5.0
# Matches ranked per query: the newest ones (see Engine.candidate_ids).
RANK_WINDOW = 5000
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(terms: str) -> list[str]:
    """Runs of letters and digits: what both engines index as one token each."""
    return [token for token in TOKEN.findall(terms or "") if len(token) <= MAX_TOKEN_LENGTH]


@dataclass
class Match:
    """A query as the engines need it: loose tokens and phrases (lists of tokens)."""

    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    @classmethod
    def from_query(cls, query) -> Match:
        """From a search.analysis.ParsedQuery. A term that splits into several tokens (it held
        an underscore) becomes a phrase of them; a one-token phrase a loose term."""
        match = cls()
        budget = MAX_QUERY_TOKENS
        seen: set[str] = set()
        for phrase in query.phrases:
            parts = [token for term in phrase for token in tokens(term)][:budget]
            budget -= len(parts)
            if len(parts) == 1:
                if parts[0] not in seen:
                    seen.add(parts[0])
                    match.terms.append(parts[0])
            elif parts:
                match.phrases.append(parts)
        for term in query.loose_terms:
            parts = tokens(term)[:budget]
            budget -= len(parts)
            if len(parts) == 1:
                if parts[0] not in seen:
                    seen.add(parts[0])
                    match.terms.append(parts[0])
            elif parts:
                match.phrases.append(parts)
        return match


@dataclass
class Filters:
    kinds: list[str] | None = None
    workgroup_id: int | None = None
    language: str | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    def sql(self, connection, alias: str) -> tuple[str, list]:
        conditions: list[str] = []
        params: list = []
        if self.kinds:
            conditions.append(f"{alias}.kind IN ({', '.join(['%s'] * len(self.kinds))})")
            params += list(self.kinds)
        if self.workgroup_id is not None:
            conditions.append(f"{alias}.workgroup_id = %s")
            params.append(self.workgroup_id)
        if self.language:
            conditions.append(f"{alias}.languages LIKE %s")
            params.append(f"%|{self.language}|%")
        if self.since is not None:
            conditions.append(f"{alias}.date >= %s")
            params.append(connection.ops.adapt_datetimefield_value(self.since))
        if self.until is not None:
            conditions.append(f"{alias}.date < %s")
            params.append(connection.ops.adapt_datetimefield_value(self.until))
        return "".join(f" AND {condition}" for condition in conditions), params


class Engine:
    vendor = ""

    def __init__(self, connection):
        self.connection = connection

    def install(self) -> None:
        """Create the full-text structures (idempotent)."""
        raise NotImplementedError

    def uninstall(self) -> None:
        raise NotImplementedError

    def rebuild(self) -> None:
        """Rebuild the full-text structures from the entries' terms."""

    def candidate_ids(self, match: Match, filters: Filters, *, limit: int) -> list[int]:
        """Up to `limit` entry ids matching `match` and `filters`, best first: the newest
        `RANK_WINDOW` matching entries (by entry id, that is by first indexing) are ranked, and
        older ones are left out — a word found in most of the index costs a few thousand rank
        computations, not a hundred thousand."""
        if not match:
            return []
        where, params = filters.sql(self.connection, "e")
        sql, first = self.select_sql(match, where)
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*first, *params, RANK_WINDOW, *self.order_params(match), limit])
            return [row[0] for row in cursor.fetchall()]

    def select_sql(self, match: Match, where: str) -> tuple[str, list]:
        raise NotImplementedError

    def order_params(self, match: Match) -> list:
        return []


class SQLiteEngine(Engine):
    """FTS5, external content over search_searchentry (no second copy of the terms), kept in
    step by triggers. A migration that rebuilds search_searchentry (SQLite's way of altering a
    table) drops the triggers: `install()` runs again after every migrate (search.apps)."""

    vendor = "sqlite"

    TRIGGERS = {
        "search_entry_ai": "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_searchentry "
        "BEGIN INSERT INTO search_fts(rowid, title_terms, body_terms) "
        "VALUES (new.id, new.title_terms, new.body_terms); END",
        "search_entry_ad": "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_searchentry "
        "BEGIN INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
        "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
        # Only when the terms are written: other updates leave the full-text index alone.
        "search_entry_au": "CREATE TRIGGER search_entry_au AFTER UPDATE OF title_terms, "
        "body_terms ON search_searchentry "
        "BEGIN INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
        "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
        "INSERT INTO search_fts(rowid, title_terms, body_terms) "
        "VALUES (new.id, new.title_terms, new.body_terms); END",
    }

    def install(self) -> None:
        """Create what is missing. When anything was (the table, or a trigger a table rebuild
        dropped), the entries may have changed unseen: the full-text index is rebuilt from them
        — an external-content index out of step with its table would be corrupt."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)",
                ["search_fts", *self.TRIGGERS],
            )
            present = {row[0] for row in cursor.fetchall()}
            if "search_fts" not in present:
                cursor.execute(
                    "CREATE VIRTUAL TABLE search_fts USING fts5("
                    "title_terms, body_terms, content='search_searchentry', content_rowid='id', "
                    "tokenize='unicode61 remove_diacritics 0')"
                )
            for name, statement in self.TRIGGERS.items():
                if name not in present:
                    cursor.execute(statement)
            if len(present) < 1 + len(self.TRIGGERS):
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")

    def uninstall(self) -> None:
        with self.connection.cursor() as cursor:
            for trigger in self.TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute("DROP TABLE IF EXISTS search_fts")

    def rebuild(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")

    @staticmethod
    def expression(match: Match) -> str:
        """An FTS5 query of quoted strings only (implicit AND): whatever the searcher typed,
        no FTS5 operator (NEAR, OR, NOT, *, ^, column filters) can reach the engine."""
        parts = [f'"{term}"' for term in match.terms]
        parts += ['"' + " ".join(phrase) + '"' for phrase in match.phrases]
        return " ".join(parts)

    def select_sql(self, match: Match, where: str) -> tuple[str, list]:
        """bm25 over the newest RANK_WINDOW matches: FTS5 walks its matches in rowid order, so
        the inner query stops after the window. The entries table is joined only for filters.
        `where` is fixed SQL with placeholders (Filters.sql): every value is a parameter."""
        rank = f"bm25(search_fts, {TITLE_WEIGHT:.1f}, 1.0)"
        if where:
            inner = [
                f"SELECT search_fts.rowid AS id, {rank} AS score FROM search_fts",  # noqa: S608  # nosec B608
                "JOIN search_searchentry e ON e.id = search_fts.rowid",
                f"WHERE search_fts MATCH %s{where} ORDER BY search_fts.rowid DESC LIMIT %s",
            ]
        else:
            inner = [
                f"SELECT rowid AS id, {rank} AS score FROM search_fts",  # noqa: S608  # nosec B608
                "WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
            ]
        sql = " ".join(["SELECT id FROM (", *inner, ") ORDER BY score, id LIMIT %s"])
        return sql, [self.expression(match)]


class PostgreSQLEngine(Engine):
    """A narrow table `search_tsv` (entry id, tsvector) with a GIN index, kept in step with
    search_searchentry by triggers — like SQLite's FTS5 table beside it. Narrow, so that the
    rows a query reads and ranks hold nothing but the vector (a generated column on the wide
    entries table made each match read its texts too). The 'simple' configuration only: the
    terms are already analysed (an 'arabic' or 'english' configuration would stem them a second
    time, differently from SQLite)."""

    vendor = "postgresql"

    VECTOR = (
        "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.title_terms, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(NEW.body_terms, '')), 'B')"
    )
    STATEMENTS = (
        "CREATE OR REPLACE FUNCTION search_tsv_write() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN INSERT INTO search_tsv (entry_id, tsv) VALUES (NEW.id, {vector}) "
        "ON CONFLICT (entry_id) DO UPDATE SET tsv = EXCLUDED.tsv; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION search_tsv_delete() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN DELETE FROM search_tsv WHERE entry_id = OLD.id; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION search_tsv_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN TRUNCATE search_tsv; RETURN NULL; END $$",
        "CREATE OR REPLACE TRIGGER search_tsv_write AFTER INSERT OR UPDATE OF title_terms, "
        "body_terms ON search_searchentry FOR EACH ROW EXECUTE FUNCTION search_tsv_write()",
        "CREATE OR REPLACE TRIGGER search_tsv_delete AFTER DELETE ON search_searchentry "
        "FOR EACH ROW EXECUTE FUNCTION search_tsv_delete()",
        # Django's test flush truncates the entries: the vectors go with them.
        "CREATE OR REPLACE TRIGGER search_tsv_truncate AFTER TRUNCATE ON search_searchentry "
        "FOR EACH STATEMENT EXECUTE FUNCTION search_tsv_truncate()",
    )

    def install(self) -> None:
        """Create what is missing; when the table is new, fill it from the entries."""
        with self.connection.cursor() as cursor:
            # The earlier layout: a generated column on the entries table.
            cursor.execute("DROP INDEX IF EXISTS search_entry_tsv")
            cursor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS tsv")
            cursor.execute("SELECT to_regclass('search_tsv') IS NOT NULL")
            existed = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS search_tsv "
                "(entry_id bigint PRIMARY KEY, tsv tsvector NOT NULL)"
            )
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS search_tsv_gin ON search_tsv USING gin (tsv)"
            )
            for statement in self.STATEMENTS:
                cursor.execute(statement.replace("{vector}", self.VECTOR))
            if not existed:
                self.rebuild()

    def uninstall(self) -> None:
        with self.connection.cursor() as cursor:
            for trigger in ("search_tsv_write", "search_tsv_delete", "search_tsv_truncate"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON search_searchentry")
                cursor.execute(f"DROP FUNCTION IF EXISTS {trigger}()")
            cursor.execute("DROP TABLE IF EXISTS search_tsv")

    def rebuild(self) -> None:
        vector = self.VECTOR.replace("NEW.", "e.")
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_tsv")
            cursor.execute(
                " ".join(
                    [
                        "INSERT INTO search_tsv (entry_id, tsv) SELECT e.id,",
                        vector,
                        "FROM search_searchentry e",
                    ]
                )
            )

    @staticmethod
    def expression(match: Match) -> str:
        """A to_tsquery() text: loose terms joined by &, each phrase `a <-> b` within the title
        (weight A) or within the body (weight B) — as FTS5 phrases stay inside one column."""
        parts = [f"'{term}'" for term in match.terms]
        for phrase in match.phrases:
            in_title = " <-> ".join(f"'{token}':A" for token in phrase)
            in_body = " <-> ".join(f"'{token}':B" for token in phrase)
            parts.append(f"(({in_title}) | ({in_body}))")
        return " & ".join(parts)

    def select_sql(self, match: Match, where: str) -> tuple[str, list]:
        """ts_rank (titles A 1.0, bodies B 0.4) over the newest RANK_WINDOW matches; the
        entries table is joined only for filters."""
        join = "JOIN search_searchentry e ON e.id = t.entry_id" if where else ""
        sql = " ".join(
            [
                "SELECT w.id FROM (SELECT t.entry_id AS id, t.tsv FROM search_tsv t",
                join,
                f"WHERE t.tsv @@ to_tsquery('simple', %s){where}",
                "ORDER BY t.entry_id DESC LIMIT %s) w",
                "ORDER BY ts_rank(w.tsv, to_tsquery('simple', %s)) DESC, w.id LIMIT %s",
            ]
        )
        return sql, [self.expression(match)]

    def order_params(self, match: Match) -> list:
        return [self.expression(match)]


ENGINES = {engine.vendor: engine for engine in (SQLiteEngine, PostgreSQLEngine)}


def engine_for(connection=None) -> Engine:
    connection = connection or default_connection
    try:
        return ENGINES[connection.vendor](connection)
    except KeyError:
        raise NotImplementedError(f"search has no engine for {connection.vendor}") from None
