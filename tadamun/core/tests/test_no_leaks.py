"""Across the whole social site: what is addressed to a closed workgroup, to network members or
to the people of a conversation never reaches anyone else — not in a page, a list, the feed, the
public news and its Atom feed, notifications, e-mail, the translation queue, the reports queue,
the content registry (the hook search will use), or a download URL.

Every item below carries a marker; each outsider walks every page and every URL of the items,
and the marker must appear nowhere they can read."""

from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.core import content
from tadamun.core.uploads import reencode_image
from tadamun.documents import services as documents
from tadamun.messaging import services as messaging
from tadamun.moderation.models import Report
from tadamun.social import services as social
from tadamun.translations import services as translations
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

pytestmark = pytest.mark.django_db

GROUP_SECRET = "GROUPSECRET7731"
GROUP_SECRET_AR = "سرالمجموعة"
MEMBERS_ONLY = "MEMBERSONLY4402"
PRIVATE_MESSAGE = "PRIVATEMSG9150"
MARKERS = (GROUP_SECRET, GROUP_SECRET_AR, PRIVATE_MESSAGE)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(name="photo.png") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 90)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        author = UserFactory(member=True, display_name="author")
        insider = UserFactory(member=True, display_name="insider")
        outsider = UserFactory(member=True, display_name="outsider", translator=True)
        coordinator = UserFactory(member=True, coordinator=True, translator=True)
        applicant = UserFactory(applicant=True)
        closed = WorkgroupFactory(closed=True)
        for person, role in ((author, "owner"), (insider, "member")):
            MembershipFactory(workgroup=closed, user=person, role=role)
        # outsiders follow the author, so the fan-out has to filter them out
        for person in (outsider, coordinator):
            social.follow(follower=person, person=author)

        post = social.post_create(
            author=author,
            title="",
            body=f"{GROUP_SECRET} {GROUP_SECRET_AR} @outsider @insider",
            audience="workgroup",
            audience_workgroup=closed,
            images=[
                social.NewImage(
                    image=reencode_image(png(), max_bytes=10**6),
                    small=reencode_image(png(), max_bytes=10**6, max_side=10),
                    alt_text=GROUP_SECRET,
                )
            ],
        )
        comment = social.comment_create(post=post, author=insider, body=f"{GROUP_SECRET} reply")
        social.reaction_toggle(user=insider, kind="like", post=post)
        translations.translation_request(obj=post, target_language="ar", by=insider)
        document = documents.document_create(
            by=author,
            upload=SimpleUploadedFile(f"{GROUP_SECRET}.txt", GROUP_SECRET.encode()),
            title=f"{GROUP_SECRET} minutes",
            category="minutes",
            description=GROUP_SECRET,
            workgroup=closed,
        )
        members_post = social.post_create(
            author=author, body=f"{MEMBERS_ONLY} for the network", audience="members"
        )
        conversation, message = messaging.conversation_start(
            sender=author, recipients=[insider], body=PRIVATE_MESSAGE
        )
        Report.objects.create(
            content_type=ContentType.objects.get_for_model(type(post)),
            object_id=post.pk,
            reporter=insider,
            reason="other",
            excerpt=GROUP_SECRET,
            workgroup=closed,
        )
    return {
        "author": author,
        "insider": insider,
        "outsider": outsider,
        "coordinator": coordinator,
        "applicant": applicant,
        "closed": closed,
        "post": post,
        "comment": comment,
        "document": document,
        "members_post": members_post,
        "conversation": conversation,
        "message": message,
    }


