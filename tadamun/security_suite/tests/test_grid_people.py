"""The authorization grid for people and organising (issue 7): every role × every kind of
object (people who hide their membership, visible members, legal names and e-mail addresses,
applications, invitations, organisations, campaigns in each step, a petition's signers, office,
exports and files, the privacy report, lockdown, the audit log and Django's admin, moderation
reports, the translation queue) × every action × every way to reach it (page, htmx, feed,
search, e-mail, export, download). The API has its own grid.

The expectations are written out below as tables (who may see or do what), from the documented
rules: README ("People at risk", "Search", "Campaigns and petitions", "Privacy and security"),
and the apps' own authorization tests (organisations, campaigns, petitions' office). They are
never derived from the code under test.

How a cell is decided: every private thing carries a marker (grid_people_world.M). A "see"
cell is got when the answer is 200 and holds the marker (for a download, a 200 with the file);
an action is got when the database changed (compared before and after, each role's request in
a savepoint rolled back afterwards). Besides the tables, every answer fetched is swept for every
marker its reader may not know: each such look is a cell too (expected: absent).

Side channels are cells too: a search, a people filter or a "write to" form answered
differently for a hidden member than for a name nobody has (test_search,
test_probing_who_exists), and a directory, count or organisation page that changes when a
hidden member's membership goes away (test_counts_leave_hidden_members_out).

`pytest -s` shows the figures.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.models import User
from tadamun.campaigns.models import Campaign
from tadamun.lockdown.models import Lockdown
from tadamun.messaging.models import Conversation
from tadamun.moderation.models import Report
from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
)
from tadamun.petitions import delivery, office
from tadamun.petitions.models import Petition, Signature, SignerUpdate
from tadamun.security_suite.grid import Grid
from tadamun.social.models import Follow, Post
from tadamun.translations.models import TranslationRequest

from .grid_people_world import (
    ADMINISTRATORS,
    COORDINATOR,
    EVERYONE,
    MEMBERS,
    NOBODY,
    ORG_STAFF,
    ROLES,
    SIGNED_IN,
    M,
    World,
)

pytestmark = pytest.mark.django_db

# One grid per test (each prints its own figures); the session adds them up.
grid: Grid  # set for each test by _grid


@pytest.fixture(autouse=True)
def _grid(request):
    global grid
    grid = Grid(f"people and organising: {request.node.name.removeprefix('test_')}")
    yield
    # GRID_DUMP=<file>: every failing cell, not only the first 20 the summary shows.
    if path := os.environ.get("GRID_DUMP"):
        with open(path, "a") as out:
            for cell in grid.leaks + grid.refusals:
                out.write(f"{'LEAK' if cell.leaked else 'REFUSED'}|{cell}\n")


EDITORS = ORG_STAFF  # a campaign's editors and reviewers: its lead's admins, coordinators
REVIEWERS = frozenset({"coordinator", "moderator"})
PARTNER_STAFF = ORG_STAFF | {"partner_admin"}

# Who may know each secret, whatever the way (the sweep's table). A marker outside this table
# is not a secret (a listed organisation's name, an open campaign).
SECRETS: dict[str, tuple[str, frozenset]] = {
    M.HIDDEN_NAME: ("hidden member", COORDINATOR),
    M.HIDDEN_LEGAL: ("hidden member", COORDINATOR),
    M.HIDDEN_MAIL: ("hidden member", COORDINATOR),
    M.HIDDEN_BIO: ("hidden member", COORDINATOR),
    M.VISIBLE_NAME: ("visible member", MEMBERS),
    M.VISIBLE_BIO: ("visible member", MEMBERS),
    M.VISIBLE_LEGAL: ("legal name", COORDINATOR),
    M.VISIBLE_MAIL: ("e-mail address", COORDINATOR),
    M.APPLICANT_NAME: ("application", COORDINATOR),
    M.APPLICANT_LEGAL: ("application", COORDINATOR),
    M.APPLICANT_MAIL: ("application", COORDINATOR),
    M.APPLICANT_MOTIVATION: ("application", COORDINATOR),
    M.INVITEE_MAIL: ("invitation", ORG_STAFF),
    M.OTHER_ORG: ("unlisted organisation", MEMBERS),
    M.DRAFT: ("campaign in draft", EDITORS),
    M.REVIEW: ("campaign in review", EDITORS),
    M.TARGET_MAIL: ("target's e-mail", EDITORS),
    M.SIGNER_HIDDEN_NAME: ("signer's private name", ORG_STAFF),
    M.SIGNER_PRIVATE_MAIL: ("signer's e-mail", ORG_STAFF),
    M.SIGNER_CONSENT_MAIL: ("consenting signer's e-mail", PARTNER_STAFF),
    M.PAPER_MAIL: ("paper signer's e-mail", ORG_STAFF),
    M.REPORT_NOTE: ("moderation report", REVIEWERS),
    M.QUEUE_CLOSED: ("closed workgroup's post", frozenset({"other_member"})),
    M.LOCKDOWN_REASON: ("lockdown", COORDINATOR),
}

# What belongs to people who are none of the roles: never in a role's own data archive.
OTHER_PEOPLE = frozenset(
    {
        M.HIDDEN_NAME,
        M.HIDDEN_LEGAL,
        M.HIDDEN_MAIL,
        M.HIDDEN_BIO,
        M.VISIBLE_NAME,
        M.VISIBLE_BIO,
        M.VISIBLE_LEGAL,
        M.VISIBLE_MAIL,
        M.APPLICANT_NAME,
        M.APPLICANT_LEGAL,
        M.APPLICANT_MAIL,
        M.APPLICANT_MOTIVATION,
        M.INVITEE_MAIL,
        M.TARGET_MAIL,
        M.SIGNER_HIDDEN_NAME,
        M.SIGNER_PRIVATE_MAIL,
        M.SIGNER_CONSENT_MAIL,
        M.PAPER_MAIL,
        M.REPORT_NOTE,
        M.QUEUE_CLOSED,
    }
)

# In feeds (the social feed, news and its Atom feed) nobody's membership is listed at all: a
# hidden member's names must not appear there even for coordinators.
FEED_NEVER = (M.HIDDEN_NAME, M.HIDDEN_LEGAL, M.HIDDEN_MAIL, M.HIDDEN_BIO, M.VISIBLE_LEGAL)


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def world():
    return World()


class Visitors:
    """One client per role, signed in once."""

    def __init__(self, world: World):
        self.world = world
        self.clients: dict[str, Client] = {}
        for role in ROLES:
            self.clients[role] = self.fresh(role)

    def fresh(self, role: str) -> Client:
        client = Client()
        if (user := self.world.user(role)) is not None:
            client.force_login(user)
        return client

    def get(self, role: str, url: str, *, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.clients[role].get(url, headers=headers)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", errors="replace")


def sweep(role: str, way: str, where: str, text: str, *, feed: bool = False) -> None:
    """Every secret `role` may not know, looked for in `text`."""
    for marker, (kind, allowed) in SECRETS.items():
        if role in allowed and not (feed and marker in FEED_NEVER):
            continue
        grid.record(
            role=role,
            kind=kind,
            action=f"glimpse {marker}",
            way=way,
            expected=False,
            got=marker in text,
            detail=where,
        )
    if feed:
        for marker in FEED_NEVER:
            if role in SECRETS[marker][1]:
                grid.record(
                    role=role,
                    kind="hidden member" if "hidden" in marker else "legal name",
                    action=f"listed in a feed {marker}",
                    way=way,
                    expected=False,
                    got=marker in text,
                    detail=where,
                )


# --------------------------------------------------------------------------- pages and htmx


@dataclass
class See:
    kind: str
    action: str
    url: Any  # (world) -> str
    allowed: frozenset
    marker: str | None = None  # None: the page itself (a 200 answer) is what is seen
    template: str | None = None  # the page is this template (admin, audit log)


def _u(name, *args):
    return lambda w: reverse(name, args=[arg(w) if callable(arg) else arg for arg in args])


def _ct(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk


def _campaign(kind):
    return lambda w: w.campaigns[kind].slug


def _petition(w):
    return w.petition.slug


SEE = [
    # people who hide their membership (README: "only coordinators see that they belong")
    See("hidden member", "list", _u("organisations:people"), COORDINATOR, M.HIDDEN_NAME),
    See(
        "hidden member",
        "view",
        _u("organisations:person", lambda w: w.hidden.pk),
        COORDINATOR,
        M.HIDDEN_BIO,
    ),
    See(
        "hidden member",
        "listed on organisation",
        _u("organisations:organisation", lambda w: w.org.slug),
        COORDINATOR,
        M.HIDDEN_NAME,
    ),
    See(
        "hidden member",
        "filter people by name",
        lambda w: reverse("organisations:people") + f"?q={M.HIDDEN_NAME.upper()}",
        COORDINATOR,
        M.HIDDEN_NAME,
    ),
    See(
        "hidden member",
        "view legal name",
        _u("organisations:person", lambda w: w.hidden.pk),
        COORDINATOR,
        M.HIDDEN_LEGAL,
    ),
    See(
        "hidden member",
        "view e-mail",
        _u("organisations:person", lambda w: w.hidden.pk),
        COORDINATOR,
        M.HIDDEN_MAIL,
    ),
    See(
        "hidden member",
        "view roles",
        _u("accounts:person_roles", lambda w: w.hidden.pk),
        COORDINATOR,
        M.HIDDEN_NAME,
    ),
    # visible members: seen by members, never by visitors or applicants
    See("visible member", "list", _u("organisations:people"), MEMBERS, M.VISIBLE_NAME),
    See(
        "visible member",
        "view",
        _u("organisations:person", lambda w: w.visible.pk),
        MEMBERS,
        M.VISIBLE_BIO,
    ),
    See(
        "visible member",
        "listed on organisation",
        _u("organisations:organisation", lambda w: w.org.slug),
        MEMBERS,
        M.VISIBLE_NAME,
    ),
    # writing to someone: the form is filled in only with people the writer may see
    See(
        "hidden member",
        "write a message to",
        lambda w: reverse("messaging:new") + f"?to={w.hidden.pk}",
        COORDINATOR,
        M.HIDDEN_NAME,
    ),
    See(
        "visible member",
        "write a message to",
        lambda w: reverse("messaging:new") + f"?to={w.visible.pk}",
        MEMBERS,
        M.VISIBLE_NAME,
    ),
    See(
        "applicant",
        "write a message to",
        lambda w: reverse("messaging:new") + f"?to={w.application.applicant.pk}",
        NOBODY,
        M.APPLICANT_NAME,
    ),
    # legal names and e-mail addresses: coordinators only
    See(
        "legal name",
        "view on person page",
        _u("organisations:person", lambda w: w.visible.pk),
        COORDINATOR,
        M.VISIBLE_LEGAL,
    ),
    See(
        "legal name",
        "view in people list",
        _u("organisations:people"),
        COORDINATOR,
        M.VISIBLE_LEGAL,
    ),
    See(
        "legal name",
        "view on organisation",
        _u("organisations:organisation", lambda w: w.org.slug),
        COORDINATOR,
        M.VISIBLE_LEGAL,
    ),
    See(
        "legal name",
        "filter people by legal name",
        lambda w: reverse("organisations:people") + f"?q={M.VISIBLE_LEGAL.upper()}",
        COORDINATOR,
        M.VISIBLE_NAME,
    ),
    See(
        "e-mail address",
        "view on person page",
        _u("organisations:person", lambda w: w.visible.pk),
        COORDINATOR,
        M.VISIBLE_MAIL,
    ),
    See(
        "e-mail address",
        "filter people by e-mail",
        lambda w: reverse("organisations:people") + f"?q={M.VISIBLE_MAIL.upper()}",
        NOBODY,
        M.VISIBLE_NAME,
    ),
    # applications: coordinators review
    See("application", "list", _u("organisations:review_queue"), COORDINATOR, M.APPLICANT_NAME),
    See(
        "application",
        "view",
        _u("organisations:application_detail", lambda w: w.application.pk),
        COORDINATOR,
        M.APPLICANT_MOTIVATION,
    ),
    See(
        "application",
        "view e-mail",
        _u("organisations:application_detail", lambda w: w.application.pk),
        COORDINATOR,
        M.APPLICANT_MAIL,
    ),
    See(
        "application",
        "view legal name",
        _u("organisations:application_detail", lambda w: w.application.pk),
        COORDINATOR,
        M.APPLICANT_LEGAL,
    ),
    See("applicant", "list among people", _u("organisations:people"), NOBODY, M.APPLICANT_NAME),
    # invitations: coordinators, and the admins of the organisation it is for
    See("invitation", "list", _u("organisations:invitations"), ORG_STAFF, M.INVITEE_MAIL),
    See("invitation", "open the invitations page", _u("organisations:invitations"), ADMINISTRATORS),
    # organisations
    See(
        "organisation",
        "view listed",
        _u("organisations:organisation", lambda w: w.org.slug),
        EVERYONE,
        M.ORG,
    ),
    See(
        "organisation",
        "view unlisted",
        _u("organisations:organisation", lambda w: w.other_org.slug),
        MEMBERS,
        M.OTHER_ORG,
    ),
    See("organisation", "list in directory", _u("organisations:directory"), MEMBERS, M.OTHER_ORG),
    See(
        "organisation",
        "list listed in public directory",
        _u("organisations:public_directory"),
        EVERYONE,
        M.ORG,
    ),
    See(
        "organisation",
        "list unlisted in public directory",
        _u("organisations:public_directory"),
        NOBODY,
        M.OTHER_ORG,
    ),
    See(
        "organisation",
        "open edit form",
        _u("organisations:organisation_edit", lambda w: w.org.slug),
        ORG_STAFF,
    ),
    See(
        "organisation",
        "open another's edit form",
        _u("organisations:organisation_edit", lambda w: w.other_org.slug),
        frozenset({"other_org_admin", "coordinator"}),
    ),
    See(
        "organisation members",
        "see role controls",
        _u("organisations:organisation", lambda w: w.org.slug),
        ORG_STAFF,
        "__role_form__",
    ),
    # coordinators' tools
    See(
        "person roles",
        "view",
        _u("accounts:person_roles", lambda w: w.visible.pk),
        COORDINATOR,
        M.VISIBLE_NAME,
    ),
    See(
        "audit log",
        "view",
        _u("accounts:audit_log"),
        COORDINATOR,
        template="accounts/audit_log.html",
    ),
    See("security policy", "view", _u("accounts:security_policy"), COORDINATOR),
    See(
        "privacy report", "view", _u("privacy:report"), COORDINATOR, template="privacy/report.html"
    ),
    See("my data", "open own page", _u("privacy:my_data"), SIGNED_IN),
    See("lockdown", "view", _u("lockdown:page"), COORDINATOR, template="lockdown/page.html"),
    See("lockdown", "read reason", _u("lockdown:page"), COORDINATOR, M.LOCKDOWN_REASON),
    See(
        "moderation report",
        "list",
        _u("moderation:queue"),
        REVIEWERS,
        template="moderation/queue.html",
    ),
    See(
        "moderation report",
        "view",
        lambda w: reverse("moderation:item", args=[_ct(w.reported), w.reported.pk]),
        REVIEWERS,
        M.REPORT_NOTE,
    ),
    See(
        "translation queue",
        "list readable item",
        _u("translations:queue"),
        frozenset({"translator"}),
        M.QUEUE_PUBLIC,
    ),
    See(
        "translation queue",
        "list closed workgroup's item",
        _u("translations:queue"),
        NOBODY,
        M.QUEUE_CLOSED,
    ),
    See(
        "translation queue",
        "translate readable item",
        lambda w: reverse(
            "translations:translate", args=[_ct(w.public_post), w.public_post.pk, "ar"]
        ),
        frozenset({"translator"}),
        M.QUEUE_PUBLIC,
    ),
    See(
        "translation queue",
        "translate closed workgroup's item",
        lambda w: reverse(
            "translations:translate", args=[_ct(w.closed_post), w.closed_post.pk, "ar"]
        ),
        NOBODY,
        M.QUEUE_CLOSED,
    ),
    See(
        "django admin",
        "index",
        lambda w: reverse("admin:index"),
        NOBODY,
        template="admin/index.html",
    ),
    See(
        "django admin",
        "list people",
        lambda w: reverse("admin:accounts_user_changelist"),
        NOBODY,
        M.HIDDEN_MAIL,
    ),
    See(
        "django admin",
        "list applications",
        lambda w: reverse("admin:organisations_application_changelist"),
        NOBODY,
        M.APPLICANT_NAME,
    ),
    # campaigns (campaigns/tests/test_authorization.py: drafts and reviews for editors)
    See(
        "campaign in draft", "view", _u("campaigns:campaign", _campaign("draft")), EDITORS, M.DRAFT
    ),
    See(
        "campaign in review",
        "view",
        _u("campaigns:campaign", _campaign("review")),
        EDITORS,
        M.REVIEW,
    ),
    See("campaign open", "view", _u("campaigns:campaign", _campaign("open")), EVERYONE, M.OPEN),
    See("campaign open", "list", _u("campaigns:list"), EVERYONE, M.OPEN),
    # The list shows drafts and reviews to the lead's admins only (coordinators reach them
    # through the review queue): campaigns/tests/test_authorization.py, "list".
    See("campaign in draft", "list", _u("campaigns:list"), frozenset({"org_admin"}), M.DRAFT),
    See("campaign in review", "list", _u("campaigns:list"), frozenset({"org_admin"}), M.REVIEW),
    See(
        "campaign in review",
        "list in review queue",
        _u("campaigns:review_queue"),
        EDITORS,
        M.REVIEW,
    ),
    See("campaign in draft", "open edit form", _u("campaigns:edit", _campaign("draft")), EDITORS),
    See(
        "campaign in review",
        "open review form",
        _u("campaigns:review", _campaign("review")),
        EDITORS,
    ),
    See(
        "target's e-mail",
        "view on campaign",
        _u("campaigns:campaign", _campaign("open")),
        EDITORS,
        M.TARGET_MAIL,
    ),
    See(
        "target's e-mail",
        "view targets",
        _u("campaigns:targets", _campaign("open")),
        EDITORS,
        M.TARGET_MAIL,
    ),
    # petitions: public pages, the office (staff: coordinators and the lead's admins), the
    # partner's own page (petitions/tests/test_office_authorization.py)
    See("petition", "view", _u("petitions:petition", _petition), EVERYONE),
    See(
        "petition signers",
        "list public names",
        _u("petitions:names", _petition),
        EVERYONE,
        M.SIGNER_PUBLIC_NAME,
    ),
    See(
        "petition signers",
        "list private names",
        _u("petitions:names", _petition),
        NOBODY,
        M.SIGNER_HIDDEN_NAME,
    ),
    See(
        "petition",
        "view partner page",
        _u("petitions:partner", _petition, lambda w: w.partner.slug),
        EVERYONE,
    ),
    See("petition office", "dashboard", _u("petitions:office", _petition), ORG_STAFF),
    See(
        "petition office",
        "invalidations",
        _u("petitions:office_invalidations", _petition),
        ORG_STAFF,
    ),
    See("petition office", "paper", _u("petitions:office_paper", _petition), ORG_STAFF),
    See(
        "petition office",
        "paper batch of names",
        _u("petitions:office_paper_batch", _petition, lambda w: w.names_batch.pk),
        ORG_STAFF,
        M.PAPER_MAIL,
    ),
    See(
        "petition office",
        "delivery",
        _u("petitions:office_delivery", _petition),
        ORG_STAFF,
        M.TARGET_MAIL,
    ),
    See("petition office", "updates", _u("petitions:office_updates", _petition), ORG_STAFF),
    See(
        "petition office",
        "update",
        _u("petitions:office_update", _petition, lambda w: w.update.pk),
        ORG_STAFF,
    ),
    See("petition office", "export page", _u("petitions:office_export", _petition), ORG_STAFF),
    See(
        "petition office",
        "partner page",
        _u("petitions:office_partner", _petition, lambda w: w.partner.slug),
        PARTNER_STAFF,
    ),
]

# Pages read only for the sweep (their own cells are in SEE or are public).
SWEEP_ONLY = [
    lambda w: reverse("home"),
    lambda w: reverse("accounts:profile"),
    lambda w: reverse("accounts:pending"),
    lambda w: reverse("accounts:security"),
    lambda w: reverse("moderation:my_reports"),
    lambda w: reverse("petitions:list"),
    lambda w: reverse("petitions:widget", args=[w.petition.slug]),
    lambda w: reverse("petitions:confirmed", args=[w.petition.slug]),
    lambda w: reverse("campaigns:propose"),
    lambda w: reverse("organisations:organisation", args=[w.partner_org.slug]),
    lambda w: reverse("organisations:people") + "?page=2",
    lambda w: reverse("organisations:directory") + "?scope=iraqi",
    lambda w: reverse("lockdown:page") + "?history=1",
    lambda w: reverse("organisations:person", args=[w.application.applicant.pk]),
    lambda w: reverse("notifications:list"),
    lambda w: reverse("messaging:inbox"),
    lambda w: reverse("campaigns:campaign", args=[w.campaigns["draft"].slug]) + "?preview=1",
    lambda w: reverse("petitions:partner_widget", args=[w.petition.slug, w.partner.slug]),
]

FEEDS = [
    lambda w: reverse("social:feed"),
    lambda w: reverse("social:news"),
    lambda w: reverse("social:news_atom"),
]


def _seen(see: See, response, text: str) -> bool:
    if response.status_code != 200:
        return False
    if see.template is not None:
        return see.template in {t.name for t in response.templates if t.name}
    if see.marker == "__role_form__":
        return False  # decided by the caller, which knows the URL
    return see.marker is None or see.marker in text


def test_pages_and_htmx_fragments(world):
    """Every SEE row × every role, as a page and as an htmx request (HX-Request: true — the
    directories and feeds answer fragments, the others the same page); every answer swept."""
    visitors = Visitors(world)
    role_form = reverse(
        "organisations:membership_role", args=[world.org.slug, world.visible_membership.pk]
    )
    cache_of_answers: dict[tuple, tuple] = {}
    for role in ROLES:
        for htmx, way in ((False, "page"), (True, "htmx")):
            for see in SEE:
                url = see.url(world)
                key = (role, way, url)
                if key not in cache_of_answers:
                    response = visitors.get(role, url, htmx=htmx)
                    text = body_of(response)
                    cache_of_answers[key] = (response, text)
                    sweep(role, way, url, text)
                response, text = cache_of_answers[key]
                got = _seen(see, response, text)
                if see.marker == "__role_form__":
                    got = response.status_code == 200 and role_form in text
                grid.record(
                    role=role,
                    kind=see.kind,
                    action=see.action,
                    way=way,
                    expected=role in see.allowed,
                    got=got,
                    detail=f"{url} → {response.status_code}",
                )
            for build in SWEEP_ONLY:
                url = build(world)
                response = visitors.get(role, url, htmx=htmx)
                sweep(role, way, url, body_of(response))
    grid.check()


def test_feeds(world):
    """The social feed, news and the public Atom feed, for every role: no secret, and no
    hidden member or legal name even for coordinators. The open workgroup post is in the
    feed of those who may read it (a control: feeds are not empty)."""
    visitors = Visitors(world)
    for role in ROLES:
        for build in FEEDS:
            url = build(world)
            for htmx in (False, True):
                response = visitors.get(role, url, htmx=htmx)
                text = body_of(response)
                sweep(role, "feed", url, text, feed=True)
        atom = body_of(visitors.get(role, reverse("social:news_atom")))
        grid.record(
            role=role,
            kind="public post",
            action="read in the Atom feed",
            way="feed",
            expected=True,
            got=M.QUEUE_PUBLIC in atom,
            detail="news/feed.atom",
        )
        feed = visitors.get(role, reverse("social:feed"))
        grid.record(
            role=role,
            kind="closed workgroup's post",
            action="read in the social feed",
            way="feed",
            expected=role == "other_member",
            got=feed.status_code == 200 and M.QUEUE_CLOSED in body_of(feed),
            detail="feed/",
        )
    grid.check()


# --------------------------------------------------------------------------------- search

SEARCHES = [
    # people: display names and "about me" only, hidden members for coordinators only
    ("hidden member", "find by display name", M.HIDDEN_NAME, M.HIDDEN_NAME, COORDINATOR),
    ("hidden member", "find by about me", M.HIDDEN_BIO, M.HIDDEN_NAME, COORDINATOR),
    ("hidden member", "find by legal name", M.HIDDEN_LEGAL, M.HIDDEN_NAME, NOBODY),
    ("hidden member", "find by e-mail", M.HIDDEN_MAIL, M.HIDDEN_NAME, NOBODY),
    ("visible member", "find by display name", M.VISIBLE_NAME, M.VISIBLE_NAME, MEMBERS),
    ("visible member", "find by about me", M.VISIBLE_BIO, M.VISIBLE_NAME, MEMBERS),
    ("legal name", "find by legal name", M.VISIBLE_LEGAL, M.VISIBLE_NAME, NOBODY),
    ("e-mail address", "find by e-mail", M.VISIBLE_MAIL, M.VISIBLE_NAME, NOBODY),
    ("application", "find applicant by name", M.APPLICANT_NAME, M.APPLICANT_NAME, NOBODY),
    ("application", "find by motivation", M.APPLICANT_MOTIVATION, M.APPLICANT_NAME, NOBODY),
    ("invitation", "find by e-mail", M.INVITEE_MAIL, M.INVITEE_MAIL, NOBODY),
    # organisations: listed ones for anyone, unlisted for members
    ("organisation", "find listed", M.ORG, M.ORG, EVERYONE),
    ("organisation", "find unlisted", M.OTHER_ORG, M.OTHER_ORG, MEMBERS),
    # campaigns and petitions: drafts only for their editors, nothing of the signers
    ("campaign in draft", "find", M.DRAFT, M.DRAFT, EDITORS),
    ("campaign in review", "find", M.REVIEW, M.REVIEW, EDITORS),
    ("campaign open", "find", M.OPEN, M.OPEN, EVERYONE),
    ("target's e-mail", "find", M.TARGET_MAIL, M.TARGET_MAIL, NOBODY),
    ("petition signers", "find private name", M.SIGNER_HIDDEN_NAME, M.SIGNER_HIDDEN_NAME, NOBODY),
    ("petition signers", "find public name", M.SIGNER_PUBLIC_NAME, M.SIGNER_PUBLIC_NAME, NOBODY),
    ("signer's e-mail", "find", M.SIGNER_PRIVATE_MAIL, M.SIGNER_PRIVATE_MAIL, NOBODY),
    ("moderation report", "find by note", M.REPORT_NOTE, M.REPORT_NOTE, NOBODY),
    ("lockdown", "find by reason", M.LOCKDOWN_REASON, M.LOCKDOWN_REASON, NOBODY),
    (
        "closed workgroup's post",
        "find",
        M.QUEUE_CLOSED,
        M.QUEUE_CLOSED,
        frozenset({"other_member"}),
    ),
]


NOTHING = "ZQNOTHINGATALLZQ"  # a query that matches nothing at all


def _normalised(text: str, query: str) -> str:
    text = CSRF.sub("", text)
    return text.replace(query, "QUERY") if query else text


def test_search(world):
    """`/search/?q=<MARKER>` for every row × role; every answer swept. The query is the
    marker in capitals: search folds case, so the page's echo of the query is never taken for
    a result. Then the side channel: for whoever may not find a thing, the answer (counts,
    filters, "no results") must be the very answer to a query that matches nothing — the
    same is asked of the people directory's own filter."""
    visitors = Visitors(world)
    search = reverse("search:search")
    people = reverse("organisations:people")
    for role in ROLES:
        baseline = {
            base: _normalised(body_of(visitors.get(role, f"{base}?q={NOTHING}")), NOTHING)
            for base in (search, people)
        }
        for kind, action, query, marker, allowed in SEARCHES:
            url = f"{search}?q={query.upper()}"
            response = visitors.get(role, url)
            text = body_of(response)
            sweep(role, "search", url, text)
            grid.record(
                role=role,
                kind=kind,
                action=action,
                way="search",
                expected=role in allowed,
                got=response.status_code == 200 and marker in text,
                detail=f"{url} → {response.status_code}",
            )
            grid.record(
                role=role,
                kind=kind,
                action=f"{action}: tell apart from nothing",
                way="search",
                expected=role in allowed,
                got=_normalised(text, query.upper()) != baseline[search],
                detail=url,
            )
        for kind, query, allowed in (
            ("hidden member", M.HIDDEN_NAME, COORDINATOR),
            ("hidden member", M.HIDDEN_LEGAL, COORDINATOR),
            ("legal name", M.VISIBLE_LEGAL, COORDINATOR),
            ("e-mail address", M.VISIBLE_MAIL, NOBODY),
            ("hidden member", M.HIDDEN_MAIL, NOBODY),
            ("application", M.APPLICANT_NAME, NOBODY),
            ("visible member", M.VISIBLE_NAME, MEMBERS),
        ):
            url = f"{people}?q={query.upper()}"
            text = body_of(visitors.get(role, url))
            sweep(role, "search", url, text)
            grid.record(
                role=role,
                kind=kind,
                action="filter people: tell apart from nothing",
                way="search",
                expected=role in allowed,
                got=_normalised(text, query.upper()) != baseline[people],
                detail=url,
            )
    grid.check()


