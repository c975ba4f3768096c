"""Search shows nobody anything they may not see: for every role, the results of a word shared
by every item are exactly the items that role may see — per kind of content, through the kind's
own selector — and people's hidden membership and legal names never leak through a name."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.core import content
from tadamun.documents import services as documents
from tadamun.documents.models import Document
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.search.selectors import search
from tadamun.search.tests.helpers import ANONYMOUS, found, upload
from tadamun.social import services as social
from tadamun.social.models import Post
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory, make_post

pytestmark = pytest.mark.django_db

WORD = "sumudmarker"

PUBLIC = {"org_public", "post_public", "comment_public", "doc_public"}
MEMBERS = PUBLIC | {
    "org_unlisted",
    "person_plain",
    "person_pseudonym",
    "wg_open",
    "post_members",
    "post_wg_open",
    "comment_members",
    "msg_open",
    "doc_members",
    "doc_open",
}
CLOSED_GROUP = {"wg_closed", "post_wg_closed", "comment_wg_closed", "msg_closed", "doc_closed"}
EXPECTED = {
    "anonymous": PUBLIC,
    "applicant": PUBLIC,
    "suspended": PUBLIC,
    "member": MEMBERS,
    # A member of the closed workgroup reads its content.
    "wg_member": MEMBERS | CLOSED_GROUP,
    # Coordinators outside a closed workgroup know it exists, never read its content; they see
    # hidden members and items hidden by moderators.
    "coordinator": MEMBERS | {"wg_closed", "person_hidden", "post_hidden", "doc_hidden"},
    # People who hide their membership find themselves, nobody else does (but coordinators).
    "hidden": MEMBERS | {"person_hidden"},
    # The author sees their own hidden post, draft statement and hidden document.
    "author": MEMBERS | CLOSED_GROUP | {"post_hidden", "post_draft", "doc_hidden"},
}


class World:
    def __init__(self):
        self.tags: dict[tuple[str, int], str] = {}
        self.author = UserFactory(member=True)
        self.applicant = UserFactory(applicant=True)
        self.suspended = UserFactory(suspended=True)
        self.member = UserFactory(member=True)
        self.wg_member = UserFactory(member=True)
        self.coordinator = UserFactory(coordinator=True)
        self.open = WorkgroupFactory(description_en=f"{WORD} wg_open")
        self.closed = WorkgroupFactory(closed=True, description_en=f"{WORD} wg_closed")
        self._tag(self.open, "wg_open")
        self._tag(self.closed, "wg_closed")
        for person in (self.author, self.wg_member):
            for workgroup in (self.open, self.closed):
                MembershipFactory(workgroup=workgroup, user=person)
        # people
        self.hidden = self._tag(
            UserFactory(member=True, hidden=True, display_name="Shadow Gardener", bio=WORD),
            "person_hidden",
        )
        self.pseudonym = self._tag(
            UserFactory(
                member=True,
                display_name="Nightingale Writer",
                legal_name="Haifa Legalname",
                bio=WORD,
            ),
            "person_pseudonym",
        )
        self._tag(UserFactory(member=True, bio=WORD), "person_plain")
        self._tag(UserFactory(applicant=True, bio=WORD), "person_applicant")
        # organisations
        self._tag(OrganisationFactory(description_en=WORD, listed_publicly=True), "org_public")
        self._tag(OrganisationFactory(description_en=WORD, listed_publicly=False), "org_unlisted")
        # posts and comments
        posts = {
            "public": {"audience": "public"},
            "members": {"audience": "members"},
            "wg_open": {"audience": "workgroup", "audience_workgroup": self.open},
            "wg_closed": {"audience": "workgroup", "audience_workgroup": self.closed},
        }
        for name, kwargs in posts.items():
            post = social.post_create(author=self.author, body=f"{WORD} post", **kwargs)
            self._tag(post, f"post_{name}")
            if name != "wg_open":
                comment = social.comment_create(post=post, author=self.author, body=WORD)
                self._tag(comment, f"comment_{name}")
        hidden_post = social.post_create(author=self.author, body=WORD, audience="public")
        Post.objects.filter(pk=hidden_post.pk).update(is_hidden=True)
        self._tag(hidden_post, "post_hidden")
        draft = social.post_create(
            author=self.author, kind="statement", title="Draft", body=WORD, audience="public"
        )
        assert not draft.published
        self._tag(draft, "post_draft")
        # workgroup discussions
        self._tag(make_post(self.open, author=self.author, body=WORD), "msg_open")
        self._tag(make_post(self.closed, author=self.author, body=WORD), "msg_closed")
        self._tag(make_post(self.open, author=self.author, body=WORD, status="held"), "msg_held")
        # documents
        for name, kwargs in {
            "public": {"audience": "public"},
            "members": {},
            "open": {"workgroup": self.open},
            "closed": {"workgroup": self.closed},
            "hidden": {"audience": "public"},
        }.items():
            document = documents.document_create(
                by=self.author,
                upload=upload("a.txt", b"text", "text/plain"),
                title=f"{WORD} document",
                category="report",
                **kwargs,
            )
            self._tag(document, f"doc_{name}")
        Document.objects.filter(pk=self.documents("doc_hidden")).update(is_hidden=True)

    def _tag(self, obj, tag: str):
        self.tags[(content.kind_of(obj).key, obj.pk)] = tag
        return obj

    def documents(self, tag: str) -> int:
        return next(pk for (key, pk), name in self.tags.items() if name == tag)

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def seen_by(self, role: str) -> set[str]:
        results = search(self.user(role) or ANONYMOUS, WORD, per_page=100)
        assert not results.has_next
        return {self.tags[(result.kind_key, result.obj.pk)] for result in results}


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_finds_exactly_what_it_may_see(world, role):
    viewer = world.user(role) or ANONYMOUS
    assert world.seen_by(role) == EXPECTED[role]
    # the same, asked of each kind's own selector
    for result in search(viewer, WORD, per_page=100):
        assert content.can_see(viewer, result.obj)
    # filters never widen it: by kind, and by a workgroup the viewer may not read
    for kind in content.kinds():
        if kind.search is not None:
            for result in search(viewer, WORD, kinds=[kind.key], per_page=100):
                assert world.tags[(result.kind_key, result.obj.pk)] in EXPECTED[role]
    for result in search(viewer, WORD, workgroup=world.closed.pk, per_page=100):
        assert world.tags[(result.kind_key, result.obj.pk)] in EXPECTED[role]


class TestNames:
    def test_hidden_members_are_found_only_by_coordinators_and_themselves(self, world):
        assert found(world.member, "Shadow Gardener") == []
        assert found(world.wg_member, '"shadow gardener"') == []
        assert found(None, "gardener") == []
        assert found(world.coordinator, "Shadow Gardener") == [world.hidden]
        assert found(world.hidden, "gardener") == [world.hidden]

    def test_legal_names_e_mail_addresses_and_authors_are_not_searchable(self, world):
        for viewer in (world.member, world.coordinator, world.pseudonym, None):
            assert found(viewer, "Haifa") == []
            assert found(viewer, "Legalname") == []
        assert found(world.member, "nightingale") == [world.pseudonym]
        sender = make_post(
            world.open,
            author=None,
            author_name="Outside Sender",
            author_email="mailonly@example.net",
            body="A message from outside.",
            source="email",
        )
        assert found(world.member, "mailonly") == []
        assert found(world.member, "example.org") == []
        assert found(world.member, "outside") == [sender]
        # Posts are indexed by their words, not by their author's name.
        assert found(None, world.author.display_name.split()[0]) == []


def url_of(key: str, pk: int) -> str:
    content_type = ContentType.objects.get_by_natural_key(*key.split("."))
    return content_type.get_object_for_this_type(pk=pk).get_absolute_url()


class TestPage:
    def test_the_page_shows_what_the_selectors_allow_and_nothing_more(self, world):
        for role in ("anonymous", "member", "coordinator"):
            client = Client()
            person = world.user(role)
            if person is not None:
                assert client.login(email=person.email, password=PASSWORD)
            response = client.get(reverse("search:search"), {"q": WORD})
            assert response.status_code == 200
            page = response.content.decode()
            for (key, pk), tag in world.tags.items():
                link = f'href="{url_of(key, pk)}"'
                if tag in EXPECTED[role]:
                    assert link in page, f"{tag} missing for {role}"
                else:
                    assert link not in page, f"{tag} shown to {role}"

    def test_workgroups_offered_are_those_the_viewer_may_read(self, world):
        page = Client().get(reverse("search:search")).content.decode()
        assert 'name="workgroup"' not in page  # anonymous visitors: no workgroup filter
        client = Client()
        assert client.login(email=world.member.email, password=PASSWORD)
        page = client.get(reverse("search:search")).content.decode()
        assert f'value="{world.open.slug}"' in page
        assert f'value="{world.closed.slug}"' not in page
        response = client.get(reverse("search:search"), {"q": WORD, "workgroup": world.closed.slug})
        assert response.status_code == 400
        assert world.closed.name_en not in response.content.decode()
        assert "post" not in {
            tag.split("_")[0] for tag in EXPECTED["member"] if tag.endswith("closed")
        }
