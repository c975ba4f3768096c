"""The authorization grid, API way (issue 7): every role × every kind of object × every read
the read-only JSON API offers (tadamun/api), by personal access token and by session cookie.

Every object carries a marker (a word of letters only, so that search finds it as a word). A
cell is *got* when the marker appears in the JSON the role received. What each role is
*expected* to get is written out below as an explicit table from the documented rules (README
"Workgroups and their e-mail lists", "The social site", "Search", "Lockdown", "The API"; the
docstrings of the workgroups, social, documents and notifications selectors; and
core/tests/test_no_leaks.py) — never from the code under test. Beyond those rules, the API is
for approved members only: anonymous visitors and applicants get nothing at all.

`-s` shows the figures."""

from __future__ import annotations

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from tadamun.accounts.models import SecurityPolicy
from tadamun.accounts.tests.factories import UserFactory
from tadamun.api import selectors as api_selectors
from tadamun.api.models import ApiToken
from tadamun.documents import services as documents
from tadamun.documents.models import Document
from tadamun.lockdown import services as lockdown
from tadamun.notifications import services as notifications
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.security_suite.grid import Grid
from tadamun.security_suite.tests.grid_world import ROLES  # the content grid's nine roles
from tadamun.social import services as social
from tadamun.social.models import Comment
from tadamun.social.models import Post as SocialPost
from tadamun.workgroups.models import Post, WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory, make_post

pytestmark = pytest.mark.django_db

AUTHS = ("token", "session")

# ------------------------------------------------------------------ the expectation table
NOBODY: frozenset[str] = frozenset()
# The API is for approved members only (README "The API").
NETWORK = frozenset(ROLES) - {"anonymous", "applicant"}
# Who knows that a workgroup exists: members see OPEN ones, CLOSED ones they belong to;
# coordinators all; a locked-down workgroup only coordinators (README Lockdown).
KNOWS = {
    "open": NETWORK,
    "closed": frozenset({"moderator", "insider", "coordinator"}),
    "other": frozenset({"other_member", "coordinator"}),
    "locked": frozenset({"coordinator"}),
}
# Who reads the discussions, archive, library and workgroup posts: any member for an OPEN one,
# only its active members for a CLOSED one — not even coordinators outside it.
READS = {
    "open": NETWORK,
    "closed": frozenset({"moderator", "insider"}),
    "other": frozenset({"other_member"}),
    "locked": frozenset({"coordinator"}),
}
# Owners and moderators of the workgroup (moderators see hidden items of their workgroup).
MODERATES_CLOSED = frozenset({"moderator"})
ORG_SPEAKERS = frozenset({"org_admin", "coordinator"})  # open an organisation's drafts
REVIEWERS = frozenset({"coordinator"})  # see hidden items of the network
EVERY_POST_LIST = NETWORK

