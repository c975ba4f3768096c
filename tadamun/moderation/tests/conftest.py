import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.moderation import services
from tadamun.moderation.models import Reason
from tadamun.social.models import Post
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

Role = WorkgroupMembership.Role


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


def make_post(author, *, body="A post", workgroup=None, audience=None, **kwargs) -> Post:
    if audience is None:
        audience = Post.Audience.WORKGROUP if workgroup else Post.Audience.MEMBERS
    return Post.objects.create(
        author=author,
        body=body,
        language=kwargs.pop("language", "en"),
        audience=audience,
        audience_workgroup=workgroup,
        published_at=timezone.now(),
        **kwargs,
    )


def ids(obj) -> tuple[int, int]:
    return ContentType.objects.get_for_model(obj).pk, obj.pk


class World:
    """Three posts by `author`, each reported once by `reporter`: one to all network members
    (no workgroup), one in an OPEN workgroup, one in a CLOSED workgroup.

    - member: a plain network member in both workgroups (sees everything, reviews nothing)
    - moderator: moderator of both workgroups
    - coordinator: a coordinator who belongs to both workgroups (as a plain member)
    - outside_coordinator: a coordinator in no workgroup (never sees the closed one's content)
    - outsider: a network member in no workgroup
    """

    ROLES = [
        "anonymous",
        "applicant",
        "member",
        "outsider",
        "reporter",
        "author",
        "moderator",
        "coordinator",
        "outside_coordinator",
    ]
    ITEMS = ["network", "open", "closed"]

    def __init__(self):
        self.applicant = UserFactory(applicant=True)
        self.member = UserFactory(display_name="Plain Member")
        self.outsider = UserFactory(display_name="Outside Member")
        self.reporter = UserFactory(display_name="Reporting Member")
        self.author = UserFactory(display_name="Writing Member", preferred_language="ar")
        self.moderator = UserFactory(display_name="Group Moderator")
        self.coordinator = UserFactory(coordinator=True, display_name="Inside Coordinator")
        self.outside_coordinator = UserFactory(coordinator=True, display_name="Outside Coordinator")
        self.open_group = WorkgroupFactory()
        self.closed_group = WorkgroupFactory(closed=True)
        for group in (self.open_group, self.closed_group):
            for user, role in (
                (self.member, Role.MEMBER),
                (self.reporter, Role.MEMBER),
                (self.author, Role.MEMBER),
                (self.moderator, Role.MODERATOR),
                (self.coordinator, Role.MEMBER),
            ):
                MembershipFactory(workgroup=group, user=user, role=role)
        self.network = make_post(self.author, body="Network-wide **post** text")
        self.open = make_post(self.author, body="Open group post text", workgroup=self.open_group)
        self.closed = make_post(
            self.author, body="Closed group secret text", workgroup=self.closed_group
        )
        self.reports = {
            name: services.report_create(
                reporter=self.reporter, obj=getattr(self, name), reason=Reason.SPAM
            )
            for name in self.ITEMS
        }

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def item(self, name: str) -> Post:
        return getattr(self, name)


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def notified(monkeypatch):
    """Calls to notify(), recorded instead of made (the notifications app has its own tests;
    test_notifications.py checks the real rows)."""
    calls = []

    def record(**kwargs):
        calls.append(kwargs)
        return len(list(kwargs["recipients"]))

    monkeypatch.setattr("tadamun.notifications.services.notify", record)
    return calls
