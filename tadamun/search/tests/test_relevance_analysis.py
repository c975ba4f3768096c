"""The relevance set (tests/relevance/, see its README.md) checked against the analysis alone.

For every query, each expected document must contain all of the query's terms, and its
phrases as consecutive terms, under `index_terms` — the analysis makes recall possible — and a
plain BM25 ranking over the matching documents puts every expected document in the top 10.
The search backends run the same file against SQLite FTS5 and PostgreSQL.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from tadamun.search.analysis import index_terms, parse_query, term

HERE = Path(__file__).parent / "relevance"
CORPUS = json.loads((HERE / "corpus.json").read_text(encoding="utf-8"))["documents"]
QUERIES = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))["queries"]
PAIRS = json.loads((HERE / "distinct.json").read_text(encoding="utf-8"))["pairs"]
DOCS = {doc["id"]: doc for doc in CORPUS}

# Every normalisation of the issue, as the tags of queries.json name them.
EXERCISES = {
    "alef", "alef_maqsura", "ta_marbuta", "hamza", "diacritics", "tatweel",
    "arabic_indic_digits", "persian_digits", "article", "prefix_wal", "prefix_bal",
    "prefix_kal", "prefix_fal", "prefix_lil", "prefix_single", "suffix_plural",
    "suffix_dual", "suffix_feminine", "suffix_pronoun", "suffix_nisba", "stop_words",
    "sorani", "spelling_variant", "presentation_forms", "phrase", "mixed", "english_stem",
    "english_stop", "british_spelling", "case",
}  # fmt: skip
# What a tag needs to be visible in the query or in one of its expected documents.
EVIDENCE = {
    "alef": "[أإآٱ]",
    "alef_maqsura": "ى",
    "ta_marbuta": "ة",
    "hamza": "[ؤئءأإ]",
    "diacritics": "[\u064b-\u0652]",
    "tatweel": "\u0640",
    "arabic_indic_digits": "[٠-٩]",
    "persian_digits": "[۰-۹]",
    "prefix_wal": "وال",
    "prefix_bal": "بال",
    "prefix_kal": "كال",
    "prefix_fal": "فال",
    "prefix_lil": "لل",
    "sorani": "[یکەێڕۆڵ]",
    "presentation_forms": "[\ufb50-\ufdff\ufe70-\ufeff]",
    "phrase": '["«“]',
}


@cache
def doc_fields(doc_id: str) -> tuple[list[str], list[str]]:
    doc = DOCS[doc_id]
    return index_terms(doc["title"]), index_terms(doc["body"])


def contains_phrase(terms: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(terms[i : i + size] == phrase for i in range(len(terms) - size + 1))


def matches(doc_id: str, query) -> bool:
    title, body = doc_fields(doc_id)
    present = set(title) | set(body)
    return all(t in present for t in query.terms) and all(
        contains_phrase(title, p) or contains_phrase(body, p) for p in query.phrases
    )


def bm25_top(query, k1: float = 1.2, b: float = 0.75, limit: int = 10) -> list[str]:
    """Documents matching every term and phrase, best first (FTS5-like AND + BM25)."""
    docs = {i: doc_fields(i)[0] + doc_fields(i)[1] for i in DOCS}
    average = sum(map(len, docs.values())) / len(docs)
    frequency = Counter(t for terms in docs.values() for t in set(terms))
    scored = []
    for doc_id, terms in docs.items():
        if not matches(doc_id, query):
            continue
        counts = Counter(terms)
        score = 0.0
        for t in query.terms:
            idf = math.log(1 + (len(docs) - frequency[t] + 0.5) / (frequency[t] + 0.5))
            tf = counts[t]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(terms) / average))
        scored.append((-score, doc_id))
    return [doc_id for _, doc_id in sorted(scored)[:limit]]


def test_files_are_well_formed():
    assert len(DOCS) == len(CORPUS), "document ids are unique"
    assert len({q["id"] for q in QUERIES}) == len(QUERIES)
    for doc in CORPUS:
        assert doc["language"] in {"ar", "en", "mixed"}
        assert doc["title"].strip()
        assert doc["body"].strip()
    for query in QUERIES:
        assert query["expected"], query
        assert set(query["expected"]) <= DOCS.keys(), query
        assert set(query.get("not_expected", ())) <= DOCS.keys(), query
        assert not set(query["expected"]) & set(query.get("not_expected", ())), query
        assert set(query["exercises"]) <= EXERCISES, query
        assert parse_query(query["query"]), query


def test_the_set_is_as_large_as_the_issue_asks():
    languages = Counter(q["language"] for q in QUERIES)
    assert languages["ar"] >= 150
    assert languages["en"] >= 50
    assert languages["mixed"] >= 5


def test_every_normalisation_is_exercised_several_times():
    used = Counter(tag for q in QUERIES for tag in q["exercises"])
    assert {tag for tag in EXERCISES if used[tag] < 3} == set()


@pytest.mark.parametrize("tag", sorted(EVIDENCE))
def test_a_tag_is_visible_in_what_it_claims_to_exercise(tag):
    pattern = re.compile(EVIDENCE[tag])
    for query in QUERIES:
        if tag in query["exercises"]:
            texts = [query["query"]] + [
                DOCS[i]["title"] + " " + DOCS[i]["body"] for i in query["expected"]
            ]
            assert any(pattern.search(text) for text in texts), query


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q["id"])
def test_expected_documents_contain_the_query(query):
    parsed = parse_query(query["query"])
    for doc_id in query["expected"]:
        assert matches(doc_id, parsed), (doc_id, parsed.terms, parsed.phrases, doc_fields(doc_id))
    for doc_id in query.get("not_expected", ()):
        assert not matches(doc_id, parsed), (doc_id, parsed.phrases, doc_fields(doc_id))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q["id"])
def test_expected_documents_rank_in_the_top_ten(query):
    top = bm25_top(parse_query(query["query"]))
    assert set(query["expected"]) <= set(top), (query["expected"], top)


def test_phrase_queries_have_phrases_and_negative_examples():
    phrased = [q for q in QUERIES if "phrase" in q["exercises"]]
    assert all(parse_query(q["query"]).phrases for q in phrased)
    assert sum(1 for q in phrased if q.get("not_expected")) >= 5


def test_mixed_queries_have_terms_of_both_scripts():
    for query in QUERIES:
        if query["language"] == "mixed":
            terms = parse_query(query["query"]).terms
            assert any(re.search("[a-z]", t) for t in terms), query
            assert any(re.search("[\u0600-\u06ff]", t) for t in terms), query


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: f"{p['a']}|{p['b']}")
def test_unrelated_words_keep_different_terms(pair):
    assert term(pair["a"]) != term(pair["b"]), pair["why"]
    assert term(pair["a"]) is not None or term(pair["b"]) is not None