# kind → action → the roles expected to see its marker. Actions name the endpoint:
#   "list" = its collection endpoint, "read" = the endpoint of the item (or of its parent),
#   "search" = /api/v1/search?q=<marker>.
EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    # workgroups themselves (names): /workgroups, /workgroups/{slug}, search
    "workgroup (open)": {"list": KNOWS["open"], "read": KNOWS["open"], "search": KNOWS["open"]},
    "workgroup (closed)": {
        "list": KNOWS["closed"],
        "read": KNOWS["closed"],
        "search": KNOWS["closed"],
    },
    "workgroup (other closed)": {
        "list": KNOWS["other"],
        "read": KNOWS["other"],
        "search": KNOWS["other"],
    },
    "workgroup (locked)": {
        "list": KNOWS["locked"],
        "read": KNOWS["locked"],
        "search": KNOWS["locked"],
    },
    # list archive: thread subjects (/threads) and message bodies (/messages)
    "thread (open)": {"list": READS["open"], "search": READS["open"]},
    "thread (closed)": {"list": READS["closed"], "search": READS["closed"]},
    "thread (other closed)": {"list": READS["other"], "search": READS["other"]},
    "thread (locked)": {"list": READS["locked"], "search": READS["locked"]},
    "message (open)": {"read": READS["open"], "search": READS["open"]},
    "message (closed)": {"read": READS["closed"], "search": READS["closed"]},
    "message (other closed)": {"read": READS["other"], "search": READS["other"]},
    "message (locked)": {"read": READS["locked"], "search": READS["locked"]},
    # Held messages are never in the archive, the search or the API — for anyone (they are
    # read in the moderation queue).
    "held message (open)": {"read": NOBODY, "search": NOBODY},
    "held message (closed)": {"read": NOBODY, "search": NOBODY},
    # social posts per audience: /posts (published, hidden left out), /posts/{id}, search
    "post (public)": {"list": NETWORK, "read": NETWORK, "search": NETWORK},
    "post (members)": {"list": NETWORK, "read": NETWORK, "search": NETWORK},
    "post (workgroup open)": {"list": READS["open"], "read": READS["open"], "search": NETWORK},
    "post (workgroup closed)": {
        "list": READS["closed"],
        "read": READS["closed"],
        "search": READS["closed"],
    },
    "post (workgroup locked)": {
        "list": READS["locked"],
        "read": READS["locked"],
        "search": READS["locked"],
    },
    # A statement waiting for its translation: its author and those who may speak for the
    # organisation (its admins; coordinators may open any organisation's drafts). Never in
    # lists of published posts.
    "draft statement": {"list": NOBODY, "read": ORG_SPEAKERS, "search": ORG_SPEAKERS},
    # Hidden by moderators: their author, coordinators, and a workgroup's moderators for its
    # items — within what they may read. Lists leave them out (but for their author).
    "hidden post (members)": {"list": NOBODY, "read": REVIEWERS, "search": REVIEWERS},
    "hidden post (workgroup closed)": {
        "list": NOBODY,
        "read": MODERATES_CLOSED,
        "search": MODERATES_CLOSED,
    },
    # comments, read on their post's endpoint
    "comment (members post)": {"read": NETWORK, "search": NETWORK},
    "comment (workgroup closed post)": {"read": READS["closed"], "search": READS["closed"]},
    "hidden comment (members post)": {"read": REVIEWERS, "search": REVIEWERS},
    "hidden comment (workgroup closed post)": {
        "read": MODERATES_CLOSED,
        "search": MODERATES_CLOSED,
    },
    # documents: /documents, search
    "document (public)": {"list": NETWORK, "search": NETWORK},
    "document (members)": {"list": NETWORK, "search": NETWORK},
    "document (workgroup open)": {"list": READS["open"], "search": READS["open"]},
    "document (workgroup closed)": {"list": READS["closed"], "search": READS["closed"]},
    "document (workgroup other closed)": {"list": READS["other"], "search": READS["other"]},
    "document (workgroup locked)": {"list": READS["locked"], "search": READS["locked"]},
    "hidden document (network)": {"list": REVIEWERS, "search": REVIEWERS},
    "hidden document (workgroup closed)": {
        "list": MODERATES_CLOSED,
        "search": MODERATES_CLOSED,
    },
    # notifications: one's own only, whoever asks
    "notification of the insider": {"list": frozenset({"insider"})},
    "notification of another person": {"list": NOBODY},
    # a member who hides their membership: named only to coordinators (and to themselves) —
    # in the people search, and as the uploader of a document everybody may see
    "hidden member": {"search": REVIEWERS, "list": REVIEWERS},
    # never anywhere in the API: others' e-mail addresses, legal names
    "e-mail address of another person": {"any": NOBODY},
    "legal name of another person": {"any": NOBODY},
}


POST_KINDS = [
    "post (public)",
    "post (members)",
    "post (workgroup open)",
    "post (workgroup closed)",
    "post (workgroup locked)",
    "draft statement",
    "hidden post (members)",
    "hidden post (workgroup closed)",
]
COMMENT_KINDS = [kind for kind in EXPECTED if "comment" in kind]
DOCUMENT_KINDS = [kind for kind in EXPECTED if "document" in kind]
WORKGROUP_KINDS = [kind for kind in EXPECTED if kind.startswith("workgroup")]
NOTIFICATION_KINDS = [kind for kind in EXPECTED if kind.startswith("notification")]
# Where each collection endpoint's cells are read (the hidden member as an uploader's name).
LISTS = {
    "/api/v1/workgroups": WORKGROUP_KINDS,
    "/api/v1/posts": POST_KINDS,
    "/api/v1/documents": [*DOCUMENT_KINDS, "hidden member"],
    "/api/v1/notifications": NOTIFICATION_KINDS,
}


