"""The pages and actions through the web: composing with images and files, statements from
draft to published, the post page, history, comments, reactions (with and without htmx),
follows and the follow button, the news page and its Atom feed in both languages."""

from xml.etree import ElementTree

import pytest
from django.core.files.storage import default_storage
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tadamun.social import services
from tadamun.social.models import Comment, Follow, Post, PostImage, Reaction
from tadamun.translations.services import translation_save

from .factories import (
    OrganisationFactory,
    UserFactory,
    WorkgroupFactory,
    image_upload,
    make_post,
    new_image,
    pdf_upload,
)

pytestmark = pytest.mark.django_db
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def test_compose_with_an_image_and_a_file(client):
    author = UserFactory()
    client.force_login(author)
    response = client.post(
        reverse("social:compose"),
        {
            "kind": "post",
            "body": "Our **meeting** in Basra",
            "language": "auto",
            "audience": "members",
            "speaking_as": "me",
            "image_1": image_upload("meeting.png", size=(800, 600)),
            "alt_1": "Twelve people around a table",
            "attachments": [pdf_upload("minutes.pdf")],
            "next": reverse("social:feed"),
        },
    )
    post = Post.objects.get()
    assert response["Location"] == reverse("social:feed")
    assert post.language == "en"
    assert post.published
    page = client.get(post.get_absolute_url())
    assert "<strong>meeting</strong>" in page.text
    image = post.images.get()
    assert 'alt="Twelve people around a table"' in page.text
    assert reverse("social:image", args=[post.pk, image.pk]) in page.text
    assert "minutes.pdf" in page.text
    served = client.get(reverse("social:image", args=[post.pk, image.pk]))
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    download = client.get(reverse("social:attachment", args=[post.pk, post.attachments.get().pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_compose_page_can_be_preset_for_a_workgroup(client):
    moderator = UserFactory()
    workgroup = WorkgroupFactory()
    from .factories import MembershipFactory

    MembershipFactory(workgroup=workgroup, user=moderator, role="moderator")
    client.force_login(moderator)
    response = client.get(reverse("social:compose"), {"as": f"workgroup:{workgroup.pk}"})
    form = response.context["form"]
    assert form["speaking_as"].value() == f"workgroup:{workgroup.pk}"
    assert form["audience"].value() == f"workgroup:{workgroup.pk}"


def test_a_statement_from_draft_to_published(client):
    author = UserFactory()
    client.force_login(author)
    response = client.post(
        reverse("social:compose"),
        {
            "kind": "statement",
            "title": "Solidarity with the port workers",
            "body": "We stand with the workers of Umm Qasr.",
            "language": "auto",
            "audience": "public",
            "speaking_as": "me",
        },
    )
    statement = Post.objects.get()
    assert response["Location"] == statement.get_absolute_url()
    assert not statement.published
    page = client.get(statement.get_absolute_url())
    assert "Draft" in page.text
    assert "Publish the statement" in page.text
    assert "Solidarity with the port workers" not in client.get(reverse("social:news")).text
    response = client.post(reverse("social:publish", args=[statement.pk]), follow=True)
    assert "both Arabic and English" in response.text
    statement.refresh_from_db()
    assert not statement.published
    translation_save(
        obj=statement,
        language="ar",
        fields={"title": "تضامن مع عمال الميناء", "body": "نقف مع عمال أم قصر."},
        by=author,
    )
    client.post(reverse("social:publish", args=[statement.pk]))
    statement.refresh_from_db()
    assert statement.published
    assert "Solidarity with the port workers" in client.get(reverse("social:news")).text
    with translation.override("ar"):
        arabic = client.get(reverse("social:news")).text
    assert "تضامن مع عمال الميناء" in arabic


def test_a_statement_in_both_languages_at_once(client):
    client.force_login(UserFactory())
    client.post(
        reverse("social:compose"),
        {
            "kind": "statement",
            "title": "بيان",
            "body": "نص البيان",
            "language": "auto",
            "audience": "public",
            "speaking_as": "me",
            "translation_title": "Statement",
            "translation_body": "The statement's text",
        },
    )
    statement = Post.objects.get()
    assert statement.language == "ar"
    assert statement.published


def test_the_news_atom_feed_in_both_languages(client):
    author = UserFactory()
    post = make_post(author, title="Workers' day", body="We march on *May Day*.", audience="public")
    translation_save(
        obj=post,
        language="ar",
        fields={"title": "عيد العمال", "body": "نسير في عيد العمال."},
        by=author,
    )
    make_post(author, title="Members only", body="Private", audience="members")
    for language, title in (("en", "Workers' day"), ("ar", "عيد العمال")):
        with translation.override(language):
            response = client.get(reverse("social:news_atom"))
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
        entries = feed.findall("atom:entry", ATOM)
        assert [entry.find("atom:title", ATOM).text for entry in entries] == [title]
        link = entries[0].find("atom:link", ATOM).get("href")
        assert link.endswith(f"/{language}/posts/{post.pk}/")
    news = client.get(reverse("social:news"))
    assert reverse("social:news_atom") in news.text
    assert "Private" not in news.text


def test_edit_and_history(client):
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, title="Plan", body="First plan")
    client.force_login(author)
    assert client.get(reverse("social:post_edit", args=[post.pk])).status_code == 200
    response = client.post(
        reverse("social:post_edit", args=[post.pk]),
        {"title": "Plan", "body": "Better plan", "language": "en"},
    )
    assert response.status_code == 302
    client.force_login(reader)
    page = client.get(post.get_absolute_url())
    assert "Better plan" in page.text
    assert reverse("social:history", args=[post.pk]) in page.text
    history = client.get(reverse("social:history", args=[post.pk]))
    assert "First plan" in history.text
    assert author.display_name in history.text


def test_comments_with_replies_on_the_page(client):
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, body="A post")
    client.force_login(reader)
    client.post(reverse("social:comment", args=[post.pk]), {"body": "First comment"})
    top = Comment.objects.get()
    page = client.get(post.get_absolute_url(), {"reply": top.pk})
    assert page.context["comment_form"]["parent"].value() == top.pk
    response = client.post(
        reverse("social:comment", args=[post.pk]), {"body": "A reply", "parent": top.pk}
    )
    reply = Comment.objects.get(parent=top)
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{reply.pk}"
    page = client.get(post.get_absolute_url())
    assert page.text.index("First comment") < page.text.index('class="replies"')
    assert page.text.index('class="replies"') < page.text.index("A reply")
    response = client.post(
        reverse("social:comment_edit", args=[reply.pk]), {"body": "An edited reply"}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "An edited reply"
    client.force_login(author)
    assert client.get(reverse("social:comment_edit", args=[reply.pk])).status_code == 403
    client.post(reverse("social:comment_delete", args=[top.pk]))
    assert not Comment.objects.exists()


def test_reactions_with_and_without_htmx(client):
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, body="A post")
    client.force_login(reader)
    url = reverse("social:react_post", args=[post.pk])
    response = client.post(url, {"kind": "support"})
    assert response["Location"] == post.get_absolute_url()
    response = client.post(url, {"kind": "like"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'aria-pressed="true"' in response.text
    assert set(Reaction.objects.values_list("kind", flat=True)) == {"support", "like"}
    client.post(url, {"kind": "like"})
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["support"]


def test_delete_through_the_page_removes_the_files(client, django_capture_on_commit_callbacks):
    author = UserFactory()
    post = make_post(author, body="Soon gone", images=[new_image()])
    names = [PostImage.objects.get().file.name, PostImage.objects.get().small.name]
    client.force_login(author)
    assert client.get(reverse("social:post_delete", args=[post.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("social:post_delete", args=[post.pk]))
    assert response["Location"] == reverse("social:feed")
    assert not Post.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_report_link_for_others_only(client):
    author, reader = UserFactory.create_batch(2)
    post = make_post(author, body="A post")
    client.force_login(reader)
    assert "/reports/new/" in client.get(post.get_absolute_url()).text
    client.force_login(author)
    assert "/reports/new/" not in client.get(post.get_absolute_url()).text


def render_button(user, target) -> str:
    request = RequestFactory().get("/en/somewhere/")
    request.user = user
    template = Template('{% include "social/_follow_button.html" with target=target %}')
    return template.render(Context({"request": request, "target": target}))


def test_follow_and_unfollow_through_the_button(client):
    follower, person = UserFactory(), UserFactory()
    organisation, workgroup = OrganisationFactory(), WorkgroupFactory()
    client.force_login(follower)
    for kind, target in (
        ("person", person),
        ("organisation", organisation),
        ("workgroup", workgroup),
    ):
        html = render_button(follower, target)
        assert reverse("social:follow", args=[kind, target.pk]) in html
        response = client.post(
            reverse("social:follow", args=[kind, target.pk]), {"next": "/en/somewhere/"}
        )
        assert response["Location"] == "/en/somewhere/"
        assert reverse("social:unfollow", args=[kind, target.pk]) in render_button(follower, target)
    assert Follow.objects.filter(follower=follower).count() == 3
    client.post(reverse("social:unfollow", args=["person", person.pk]))
    assert Follow.objects.filter(follower=follower).count() == 2
    assert render_button(follower, follower).strip() == ""
    assert render_button(UserFactory(applicant=True), person).strip() == ""


def test_following_what_one_may_not_see_is_not_found(client):
    follower = UserFactory()
    hidden = UserFactory(hidden=True)
    closed = WorkgroupFactory(closed=True)
    client.force_login(follower)
    assert client.post(reverse("social:follow", args=["person", hidden.pk])).status_code == 404
    assert client.post(reverse("social:follow", args=["workgroup", closed.pk])).status_code == 404
    assert client.post(reverse("social:follow", args=["planet", 1])).status_code == 404
    assert not Follow.objects.exists()


def test_post_lists_for_other_pages(client):
    author, reader = UserFactory.create_batch(2)
    make_post(author, title="Visible to members", body="Hello")
    request = RequestFactory().get("/en/people/")
    request.user = reader
    template = Template(
        "{% load social %}{% person_posts person as cards %}"
        '{% include "social/_post_list.html" with cards=cards %}'
    )
    html = template.render(Context({"request": request, "person": author}))
    assert "Visible to members" in html
    request.user = UserFactory(applicant=True)
    html = template.render(Context({"request": request, "person": author}))
    assert "Visible to members" not in html
    assert "No posts yet." in html


def test_the_feed_page_in_arabic(client):
    viewer = UserFactory(preferred_language="ar")
    make_post(viewer, body="منشور تجريبي")
    client.force_login(viewer)
    with translation.override("ar"):
        response = client.get(reverse("social:feed"))
    assert response.status_code == 200
    assert 'lang="ar" dir="rtl"' in response.text
    assert "منشور تجريبي" in response.text


def test_hidden_membership_warning_in_the_compose_form(client):
    client.force_login(UserFactory(hidden=True))
    assert "You hide your membership" in client.get(reverse("social:compose")).text


def test_a_reply_form_for_a_comment_on_a_public_post_warns(client):
    author = UserFactory()
    post = make_post(author, body="Public", audience="public")
    client.force_login(author)
    assert "anyone can read your comment" in client.get(post.get_absolute_url()).text
    services.comment_create(post=post, author=author, body="Mine")
