"""The relevance set (relevance/corpus.json and queries.json, see relevance/README.md) through
the real index and the engine of the database in use: every expected document is in the first
ten results of its query (recall@10 = 100 %), and documents a query must not match (a phrase's
words apart) are not found at all.

The corpus is indexed as public posts, through the same index_object() every post goes through;
recall is printed per query language."""

import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.search import services
from tadamun.search.selectors import search
from tadamun.search.tests.helpers import ANONYMOUS
from tadamun.social.models import Post
from tadamun.translations.detect import detect_language

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent / "relevance"
TOP = 10


def load(name: str, key: str) -> list[dict]:
    return json.loads((HERE / name).read_text(encoding="utf-8"))[key]


def index_corpus(documents: list[dict]) -> dict[int, str]:
    """Public posts holding the corpus, indexed; {post pk: document id}."""
    author = UserFactory(member=True)
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            author=author,
            audience=Post.Audience.PUBLIC,
            title=document["title"],
            body=document["body"],
            language=document["language"]
            if document["language"] in {"ar", "en"}
            else detect_language(document["title"], document["body"]),
            published=True,
            published_at=now,
            created=now,
        )
        for document in documents
    )
    for post in posts:
        services.index_object(post)
    return {post.pk: document["id"] for post, document in zip(posts, documents, strict=True)}


def test_recall_at_10_is_complete(capsys):
    documents = load("corpus.json", "documents")
    queries = load("queries.json", "queries")
    ids = index_corpus(documents)
    found_total: dict[str, int] = defaultdict(int)
    wanted_total: dict[str, int] = defaultdict(int)
    missed: list[str] = []
    wrongly_found: list[str] = []
    for query in queries:
        results = [ids[result.obj.pk] for result in search(ANONYMOUS, query["query"], per_page=50)]
        top = results[:TOP]
        expected = query["expected"]
        hits = [document for document in expected if document in top]
        found_total[query["language"]] += len(hits)
        wanted_total[query["language"]] += len(expected)
        if len(hits) < len(expected):
            missing = sorted(set(expected) - set(hits))
            missed.append(f"{query['id']} {query['query']!r}: missing {missing}, got {top}")
        for document in query.get("not_expected", []):
            if document in results:
                wrongly_found.append(f"{query['id']} {query['query']!r}: found {document}")
    with capsys.disabled():
        print(f"\nrelevance set on {connection.vendor}: ", end="")
        print(f"{len(documents)} documents, {len(queries)} queries")
        for language in sorted(wanted_total):
            recall = found_total[language] / wanted_total[language]
            print(f"  recall@{TOP} {language:>7}: {recall:.1%} ({wanted_total[language]} expected)")
    assert not missed, "\n".join(missed)
    assert not wrongly_found, "\n".join(wrongly_found)