def urls_of(world) -> list[str]:
    post, document = world["post"], world["document"]
    image = post.images.get()
    version = document.versions.get()
    ct = ContentType.objects.get_for_model(type(post)).pk
    pages = []
    for language in ("en", "ar"):
        with translation.override(language):
            pages += [
                reverse("home"),
                reverse("social:feed"),
                reverse("social:news"),
                reverse("social:news_atom"),
                reverse("social:post", args=[post.pk]),
                reverse("social:post", args=[world["members_post"].pk]),
                reverse("social:history", args=[post.pk]),
                reverse("social:image", args=[post.pk, image.pk]),
                reverse("social:image_small", args=[post.pk, image.pk]),
                reverse("notifications:list"),
                reverse("documents:library") + "?q=GROUPSECRET",
                reverse("documents:detail", args=[document.pk]),
                reverse("documents:download", args=[document.pk]),
                reverse("documents:download", args=[document.pk, version.pk]),
                reverse("documents:workgroup", args=[world["closed"].slug]),
                reverse("messaging:inbox"),
                reverse("messaging:conversation", args=[world["conversation"].pk]),
                reverse("translations:queue"),
                reverse("translations:translate", args=[ct, post.pk, "ar"]),
                reverse("moderation:queue"),
                reverse("moderation:my_reports"),
                reverse("organisations:person", args=[world["author"].pk]),
                reverse("workgroups:workgroup", args=[world["closed"].slug]),
            ]
    return pages


def read_everything(client: Client, urls: list[str]) -> str:
    seen = []
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen.append(body.decode("utf-8", "replace"))
    return "\n".join(seen)


@pytest.mark.parametrize("who", ["anonymous", "applicant", "outsider", "coordinator"])
def test_nothing_of_a_closed_workgroup_or_a_conversation_reaches_outsiders(world, who):
    client = Client()
    person = world.get(who)
    if person is not None:
        assert client.login(email=person.email, password=PASSWORD)
    seen = read_everything(client, urls_of(world))
    for marker in MARKERS:
        assert marker not in seen, f"{marker} leaked to {who}"
    if who in {"anonymous", "applicant"}:
        assert MEMBERS_ONLY not in seen
    # notifications and mail: nothing about the closed group or the conversation
    if person is not None:
        for message in mail.outbox:
            if person.email in message.to:
                text = message.subject + message.body
                for marker in MARKERS:
                    assert marker not in text
    # the content registry — the hook search will use — agrees
    viewer = person
    if viewer is None:
        from django.contrib.auth.models import AnonymousUser

        viewer = AnonymousUser()
    for key in ("post", "comment", "document", "message"):
        assert not content.can_see(viewer, world[key]), key


def test_outsiders_get_no_notification_about_what_they_cannot_see(world):
    from tadamun.notifications.models import Notification

    for who in ("outsider", "coordinator"):
        person = world[who]
        targets = list(Notification.objects.filter(recipient=person))
        for notification in targets:
            assert notification.object_id not in {
                world["post"].pk,
                world["comment"].pk,
                world["document"].pk,
                world["message"].pk,
            } or notification.content_type.model not in {"post", "comment", "document", "message"}
    insider_kinds = set(
        Notification.objects.filter(recipient=world["insider"]).values_list("kind", flat=True)
    )
    assert {"mention", "message", "document"} <= insider_kinds


def test_insiders_do_see_it(world):
    client = Client()
    assert client.login(email=world["insider"].email, password=PASSWORD)
    seen = read_everything(client, urls_of(world))
    assert GROUP_SECRET in seen
    assert PRIVATE_MESSAGE in seen
    assert MEMBERS_ONLY in seen


@pytest.mark.parametrize("who", ["anonymous", "applicant", "outsider", "coordinator"])
def test_search_finds_nothing_of_it_for_outsiders(world, who):
    """The search page echoes the words searched for, so look for results instead: no
    highlighted match and no link to any of the items."""
    client = Client()
    person = world.get(who)
    if person is not None:
        assert client.login(email=person.email, password=PASSWORD)
    with translation.override("en"):
        links = [
            world["post"].get_absolute_url(),
            world["document"].get_absolute_url(),
            world["message"].get_absolute_url(),
        ]
    for query in (GROUP_SECRET, GROUP_SECRET_AR, PRIVATE_MESSAGE, "minutes"):
        with translation.override("en"):
            page = client.get(reverse("search:search"), {"q": query}).content.decode()
        assert "<mark>" not in page, (who, query)
        for link in links:
            assert link not in page, (who, query, link)


def test_search_finds_it_for_insiders(world):
    client = Client()
    assert client.login(email=world["insider"].email, password=PASSWORD)
    with translation.override("en"):
        page = client.get(reverse("search:search"), {"q": GROUP_SECRET}).content.decode()
        assert world["post"].get_absolute_url() in page
    assert "<mark>" in page
