"""The engine in use (SQLite FTS5 by default; PostgreSQL with DATABASE_URL=postgres://…): the
same assertions hold on both — Arabic spellings, stemming, phrases, filters, ranking, paging —
and no query, however hostile, makes it fail."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from tadamun.accounts.tests.factories import UserFactory
from tadamun.search import analysis
from tadamun.search.engines import Filters, Match, PostgreSQLEngine, SQLiteEngine, engine_for
from tadamun.search.selectors import search
from tadamun.search.tests.helpers import ANONYMOUS, found
from tadamun.social import services as social
from tadamun.social.models import Post
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory(member=True)


def public_post(author, body, title="", **kwargs):
    return social.post_create(author=author, title=title, body=body, audience="public", **kwargs)


def test_the_engine_matches_the_database():
    assert engine_for(connection).vendor == connection.vendor


class TestArabic:
    @pytest.mark.parametrize(
        ("written", "typed"),
        [
            ("اجتماع الأمم المتحدة", "الامم"),  # hamza on alef
            ("إعلان حقوق الإنسان", "انسان"),  # hamza below, the article
            ("مدرسة البنات", "مدرسه"),  # taa marbuta
            ("المُدَرِّسَة الجديدة", "المدرسة"),  # diacritics
            ("قانون العمل", "القانون"),  # with and without the article
            ("النقابات العمالية", "نقابات"),
            ("مستشفى البصرة", "مستشفي"),  # alef maqsura
            ("بيان عام ٢٠٢٤", "2024"),  # Arabic-Indic digits
            ("التـــضامن", "التضامن"),  # tatweel
        ],
    )
    def test_spellings_meet(self, author, written, typed):
        post = public_post(author, written)
        assert found(None, typed) == [post]

    def test_english_stems(self, author):
        post = public_post(author, "Workers are organising in the oil fields.")
        assert found(None, "organise") == [post]
        assert found(None, "ORGANISED worker") == [post]

    def test_every_word_must_match(self, author):
        both = public_post(author, "Dockers and teachers march together.")
        public_post(author, "Dockers alone.")
        assert found(None, "dockers teachers") == [both]

    def test_stop_words_only(self, author):
        public_post(author, "the of and في من")
        results = search(ANONYMOUS, "the of في")
        assert not results.searched
        assert results.items == []


class TestPhrases:
    def test_quoted_words_must_be_together(self, author):
        together = public_post(author, "We defend the right to organise everywhere.")
        apart = public_post(author, "To organise is a right we defend.")
        assert set(found(None, "right organise")) == {together, apart}
        assert found(None, '"right to organise"') == [together]

    def test_arabic_phrase(self, author):
        together = public_post(author, "نطالب بالحد الأدنى للأجور")
        apart = public_post(author, "الأجور في الحد الأدنى")
        assert set(found(None, "الحد الأجور")) == {together, apart}
        assert found(None, "«الحد الادنى للاجور»") == [together]

    def test_a_phrase_does_not_run_from_the_title_into_the_body(self, author):
        public_post(author, title="Statement on wages", body="Cement workers demand more.")
        assert found(None, '"wages cement"') == []
        assert len(found(None, "wages cement")) == 1


class TestFilters:
    def test_kind(self, author):
        post = public_post(author, "Marshes restoration")
        comment = social.comment_create(post=post, author=author, body="Marshes are drying")
        assert set(found(None, "marshes")) == {post, comment}
        assert found(None, "marshes", kinds=["social.comment"]) == [comment]
        assert found(None, "marshes", kinds=["not.a_kind"]) == []

    def test_workgroup(self, author):
        workgroup = WorkgroupFactory()
        MembershipFactory(workgroup=workgroup, user=author)
        inside = social.post_create(
            author=author,
            body="Water sharing",
            audience="workgroup",
            audience_workgroup=workgroup,
        )
        outside = public_post(author, "Water sharing")
        assert set(found(author, "water")) == {inside, outside}
        assert found(author, "water", workgroup=workgroup) == [inside]

    def test_language(self, author):
        arabic = public_post(author, "مؤتمر oil")
        english = public_post(author, "Conference on oil and gas")
        assert set(found(None, "oil")) == {arabic, english}
        assert found(None, "oil", language="ar") == [arabic]
        assert found(None, "oil", language="en") == [english]

    def test_dates(self, author):
        old = public_post(author, "Flood relief")
        new = public_post(author, "Flood relief")
        Post.objects.filter(pk=old.pk).update(
            published_at=timezone.now() - datetime.timedelta(days=400)
        )
        old.refresh_from_db()
        old.save()  # the index hears of the new date
        since = timezone.now() - datetime.timedelta(days=30)
        assert found(None, "flood", since=since) == [new]
        assert found(None, "flood", until=since) == [old]
        assert found(None, "flood", since=since, until=since) == []


class TestRankingAndPages:
    def test_a_title_match_comes_first(self, author):
        in_body = public_post(author, title="Update", body="News about the refinery strike.")
        in_title = public_post(author, title="Refinery strike", body="News.")
        assert found(None, "refinery") == [in_title, in_body]

    def test_pages_hold_every_result_once(self, author):
        posts = [public_post(author, f"Harvest report number {n}") for n in range(25)]
        pages = [search(ANONYMOUS, "harvest", page=n, per_page=10) for n in (1, 2, 3)]
        assert [page.has_next for page in pages] == [True, True, False]
        assert [page.has_previous for page in pages] == [False, True, True]
        seen = [result.obj.pk for page in pages for result in page]
        assert sorted(seen) == sorted(post.pk for post in posts)
        assert search(ANONYMOUS, "harvest", page=4, per_page=10).items == []

    def test_invisible_candidates_do_not_shorten_a_page(self, author):
        for n in range(30):
            social.post_create(author=author, body=f"Member-only harvest {n}", audience="members")
        public = [public_post(author, f"Public harvest {n}") for n in range(5)]
        results = search(ANONYMOUS, "harvest", per_page=5)
        assert {result.obj for result in results} == set(public)
        assert not results.has_next

    def test_the_scan_stops_at_its_limit(self, author, monkeypatch):
        from tadamun.search import selectors

        monkeypatch.setattr(selectors, "BATCH", 4)
        monkeypatch.setattr(selectors, "MAX_SCANNED", 12)
        for n in range(20):
            social.post_create(author=author, body=f"Members' harvest {n}", audience="members")
        results = search(ANONYMOUS, "harvest")
        assert results.items == []
        assert results.truncated
        assert len(search(author, "harvest", per_page=5)) == 5


HOSTILE = [
    '"',
    '"unbalanced',
    'unbalanced"',
    '""',
    '" "',
    "NEAR(",
    "NEAR(a b, 2)",
    "a OR b",
    "a AND NOT b",
    "-a",
    "*",
    "a*",
    "^a",
    "title_terms:a",
    "body_terms : x",
    "a & b | !c",
    "'a' <-> 'b'",
    "a:*",
    "(((",
    ")",
    "\\",
    "%",
    "_",
    "a_b",
    "\x00",
    "'; DROP TABLE search_searchentry; --",
    "«",
    "“”",
    "x" * 5000,
    "كلمة " * 1000,
    "\u202etxt.exe",
    "🙂",
]


class TestHostileQueries:
    @pytest.mark.parametrize("query", HOSTILE)
    def test_never_an_error(self, author, query):
        public_post(author, "a b title_terms near or and not")
        results = search(ANONYMOUS, query)
        assert isinstance(results.items, list)

    @pytest.mark.parametrize("query", HOSTILE)
    def test_engine_expressions_are_plain_strings(self, query):
        match = Match.from_query(analysis.parse_query(query))
        sqlite = SQLiteEngine.expression(match)
        postgres = PostgreSQLEngine.expression(match)
        # Every word is inside quotes: no operator of the typed text reaches the engines.
        for token in [*match.terms, *(t for phrase in match.phrases for t in phrase)]:
            assert token.isalnum()
            assert f"'{token}'" in postgres
        assert sqlite.count('"') % 2 == 0
        assert engine_for(connection).candidate_ids(match, Filters(), limit=5) is not None

    def test_operators_are_words(self, author):
        post = public_post(author, "near the border")
        assert found(None, "NEAR") == [post]
        assert found(None, "border*") == [post]

    def test_an_underscore_joins_words_as_a_phrase(self, author):
        post = public_post(author, "code word_list here")
        assert found(None, "word_list") == [post]
        assert found(None, "list word") == [post]


class TestStructures:
    def test_installed_again_and_rebuilt_from_the_entries(self, author):
        post = public_post(author, "Reed boats of the marshes")
        engine = engine_for(connection)
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; PostgreSQL alters no table with checks pending.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        engine.uninstall()
        engine.install()  # what every migrate does again (search.apps)
        engine.rebuild()  # what search_reindex does at the end
        assert found(None, "reed") == [post]
        public_post(author, "Reed mats")
        assert len(found(None, "reed")) == 2

    def test_anonymous_visitors_are_offered_only_kinds_they_may_see(self):
        from tadamun.search.selectors import kind_choices

        offered = {key for key, _label in kind_choices(ANONYMOUS)}
        assert offered == {
            "organisations.organisation",
            "social.post",
            "social.comment",
            "documents.document",
            "campaigns.campaign",
            "petitions.petition",
        }
        member = {key for key, _label in kind_choices(UserFactory(member=True))}
        assert {"accounts.user", "workgroups.workgroup", "workgroups.post"} <= member
        assert "messaging.message" not in member


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite rebuilds tables to alter them")
def test_a_table_rebuild_by_a_migration_loses_no_index(author):
    """Django alters an SQLite table by copying it into a new one, which drops the triggers
    that keep FTS5 in step; every migrate installs them again and re-syncs the index."""
    from tadamun.search.apps import _install_engine
    from tadamun.search.models import SearchEntry

    post = public_post(author, "Date palms of Basra")
    with connection.schema_editor() as editor:
        editor._remake_table(SearchEntry)
    social.post_edit(post=post, by=author, title="", body="Date palms and rivers")
    _install_engine(sender=None, using="default")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    assert found(None, "rivers") == [post]
    social.post_edit(post=post, by=author, title="", body="Date palms and canals")
    assert found(None, "rivers") == []
    assert found(None, "canals") == [post]