# --------------------------------------------------------------------------------- actions


@dataclass
class Act:
    kind: str
    action: str
    url: Any  # (world) -> str
    allowed: frozenset
    state: Any  # (world) -> comparable
    data: Any = None  # (world) -> dict


def _org_edit_data(w, organisation):
    return {
        "name_ar": organisation.name_ar,
        "name_en": "Edited Name",
        "kind": organisation.kind,
        "scope": organisation.scope,
        "country": "IQ",
        "governorate": organisation.governorate,
        "city": "Basra",
        "languages": ["ar"],
        "description_en": "",
        "description_ar": "",
    }


def _campaign_state(kind):
    def state(w):
        campaign = Campaign.objects.get(pk=w.campaigns[kind].pk)
        return (
            campaign.status,
            campaign.title_en,
            campaign.reviews.count(),
            campaign.targets.count(),
            campaign.updates.count(),
        )

    return state


def _petition_state(w):
    petition = Petition.objects.get(pk=w.petition.pk)
    return (
        petition.status,
        Signature.objects.filter(state=Signature.State.INVALID).count(),
        Signature.objects.count(),
        tuple(SignerUpdate.objects.order_by("pk").values_list("status", flat=True)),
    )


def _membership(pk):
    return tuple(OrganisationMembership.objects.filter(pk=pk).values_list("role", flat=True))


