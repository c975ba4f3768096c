import io
import json
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent
from tadamun.documents import services as document_services
from tadamun.messaging import services as messaging_services
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory
from tadamun.social import services as social_services
from tadamun.social.models import Follow
from tadamun.social.tests.factories import make_post, new_attachment, new_image
from tadamun.workgroups.services import IncomingAttachment
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory
from tadamun.workgroups.tests.factories import make_post as make_workgroup_post

DOCUMENT_BYTES = b"Minutes of the meeting in Basra.\n"
WORKGROUP_ATTACHMENT_BYTES = b"%PDF-1.4 the plan"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


class World:
    """`me`, a member with something of every kind, and the people around them: a partner in
    a conversation, two others writing privately to each other, a hidden member in the same
    workgroup (whom `me` once followed), an applicant and a coordinator."""

    ROLES = ["anonymous", "applicant", "member", "coordinator"]

    def __init__(self):
        self.me = UserFactory(
            email="Me.Myself@Example.org", display_name="Exporting Person", bio="About me"
        )
        self.partner = UserFactory(email="partner-secret@example.org", display_name="Partner P")
        self.other_a = UserFactory(email="other-a@example.org", display_name="Other A")
        self.other_b = UserFactory(email="other-b@example.org", display_name="Other B")
        self.hidden = UserFactory(email="hidden@example.org", display_name="Hidden Member H")
        self.applicant = UserFactory(applicant=True)
        self.member = UserFactory()
        self.coordinator = UserFactory(coordinator=True)

        self.workgroup = WorkgroupFactory()
        for person in (self.me, self.partner, self.hidden):
            MembershipFactory(workgroup=self.workgroup, user=person)
        self.org_membership = OrgMembershipFactory(user=self.me)

        # Followed while visible, then hidden: the export must not name them.
        Follow.objects.create(follower=self.me, person=self.hidden)
        Follow.objects.create(follower=self.me, person=self.partner)
        self.hidden.hide_membership = True
        self.hidden.save()

        self.post = make_post(
            self.me,
            title="My own post",
            body="Body of my post zqpostzq",
            images=[new_image()],
            attachments=[new_attachment(name="mine.pdf", data=b"%PDF-1.4 my attachment")],
        )
        self.comment = social_services.comment_create(
            post=self.post, author=self.me, body="My comment zqcommentzq"
        )
        self.others_post = make_post(self.other_a, body="Someone else's post zqotherpostzq")
        self.workgroup_post = make_workgroup_post(
            self.workgroup,
            author=self.me,
            subject="Workgroup subject",
            body="My workgroup message zqwgzq",
            attachments=[
                IncomingAttachment("plan.pdf", "application/pdf", WORKGROUP_ATTACHMENT_BYTES)
            ],
        )
        self.document = document_services.document_create(
            by=self.me,
            workgroup=None,
            upload=SimpleUploadedFile("minutes.txt", DOCUMENT_BYTES, content_type="text/plain"),
            title="My minutes",
            description="What we decided.",
            category="minutes",
            audience="members",
            language="",
        )

        self.conversation, self.first = messaging_services.conversation_start(
            sender=self.me, recipients=[self.partner], body="Hello partner zqmine1zq"
        )
        self.reply = messaging_services.message_send(
            conversation=self.conversation, author=self.partner, body="Hello back zqreplyzq"
        )
        self.private, _message = messaging_services.conversation_start(
            sender=self.other_a, recipients=[self.other_b], body="Not for you zqprivatezq"
        )

        self.petition = PetitionFactory()
        # The same mailbox spelled differently: found through the normalised key.
        self.signature = SignatureFactory(
            petition=self.petition,
            email="me.myself+petition@example.org",
            name="Me At The Petition",
            confirmed=True,
        )
        self.others_signature = SignatureFactory(
            petition=self.petition, email="stranger@example.org", name="Stranger Signer"
        )
        audit(AuditEvent.Action.PRIVACY_CHANGED, actor=self.me, subject=self.me)
        audit(AuditEvent.Action.ROLE_CHANGED, actor=self.coordinator, subject=self.other_a)

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()


def unzip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def data_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("data.json"))
