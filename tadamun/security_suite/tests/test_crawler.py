"""The crawler (issue 7): signed in as an outsider and as a plain member, follow every link
the site offers and collect every name and e-mail address on every page — 0 hidden members,
0 legal names behind a display name, 0 e-mail addresses of other people.

The world is the demo data (`seed_demo`: every app's content, in both languages) plus people
made to be found: members who hide their membership, with distinctive display and legal names,
in the crawler's own organisation and workgroups (open and closed), subscribed to its lists
and signing its petitions; a pseudonymous member who writes posts; signers who keep their name
off the public list. Besides following links, each crawler asks the search boxes for those
very names.

`-s` shows the figures.
"""

import html
import io
import re
import time
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tadamun.accounts.models import User
from tadamun.accounts.tests.factories import UserFactory
from tadamun.lists.models import MailingList, Subscription
from tadamun.organisations.models import Organisation
from tadamun.organisations.tests.factories import MembershipFactory as OrgMembershipFactory
from tadamun.petitions.models import Petition, Signature
from tadamun.petitions.tests.factories import SignatureFactory
from tadamun.social.tests.factories import make_post as make_social_post
from tadamun.workgroups.models import Post as WorkgroupPost
from tadamun.workgroups.models import Workgroup
from tadamun.workgroups.tests.factories import MembershipFactory as WorkgroupMembershipFactory
from tadamun.workgroups.tests.factories import WorkgroupFactory
from tadamun.workgroups.tests.factories import make_post as make_workgroup_post

pytestmark = pytest.mark.django_db

# Per crawler: enough to reach every kind of page in both languages, small enough for SQLite.
MAX_PAGES = 1500
# Pages of one shape (same path with the numbers taken out, same query keys): the first few
# show what that view reveals; the rest of a long list would only repeat it.
MAX_PER_PATTERN = 30

# Never followed: they end the session or leave the site, change the language for the rest of
# the crawl, or are the admin (plain members and outsiders are only sent to sign in there).
SKIP_PATH = re.compile(
    r"^/(language|exit)/"
    r"|^/(ar|en)/accounts/logout/"
    r"|^/(ar|en)/admin/"
    r"|^/static/"
)
# Bodies not worth reading for names: pictures, PDFs, archives.
BINARY_TYPES = ("image/", "application/pdf", "application/zip", "application/octet-stream")

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# People made to be looked for. Names no page could contain by accident.
HIDDEN_PEOPLE = [
    # (display name, legal name, e-mail)
    ("Qoraish Heronfield", "Zubaida Mirkhanova", "zubaida.hidden@mail.example"),
    ("طائر السنونو الخفي", "سندس عبد الجليل الخفية", "sundus.hidden@mail.example"),
    ("Vetiver Nightjar", "Vetiver Nightjar", "vetiver.hidden@mail.example"),
]
PSEUDONYMOUS_WRITER = ("Blue Kingfisher", "Abdulkarim Saadawi-Lahib", "kingfisher@mail.example")
# Shaped like the names asked for (two words, a hyphen), known to nobody.
SEARCH_PROBE = "Xyloquent Vorbanek-Pim"
QUIET_SIGNER = ("Ghufran Taleb-Moussawi", "ghufran.signer@mail.example")


