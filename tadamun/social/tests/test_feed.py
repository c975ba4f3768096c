"""The feed: what it gathers, its filters, keyset paging (with htmx appending), the compose
form on top — and a number of queries that does not grow with the number of posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tadamun.social import services, views
from tadamun.social.models import Follow, Post, Reaction
from tadamun.translations.models import Translation
from tadamun.translations.services import translation_save

from .factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WorkgroupFactory,
    make_post,
    new_attachment,
    new_image,
)


def fill(viewer, count: int):
    """`count` posts of every shape the feed shows: by followed people and organisations, in
    the viewer's workgroup, with images, files, mentions, comments, reactions, translations."""
    workgroup = WorkgroupFactory()
    MembershipFactory(workgroup=workgroup, user=viewer)
    organisation = OrganisationFactory()
    friends = UserFactory.create_batch(3)
    for friend in friends:
        MembershipFactory(workgroup=workgroup, user=friend)
        Follow.objects.create(follower=viewer, person=friend)
    Follow.objects.create(follower=viewer, organisation=organisation)
    for number in range(count):
        author = friends[number % 3]
        post = make_post(
            author,
            title=f"Post {number}",
            body=f"Text {number} for @{viewer.username} and @{organisation.slug}",
            audience=Post.Audience.WORKGROUP if number % 2 else Post.Audience.MEMBERS,
            audience_workgroup=workgroup if number % 2 else None,
            images=[new_image()] if number % 3 == 0 else [],
            attachments=[new_attachment()] if number % 4 == 0 else [],
        )
        services.comment_create(post=post, author=friends[(number + 1) % 3], body="Well said")
        Reaction.objects.create(post=post, user=friends[(number + 2) % 3], kind="like")
        Reaction.objects.create(post=post, user=viewer, kind="support")
        translation_save(
            obj=post, language="ar", fields={"title": "عنوان", "body": "نص المنشور"}, by=author
        )


def feed_queries(client, viewer) -> int:
    client.force_login(viewer)
    client.get(reverse("social:feed"))  # warm the caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("social:feed"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_feed_runs_the_same_number_of_queries_for_5_and_50_posts(client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 50)
    few_viewer, many_viewer = UserFactory(), UserFactory()
    fill(few_viewer, 5)
    fill(many_viewer, 50)
    few = feed_queries(client, few_viewer)
    many = feed_queries(client, many_viewer)
    assert Translation.objects.count() == 55
    assert few == many, f"{few} queries for 5 posts, {many} for 50"


@pytest.mark.django_db
def test_the_feed_gathers_what_the_viewer_follows_and_their_workgroups(client):
    viewer = UserFactory()
    followed, organisation_admin, stranger = UserFactory.create_batch(3)
    workgroup, other_group, followed_group = WorkgroupFactory.create_batch(3)
    MembershipFactory(workgroup=workgroup, user=viewer)
    MembershipFactory(workgroup=workgroup, user=stranger)
    MembershipFactory(workgroup=other_group, user=stranger)
    MembershipFactory(workgroup=followed_group, user=stranger, role="moderator")
    organisation = OrganisationFactory()
    from tadamun.social.tests.factories import OrgMembershipFactory

    OrgMembershipFactory(user=organisation_admin, organisation=organisation, role="admin")
    Follow.objects.create(follower=viewer, person=followed)
    Follow.objects.create(follower=viewer, organisation=organisation)
    Follow.objects.create(follower=viewer, workgroup=followed_group)
    make_post(viewer, body="zq-own")
    make_post(followed, body="zq-followed-person")
    make_post(organisation_admin, body="zq-as-organisation", as_organisation=organisation)
    make_post(organisation_admin, body="zq-admin-personal")
    make_post(
        stranger, body="zq-in-my-workgroup", audience="workgroup", audience_workgroup=workgroup
    )
    make_post(
        stranger, body="zq-other-workgroup", audience="workgroup", audience_workgroup=other_group
    )
    make_post(
        stranger, body="zq-as-followed-group", as_workgroup=followed_group, audience="members"
    )
    make_post(stranger, body="zq-unrelated")
    client.force_login(viewer)
    text = client.get(reverse("social:feed")).text
    for shown in (
        "own",
        "followed-person",
        "as-organisation",
        "in-my-workgroup",
        "as-followed-group",
    ):
        assert f"zq-{shown}" in text, shown
    for hidden in ("admin-personal", "other-workgroup", "unrelated"):
        assert f"zq-{hidden}" not in text, hidden


@pytest.mark.django_db
def test_older_posts_by_cursor_and_htmx_append(client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    viewer = UserFactory()
    posts = [make_post(viewer, body=f"zq{number:02d}zq") for number in range(7)]
    client.force_login(viewer)
    first = client.get(reverse("social:feed"))
    assert [f"zq{n:02d}zq" in first.text for n in (6, 5, 4, 3)] == [True, True, True, False]
    cursor = first.context["next_cursor"]
    assert cursor
    second = client.get(reverse("social:feed"), {"before": cursor}, headers={"HX-Request": "true"})
    assert "<html" not in second.text  # only the items, appended by htmx
    assert [f"zq{n:02d}zq" in second.text for n in (4, 3, 2, 1, 0)] == [
        False, True, True, True, False,
    ]  # fmt: skip
    assert "Older posts" in second.text
    third = client.get(reverse("social:feed"), {"before": second.context["next_cursor"]})
    assert "zq00zq" in third.text
    assert "<html" in third.text
    assert third.context["next_cursor"] is None
    assert len(posts) == 7


@pytest.mark.django_db
def test_a_broken_cursor_shows_the_first_page(client):
    viewer = UserFactory()
    make_post(viewer, body="zq-newest")
    client.force_login(viewer)
    for cursor in ("abc", "1-", "99999999999999999-1", "<script>"):
        response = client.get(reverse("social:feed"), {"before": cursor})
        assert response.status_code == 200
        assert "zq-newest" in response.text


@pytest.mark.django_db
def test_filters_by_kind_and_language(client):
    viewer = UserFactory()
    make_post(viewer, body="An English post zq-en")
    make_post(viewer, body="منشور بالعربية zq-ar")
    statement = make_post(viewer, kind="statement", title="Statement", body="Official zq-st")
    translation_save(
        obj=statement, language="ar", fields={"title": "بيان", "body": "نص"}, by=viewer
    )
    services.post_publish(post=statement, by=viewer)
    client.force_login(viewer)
    statements = client.get(reverse("social:feed"), {"kind": "statement"}).text
    assert "zq-st" in statements
    assert "zq-en" not in statements
    arabic = client.get(reverse("social:feed"), {"language": "ar"}).text
    assert "zq-ar" in arabic
    assert "zq-en" not in arabic
    # The statement is readable in Arabic (translated), so it is listed too.
    assert "بيان" in arabic
    bad = client.get(reverse("social:feed"), {"language": "fr", "kind": "<b>"})
    assert bad.status_code == 200
    assert "zq-en" in bad.text


@pytest.mark.django_db
def test_the_compose_form_offers_only_what_the_author_may_do(client):
    viewer = UserFactory()
    mine, closed_elsewhere = WorkgroupFactory(), WorkgroupFactory(closed=True)
    MembershipFactory(workgroup=mine, user=viewer)
    client.force_login(viewer)
    form = client.get(reverse("social:feed")).context["form"]
    audiences = [value for value, _label in form.fields["audience"].choices]
    assert audiences == ["members", "public", f"workgroup:{mine.pk}"]
    assert f"workgroup:{closed_elsewhere.pk}" not in audiences
    assert form.fields["speaking_as"].widget.is_hidden
