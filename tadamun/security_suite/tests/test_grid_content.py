"""The authorization grid for content objects (issue 7): every role × every kind of content
object × every action × every way to reach it — page, htmx fragment, feed, search, e-mail,
export and download URL (the API way is the API grid's).

The world (grid_world.py) puts an ASCII and an Arabic marker into every object. A "see" cell is
got when a marker appears in what the role received (a page, a fragment, a feed, search
results, its e-mail, its own data export, a downloaded file); an "act" cell (a POST) is got
when the database changed — every POST runs in a savepoint rolled back afterwards, so the
world stays the same for the next cell.

What each role is *expected* to get comes from the documented rules, written out below as an
explicit table (README "Workgroups and their e-mail lists", "The social site", "Search",
"Lockdown", "What we hold"; the docstrings of workgroups/social/documents/messaging
selectors) — never from the code under test.

`-s` shows the figures each test prints."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.documents.models import Document
from tadamun.lists.models import Subscription, ThreadMute
from tadamun.messaging.models import Message
from tadamun.notifications.models import Notification
from tadamun.security_suite.grid import Grid
from tadamun.security_suite.tests.grid_world import GROUPS, ROLES, build_world
from tadamun.social.models import Comment, Reaction
from tadamun.social.models import Post as SocialPost
from tadamun.workgroups.models import Post, Thread, WorkgroupMembership

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "ar")
FUTURE_CURSOR = "999999999999999999-999999999"

# ------------------------------------------------------------------ the expectation table
EVERYONE = frozenset(ROLES)
# Approved network members: everyone but anonymous visitors and applicants.
NETWORK = EVERYONE - {"anonymous", "applicant"}
NOBODY = frozenset()

# Who may know that the workgroup exists (workgroups.selectors docstring; README Lockdown: a
# locked workgroup is hidden from everyone but coordinators).
KNOWS = {
    "open": NETWORK,
    "closed": frozenset({"moderator", "insider", "coordinator"}),
    "locked": frozenset({"coordinator"}),
}
# Who may read its discussions, archive, attachments, mbox, library and workgroup posts
# (README: a closed workgroup's discussions are readable by its members only — coordinators
# outside it see that it exists, not its messages).
READS = {
    "open": NETWORK,
    "closed": frozenset({"moderator", "insider"}),
    "locked": frozenset({"coordinator"}),
}
# Who may start threads and reply: its active members; nobody during a lockdown.
POSTS = {
    "open": frozenset({"moderator", "insider"}),
    "closed": frozenset({"moderator", "insider"}),
    "locked": NOBODY,
}
# Who decides on held messages: owners, moderators, and coordinators where they may read.
MODERATES = {
    "open": frozenset({"moderator", "coordinator"}),
    "closed": frozenset({"moderator"}),
    "locked": frozenset({"coordinator"}),
}
# Who speaks for the workgroup (posts in its name): its owners and moderators, and
# coordinators where they may read; nobody while it is locked down.
SPEAKS = {
    "open": frozenset({"moderator", "coordinator"}),
    "closed": frozenset({"moderator"}),
    "locked": NOBODY,
}
# Who looks after the membership: owners, moderators, and coordinators (closed ones too).
MANAGES = {
    "open": frozenset({"moderator", "coordinator"}),
    "closed": frozenset({"moderator", "coordinator"}),
    "locked": frozenset({"coordinator"}),
}
# Who removes members and changes settings: owners and coordinators.
OWNS = {group: frozenset({"coordinator"}) for group in GROUPS}
# Who may join at once: any network member not in it, for an open workgroup with open joining.
# A locked-down workgroup is hidden from all but the coordinators, who keep looking after it.
JOINS = {
    "open": frozenset({"member", "org_admin", "translator", "coordinator", "other_member"}),
    "closed": NOBODY,
    "locked": frozenset({"coordinator"}),
}
# The home page lists recent discussions of one's own workgroups (not a locked one).
HOME = POSTS
# Who gets the list's mail: its subscribers (the moderator and the insider here) — while the
# workgroup is locked down, its mail waits.
LIST_MAIL = {
    "open": frozenset({"moderator", "insider"}),
    "closed": frozenset({"moderator", "insider"}),
    "locked": NOBODY,
}


def sees(item) -> frozenset:
    """Who may see `item` at all."""
    group = item.group
    return {
        "workgroup": lambda: KNOWS[group],
        "member list": lambda: (READS[group] | MANAGES[group]) & KNOWS[group],
        "list thread": lambda: READS[group],
        "list message (web)": lambda: READS[group],
        "list message (e-mail)": lambda: READS[group],
        "list attachment": lambda: READS[group],
        "held list message": lambda: MODERATES[group] & KNOWS[group],
        "social post (workgroup)": lambda: READS[group],
        "social post (as workgroup)": lambda: READS[group],
        "comment": lambda: READS[group] if group else _network_audience(item),
        "document (workgroup)": lambda: READS[group],
        "social post (public)": lambda: EVERYONE,
        "document (public)": lambda: EVERYONE,
        "social post (members)": lambda: NETWORK,
        "document (members)": lambda: NETWORK,
        "social post (organisation)": lambda: NETWORK,
        "direct message": lambda: frozenset({"insider"}),
    }[item.kind]()


def _network_audience(item) -> frozenset:
    return EVERYONE if item.key.startswith("public") else NETWORK


def takes_part(item) -> frozenset:
    """Who may comment on and react to a social post: network members; for a workgroup's
    post, its members and moderators — nobody while it is locked down."""
    if item.group is None:
        return NETWORK
    return {
        "open": frozenset({"moderator", "insider", "coordinator"}),
        "closed": frozenset({"moderator", "insider"}),
        "locked": NOBODY,
    }[item.group]


def edits_post(item) -> frozenset:
    """The author (not a role here), the organisation's admins for its posts, the
    workgroup's owners and moderators for what is said in its name."""
    if item.kind == "social post (organisation)":
        # Coordinators may act for every organisation (organisations.selectors).
        return frozenset({"org_admin", "coordinator"})
    if item.kind == "social post (as workgroup)":
        return frozenset({"moderator"})
    return NOBODY