ACTS = [
    Act(
        "application",
        "approve",
        _u("organisations:application_detail", lambda w: w.application.pk),
        COORDINATOR,
        lambda w: Application.objects.get(pk=w.application.pk).status,
        lambda w: {"decision": "approve", "message": ""},
    ),
    Act(
        "application",
        "decline",
        _u("organisations:application_detail", lambda w: w.application.pk),
        COORDINATOR,
        lambda w: Application.objects.get(pk=w.application.pk).status,
        lambda w: {"decision": "decline", "message": "no"},
    ),
    Act(
        "organisation",
        "edit",
        _u("organisations:organisation_edit", lambda w: w.org.slug),
        ORG_STAFF,
        lambda w: Organisation.objects.get(pk=w.org.pk).name_en,
        lambda w: _org_edit_data(w, w.org),
    ),
    Act(
        "organisation",
        "edit another",
        _u("organisations:organisation_edit", lambda w: w.other_org.slug),
        frozenset({"other_org_admin", "coordinator"}),
        lambda w: Organisation.objects.get(pk=w.other_org.pk).name_en,
        lambda w: _org_edit_data(w, w.other_org),
    ),
    Act(
        "organisation members",
        "make admin",
        _u(
            "organisations:membership_role", lambda w: w.org.slug, lambda w: w.visible_membership.pk
        ),
        ORG_STAFF,
        lambda w: _membership(w.visible_membership.pk),
        lambda w: {"role": "admin"},
    ),
    Act(
        "organisation members",
        "remove visible member",
        _u(
            "organisations:membership_remove",
            lambda w: w.org.slug,
            lambda w: w.visible_membership.pk,
        ),
        ORG_STAFF,
        lambda w: _membership(w.visible_membership.pk),
    ),
    # Admins cannot see hidden people, so cannot act on them (organisations' own matrix).
    Act(
        "hidden member",
        "remove from organisation",
        _u(
            "organisations:membership_remove",
            lambda w: w.org.slug,
            lambda w: w.hidden_membership.pk,
        ),
        COORDINATOR,
        lambda w: _membership(w.hidden_membership.pk),
    ),
    Act(
        "hidden member",
        "make admin",
        _u("organisations:membership_role", lambda w: w.org.slug, lambda w: w.hidden_membership.pk),
        COORDINATOR,
        lambda w: _membership(w.hidden_membership.pk),
        lambda w: {"role": "admin"},
    ),
    Act(
        "hidden member",
        "follow",
        lambda w: reverse("social:follow", args=["person", w.hidden.pk]),
        COORDINATOR,
        lambda w: Follow.objects.filter(person=w.hidden).count(),
    ),
    Act(
        "visible member",
        "follow",
        lambda w: reverse("social:follow", args=["person", w.visible.pk]),
        MEMBERS,
        lambda w: Follow.objects.filter(person=w.visible).count(),
    ),
    Act(
        "hidden member",
        "write a message to",
        _u("messaging:new"),
        COORDINATOR,
        lambda w: Conversation.objects.count(),
        lambda w: {"recipients": w.hidden.display_name, "subject": "", "body": "Hello"},
    ),
    Act(
        "visible member",
        "write a message to",
        _u("messaging:new"),
        MEMBERS,
        lambda w: Conversation.objects.count(),
        lambda w: {"recipients": w.visible.display_name, "subject": "", "body": "Hello"},
    ),
    Act(
        "applicant",
        "write a message to",
        _u("messaging:new"),
        NOBODY,
        lambda w: Conversation.objects.count(),
        lambda w: {
            "recipients": w.application.applicant.display_name,
            "subject": "",
            "body": "Hello",
        },
    ),
    Act(
        "invitation",
        "invite to the organisation",
        _u("organisations:invitations"),
        ORG_STAFF,
        lambda w: Invitation.objects.count(),
        lambda w: {
            "email": "zqnewinviteezq@example.org",
            "organisation": w.org.pk,
            "role": "member",
            "language": "en",
        },
    ),
    Act(
        "invitation",
        "invite to another organisation",
        _u("organisations:invitations"),
        frozenset({"other_org_admin", "coordinator"}),
        lambda w: Invitation.objects.count(),
        lambda w: {
            "email": "zqnewinviteezq@example.org",
            "organisation": w.other_org.pk,
            "role": "member",
            "language": "en",
        },
    ),
    Act(
        "invitation",
        "withdraw",
        _u("organisations:invitation_revoke", lambda w: w.invitation.pk),
        ORG_STAFF,
        lambda w: Invitation.objects.get(pk=w.invitation.pk).revoked_at is not None,
    ),
    Act(
        "person roles",
        "make translator",
        _u("accounts:person_roles", lambda w: w.visible.pk),
        COORDINATOR,
        lambda w: User.objects.get(pk=w.visible.pk).is_translator,
        lambda w: {"is_translator": "on", "status": "member"},
    ),
    Act(
        "person roles",
        "make coordinator of oneself",
        _u("accounts:person_roles", lambda w: w.member.pk),
        COORDINATOR,
        lambda w: User.objects.get(pk=w.member.pk).is_coordinator,
        lambda w: {"is_coordinator": "on", "status": "member"},
    ),
    Act(
        "lockdown",
        "start",
        _u("lockdown:page"),
        COORDINATOR,
        lambda w: Lockdown.objects.filter(lifted_at__isnull=True).count(),
        lambda w: {"scope": str(w.wg2.pk), "reason": "grid", "confirm": "on"},
    ),
    Act(
        "lockdown",
        "lift",
        lambda w: reverse("lockdown:lift", args=[w.active_lockdown.pk]),
        COORDINATOR,
        lambda w: Lockdown.objects.filter(lifted_at__isnull=True).count(),
    ),
    Act(
        "moderation report",
        "hide the item",
        lambda w: reverse("moderation:hide", args=[_ct(w.reported), w.reported.pk]),
        REVIEWERS,
        lambda w: Post.objects.get(pk=w.reported.pk).is_hidden,
        lambda w: {"hide-reason": "harassment", "hide-note": ""},
    ),
    Act(
        "moderation report",
        "dismiss",
        lambda w: reverse("moderation:dismiss", args=[_ct(w.reported), w.reported.pk]),
        REVIEWERS,
        lambda w: Report.objects.get(pk=w.report.pk).status,
        lambda w: {"dismiss-note": ""},
    ),
    Act(
        "translation queue",
        "take readable item",
        _u("translations:claim", lambda w: w.public_request.pk),
        frozenset({"translator"}),
        lambda w: TranslationRequest.objects.get(pk=w.public_request.pk).claimed_by_id,
    ),
    Act(
        "translation queue",
        "take closed workgroup's item",
        _u("translations:claim", lambda w: w.closed_request.pk),
        NOBODY,
        lambda w: TranslationRequest.objects.get(pk=w.closed_request.pk).claimed_by_id,
    ),
    Act(
        "campaign in draft",
        "submit for review",
        _u("campaigns:submit", _campaign("draft")),
        EDITORS,
        _campaign_state("draft"),
    ),
    Act(
        "campaign in draft",
        "add target",
        _u("campaigns:targets", _campaign("draft")),
        EDITORS,
        _campaign_state("draft"),
        lambda w: {"name_ar": "وزارة", "name_en": "Ministry", "email": "m@example.org"},
    ),
    Act(
        "campaign in review",
        "approve",
        _u("campaigns:review", _campaign("review")),
        EDITORS,
        _campaign_state("review"),
        lambda w: {"decision": "approve", "comment": ""},
    ),
    Act(
        "campaign open",
        "close",
        _u("campaigns:status", _campaign("open")),
        EDITORS,
        _campaign_state("open"),
        lambda w: {"status": "closed"},
    ),
    Act(
        "campaign open",
        "add update",
        _u("campaigns:update_new", _campaign("open")),
        EDITORS,
        _campaign_state("open"),
        lambda w: {"title_ar": "خبر", "title_en": "News", "body_ar": "نص", "body_en": "Text"},
    ),
    Act(
        "petition office",
        "close",
        _u("petitions:office_status", _petition),
        ORG_STAFF,
        _petition_state,
        lambda w: {"status": "closed"},
    ),
    Act(
        "petition signers",
        "void a signature",
        _u("petitions:office_invalidate", _petition),
        ORG_STAFF,
        _petition_state,
        lambda w: {"ids": str(w.private_signer.pk), "reason": "duplicate", "expected": "1"},
    ),
    Act(
        "petition signers",
        "add a paper signer",
        _u("petitions:office_paper_batch", _petition, lambda w: w.names_batch.pk),
        ORG_STAFF,
        _petition_state,
        lambda w: {"name": "Zainab Ali", "country": "IQ", "language": "ar"},
    ),
    Act(
        "petition office",
        "approve update to signers",
        _u("petitions:office_update_approve", _petition, lambda w: w.update.pk),
        COORDINATOR,
        _petition_state,
    ),
]