class Links(HTMLParser):
    """Every address a person could follow: links, GET forms (their action with
    no fields), alternates."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("a", "area", "link") and attributes.get("href"):
            self.found.append(attributes["href"])
        elif tag == "form" and (attributes.get("method") or "get").lower() == "get":
            self.found.append(attributes.get("action") or "")


def pattern_of(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(part.split("=", 1)[0] for part in parts.query.split("&") if part)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


class Crawl:
    def __init__(self, label: str, client: Client, people: list[User]):
        self.label = label
        self.client = client
        self.people = people
        self.pages = 0
        self.links_followed = 0
        self.status = Counter()
        self.addresses: dict[str, str] = {}  # address → first page it was seen on
        self.names: dict[str, set[str]] = {}  # name → the pages it was seen on
        self.patterns = Counter()
        self.seen_urls: set[str] = set()
        self._echoes: dict[str, int] = {}
        # One alternation of every name, longest first (so a name inside a longer one does
        # not shadow it); names stand alone, not inside longer words.
        names = sorted(
            {n for p in people for n in (p.display_name, p.legal_name) if n}, key=len, reverse=True
        )
        self.name_pattern = re.compile(
            r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)"
        )

    def normalise(self, base: str, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
            return None
        absolute = urljoin(base, href)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc not in ("testserver", ""):
            return None
        if SKIP_PATH.search(parts.path):
            return None
        return urlunsplit(("", "", parts.path, parts.query, ""))

    def read(self, url: str, text: str) -> None:
        plain = html.unescape(unquote(text))
        for address in EMAIL.findall(plain):
            self.addresses.setdefault(address.lower(), url)
        found = Counter(self.name_pattern.findall(plain))
        query = parse_qs(urlsplit(url).query).get("q", [""])[0]
        if query in found:
            # A search page repeats what was asked (the box, the heading, its links): only
            # more than that is a finding.
            found[query] -= self.echoes(urlsplit(url).path)
        for name, count in found.items():
            if count > 0:
                self.names.setdefault(name, set()).add(url)

    def echoes(self, path: str) -> int:
        """How often this search page repeats a name it was asked for and does not know."""
        if path not in self._echoes:
            response = self.client.get(path, {"q": SEARCH_PROBE})
            page = html.unescape(unquote(response.content.decode()))
            self._echoes[path] = len(re.findall(re.escape(SEARCH_PROBE), page))
        return self._echoes[path]

    def run(self, starts: list[str]) -> None:
        """Breadth-first from `starts`, each of which is fetched whatever its shape."""
        queue = deque(starts)
        self.seen_urls.update(starts)
        while queue and self.pages < MAX_PAGES:
            url = queue.popleft()
            pattern = pattern_of(url)
            if url not in starts and self.patterns[pattern] >= MAX_PER_PATTERN:
                continue
            self.patterns[pattern] += 1
            response = self.client.get(url)
            self.pages += 1
            self.status[response.status_code // 100 * 100] += 1
            targets = []
            if response.status_code in (301, 302, 303, 307, 308):
                targets.append(response["Location"])
            content_type = response.get("Content-Type", "")
            # Read through the test client's wrapper, which closes a streamed file without
            # also closing the test's database connection (response.close() would).
            data = b"".join(response.streaming_content) if response.streaming else response.content
            if not content_type.startswith(BINARY_TYPES):
                body = data.decode("utf-8", "replace")
                self.read(url, body)
                if "html" in content_type:
                    parser = Links()
                    parser.feed(body)
                    targets += parser.found
            for href in targets:
                target = self.normalise("http://testserver" + url, href)
                if target and target not in self.seen_urls:
                    self.seen_urls.add(target)
                    self.links_followed += 1
                    queue.append(target)


def build_world():
    """The demo data plus people made to be looked for. Returns the plain member who crawls."""
    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    # A plain member: no coordinator, no organisation admin, moderates no workgroup.
    organisation = Organisation.objects.get(slug="mediterranean-womens-rights-alliance")
    member = User.objects.get(email="member.france@demo.tadamun.example")
    open_group = Workgroup.objects.get(slug="privatization")
    request_group = Workgroup.objects.get(slug="womens-rights")
    closed_group = WorkgroupFactory(closed=True, name_en="Safe houses", name_ar="البيوت الآمنة")
    WorkgroupMembershipFactory(workgroup=closed_group, user=member)
    make_workgroup_post(closed_group, author=member, subject="Rota", body="Who is free Friday?")
    petitions = list(Petition.objects.filter(status=Petition.Status.OPEN))
    assert petitions, "the demo has open petitions to sign"

    for display, legal, email in HIDDEN_PEOPLE:
        person = UserFactory(
            display_name=display, legal_name=legal, email=email, username=email, hidden=True
        )
        OrgMembershipFactory(user=person, organisation=organisation)
        for workgroup in (open_group, request_group, closed_group):
            WorkgroupMembershipFactory(workgroup=workgroup, user=person)
        for mailing_list in MailingList.objects.filter(workgroup__in=[open_group, closed_group]):
            Subscription.objects.create(
                mailing_list=mailing_list, user=person, email=email, language="en"
            )
        for petition in petitions:
            SignatureFactory(
                petition=petition, name=legal, email=email, show_name=False, confirmed=True
            )

    display, legal, email = PSEUDONYMOUS_WRITER
    writer = UserFactory(display_name=display, legal_name=legal, email=email, username=email)
    OrgMembershipFactory(user=writer, organisation=organisation)
    WorkgroupMembershipFactory(workgroup=open_group, user=writer)
    make_workgroup_post(open_group, author=writer, subject="Tariffs", body="The new tariffs.")
    make_social_post(writer, body="Solidarity with the port workers on strike.")

    name, email = QUIET_SIGNER
    for petition in petitions:
        SignatureFactory(petition=petition, name=name, email=email, show_name=False, confirmed=True)
    return member


def kinds_of(addresses, allowed: set[str], message_ids: set[str]) -> dict[str, int]:
    kinds = Counter()
    for address in addresses:
        if address in allowed:
            kinds["own or the site's"] += 1
        elif is_site_address(address):
            kinds["workgroup lists'"] += 1
        elif address in message_ids:
            kinds["Message-IDs"] += 1
        else:
            kinds["someone else's"] += 1
    return dict(kinds)


def shown_signer_names(page: str) -> set[str]:
    """On a petition's list of names: the names its confirmed signers chose to show."""
    found = re.match(r"^/(?:ar|en)/petitions/([^/]+)/names/", page)
    if not found:
        return set()
    return set(
        Signature.objects.filter(
            petition__slug=found[1], show_name=True, state=Signature.State.CONFIRMED
        ).values_list("name", flat=True)
    )