def marker_of(kind: str) -> str:
    """Letters only (search reads words), unique per kind, no kind's marker inside another's."""
    letters = "".join(ch for ch in kind.lower() if ch.isalpha())
    return f"zq{letters}qz"


MARKERS = {kind: marker_of(kind) for kind in EXPECTED}


# --------------------------------------------------------------------------------- the world


def build_world(capture) -> dict:
    SecurityPolicy.objects.update_or_create(
        pk=1, defaults={"require_mfa_for_coordinators": False, "require_mfa_for_org_admins": False}
    )
    m = MARKERS
    people = {
        "applicant": UserFactory(applicant=True),
        "member": UserFactory(member=True),
        "org_admin": UserFactory(member=True),
        "moderator": UserFactory(member=True),
        "translator": UserFactory(member=True, translator=True),
        "coordinator": UserFactory(coordinator=True),
        "other_member": UserFactory(member=True),
        "insider": UserFactory(member=True),
    }
    author = UserFactory(
        member=True,
        display_name="Author of everything",
        legal_name=m["legal name of another person"],
        email=m["e-mail address of another person"] + "@example.org",
    )
    hidden = UserFactory(member=True, hidden=True, display_name=m["hidden member"])
    notifier = UserFactory(member=True, display_name="Notifier")

    def group(key, kind, **extra):
        return WorkgroupFactory(name_en=f"{m[kind]} group", name_ar=f"{m[kind]} مجموعة", **extra)

    groups = {
        "open": group("open", "workgroup (open)"),
        "closed": group("closed", "workgroup (closed)", closed=True),
        "other": group("other", "workgroup (other closed)", closed=True),
        "locked": group("locked", "workgroup (locked)"),
    }
    Role = WorkgroupMembership.Role
    for key in ("open", "closed", "locked"):
        MembershipFactory(workgroup=groups[key], user=author, role=Role.OWNER)
        MembershipFactory(workgroup=groups[key], user=people["moderator"], role=Role.MODERATOR)
        MembershipFactory(workgroup=groups[key], user=people["insider"], role=Role.MEMBER)
    MembershipFactory(workgroup=groups["open"], user=hidden, role=Role.MEMBER)
    MembershipFactory(workgroup=groups["other"], user=people["other_member"], role=Role.OWNER)
    organisation = OrganisationFactory()
    for person in (author, people["org_admin"]):
        OrgMembershipFactory(
            organisation=organisation, user=person, role=OrganisationMembership.Role.ADMIN
        )

    objects: dict[str, object] = {}
    with translation.override("en"), capture(execute=True):
        for key, label in (
            ("open", "open"),
            ("closed", "closed"),
            ("other", "other closed"),
            ("locked", "locked"),
        ):
            writer = people["other_member"] if key == "other" else author
            first = make_post(
                groups[key],
                author=writer,
                subject=f"{m[f'thread ({label})']} subject",
                body=f"{m[f'message ({label})']} body",
            )
            objects[f"thread ({label})"] = first.thread
            objects[f"message ({label})"] = first
            if key in ("open", "closed"):
                held = make_post(
                    groups[key],
                    author=writer,
                    subject=f"Re: {first.subject}",
                    body=f"{m[f'held message ({label})']} waiting",
                    parent=first,
                )
                Post.objects.filter(pk=held.pk).update(status=Post.Status.HELD)
                objects[f"held message ({label})"] = held

        def post(key, **kwargs):
            kwargs.setdefault("title", "")
            objects[key] = social.post_create(author=author, body=f"{m[key]} text", **kwargs)
            return objects[key]

        post("post (public)", audience="public")
        members_post = post("post (members)", audience="members")
        post("post (workgroup open)", audience="workgroup", audience_workgroup=groups["open"])
        closed_post = post(
            "post (workgroup closed)", audience="workgroup", audience_workgroup=groups["closed"]
        )
        post("post (workgroup locked)", audience="workgroup", audience_workgroup=groups["locked"])
        post(
            "draft statement",
            kind=SocialPost.Kind.STATEMENT,
            title=f"{m['draft statement']} title",
            as_organisation=organisation,
        )
        post("hidden post (members)", audience="members")
        post(
            "hidden post (workgroup closed)",
            audience="workgroup",
            audience_workgroup=groups["closed"],
        )
        for kind, on in (
            ("comment (members post)", members_post),
            ("comment (workgroup closed post)", closed_post),
            ("hidden comment (members post)", members_post),
            ("hidden comment (workgroup closed post)", closed_post),
        ):
            objects[kind] = social.comment_create(post=on, author=author, body=f"{m[kind]} says")

        def document(kind, *, by=author, **kwargs):
            objects[kind] = documents.document_create(
                by=by,
                upload=SimpleUploadedFile("notes.txt", b"notes"),
                title=f"{m[kind]} notes",
                category="minutes",
                **kwargs,
            )

        document("document (public)", audience=Document.Audience.PUBLIC)
        document("document (members)")
        document("document (workgroup open)", workgroup=groups["open"])
        document("document (workgroup closed)", workgroup=groups["closed"])
        document(
            "document (workgroup other closed)",
            by=people["other_member"],
            workgroup=groups["other"],
        )
        document("document (workgroup locked)", workgroup=groups["locked"])
        document("hidden document (network)")
        document("hidden document (workgroup closed)", workgroup=groups["closed"])
        # Uploaded by the hidden member, seen by everyone: only their name is at stake.
        documents.document_create(
            by=hidden,
            upload=SimpleUploadedFile("guide.txt", b"guide"),
            title="A guide everybody may read",
            category="minutes",
        )
    SocialPost.objects.filter(
        pk__in=[objects[k].pk for k in ("hidden post (members)", "hidden post (workgroup closed)")]
    ).update(is_hidden=True)
    Comment.objects.filter(
        pk__in=[
            objects[k].pk
            for k in ("hidden comment (members post)", "hidden comment (workgroup closed post)")
        ]
    ).update(is_hidden=True)
    Document.objects.filter(
        pk__in=[
            objects[k].pk
            for k in ("hidden document (network)", "hidden document (workgroup closed)")
        ]
    ).update(is_hidden=True)
    # Notifications whose only trace of the marker is the actor's name, seen only by the
    # person notified.
    for kind, recipient in (
        ("notification of the insider", people["insider"]),
        ("notification of another person", author),
    ):
        notifier.display_name = m[kind]
        notifier.save()
        sent = notifications.notify(
            recipients=[recipient], kind="mention", target=members_post, actor=notifier
        )
        assert sent == 1
        notifier = UserFactory(member=True, display_name=f"Notifier {kind}")
    lockdown.lockdown_start(by=people["coordinator"], workgroup=groups["locked"], reason="test")
    return {"people": people, "groups": groups, "objects": objects, "author": author}