class _Undo(Exception):
    """Rolls one role's request back, so that the next finds the same world."""


def test_actions(world):
    """Every ACTS row × every role, posted as a form and as an htmx request; the state is
    compared before and after, each request rolled back."""
    visitors = Visitors(world)
    for act in ACTS:
        url = act.url(world)
        for role in ROLES:
            for htmx, way in ((False, "page"), (True, "htmx")):
                client = visitors.clients[role]
                before = act.state(world)
                try:
                    with transaction.atomic():
                        response = client.post(
                            url,
                            act.data(world) if act.data else {},
                            headers={"HX-Request": "true"} if htmx else {},
                        )
                        after = act.state(world)
                        raise _Undo
                except _Undo:
                    pass
                if act.kind == "lockdown":
                    # Starting a lockdown signs people out (rolled back in the database, but
                    # the client may hold an ended session): sign in again.
                    cache.clear()
                    visitors.clients[role] = visitors.fresh(role)
                assert act.state(world) == before
                grid.record(
                    role=role,
                    kind=act.kind,
                    action=act.action,
                    way=way,
                    expected=role in act.allowed,
                    got=after != before,
                    detail=f"POST {url} → {response.status_code}",
                )
    grid.check()


# ---------------------------------------------------------------------------------- counts


def test_counts_leave_hidden_members_out(world):
    """ "Hidden people never appear in directories, counts or organisation pages": each page
    is read, then read again with the hidden member's membership gone (rolled back). For all
    but coordinators the two answers must be the same, byte for byte (the CSRF token aside)."""
    visitors = Visitors(world)
    pages = [
        (
            "organisation page",
            reverse("organisations:organisation", args=[world.org.slug]),
            COORDINATOR,
        ),
        ("directory", reverse("organisations:directory"), COORDINATOR),
        ("directory fragment", reverse("organisations:directory") + "?scope=iraqi", COORDINATOR),
        ("public directory", reverse("organisations:public_directory"), NOBODY),
        ("home figures", reverse("home"), NOBODY),
        ("people", reverse("organisations:people"), NOBODY),
    ]
    for role in ROLES:
        for htmx, way in ((False, "page"), (True, "htmx")):
            for name, url, allowed in pages:
                cache.clear()
                before = _normalised(body_of(visitors.get(role, url, htmx=htmx)), "")
                try:
                    with transaction.atomic():
                        OrganisationMembership.objects.filter(
                            pk=world.hidden_membership.pk
                        ).delete()
                        cache.clear()
                        after = _normalised(body_of(visitors.get(role, url, htmx=htmx)), "")
                        raise _Undo
                except _Undo:
                    pass
                grid.record(
                    role=role,
                    kind="hidden member",
                    action=f"counted on {name}",
                    way=way,
                    expected=role in allowed,
                    got=before != after,
                    detail=url,
                )
    cache.clear()
    grid.check()


