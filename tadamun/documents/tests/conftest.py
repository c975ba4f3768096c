import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents import services
from tadamun.documents.models import Document
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

Role = WorkgroupMembership.Role


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


def text_file(name: str = "notes.txt", data: bytes = b"Plain text notes.\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


def make_document(
    *,
    by,
    title: str = "Annual report",
    workgroup=None,
    audience: str = Document.Audience.MEMBERS,
    description: str = "What we did this year.",
    category: str = Document.Category.REPORT,
    versions: tuple[bytes, ...] = (b"First version.\n",),
    language: str = "",
) -> Document:
    """A document through the one real path (the service), with one stored file per entry of
    `versions`, the last one current."""
    first, *later = versions
    document = services.document_create(
        by=by,
        workgroup=workgroup,
        upload=text_file("report.txt", first),
        title=title,
        description=description,
        category=category,
        audience=audience,
        language=language,
    )
    for number, data in enumerate(later, start=2):
        services.version_add(
            document=document, by=by, upload=text_file(f"report-v{number}.txt", data)
        )
    return document


class World:
    """Two workgroups (one OPEN, one CLOSED) with the same members, a third workgroup, and four
    documents by `uploader`, each with an old and a current version: a public and a
    members-only one in the network's library, one in each workgroup's library."""

    ROLES = [
        "anonymous",
        "applicant",
        "member",
        "wg_member",
        "other_wg_member",
        "coordinator",
        "uploader",
        "moderator",
    ]
    KINDS = ["public", "members", "open", "closed"]

    def __init__(self):
        self.applicant = UserFactory(applicant=True)
        self.member = UserFactory()
        self.wg_member = UserFactory()
        self.other_wg_member = UserFactory()
        self.coordinator = UserFactory(coordinator=True)
        self.uploader = UserFactory()
        self.moderator = UserFactory()
        self.open_workgroup = WorkgroupFactory()
        self.closed_workgroup = WorkgroupFactory(closed=True)
        self.other_workgroup = WorkgroupFactory(closed=True)
        for workgroup in (self.open_workgroup, self.closed_workgroup):
            MembershipFactory(workgroup=workgroup, user=self.wg_member)
            MembershipFactory(workgroup=workgroup, user=self.uploader)
            MembershipFactory(workgroup=workgroup, user=self.moderator, role=Role.MODERATOR)
        MembershipFactory(workgroup=self.other_workgroup, user=self.other_wg_member)
        versions = (b"Old version.\n", b"Current version.\n")
        self.documents = {
            "public": make_document(
                by=self.uploader,
                title="Public statement",
                audience=Document.Audience.PUBLIC,
                versions=versions,
            ),
            "members": make_document(by=self.uploader, title="Members memo", versions=versions),
            "open": make_document(
                by=self.uploader,
                title="Open group minutes",
                workgroup=self.open_workgroup,
                versions=versions,
            ),
            "closed": make_document(
                by=self.uploader,
                title="Closed group plan",
                workgroup=self.closed_workgroup,
                versions=versions,
            ),
        }

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()