def clients_for(world) -> dict[tuple[str, str], Client]:
    clients = {}
    for role in ROLES:
        person = world["people"].get(role)
        for auth in AUTHS:
            client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
            if person is not None and auth == "session":
                client.force_login(person)
            elif person is not None:
                # Made directly, as if the applicant's token dated from before: the service
                # refuses to make one for anybody but a member.
                secret = api_selectors.TOKEN_PREFIX + f"grid-{role}-{person.pk}"
                ApiToken.objects.create(
                    user=person, name="grid", token_hash=api_selectors.token_hash(secret)
                )
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
            clients[(role, auth)] = client
    return clients


# ------------------------------------------------------------------------------- the grid


def test_api_grid(django_capture_on_commit_callbacks):
    started = time.monotonic()
    world = build_world(django_capture_on_commit_callbacks)
    built = time.monotonic()
    objects, groups = world["objects"], world["groups"]
    grid = Grid("api")
    requests = signed_in = 0
    seen_statuses: dict[int, int] = {}

    def fetch(client, url, params=None) -> str:
        nonlocal requests
        requests += 1
        response = client.get(url, params or {})
        seen_statuses[response.status_code] = seen_statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (url, response.status_code)
        assert response["Content-Type"].startswith("application/json"), url
        return response.content.decode()

    def record(role, auth, kind, action, text, url):
        grid.record(
            role=role,
            kind=kind,
            action=action,
            way="api",
            expected=role in EXPECTED[kind][action],
            got=MARKERS[kind] in text,
            detail=f"({auth}) {url}",
        )

    for (role, auth), client in clients_for(world).items():
        everything = []
        # Collections: one page big enough for the whole world.
        for url, kinds in LISTS.items():
            text = fetch(client, url, {"limit": 100})
            everything.append(text)
            for kind in kinds:
                record(role, auth, kind, "list", text, url)
        # Each workgroup: its page, its threads, each thread's messages.
        for key, label in (
            ("open", "open"),
            ("closed", "closed"),
            ("other", "other closed"),
            ("locked", "locked"),
        ):
            slug = groups[key].slug
            url = f"/api/v1/workgroups/{slug}"
            text = fetch(client, url)
            everything.append(text)
            record(role, auth, f"workgroup ({label})", "read", text, url)
            url = f"/api/v1/workgroups/{slug}/threads"
            text = fetch(client, url, {"limit": 100})
            everything.append(text)
            record(role, auth, f"thread ({label})", "list", text, url)
            thread = objects[f"thread ({label})"]
            url = f"/api/v1/workgroups/{slug}/threads/{thread.pk}/messages"
            text = fetch(client, url, {"limit": 100})
            everything.append(text)
            record(role, auth, f"message ({label})", "read", text, url)
            if key in ("open", "closed"):
                record(role, auth, f"held message ({label})", "read", text, url)
        # Each post (its comments with it).
        for kind in POST_KINDS:
            url = f"/api/v1/posts/{objects[kind].pk}"
            text = fetch(client, url)
            everything.append(text)
            record(role, auth, kind, "read", text, url)
        for kind in COMMENT_KINDS:
            url = f"/api/v1/posts/{objects[kind].post_id}"
            text = fetch(client, url)
            everything.append(text)
            record(role, auth, kind, "read", text, url)
        # Search, for the marker of every kind that search may find.
        for kind in [k for k in EXPECTED if "search" in EXPECTED[k]]:
            url = "/api/v1/search"
            text = fetch(client, url, {"q": MARKERS[kind], "limit": 50})
            everything.append(text)
            # The answer repeats the query: only the results count.
            text = json.dumps(json.loads(text).get("items", []), ensure_ascii=False)
            record(role, auth, kind, "search", text, f"{url}?q={MARKERS[kind]}")
        # The rest of the API, and what must never be anywhere in it.
        for url in ("/api/v1/me", "/api/v1/feed", "/api/v1/campaigns", "/api/v1/petitions"):
            everything.append(fetch(client, url, {"limit": 100}))
        whole = "\n".join(everything)
        for kind in ("e-mail address of another person", "legal name of another person"):
            record(role, auth, kind, "any", whole, "every endpoint")
        signed_in += 1

    elapsed = time.monotonic() - started
    print(
        f"\n[grid] api: {requests:,} requests by {len(ROLES)} roles × {len(AUTHS)} ways of "
        f"signing in; statuses {dict(sorted(seen_statuses.items()))}; world built in "
        f"{built - started:.1f} s, grid in {elapsed - (built - started):.1f} s"
    )
    grid.check()
    # The grid proves something only if both refusals and admissions happened.
    for status in (200, 401, 403, 404):
        assert seen_statuses.get(status), status
    # Every cell of the table was tried, once per role and way of signing in.
    assert signed_in == len(ROLES) * len(AUTHS)
    assert len(grid.cells) == signed_in * sum(len(actions) for actions in EXPECTED.values())


def test_every_marker_is_distinct_and_every_list_cell_is_read():
    assert len(set(MARKERS.values())) == len(MARKERS)
    listed = [kind for kinds in LISTS.values() for kind in kinds]
    threads = [kind for kind in EXPECTED if kind.startswith("thread")]
    assert sorted(listed + threads) == sorted(k for k in EXPECTED if "list" in EXPECTED[k])
    for kind, marker in MARKERS.items():
        for other, other_marker in MARKERS.items():
            assert other == kind or marker not in other_marker