# ------------------------------------------------------------------- probing for existence


def _answer(client, name: str, *, htmx: bool) -> tuple[int, str]:
    response = client.post(
        reverse("messaging:new"),
        {"recipients": name, "subject": "", "body": "Hello"},
        headers={"HX-Request": "true"} if htmx else {},
    )
    return response.status_code, CSRF.sub("", body_of(response)).replace(name, "NAME")


def test_probing_who_exists(world):
    """Writing to a hidden member, to an applicant and to a name nobody has must be answered
    alike for whoever may not see them: the answer itself must not tell that they exist. Each
    request is rolled back."""
    visitors = Visitors(world)
    nobody = "Nobody zqnosuchpersonzq"
    probes = [
        ("hidden member", world.hidden.display_name, COORDINATOR),
        ("applicant", world.application.applicant.display_name, NOBODY),
        ("visible member", world.visible.display_name, MEMBERS),
    ]
    for role in ROLES:
        for htmx, way in ((False, "page"), (True, "htmx")):
            answers = {}
            for name in [nobody] + [name for _kind, name, _allowed in probes]:
                # A new client each time: a message sent (then rolled back) leaves its
                # "sent" notice in the session, for the next answer to show.
                try:
                    with transaction.atomic():
                        answers[name] = _answer(visitors.fresh(role), name, htmx=htmx)
                        raise _Undo
                except _Undo:
                    pass
            for kind, name, allowed in probes:
                grid.record(
                    role=role,
                    kind=kind,
                    action="tell apart from nobody when writing to",
                    way=way,
                    expected=role in allowed,
                    got=answers[name] != answers[nobody],
                    detail=f"{answers[name][0]} vs {answers[nobody][0]}",
                )
    grid.check()


