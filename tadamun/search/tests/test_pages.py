"""The search page: a plain GET form that works without JavaScript, for anonymous visitors too;
results with their kind, a link, and a snippet — escaped, in dir="auto", the matching words in
<mark>."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.search import analysis
from tadamun.search.selectors import highlight, snippet
from tadamun.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory(member=True)


def get(client, **params):
    return client.get(reverse("search:search"), params)


class TestSnippets:
    def test_the_matching_words_are_marked_and_everything_is_escaped(self):
        query = analysis.parse_query("workers")
        html = str(snippet('<script>alert("x")</script> The workers & the <b>worker</b>', query))
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "<b>" not in html
        assert "<mark>workers</mark>" in html
        assert "<mark>worker</mark>" in html
        assert "&amp;" in html

    def test_a_long_text_is_cut_around_the_first_match(self):
        text = ("filler " * 300) + "the strike of the dockers " + ("filler " * 300)
        html = str(snippet(text, analysis.parse_query("dockers")))
        assert html.startswith("…")
        assert html.endswith("…")
        assert "<mark>dockers</mark>" in html
        assert len(html) < 300

    def test_arabic_spelling_is_marked_as_written(self):
        query = analysis.parse_query("الامم")
        assert str(highlight("قرار الأمم المتحدة", query)) == "قرار <mark>الأمم</mark> المتحدة"

    def test_the_snippet_keeps_to_the_paragraph_that_matches(self):
        text = "عمال ينظمون أنفسهم من أجل عمل آمن.\n\nDock workers organising for safe work."
        html = str(snippet(text, analysis.parse_query("organising")))
        assert html == "Dock workers <mark>organising</mark> for safe work."
        html = str(snippet(text, analysis.parse_query("ينظمون")))
        assert html == "عمال <mark>ينظمون</mark> أنفسهم من أجل عمل آمن."

    def test_no_match_gives_the_start(self):
        html = str(snippet("One two three", analysis.parse_query("absent")))
        assert html == "One two three"
        assert str(snippet("", analysis.parse_query("x"))) == ""


class TestPage:
    def test_without_a_query_the_form_only(self):
        response = Client().get(reverse("search:search"))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'method="get"' in page
        assert 'role="search"' in page
        assert "<mark>" not in page

    def test_anonymous_visitors_find_public_posts(self, author):
        post = social.post_create(
            author=author,
            title="Marsh <b>Arabs</b>",
            body="The marshes <i>dry</i> up.",
            audience="public",
        )
        page = get(Client(), q="marshes").content.decode()
        assert f'href="{post.get_absolute_url()}"' in page
        assert "<mark>marshes</mark>" in page
        assert "<i>" not in page
        assert "&lt;b&gt;" in page
        assert '<p dir="auto">' in page

    def test_only_stop_words(self):
        page = get(Client(), q="the and of").content.decode()
        assert "too common" in page

    def test_empty_query_submitted(self):
        response = get(Client(), q="   ")
        assert response.status_code == 200
        assert "Type a word" in response.content.decode()

    def test_nothing_found(self, author):
        page = get(Client(), q="unfindableword").content.decode()
        assert "Nothing you may see matches" in page

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "x", "since": "2025-13-45"},
            {"q": "x", "since": "2025-05-02", "until": "2025-05-01"},
            {"q": "x", "kind": "messaging.message"},
            {"q": "x", "language": "fr"},
            {"q": "x", "page": "0"},
            {"q": "x", "page": "abc"},
            {"q": "x" * 400},
        ],
    )
    def test_bad_filters_are_explained(self, params):
        response = get(Client(), **params)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()

    def test_hostile_queries_render(self, author):
        social.post_create(author=author, body="near or and", audience="public")
        for query in ['"', "NEAR(", "*", "-", "OR", '"a', "a\x00b", "<script>"]:
            response = get(Client(), q=query)
            assert response.status_code in {200, 400}
            assert "<script>" not in response.content.decode().split("<main")[1]

    def test_pagination_links_keep_the_filters(self, author):
        for number in range(23):
            social.post_create(author=author, body=f"Harvest {number}", audience="public")
        client = Client()
        page = get(client, q="harvest", language="en").content.decode()
        assert 'rel="next"' in page
        assert "q=harvest&amp;language=en&amp;page=2" in page
        second = get(client, q="harvest", language="en", page=2).content.decode()
        assert 'rel="prev"' in second
        assert 'rel="next"' not in second

    def test_arabic_interface(self, author):
        post = social.post_create(author=author, body="اجتماع الأمم المتحدة", audience="public")
        client = Client()
        assert client.login(email=author.email, password=PASSWORD)
        with translation.override("ar"):
            url = reverse("search:search")
        assert url.startswith("/ar/")
        page = client.get(url, {"q": "الامم"}).content.decode()
        assert '<html lang="ar" dir="rtl"' in page
        assert "<mark>الأمم</mark>" in page
        assert post.get_absolute_url().replace("/en/", "/ar/") in page