def manages_document(item) -> frozenset:
    """The uploader (not a role here); a workgroup's owners and moderators for its library;
    coordinators for the network's library — within what they may see."""
    if item.group is None:
        return frozenset({"coordinator"})
    return frozenset({"moderator"}) & READS[item.group]


def post_kinds(item) -> bool:
    return item.kind.startswith("social post")


# ------------------------------------------------------------------------------ helpers


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LISTS_DOMAIN = "lists.example.org"
    settings.SITE_URL = "https://tadamun.example.org"
    cache.clear()


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build_world()


def client_for(world, role: str) -> Client:
    client = Client()
    person = world.people[role]
    if person is not None:
        client.force_login(person)
    return client


def body_of(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", "replace")


def url(name: str, language: str, *args, query: str = "") -> str:
    with translation.override(language):
        return reverse(name, args=args) + (f"?{query}" if query else "")


class Reader:
    """Fetches each URL once per role and header variant."""

    def __init__(self, world):
        self.world = world
        self.clients = {role: client_for(world, role) for role in ROLES}
        self.memo: dict = {}

    def get(self, role: str, address: str, *, htmx: bool = False):
        key = (role, address, htmx)
        if key not in self.memo:
            headers = {"HX-Request": "true"} if htmx else {}
            response = self.clients[role].get(address, headers=headers)
            self.memo[key] = (response.status_code, body_of(response))
        return self.memo[key]


def pages_of(world, item, language: str) -> list[tuple[str, str, frozenset]]:
    """(action, URL, who is expected to find the item's marker there) for one item."""
    group, obj = item.group, item.obj
    seen = sees(item)
    slug = world.groups[group].slug if group else None
    if item.kind == "workgroup":
        return [
            ("view", url("workgroups:workgroup", language, slug), seen),
            ("list", url("workgroups:list", language), seen),
        ]
    if item.kind == "member list":
        return [
            ("view", url("workgroups:workgroup", language, slug), READS[group] & seen),
            ("manage members", url("workgroups:members", language, slug), MANAGES[group] & seen),
        ]
    thread_url = None
    if item.kind.startswith("list ") or item.kind == "held list message":
        thread = obj if item.kind == "list thread" else getattr(obj, "thread", None)
        if thread is None:
            thread = obj.post.thread
        thread_url = url("workgroups:thread", language, slug, thread.pk)
    if item.kind == "list thread":
        month = timezone.localtime(obj.posts.order_by("created").first().created)
        return [
            ("view", thread_url, seen),
            ("list", url("workgroups:workgroup", language, slug), seen),
            (
                "list",
                url("workgroups:archive_month", language, slug, month.year, month.month),
                seen,
            ),
            ("list", url("home", language), HOME[group]),
        ]
    if item.kind in {"list message (web)", "list message (e-mail)", "list attachment"}:
        return [("view", thread_url, seen)]
    if item.kind == "held list message":
        return [
            ("view", thread_url, seen & READS[group]),
            ("moderation queue", url("workgroups:moderation", language, slug), seen),
        ]
    if post_kinds(item):
        return [("view", url("social:post", language, obj.pk), seen)]
    if item.kind == "comment":
        return [("view", url("social:post", language, obj.post_id), seen)]
    if item.kind.startswith("document"):
        library = (
            url("documents:workgroup", language, slug)
            if group
            else url("documents:library", language)
        )
        return [("view", url("documents:detail", language, obj.pk), seen), ("list", library, seen)]
    if item.kind == "direct message":
        conversation = item.extra["conversation"]
        return [
            ("view", url("messaging:conversation", language, conversation.pk), seen),
            ("list", url("messaging:inbox", language), seen),
        ]
    raise AssertionError(item.kind)


# ---------------------------------------------------------------------- reading the grid


def _dump(grid):
    """GRID_DUMP=path writes every cell that went wrong (for working on the grid)."""
    import os

    if path := os.environ.get("GRID_DUMP"):
        with open(path, "a") as out:
            for cell in grid.leaks + grid.refusals:
                what = "LEAK" if cell.leaked else "REFUSED"
                out.write(
                    f"{what}\t{cell.role}\t{cell.kind}\t{cell.action}\t{cell.way}\t{cell.detail}\n"
                )


def test_reading_grid_pages_htmx_feeds_search_downloads(world):
    grid = Grid("content (reading)")
    reader = Reader(world)
    for item in world.items.values():
        for language in LANGUAGES:
            for action, address, expected in pages_of(world, item, language):
                for way, htmx in (("page", False), ("htmx", True)):
                    if htmx and language != "en":
                        continue
                    for role in ROLES:
                        status, text = reader.get(role, address, htmx=htmx)
                        grid.record(
                            role=role,
                            kind=item.kind,
                            action=action,
                            way=way,
                            expected=role in expected,
                            got=status == 200 and item.seen_in(text),
                            detail=f"{address} [{status}] {item.ascii}",
                        )
    _feeds(grid, world, reader)
    _search(grid, world, reader)
    _downloads(grid, world, reader)
    _notifications(grid, world, reader)
    _dump(grid)
    grid.check()


def _feeds(grid, world, reader):
    """The feed (its page and its htmx "older posts" fragment), the news page and the Atom
    feed: a social post reaches a member's feed when they may see it (everyone follows its
    author); the news and Atom show public posts only, to everyone."""
    for language in LANGUAGES:
        feeds = [
            ("feed", url("social:feed", language), False, lambda item: sees(item) & NETWORK),
            (
                "htmx",
                url("social:feed", language, query=f"before={FUTURE_CURSOR}"),
                True,
                lambda item: sees(item) & NETWORK,
            ),
            ("feed", url("social:news", language), False, _public_only),
            ("feed", url("social:news_atom", language), False, _public_only),
            (
                "htmx",
                url("social:news", language, query=f"before={FUTURE_CURSOR}"),
                True,
                _public_only,
            ),
        ]
        for way, address, htmx, expected in feeds:
            if htmx and language != "en":
                continue
            for item in world.items.values():
                if item.kind == "comment":
                    continue  # comments are read on their post's page
                for role in ROLES:
                    if item.kind == "workgroup" and (
                        item.group != "locked" or role == "coordinator"
                    ):
                        continue  # names of known workgroups are offered (audiences, follows)
                    status, text = reader.get(role, address, htmx=htmx)
                    who = expected(item) if post_kinds(item) else NOBODY
                    grid.record(
                        role=role,
                        kind=item.kind,
                        action="read the feed",
                        way=way,
                        expected=role in who,
                        got=status == 200 and item.seen_in(text),
                        detail=f"{address} [{status}] {item.ascii}",
                    )


def _public_only(item) -> frozenset:
    return EVERYONE if item.kind == "social post (public)" else NOBODY


def _with_tashkeel(word: str) -> str:
    """The same word with a fatha after its first letter: found by the search (diacritics are
    removed by the analysis) but not the marker itself when the page echoes the query."""
    return word[0] + "\u064e" + word[1:]


SEARCHABLE = {
    "list thread",
    "list message (web)",
    "list message (e-mail)",
    "social post (workgroup)",
    "social post (as workgroup)",
    "social post (public)",
    "social post (members)",
    "social post (organisation)",
    "comment",
    "document (workgroup)",
    "document (public)",
    "document (members)",
}


def _search(grid, world, reader):
    """The site's search finds what each may see (posts, comments, threads and archives,
    documents) and never a direct message or a held message; a workgroup's own archive search
    and the libraries' searches likewise."""
    for item in world.items.values():
        if item.kind in {"workgroup", "member list", "list attachment"}:
            continue  # names and people are the people grid's; attachments are downloads
        expected = sees(item) if item.kind in SEARCHABLE else NOBODY
        addresses = [
            url("search:search", "en", query=f"q={item.ascii.lower()}"),
            url("search:search", "ar", query=f"q={_with_tashkeel(item.arabic)}"),
        ]
        slug = world.groups[item.group].slug if item.group else None
        if item.kind.startswith("list") or item.kind == "held list message":
            archive = {"list thread", "list message (web)", "list message (e-mail)"}
            for language in LANGUAGES:
                address = url("workgroups:search", language, slug, query=f"q={item.ascii.lower()}")
                for role in ROLES:
                    status, text = reader.get(role, address)
                    grid.record(
                        role=role,
                        kind=item.kind,
                        action="search the archive",
                        way="search",
                        expected=role in (sees(item) if item.kind in archive else NOBODY),
                        got=status == 200 and item.seen_in(text),
                        detail=f"{address} [{status}]",
                    )
        if item.kind.startswith("document"):
            for language in LANGUAGES:
                name, args = ("documents:workgroup", [slug]) if slug else ("documents:library", [])
                addresses.append(url(name, language, *args, query=f"q={item.ascii.lower()}"))
        for address in addresses:
            for role in ROLES:
                status, text = reader.get(role, address)
                grid.record(
                    role=role,
                    kind=item.kind,
                    action="search",
                    way="search",
                    expected=role in expected,
                    got=status == 200 and item.seen_in(text),
                    detail=f"{address} [{status}]",
                )


def _downloads(grid, world, reader):
    """Attachment and document download URLs (the current file and its first version), and
    each workgroup's mbox export."""
    for item in world.items.values():
        addresses = []
        if item.kind == "list attachment":
            slug = world.groups[item.group].slug
            addresses = [
                url("workgroups:attachment", language, slug, item.obj.pk) for language in LANGUAGES
            ]
        elif item.kind.startswith("document"):
            version = item.obj.versions.get()
            for language in LANGUAGES:
                addresses.append(url("documents:download", language, item.obj.pk))
                addresses.append(url("documents:download", language, item.obj.pk, version.pk))
        for address in addresses:
            for role in ROLES:
                status, text = reader.get(role, address)
                grid.record(
                    role=role,
                    kind=item.kind,
                    action="download",
                    way="download",
                    expected=role in sees(item),
                    got=status == 200 and item.seen_in(text),
                    detail=f"{address} [{status}]",
                )
    for group in GROUPS:
        slug = world.groups[group].slug
        month = timezone.localtime(world.items[f"{group}:web"].obj.created)
        addresses = [
            url("workgroups:archive_mbox", "en", slug),
            url("workgroups:archive_month_mbox", "en", slug, month.year, month.month),
        ]
        for key in ("thread", "web", "mail", "held"):
            item = world.items[f"{group}:{key}"]
            expected = NOBODY if key == "held" else READS[group]
            for address in addresses:
                for role in ROLES:
                    status, text = reader.get(role, address)
                    text = _mbox_text(text)
                    grid.record(
                        role=role,
                        kind=item.kind,
                        action="mbox",
                        way="export",
                        expected=role in expected,
                        got=status == 200 and item.seen_in(text),
                        detail=f"{address} [{status}]",
                    )


def _mbox_text(raw: str) -> str:
    """An mbox as text, each message's parts decoded (base64 or quoted-printable)."""
    import email
    import email.policy

    texts = [raw]
    for chunk in ("\n" + raw).split("\nFrom ")[1:]:
        message = email.message_from_string(chunk.split("\n", 1)[-1], policy=email.policy.default)
        for part in message.walk():
            if not part.is_multipart():
                payload = part.get_payload(decode=True) or b""
                texts.append(payload.decode("utf-8", "replace"))
    return "\n".join(texts)


def _notified(item) -> frozenset:
    """Who is told about an item, on the notifications page: everyone @mentioned in a post
    who may see it, and every follower of its author who may see it (everyone here follows
    the author); the insider about the direct message. (Comments tell the post's author
    only, who is not a role here.)"""
    if post_kinds(item):
        return sees(item) & NETWORK
    if item.kind == "direct message":
        return frozenset({"insider"})
    return NOBODY


def _notifications(grid, world, reader):
    """A notification about an item is made for, and listed to, only those who may see it."""
    from django.contrib.contenttypes.models import ContentType

    address = url("notifications:list", "en")
    for item in world.items.values():
        if item.kind in {"workgroup", "member list", "document (workgroup)"}:
            continue
        kind = ContentType.objects.get_for_model(type(item.obj))
        for role in ROLES:
            person = world.people[role]
            status, text = reader.get(role, address)
            mine = (
                Notification.objects.filter(
                    recipient=person, content_type=kind, object_id=item.obj.pk
                )
                if person
                else Notification.objects.none()
            )
            shown = [n for n in mine if url("notifications:open", "en", n.pk) in text]
            grid.record(
                role=role,
                kind="notification",
                action=f"list ({item.kind})",
                way="page",
                expected=role in _notified(item),
                got=status == 200 and bool(shown),
                detail=f"{address} [{status}] {item.ascii}",
            )
    # Opening someone's notification: only its recipient.
    for notification in Notification.objects.select_related("recipient")[:12]:
        owner = next(
            (r for r, p in world.people.items() if p and p.pk == notification.recipient_id), None
        )
        address = url("notifications:open", "en", notification.pk)
        for role in ROLES:
            response = reader.clients[role].get(address)
            grid.record(
                role=role,
                kind="notification",
                action="open",
                way="page",
                expected=role == owner,
                got=response.status_code == 302
                and "/accounts/" not in response.get("Location", ""),
                detail=f"{address} [{response.status_code}]",
            )


# ------------------------------------------------------------------- e-mail and export


def test_mail_and_export_grid(world, client):
    grid = Grid("content (e-mail and export)")
    by_role: dict[str, str] = {}
    for role, person in world.people.items():
        if person is None:
            continue
        texts = [
            message.subject + "\n" + message.body
            for message in mail.outbox
            if person.email in message.to
        ]
        by_role[role] = "\n".join(texts)
    for item in world.items.values():
        expected = NOBODY
        if item.kind in {"list thread", "list message (web)", "list message (e-mail)"}:
            expected = LIST_MAIL[item.group]
        elif item.kind in {"held list message", "list attachment", "comment", "member list"}:
            expected = NOBODY
        elif item.kind == "social post (organisation)":
            expected = NOBODY  # nobody is @mentioned; followers' news is not mailed at once
        elif post_kinds(item):
            expected = _notified(item)
        elif item.kind == "direct message":
            expected = NOBODY  # "sent you a message": a direct message's text is never mailed
        else:
            continue  # workgroup names and documents: see the report
        for role, text in by_role.items():
            grid.record(
                role=role,
                kind=item.kind,
                action="receive",
                way="e-mail",
                expected=role in expected,
                got=item.seen_in(text),
                detail=item.ascii,
            )
    # Each person's own data export: their own comments and the conversations they are in,
    # never another person's posts, another group's messages or another's private messages.
    for role, person in world.people.items():
        if person is None:
            continue
        archive = client_for(world, role).post(url("privacy:my_data", "en"))
        assert archive.status_code == 200, role
        data = b"".join(archive.streaming_content)
        with zipfile.ZipFile(io.BytesIO(data)) as opened:
            text = "\n".join(
                opened.read(name).decode("utf-8", "replace") for name in opened.namelist()
            )
        for item in world.items.values():
            if item.kind in {"workgroup"}:
                continue
            own = item.kind in {"comment", "direct message"} and role == "insider"
            grid.record(
                role=role,
                kind=item.kind,
                action="my data",
                way="export",
                expected=own,
                got=item.seen_in(text),
                detail=item.ascii,
            )
    _dump(grid)
    grid.check()


# -------------------------------------------------------------------------- acting grid


def _attempt(client, method_url, data, state):
    """POST in a savepoint rolled back afterwards; `state()` before and after tells whether
    anything changed."""
    with transaction.atomic():
        before = state()
        response = client.post(method_url, data)
        after = state()
        transaction.set_rollback(True)
    return response.status_code, before != after


def test_acting_grid(world):
    grid = Grid("content (acting)")
    clients = {role: client_for(world, role) for role in ROLES}
    acts = []
    for item in world.items.values():
        group, obj = item.group, item.obj
        slug = world.groups[group].slug if group else None
        if item.kind == "workgroup":
            acts += [
                (
                    "start a thread",
                    url("workgroups:thread_new", "en", slug),
                    {"subject": "New", "body": "Body"},
                    lambda obj=obj: Thread.objects.filter(workgroup=obj).count(),
                    POSTS[group],
                ),
                (
                    "join",
                    url("workgroups:join", "en", slug),
                    {},
                    lambda obj=obj: WorkgroupMembership.objects.filter(workgroup=obj).count(),
                    JOINS[group],
                ),
                (
                    "subscribe (delivery mode)",
                    url("workgroups:subscription", "en", slug),
                    {"mode": Subscription.Mode.DIGEST},
                    lambda obj=obj: sorted(
                        Subscription.objects.filter(mailing_list__workgroup=obj).values_list(
                            "pk", "mode"
                        )
                    ),
                    POSTS[group],
                ),
                (
                    "address a social post to it",
                    url("social:compose", "en"),
                    {
                        "kind": "post",
                        "title": "",
                        "body": "Hello",
                        "language": "en",
                        "audience": f"workgroup:{obj.pk}",
                        "speaking_as": "me",
                    },
                    lambda obj=obj: SocialPost.objects.filter(audience_workgroup=obj).count(),
                    takes_part(item),
                ),
                (
                    "speak for it (post as the workgroup)",
                    url("social:compose", "en"),
                    {
                        "kind": "post",
                        "title": "",
                        "body": "We say",
                        "language": "en",
                        "audience": "members",
                        "speaking_as": f"workgroup:{obj.pk}",
                    },
                    lambda obj=obj: SocialPost.objects.filter(as_workgroup=obj).count(),
                    SPEAKS[group],
                ),
                (
                    "upload a document",
                    url("documents:workgroup_upload", "en", slug),
                    {
                        "title": "Upload",
                        "description": "",
                        "category": "minutes",
                        "language": "en",
                        "file": _upload(),
                    },
                    lambda obj=obj: Document.objects.filter(workgroup=obj).count(),
                    POSTS[group],
                ),
            ]
        elif item.kind == "member list":
            membership = WorkgroupMembership.objects.get(workgroup__slug=slug, user=obj)
            acts.append(
                (
                    "remove a member",
                    url("workgroups:membership_remove", "en", slug, membership.pk),
                    {},
                    lambda pk=membership.pk: WorkgroupMembership.objects.filter(pk=pk).exists(),
                    OWNS[group] & KNOWS[group],
                )
            )
        elif item.kind == "list thread":
            acts += [
                (
                    "reply",
                    url("workgroups:reply", "en", slug, obj.pk),
                    {"body": "A reply"},
                    lambda obj=obj: Post.objects.filter(thread=obj).count(),
                    POSTS[group],
                ),
                (
                    "mute",
                    url("workgroups:mute", "en", slug, obj.pk),
                    {"muted": "on"},
                    lambda obj=obj: ThreadMute.objects.filter(thread=obj).count(),
                    READS[group],
                ),
            ]
        elif item.kind == "held list message":
            acts.append(
                (
                    "moderate (approve)",
                    url("workgroups:moderate", "en", slug, obj.pk),
                    {"action": "approve", "reason": ""},
                    lambda pk=obj.pk: Post.objects.get(pk=pk).status,
                    MODERATES[group] & KNOWS[group],
                )
            )
        elif post_kinds(item):
            acts += [
                (
                    "comment",
                    url("social:comment", "en", obj.pk),
                    {"body": "A comment"},
                    lambda obj=obj: Comment.objects.filter(post=obj).count(),
                    takes_part(item),
                ),
                (
                    "react",
                    url("social:react_post", "en", obj.pk),
                    {"kind": "support"},
                    lambda obj=obj: Reaction.objects.filter(post=obj).count(),
                    takes_part(item),
                ),
                (
                    "edit",
                    url("social:post_edit", "en", obj.pk),
                    {"title": "", "body": "Changed", "language": "en"},
                    lambda pk=obj.pk: SocialPost.objects.filter(pk=pk).values_list("body").first(),
                    edits_post(item),
                ),
                (
                    "delete",
                    url("social:post_delete", "en", obj.pk),
                    {},
                    lambda pk=obj.pk: SocialPost.objects.filter(pk=pk).exists(),
                    edits_post(item),
                ),
            ]
        elif item.kind == "comment":
            post = SocialPost.objects.get(pk=obj.post_id)
            parent = next(i for i in world.items.values() if i.obj == post)
            acts += [
                (
                    "edit",
                    url("social:comment_edit", "en", obj.pk),
                    {"body": "Changed"},
                    lambda pk=obj.pk: Comment.objects.filter(pk=pk).values_list("body").first(),
                    frozenset({"insider"}) & sees(item),
                ),
                (
                    "delete",
                    url("social:comment_delete", "en", obj.pk),
                    {},
                    lambda pk=obj.pk: Comment.objects.filter(pk=pk).exists(),
                    frozenset({"insider"}) & sees(item),
                ),
                (
                    "react",
                    url("social:react_comment", "en", obj.pk),
                    {"kind": "thanks"},
                    lambda obj=obj: Reaction.objects.filter(comment=obj).count(),
                    takes_part(parent),
                ),
            ]
        elif item.kind.startswith("document"):
            acts += [
                (
                    "edit",
                    url("documents:edit", "en", obj.pk),
                    {
                        "title": "Changed",
                        "description": "",
                        "category": "minutes",
                        "audience": obj.audience,
                        "language": "en",
                    },
                    lambda pk=obj.pk: Document.objects.filter(pk=pk).values_list("title").first(),
                    manages_document(item),
                ),
                (
                    "delete",
                    url("documents:delete", "en", obj.pk),
                    {},
                    lambda pk=obj.pk: Document.objects.filter(pk=pk).exists(),
                    manages_document(item),
                ),
            ]
        elif item.kind == "direct message":
            conversation = item.extra["conversation"]
            acts.append(
                (
                    "reply",
                    url("messaging:conversation", "en", conversation.pk),
                    {"body": "A reply"},
                    lambda pk=conversation.pk: Message.objects.filter(conversation_id=pk).count(),
                    frozenset({"insider"}),
                )
            )
        for action, address, data, state, expected in acts:
            for role in ROLES:
                cache.clear()  # rate limits must not decide a cell
                if "file" in data:
                    data = {**data, "file": _upload()}
                status, changed = _attempt(clients[role], address, data, state)
                grid.record(
                    role=role,
                    kind=item.kind,
                    action=action,
                    way="page",
                    expected=role in expected,
                    got=changed,
                    detail=f"POST {address} [{status}]",
                )
        acts = []
    _dump(grid)
    grid.check()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notes.txt", b"Some notes", content_type="text/plain")
