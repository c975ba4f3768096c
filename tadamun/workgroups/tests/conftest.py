import pytest
from django.utils import translation

from tadamun.lists.models import MailingList
from tadamun.workgroups.models import Post, WorkgroupMembership
from tadamun.workgroups.services import IncomingAttachment
from tadamun.workgroups.tests.factories import (
    MembershipFactory,
    UserFactory,
    WorkgroupFactory,
    make_post,
)

Role, Status = WorkgroupMembership.Role, WorkgroupMembership.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


class Group:
    """One workgroup with a published thread (with an attachment), a thread whose only post
    is held (with an attachment), and a held reply in the published thread."""

    def __init__(self, workgroup, world):
        self.workgroup = workgroup
        self.mailing_list = MailingList.objects.create(workgroup=workgroup)
        for user, role in (
            (world.member, Role.MEMBER),
            (world.moderator, Role.MODERATOR),
            (world.owner, Role.OWNER),
            (world.hidden, Role.MEMBER),
        ):
            MembershipFactory(workgroup=workgroup, user=user, role=role)
        self.requested = MembershipFactory(
            workgroup=workgroup, user=world.requester, status=Status.REQUESTED
        )
        self.member_membership = WorkgroupMembership.objects.get(
            workgroup=workgroup, user=world.member
        )
        self.first = make_post(
            workgroup,
            author=world.owner,
            subject=f"Published thread of {workgroup.slug}",
            body="Secret plans of the group",
            attachments=[IncomingAttachment("report.pdf", "application/pdf", b"%PDF-1.4 x")],
        )
        self.thread = self.first.thread
        self.held_reply = make_post(
            workgroup,
            author=None,
            author_email="stranger@example.net",
            parent=self.first,
            subject="Re: held",
            body="Held reply text",
            status=Post.Status.HELD,
            hold_reason="non-member",
            attachments=[IncomingAttachment("held.txt", "text/plain", b"held attachment")],
        )
        self.held_post = make_post(
            workgroup,
            author=None,
            author_email="stranger@example.net",
            subject=f"Held thread of {workgroup.slug}",
            body="Held text",
            status=Post.Status.HELD,
            hold_reason="non-member",
        )
        self.held_thread = self.held_post.thread
        self.attachment = self.first.attachments.get()
        self.held_attachment = self.held_reply.attachments.get()


class World:
    ROLES = ["anonymous", "applicant", "outsider", "member", "moderator", "owner", "coordinator"]

    def __init__(self):
        self.applicant = UserFactory(applicant=True)
        self.outsider = UserFactory()
        self.member = UserFactory()
        self.moderator = UserFactory()
        self.owner = UserFactory()
        self.coordinator = UserFactory(coordinator=True)
        self.hidden = UserFactory(hidden=True, legal_name="Secret Legal", display_name="Hidden One")
        self.requester = UserFactory(display_name="Asking Person")
        self.invitee = UserFactory(email="invitee@example.org")
        self.open = Group(WorkgroupFactory(), self)
        self.closed = Group(WorkgroupFactory(closed=True), self)

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()
