"""“Delete my account now” (accounts.deletion and its page)."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.accounts import deletion
from tadamun.accounts.models import User, UserSession
from tadamun.accounts.tests.conftest import add_totp, sign_in
from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.core.models import AuditEvent
from tadamun.documents import services as documents
from tadamun.documents.models import Document, DocumentVersion
from tadamun.lists.models import Subscription
from tadamun.messaging import services as messaging
from tadamun.messaging.models import Conversation, Message, Participant
from tadamun.notifications.models import Notification
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.search.models import SearchEntry
from tadamun.search.selectors import search
from tadamun.social import services as social
from tadamun.social.models import Comment, Post, PostAttachment, PostImage
from tadamun.social.tests.factories import make_post, new_attachment, new_image
from tadamun.workgroups.models import Post as ListPost
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.services import IncomingAttachment
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory
from tadamun.workgroups.tests.factories import make_post as make_list_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


def found(viewer, query: str) -> list:
    return [result.obj for result in search(viewer, query, per_page=50)]


class Life:
    """A member who wrote, uploaded, messaged and belongs to things, and another member who
    answered some of it."""

    def __init__(self):
        self.person = UserFactory(display_name="Zarqa Quillfeather", bio="xylophonist at heart")
        self.other = UserFactory(display_name="Other Member")
        self.workgroup = WorkgroupFactory()
        MembershipFactory(workgroup=self.workgroup, user=self.person)
        MembershipFactory(workgroup=self.workgroup, user=self.other)
        self.org_membership = OrgMembershipFactory(user=self.person)

        self.replied = make_post(
            self.person,
            body="quokkaword answered text",
            images=[new_image()],
            attachments=[new_attachment()],
        )
        self.reply = social.comment_create(
            post=self.replied, author=self.other, body="Reply from the other person stays"
        )
        self.lonely = make_post(self.person, body="quokkaword lonely text")
        self.comment = social.comment_create(
            post=self.replied, author=self.person, body="quokkaword my own comment"
        )
        self.comment_on_others = social.comment_create(
            post=make_post(self.other, body="A post by the other member"),
            author=self.person,
            body="quokkaword comment elsewhere",
        )
        self.files = [
            *PostImage.objects.filter(post__author=self.person).values_list("file", flat=True),
            *PostImage.objects.filter(post__author=self.person).values_list("small", flat=True),
            *PostAttachment.objects.filter(post__author=self.person).values_list("file", flat=True),
        ]

        self.document = documents.document_create(
            by=self.person,
            upload=SimpleUploadedFile(
                "notes.txt", b"quokkaword in a file\n", content_type="text/plain"
            ),
            title="quokkaword document",
            category=Document.Category.REPORT,
        )
        self.files += list(
            DocumentVersion.objects.filter(document=self.document).values_list("file", flat=True)
        )

        self.thread_start = make_list_post(
            self.workgroup,
            author=self.person,
            subject="A list thread",
            body="quokkaword list message",
            attachments=[IncomingAttachment("a.txt", "text/plain", b"list attachment bytes")],
        )
        self.list_reply = make_list_post(
            self.workgroup,
            author=self.other,
            subject="Re: A list thread",
            body="List reply from the other person",
            parent=self.thread_start,
        )
        self.files += [attachment.file.name for attachment in self.thread_start.attachments.all()]
        self.lonely_list = make_list_post(
            self.workgroup, author=self.person, subject="Alone", body="quokkaword alone"
        )

        self.conversation, self.first_message = messaging.conversation_start(
            sender=self.person, recipients=[self.other], body="quokkaword private words"
        )
        self.answer = messaging.message_send(
            conversation=self.conversation, author=self.other, body="Answer from the other person"
        )
        add_totp(self.person)
        assert all(default_storage.exists(name) for name in self.files)


def signed_in_twice(person) -> tuple[Client, Client]:
    """Two browsers, each seen once by the session-tracking middleware (the person has a
    second factor, so a password sign-in would stop at its step; force_login skips it)."""
    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(person)
        assert client.get(reverse("accounts:security")).status_code == 200
    assert UserSession.objects.filter(user=person).count() == 2
    return first, second


def assert_all_gone(life: Life) -> None:
    person_pk = life.person.pk
    assert not User.objects.filter(pk=person_pk).exists()

    # The post someone answered is a tombstone; their reply is intact. The other post is gone.
    tombstone = Post.objects.get(pk=life.replied.pk)
    assert tombstone.author_id is None
    assert tombstone.body == ""
    assert tombstone.title == ""
    assert not tombstone.images.exists()
    assert not tombstone.attachments.exists()
    assert Comment.objects.get(pk=life.reply.pk).body == "Reply from the other person stays"
    assert not Post.objects.filter(pk=life.lonely.pk).exists()
    assert not Comment.objects.filter(pk__in=[life.comment.pk, life.comment_on_others.pk]).exists()

    # Lists: the answered message is a tombstone, the other one is gone.
    start = ListPost.objects.get(pk=life.thread_start.pk)
    assert start.author_id is None
    assert start.body == ""
    assert start.author_email == ""
    assert not start.attachments.exists()
    assert ListPost.objects.get(pk=life.list_reply.pk).body == "List reply from the other person"
    assert not ListPost.objects.filter(pk=life.lonely_list.pk).exists()

    assert not Document.objects.filter(pk=life.document.pk).exists()
    assert not any(default_storage.exists(name) for name in life.files)

    # Direct messages: their words are gone, the other person's answer stays.
    mine = Message.objects.get(pk=life.first_message.pk)
    assert mine.author_id is None
    assert mine.body == ""
    assert Message.objects.get(pk=life.answer.pk).body == "Answer from the other person"
    assert Conversation.objects.filter(pk=life.conversation.pk).exists()
    assert not Participant.objects.filter(user_id=person_pk).exists()

    assert not WorkgroupMembership.objects.filter(user_id=person_pk).exists()
    assert not OrganisationMembership.objects.filter(user_id=person_pk).exists()
    assert not Subscription.objects.filter(email__iexact=life.person.email).exists()
    assert not Authenticator.objects.filter(user_id=person_pk).exists()
    assert not EmailAddress.objects.filter(email__iexact=life.person.email).exists()
    assert not Notification.objects.filter(recipient_id=person_pk).exists()
    assert not Notification.objects.filter(actor_id=person_pk).exists()

    assert found(life.other, "quokkaword") == []
    assert found(life.other, "xylophonist") == []
    assert found(life.other, "Quillfeather") == []
    assert not SearchEntry.objects.filter(body__icontains="quokkaword").exists()


def test_everything_goes_and_replies_stay():
    life = Life()
    assert len(found(life.other, "quokkaword")) >= 4
    first, second = signed_in_twice(life.person)

    report = deletion.account_delete_now(user=life.person)

    assert report.failed == []
    assert report.completed
    assert_all_gone(life)
    for client in (first, second):
        response = client.get(reverse("accounts:security"))
        assert response.status_code == 302
        assert reverse("account_login") in response.url
    assert not UserSession.objects.filter(user_id=life.person.pk).exists()

    # The other person's pages still show their replies around the tombstones.
    reader = Client()
    reader.force_login(life.other)
    pages = [
        reverse("social:post", args=[life.replied.pk]),
        reverse("workgroups:thread", args=[life.workgroup.slug, life.thread_start.thread_id]),
        reverse("messaging:conversation", args=[life.conversation.pk]),
    ]
    texts = [reader.get(url).text for url in pages]
    assert "Reply from the other person stays" in texts[0]
    assert "List reply from the other person" in texts[1]
    assert "Answer from the other person" in texts[2]
    assert not any("quokkaword" in text for text in texts)

    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_DELETED)
    assert event.actor_id is None
    assert event.subject_id is None
    text = str(event.detail).lower()
    for personal in (life.person.email, "zarqa", "quillfeather", "person number"):
        assert personal.lower() not in text
    assert event.detail["posts_deleted"] == 1
    assert event.detail["post_tombstones"] == 1


def test_a_failing_step_does_not_stop_the_others_and_a_second_run_finishes(monkeypatch):
    life = Life()
    first, _second = signed_in_twice(life.person)

    def broken(user, report):
        raise RuntimeError("storage unreachable")

    monkeypatch.setitem(deletion._STEP_FUNCTIONS, "content_documents", broken)
    report = deletion.account_delete_now(user=life.person)

    assert report.failed == ["content_documents"]
    assert not report.completed
    assert not report.account_deleted
    assert report.steps["search"]
    assert report.steps["content_messages"]
    # The steps after the broken one ran: sessions dead, posts handled, index cleaned.
    assert first.get(reverse("accounts:security")).status_code == 302
    assert not Post.objects.filter(pk=life.lonely.pk).exists()
    assert Post.objects.get(pk=life.replied.pk).body == ""
    assert found(life.other, "quokkaword") == []
    # The account is kept, locked, so that the deletion can be run again.
    locked = User.objects.get(pk=life.person.pk)
    assert not locked.is_active
    assert not locked.has_usable_password()
    assert Document.objects.filter(pk=life.document.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETED).exists()

    monkeypatch.undo()
    again = deletion.account_delete_now(user=locked)

    assert again.failed == []
    assert again.completed
    assert_all_gone(life)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETED).count() == 1


def test_the_page_explains_and_deletes_with_the_password():
    life = Life()
    client, other_device = signed_in_twice(life.person)
    url = reverse("accounts:delete_account")

    page = client.get(url)
    assert page.status_code == 200
    assert "Petition signatures" in page.text
    assert "no name and no e-mail address" in page.text
    assert reverse("accounts:delete_account") in client.get(reverse("accounts:security")).text

    response = client.post(url, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account has been deleted." in response.text
    assert isinstance(response.wsgi_request.user, AnonymousUser)
    assert other_device.get(reverse("accounts:security")).status_code == 302
    assert_all_gone(life)


def test_a_wrong_password_deletes_nothing():
    person = UserFactory()
    post = make_post(person, body="Still here")
    client = Client()
    sign_in(client, person)

    response = client.post(reverse("accounts:delete_account"), {"password": "wrong"})

    assert response.status_code == 200
    assert "That is not your password. Nothing has been deleted." in response.text
    person.refresh_from_db()
    assert person.is_active
    assert person.has_usable_password()
    assert Post.objects.filter(pk=post.pk).exists()
    assert Session.objects.filter(session_key=client.session.session_key).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCOUNT_DELETED).exists()


def test_without_a_password_the_word_is_needed_after_reauthentication():
    person = UserFactory()
    person.set_unusable_password()
    person.save()
    client = Client()
    client.force_login(person)
    url = reverse("accounts:delete_account")

    page = client.get(url)
    assert page.status_code == 200
    assert "DELETE" in page.text
    # A POST needs allauth's fresh reauthentication (force_login recorded none).
    response = client.post(url, {"confirmation": "DELETE"})
    assert response.status_code == 302
    assert "reauthenticate" in response.url
    assert User.objects.filter(pk=person.pk).exists()


def test_anonymous_visitors_are_sent_to_sign_in():
    response = Client().get(reverse("accounts:delete_account"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url
    response = Client().post(reverse("accounts:delete_account"), {"password": PASSWORD})
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_csrf_is_required():
    person = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)

    response = client.post(reverse("accounts:delete_account"), {"password": PASSWORD})

    assert response.status_code == 403
    assert User.objects.filter(pk=person.pk, is_active=True).exists()


def test_nobody_else_may_use_the_service():
    person, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionError):
        deletion.account_delete_now(user=person, by=other)
    assert User.objects.filter(pk=person.pk).exists()