# ---------------------------------------------------------------------- exports, downloads


def _csv_cells(visitors, world, role, name, url, rows):
    response = visitors.get(role, url)
    text = body_of(response) if response.status_code == 200 else ""
    sweep(role, "export", url, text)
    for kind, marker, allowed in rows:
        grid.record(
            role=role,
            kind=kind,
            action=f"{name}: {marker}",
            way="export",
            expected=role in allowed,
            got=marker in text,
            detail=f"{url} → {response.status_code}",
        )


def test_exports_and_downloads(world):
    """The office's CSV export, the partner's CSV (consenting signers only), each person's own
    data (a ZIP holding nobody else's address), the paper evidence and the PDFs."""
    visitors = Visitors(world)
    slug = world.petition.slug
    evidence = reverse("petitions:office_paper_evidence", args=[slug, world.evidence_batch.pk])
    downloads = [
        ("paper evidence", evidence, ORG_STAFF),
        ("signature sheet", reverse("petitions:office_paper_sheet", args=[slug]), ORG_STAFF),
        ("delivery PDF", reverse("petitions:office_delivery_pdf", args=[slug]), ORG_STAFF),
    ]
    for role in ROLES:
        _csv_cells(
            visitors,
            world,
            role,
            "signatures.csv",
            reverse("petitions:office_export_csv", args=[slug]),
            [
                ("signer's e-mail", M.SIGNER_PRIVATE_MAIL, ORG_STAFF),
                ("signer's private name", M.SIGNER_HIDDEN_NAME, ORG_STAFF),
                ("consenting signer's e-mail", M.SIGNER_CONSENT_MAIL, ORG_STAFF),
            ],
        )
        _csv_cells(
            visitors,
            world,
            role,
            "partner signers.csv",
            reverse("petitions:office_partner_csv", args=[slug, world.partner.slug]),
            [
                ("consenting signer's e-mail", M.SIGNER_CONSENT_MAIL, PARTNER_STAFF),
                # a signer who did not consent to the partner is in no partner export
                ("signer's e-mail", M.SIGNER_PRIVATE_MAIL, NOBODY),
                ("signer's private name", M.SIGNER_HIDDEN_NAME, NOBODY),
            ],
        )
        for name, url, allowed in downloads:
            response = visitors.get(role, url)
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            grid.record(
                role=role,
                kind="petition files",
                action=f"download {name}",
                way="download",
                expected=role in allowed,
                got=response.status_code == 200 and content.startswith(b"%PDF"),
                detail=f"{url} → {response.status_code}",
            )
        # Own data, once per person (at most once a minute).
        user = world.user(role)
        response = visitors.clients[role].post(reverse("privacy:my_data"))
        text = ""
        if response.status_code == 200:
            archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
            text = "\n".join(
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            )
        grid.record(
            role=role,
            kind="my data",
            action="export own data",
            way="export",
            expected=user is not None,
            got=user is not None and user.email in text,
            detail=f"my-data → {response.status_code}",
        )
        # Nobody's archive holds another person's name, address or words, nor any secret its
        # owner may not know.
        for marker, (kind, allowed) in SECRETS.items():
            if role in allowed and marker not in OTHER_PEOPLE:
                continue
            grid.record(
                role=role,
                kind=kind,
                action=f"in own data archive {marker}",
                way="export",
                expected=False,
                got=marker in text,
                detail="my-data ZIP",
            )
    grid.check()


