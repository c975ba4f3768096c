"""Each endpoint answers what the pages show; pagination is capped; hostile input gets a 4xx;
the OpenAPI description loads and no CDN-backed docs page is served."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.api import services
from tadamun.api.schemas import MAX_LIMIT, MAX_OFFSET
from tadamun.documents import services as documents
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory
from tadamun.social import services as social
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member():
    return UserFactory(member=True, display_name="Heron")


@pytest.fixture
def api(member):
    _token, secret = services.token_create(user=member, name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def test_workgroups_threads_and_messages(api, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = WorkgroupFactory(slug="water")
        MembershipFactory(workgroup=group, user=member)
        other = UserFactory(member=True, display_name="Kestrel", email="kestrel@example.org")
        first = make_post(group, author=other, subject="Pumps", body="The pumps are fixed.")
        make_post(group, author=member, subject="Re: Pumps", body="Thanks!", parent=first)
    groups = get(api, "/api/v1/workgroups")
    assert [g["slug"] for g in groups["items"]] == ["water"]
    assert groups["items"][0]["can_read"] is True
    assert groups["items"][0]["member_count"] == 1
    threads = get(api, "/api/v1/workgroups/water/threads")
    assert threads["count"] == 1
    thread = threads["items"][0]
    assert thread["subject"] == "Pumps"
    messages = get(api, f"/api/v1/workgroups/water/threads/{thread['id']}/messages")
    assert [m["body"] for m in messages["items"]] == ["The pumps are fixed.", "Thanks!"]
    assert messages["items"][0]["author"] == "Kestrel"
    assert "kestrel@example.org" not in json.dumps(messages)
    assert get(api, "/api/v1/workgroups/water")["slug"] == "water"
    assert api.get("/api/v1/workgroups/nowhere").status_code == 404
    assert api.get("/api/v1/workgroups/water/threads/999999/messages").status_code == 404


def test_posts_feed_post_detail_and_comments(api, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        writer = UserFactory(member=True, display_name="Ibis")
        post = social.post_create(author=writer, title="", body="Hello network", audience="members")
        social.comment_create(post=post, author=member, body="Hello back")
        social.follow(follower=member, person=writer)
    posts = get(api, "/api/v1/posts")
    assert [p["body"] for p in posts["items"]] == ["Hello network"]
    assert posts["items"][0]["author"] == "Ibis"
    feed = get(api, "/api/v1/feed")
    assert [p["id"] for p in feed["items"]] == [post.pk]
    detail = get(api, f"/api/v1/posts/{post.pk}")
    assert [c["body"] for c in detail["comments"]] == ["Hello back"]
    assert api.get("/api/v1/posts/99999999").status_code == 404


def test_documents_point_at_the_protected_download(api, member):
    with translation.override("en"):
        document = documents.document_create(
            by=member,
            upload=SimpleUploadedFile("minutes.txt", b"minutes"),
            title="Minutes of March",
            category="minutes",
        )
    found = get(api, "/api/v1/documents", HTTP_ACCEPT_LANGUAGE="en")
    item = found["items"][0]
    assert item["title"] == "Minutes of March"
    assert item["filename"] == "minutes.txt"
    assert item["uploaded_by"] == "Heron"
    with translation.override("en"):
        assert item["download_url"].endswith(reverse("documents:download", args=[document.pk])[3:])
    # The download URL is the site's own protected view: a stranger gets nothing there.
    assert Client().get(item["download_url"]).status_code in {302, 404}


def test_notifications_are_ones_own(api, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        writer = UserFactory(member=True, display_name="Stork")
        social.post_create(author=writer, title="", body="Hi @Heron", audience="members")
    found = get(api, "/api/v1/notifications")
    assert found["count"] >= 1
    assert found["items"][0]["actor"] == "Stork"
    assert found["items"][0]["available"] is True


def test_search(api, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        social.post_create(author=member, title="", body="pelicanmarker here", audience="members")
    found = get(api, "/api/v1/search", q="pelicanmarker")
    assert [item["kind"] for item in found["items"]] == ["social.post"]
    assert "pelicanmarker" in found["items"][0]["snippet"]
    assert "<mark>" not in found["items"][0]["snippet"]


def test_campaigns_and_petitions_give_counts_never_signers(api):
    petition = PetitionFactory()
    draft = PetitionFactory(draft=True)
    for _n in range(3):
        SignatureFactory(petition=petition, confirmed=True, name="Secret Signer")
    petitions = get(api, "/api/v1/petitions")
    assert [p["slug"] for p in petitions["items"]] == [petition.slug]
    assert petitions["items"][0]["signatures"] == 3
    campaigns = get(api, "/api/v1/campaigns")
    by_slug = {c["slug"]: c for c in campaigns["items"]}
    assert by_slug[petition.campaign.slug]["signatures"] == 3
    assert by_slug[petition.campaign.slug]["petitions"] == 1
    text = json.dumps([petitions, campaigns])
    assert "Secret Signer" not in text
    assert "@example.org" not in text
    assert draft.slug not in text


# ------------------------------------------------------------------------------ pagination


def test_pagination_is_capped(api, member):
    groups = [WorkgroupFactory() for _n in range(MAX_LIMIT + 5)]
    assert len(groups) > MAX_LIMIT
    page = get(api, "/api/v1/workgroups", limit=10**6)
    assert page["limit"] == MAX_LIMIT
    assert len(page["items"]) == MAX_LIMIT
    assert page["count"] == MAX_LIMIT + 5
    rest = get(api, "/api/v1/workgroups", limit=MAX_LIMIT, offset=MAX_LIMIT)
    assert len(rest["items"]) == 5
    seen = {g["slug"] for g in page["items"]} | {g["slug"] for g in rest["items"]}
    assert seen == {g.slug for g in groups}
    assert get(api, "/api/v1/workgroups")["limit"] == 20
    assert api.get("/api/v1/workgroups", {"offset": MAX_OFFSET + 1}).status_code == 422
    assert api.get("/api/v1/search", {"q": "x", "limit": 51}).status_code == 422


HOSTILE = [
    ("/api/v1/workgroups", {"limit": "0"}),
    ("/api/v1/workgroups", {"limit": "-1"}),
    ("/api/v1/workgroups", {"limit": "abc"}),
    ("/api/v1/workgroups", {"limit": "9" * 40}),
    ("/api/v1/workgroups", {"offset": "9" * 40}),
    ("/api/v1/workgroups", {"offset": "-5"}),
    ("/api/v1/workgroups", {"offset": "1e9"}),
    ("/api/v1/posts", {"limit": "1.5"}),
    ("/api/v1/posts", {"limit": "\x00"}),
    ("/api/v1/documents", {"offset": "NaN"}),
    ("/api/v1/search", {}),
    ("/api/v1/search", {"q": ""}),
    ("/api/v1/search", {"q": "x" * 5000}),
    ("/api/v1/search", {"q": "water\x00"}),
    ("/api/v1/search", {"q": "x", "page": "0"}),
    ("/api/v1/search", {"q": "x", "page": "9" * 30}),
    ("/api/v1/search", {"q": "x", "limit": "-3"}),
    ("/api/v1/posts/0", {}),
    ("/api/v1/posts/-1", {}),
    ("/api/v1/posts/abc", {}),
    ("/api/v1/posts/" + "9" * 30, {}),
    ("/api/v1/posts/9223372036854775808", {}),
    ("/api/v1/workgroups/%00", {}),
    ("/api/v1/workgroups/" + "a" * 500, {}),
    ("/api/v1/workgroups/..%2f..%2fetc", {}),
    ("/api/v1/workgroups/x/threads/99999999999999999999/messages", {}),
    ("/api/v1/no-such-endpoint", {}),
]


@pytest.mark.parametrize(("url", "params"), HOSTILE)
def test_hostile_input_gets_4xx_not_500(api, url, params):
    api.raise_request_exception = False
    response = api.get(url, params)
    assert 400 <= response.status_code < 500, (url, params, response.status_code)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get(api, method):
    # Django's CSRF middleware guards the API's URLs like every other (no CSRF cookie here);
    # past it, there is no unsafe method to reach.
    checked = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"]
    )
    assert getattr(checked, method)("/api/v1/me").status_code == 403
    assert getattr(api, method)("/api/v1/me").status_code == 405


def test_the_api_views_are_not_csrf_exempt():
    from django.urls import resolve

    for url in ("/api/v1/me", "/api/v1/posts/1", "/api/v1/openapi.json"):
        assert not getattr(resolve(url).func, "csrf_exempt", False), url


# -------------------------------------------------------------------------------- OpenAPI


def test_openapi_json_loads_and_describes_every_endpoint():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Tadamun API"
    paths = set(schema["paths"])
    assert {
        "/api/v1/me",
        "/api/v1/workgroups",
        "/api/v1/workgroups/{slug}/threads",
        "/api/v1/workgroups/{slug}/threads/{thread_id}/messages",
        "/api/v1/posts",
        "/api/v1/posts/{post_id}",
        "/api/v1/feed",
        "/api/v1/documents",
        "/api/v1/notifications",
        "/api/v1/search",
        "/api/v1/campaigns",
        "/api/v1/petitions",
    } <= paths
    for operations in schema["paths"].values():
        assert set(operations) == {"get"}
    schemes = schema["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} >= {"http", "apiKey"}
    # Nothing in the description names a person's e-mail or legal name field.
    text = json.dumps(schema)
    assert "email" not in text
    assert "legal_name" not in text


def test_no_docs_page_and_nothing_from_a_cdn():
    assert Client().get("/api/v1/docs").status_code == 404
    body = Client().get("/api/v1/openapi.json").content.decode()
    assert "cdn." not in body
    assert "<script" not in body