def allowed_addresses(crawler: User | None) -> set[str]:
    """The site's own addresses, and the crawler's."""
    own = {settings.DEFAULT_FROM_EMAIL.lower(), settings.SERVER_EMAIL.lower()}
    if crawler is not None:
        own |= {
            address.lower() for address in crawler.emailaddress_set.values_list("email", flat=True)
        }
    return own


def is_site_address(address: str) -> bool:
    """A workgroup list's own addresses (<slug>@, <slug>-request@ … at LISTS_DOMAIN)."""
    return address.endswith("@" + settings.LISTS_DOMAIN.lower())


def test_crawlers_see_no_hidden_member_no_legal_name_and_no_address():
    started = time.monotonic()
    member = build_world()
    applicant = User.objects.get(email="applicant@demo.tadamun.example")
    assert applicant.status == User.Status.APPLICANT
    assert not applicant.workgroup_memberships.exists()

    people = list(User.objects.all())
    hidden = [p for p in people if p.hide_membership]
    pseudonymous = [p for p in people if p.legal_name and p.legal_name != p.display_name]
    made_hidden = {legal for _display, legal, _email in HIDDEN_PEOPLE}
    assert len([p for p in hidden if p.legal_name in made_hidden]) == len(HIDDEN_PEOPLE)
    world = time.monotonic() - started
    print(
        f"\nworld: {len(people)} people ({len(hidden)} hidden, {len(pseudonymous)} "
        f"pseudonymous), built in {world:.1f}s"
    )

    # Archives (mbox) carry each post's Message-ID (RFC 5322 §3.6.4), which looks like an
    # address and is none.
    message_ids = {
        m.strip("<>").lower() for m in WorkgroupPost.objects.values_list("message_id", flat=True)
    }
    search_for = {legal for _display, legal, _email in HIDDEN_PEOPLE}
    search_for |= {display for display, _legal, _email in HIDDEN_PEOPLE}
    search_for |= {PSEUDONYMOUS_WRITER[1], QUIET_SIGNER[0]}
    closed = Workgroup.objects.get(name_en="Safe houses")
    search_closed = f"workgroups/{closed.slug}/search/"
    crawlers = [("anonymous", None), ("applicant", applicant), ("member", member)]
    leaks = []
    for label, person in crawlers:
        crawl_client = Client()
        if person is not None:
            crawl_client.force_login(person)
        crawl = Crawl(label, crawl_client, people)
        began = time.monotonic()
        # Besides following links, the crawler asks the search boxes for the very names it
        # must not find (the site's search, and the workgroups' own).
        searches = [
            f"/{language}/{where}?{urlencode({'q': name})}"
            for name in sorted(search_for)
            for language in ("ar", "en")
            for where in ("search/", "workgroups/privatization/search/", search_closed)
        ]
        crawl.run(["/ar/", "/en/", *searches])
        elapsed = time.monotonic() - began

        # Hidden people: nobody but coordinators and themselves sees them; only a post they
        # wrote shows their name, on its thread's page, to whoever may read it (by design: the
        # composer warns them). The demo's "hidden" member wrote in the open Privatization
        # workgroup.
        watched_hidden = [p for p in hidden if p != person]
        forbidden = {}
        for p in watched_hidden:
            forbidden[p.display_name] = f"hidden member {p.email}"
            forbidden[p.legal_name] = f"hidden member {p.email} (legal name)"
        authored = {}
        for p in watched_hidden:
            threads = tuple(
                f"/{language}/workgroups/{slug}/threads/{thread}/"
                for slug, thread in WorkgroupPost.objects.filter(author=p).values_list(
                    "workgroup__slug", "thread_id"
                )
                for language in ("ar", "en")
            )
            authored[p.display_name] = authored[p.legal_name] = threads
        for p in pseudonymous:
            if p != person:
                forbidden[p.legal_name] = f"legal name of {p.email}, known as {p.display_name}"
        forbidden[QUIET_SIGNER[0]] = "signer who kept their name off the public list"
        for name, pages in crawl.names.items():
            if name not in forbidden:
                continue
            # A petition's public list shows what signers typed and chose to show; the demo's
            # random signer names can coincide with a person's legal name.
            pages = {p for p in pages if name not in shown_signer_names(p)}
            pages = {p for p in pages if not p.startswith(authored.get(name, ()))}
            for page in sorted(pages)[:3]:
                leaks.append(f"{label}: {forbidden[name]} ({name!r}) on {page}")

        allowed = allowed_addresses(person)
        for address, page in crawl.addresses.items():
            if (
                address not in allowed
                and not is_site_address(address)
                and address not in message_ids
            ):
                leaks.append(f"{label}: e-mail address {address} on {page}")

        print(
            f"{label}: {crawl.pages} pages ({dict(crawl.status)}), "
            f"{len(crawl.patterns)} kinds of page, {crawl.links_followed} links followed, "
            f"{len(crawl.names)} names seen, {len(crawl.addresses)} addresses seen "
            f"({kinds_of(crawl.addresses, allowed, message_ids)}), {elapsed:.1f}s"
        )
        assert crawl.pages > 20, f"{label} crawled almost nothing"
        if label == "member":
            # The member really saw the site: people, workgroups, posts, petitions.
            assert member.display_name not in forbidden
            assert "Blue Kingfisher" in crawl.names  # a display name is shown …
            assert len(crawl.names) >= 8
            assert any(a.endswith("@" + settings.LISTS_DOMAIN.lower()) for a in crawl.addresses)
            assert any("/workgroups/" in p or "/workgroup" in p for p in crawl.patterns)
    # The control: a coordinator does see the hidden people (they are really in the world,
    # where the crawlers looked), and the crawler's reading finds them there.
    coordinator = Client()
    coordinator.force_login(User.objects.get(email="coordinator.en@demo.tadamun.example"))
    control = Crawl("coordinator", coordinator, people)
    for url in ("/en/people/", "/ar/organisations/mediterranean-womens-rights-alliance/"):
        response = coordinator.get(url)
        assert response.status_code == 200
        control.read(url, response.content.decode())
    shown_to_coordinator = {d for d, _legal, _email in HIDDEN_PEOPLE} & set(control.names)
    assert len(shown_to_coordinator) == len(HIDDEN_PEOPLE)
    print(f"control: a coordinator sees {len(shown_to_coordinator)} of the hidden people")
    print(f"leaks: {len(leaks)}")
    for leak in leaks:
        print("  ", leak)
    assert leaks == []