# -------------------------------------------------------------------------------- e-mail


def _mails_to(user) -> str:
    if user is None:
        return ""
    texts = []
    for message in mail.outbox:
        if user.email in message.to + message.cc + message.bcc:
            parts = [message.subject, message.body]
            parts += [alt[0] for alt in getattr(message, "alternatives", [])]
            parts += [
                a[1].decode(errors="replace") if isinstance(a[1], bytes) else str(a[1])
                for a in message.attachments
                if isinstance(a, tuple)
            ]
            texts.append("\n".join(parts))
    return "\n".join(texts)


def test_mail(world):
    """Mail sent by what the world's people do — an application, its approval, invitations,
    translation requests, a report, a petition's delivery to its targets — goes only to whom
    it may: the new application to coordinators, nothing about a signer to a partner, nothing
    secret to anyone else."""
    mail.outbox.clear()
    client = Client()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("organisations:apply"),
            {
                "kind": "individual",
                "legal_name": "Brand zqnewapplicantzq Person",
                "email": "zqnewapplicantmailzq@example.org",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
                "language": "en",
                "motivation": "Solidarity",
            },
        )
    assert response.status_code == 302, body_of(response)[:3000]
    with TestCase.captureOnCommitCallbacks(execute=True):
        from tadamun.organisations import services as organisations

        organisations.application_approve(application=world.application, by=world.coordinator)
        organisations.invitation_create(
            by=world.org_admin, email="zqsecondinviteezq@example.org", organisation=world.org
        )
        from tadamun.social.tests.factories import make_post
        from tadamun.translations import services as translations

        for audience, workgroup, marker in (
            (Post.Audience.PUBLIC, None, "zqmailpubliczq"),
            (Post.Audience.WORKGROUP, world.wg2, M.QUEUE_CLOSED),
        ):
            post = make_post(
                world.author,
                body=f"Another text about rivers {marker}",
                audience=audience,
                audience_workgroup=workgroup,
                language="en",
            )
            translations.translation_request(obj=post, target_language="ar", by=world.author)
        office.petition_set_status(petition=world.petition, status="closed", by=world.coordinator)
        office.update_approve(update=world.update, by=world.coordinator)
        office.delivery_start(petition=world.petition, by=world.coordinator)
    delivery.deliver_updates_due()
    delivery.deliver_targets_due()
    assert mail.outbox, "no mail was sent"
    new_name = "zqnewapplicantzq"
    for role in ROLES:
        user = world.user(role)
        text = _mails_to(user)
        sweep(role, "e-mail", "mail to " + role, text)
        grid.record(
            role=role,
            kind="application",
            action="told of a new application",
            way="e-mail",
            expected=role == "coordinator",
            got=new_name in text,
            detail="application_received",
        )
        for marker, kind in (
            ("zqsecondinviteezq", "invitation"),
            ("zqnewapplicantmailzq", "application"),
            (M.SIGNER_CONSENT_MAIL, "consenting signer's e-mail"),
        ):
            grid.record(
                role=role,
                kind=kind,
                action=f"receive {marker}",
                way="e-mail",
                expected=False,
                got=marker in text,
                detail="outbox",
            )
    # Nothing about a signer went anywhere but to the signer (and the targets get names of
    # those who agreed, never addresses).
    for message in mail.outbox:
        text = "\n".join([message.subject, message.body])
        for marker in (M.SIGNER_PRIVATE_MAIL, M.SIGNER_CONSENT_MAIL, M.SIGNER_HIDDEN_NAME):
            grid.record(
                role="anonymous",
                kind="petition signers",
                action=f"mailed to a third party {marker}",
                way="e-mail",
                expected=False,
                got=marker in text and not any(marker in to for to in message.to),
                detail=f"to {message.to}",
            )
    grid.check()
