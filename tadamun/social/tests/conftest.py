import pytest
from django.utils import translation

from tadamun.organisations.models import OrganisationMembership
from tadamun.social.models import Follow, Post
from tadamun.social.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrgMembershipFactory,
    UserFactory,
    WorkgroupFactory,
    make_post,
    new_attachment,
    new_image,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


class World:
    """People in every role around one OPEN and one CLOSED workgroup and an organisation, and
    one post (with an image, a file and a comment) for each audience, all by `author`, whom
    every member follows — so that the feed would show anything the selectors let through."""

    ROLES = [
        "anonymous",
        "applicant",
        "member",
        "wg_member",
        "other_wg_member",
        "org_admin",
        "coordinator",
        "suspended",
    ]
    AUDIENCES = ["public", "members", "wg_open", "wg_closed"]

    def __init__(self):
        self.open = WorkgroupFactory()
        self.closed = WorkgroupFactory(closed=True)
        self.other = WorkgroupFactory()
        self.organisation = OrganisationFactory()
        self.author = UserFactory(display_name="Author Person")
        self.applicant = UserFactory(applicant=True)
        self.member = UserFactory()
        self.wg_member = UserFactory()
        self.other_wg_member = UserFactory()
        self.org_admin = UserFactory()
        self.coordinator = UserFactory(coordinator=True)
        self.suspended = UserFactory(suspended=True)
        for person in (self.author, self.wg_member):
            MembershipFactory(workgroup=self.open, user=person)
            MembershipFactory(workgroup=self.closed, user=person)
        MembershipFactory(workgroup=self.other, user=self.other_wg_member)
        OrgMembershipFactory(
            user=self.org_admin,
            organisation=self.organisation,
            role=OrganisationMembership.Role.ADMIN,
        )
        self.posts = {
            "public": self._post("public", audience=Post.Audience.PUBLIC),
            "members": self._post("members", audience=Post.Audience.MEMBERS),
            "wg_open": self._post(
                "wg_open", audience=Post.Audience.WORKGROUP, audience_workgroup=self.open
            ),
            "wg_closed": self._post(
                "wg_closed", audience=Post.Audience.WORKGROUP, audience_workgroup=self.closed
            ),
        }
        for role in self.ROLES:
            user = self.user(role)
            if user is not None and user != self.author:
                Follow.objects.create(follower=user, person=self.author)

    def _post(self, name: str, **kwargs) -> Post:
        from tadamun.social import services

        post = make_post(
            self.author,
            title=f"Title {name} zq{name}zq",
            body=f"Body of the {name} post: secret-{name}",
            images=[new_image()],
            attachments=[new_attachment()],
            **kwargs,
        )
        post.comment = services.comment_create(
            post=post, author=self.author, body=f"Comment on {name}"
        )
        return post

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()
