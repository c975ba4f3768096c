"""XSS: the corpus of xss_corpus.py (≥ 200 distinct vectors) written through the real services
and forms into every user text field that a page shows, then every page showing them opened in
Chromium (headless, JavaScript on) in Arabic and in English. Nothing may run: no dialog, no
console marker, no request under /xss/, no changed document title; and the DOM holds no
<script> but the site's own (under /static/), no element with an on* attribute, and no link or
source starting with javascript:, vbscript: or data:text/html.

Names are refused on purpose when they hold markup brackets, bidi controls or invisible
characters: for those fields the form's refusal is asserted and counted as "refused".
"""

import datetime
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tadamun.accounts import services as accounts
from tadamun.accounts.forms import ProfileForm
from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns import services as campaigns
from tadamun.campaigns.models import Campaign
from tadamun.core.tests.test_browser_a11y import _plain_static_storage, sign_in
from tadamun.core.validators import validate_name
from tadamun.documents import services as documents
from tadamun.messaging import services as messaging
from tadamun.notifications.models import Notification
from tadamun.organisations import services as organisations
from tadamun.organisations.forms import OrganisationForm
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.petitions.forms import check_person_text
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory
from tadamun.security_suite.tests import xss_corpus
from tadamun.social import services as social
from tadamun.social.models import Post as SocialPost
from tadamun.workgroups import services as workgroups
from tadamun.workgroups.forms import ThreadForm
from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "_plain_static_storage"),
]
__all__ = ["_plain_static_storage"]  # the fixture, used through the mark above

VECTORS = xss_corpus.VECTORS
LANGUAGES = ("ar", "en")
PER_PAGE = 20  # every list paginated in the app shows 20 rows (notifications 30, names 100)
BODY_VECTORS = 40  # vectors per post, comment, thread, message, document or campaign text
SEARCH_SAMPLE = 6  # every 6th search query (of ~70) is also opened in Chromium
MARKDOWN = "\n\n"


@dataclass
class Ledger:
    """Which vectors went into which field: written (stored and shown) or refused."""

    written: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    refused: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def fields(self) -> list[str]:
        return sorted(set(self.written) | set(self.refused))


def numbered() -> list[tuple[int, str]]:
    return list(enumerate(VECTORS, start=1))


def pack(items: list[tuple[int, str]], limit: int, sep: str) -> list[list[tuple[int, str]]]:
    """Vectors packed greedily into chunks whose joined text fits `limit` characters."""
    chunks, current, size = [], [], 0
    for item in items:
        extra = len(item[1]) + (len(sep) if current else 0)
        if current and size + extra > limit:
            chunks.append(current)
            current, size = [], 0
            extra = len(item[1])
        current.append(item)
        size += extra
    if current:
        chunks.append(current)
    return chunks


def by_body(size: int = BODY_VECTORS) -> list[list[tuple[int, str]]]:
    items = numbered()
    return [items[i : i + size] for i in range(0, len(items), size)]


def text(chunk: list[tuple[int, str]], sep: str = MARKDOWN) -> str:
    return sep.join(vector for _, vector in chunk)


def write_packed(ledger: Ledger, name: str, chunks, sep: str, write) -> list:
    """Write each chunk with `write(text)`; a refused chunk is halved until the refused vectors
    stand alone (they are counted as refused, the others written)."""
    made = []
    pending = list(chunks)
    while pending:
        chunk = pending.pop(0)
        try:
            made.append(write(text(chunk, sep)))
        except ValidationError:
            if len(chunk) == 1:
                ledger.refused[name].add(chunk[0][0])
                continue
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
            continue
        ledger.written[name].update(number for number, _ in chunk)
    return made


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("notes.txt", b"Minutes of the meeting.", content_type="text/plain")


@dataclass
class World:
    reader: object
    ledger: Ledger
    pages: list[str]  # reversed in each language by `urls()`
    searches: list[str]


def build(settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    ledger = Ledger()
    reader = UserFactory(member=True, display_name="Reader of the corpus")
    author = UserFactory(member=True, display_name="Writer of the corpus")
    other = UserFactory(member=True, display_name="Third person")
    coordinator = UserFactory(coordinator=True, display_name="Coordinator of the corpus")
    routes: list[tuple[str, dict, int]] = []  # (url name, kwargs, number of list pages)

    # Social posts (Markdown) and comments: BODY_VECTORS vectors each. Every other post is
    # public, so the public news page shows vectors too; the reader follows the author, so the
    # feed does.
    audiences = iter(["public", "members"] * len(VECTORS))
    with translation.override("en"):
        posts = write_packed(
            ledger,
            "post body",
            by_body(),
            MARKDOWN,
            lambda body: social.post_create(author=author, body=body, audience=next(audiences)),
        )
    social.follow(follower=reader, person=author)
    # every post gets a comment carrying the same vectors as its body
    for post, chunk in zip(posts, by_body(), strict=False):
        write_packed(
            ledger,
            "comment",
            [chunk],
            MARKDOWN,
            lambda body, post=post: social.comment_create(post=post, author=other, body=body),
        )
    routes += [("social:post", {"pk": post.pk}, 0) for post in posts]
    routes.append(("social:feed", {}, 0))
    routes.append(("social:news", {}, 0))

    # Display names, through the profile form: one person per accepted vector.
    name_people = []
    probe = UserFactory(member=True)  # refused names need no person of their own
    for number, vector in numbered():
        data = {
            "legal_name": f"Legal Name {number}",
            "display_name": vector,
            "bio": "",
            "preferred_language": "en",
        }
        form = ProfileForm(data=data, person=probe)
        if not form.is_valid():
            assert "display_name" in form.errors, (vector, form.errors)
            ledger.refused["display name"].add(number)
            continue
        person = UserFactory(member=True)
        form = ProfileForm(data=data, person=person)
        assert form.is_valid(), form.errors
        accounts.person_update_profile(person=person, **form.cleaned_data)
        ledger.written["display name"].add(number)
        name_people.append(person)

    # Bios, through the same form: 2,000 characters each.
    def write_bio(bio: str):
        person = UserFactory(
            member=True, display_name=f"Biographer {UserFactory._meta.model.objects.count()}"
        )
        form = ProfileForm(
            data={
                "legal_name": person.legal_name,
                "display_name": person.display_name,
                "bio": bio,
                "preferred_language": "ar",
            },
            person=person,
        )
        if not form.is_valid():
            person.delete()
            raise ValidationError(form.errors)
        return accounts.person_update_profile(person=person, **form.cleaned_data)

    bio_people = write_packed(ledger, "bio", pack(numbered(), 2000, MARKDOWN), MARKDOWN, write_bio)
    routes += [("organisations:person", {"pk": p.pk}, 0) for p in bio_people]
    routes += [("organisations:person", {"pk": p.pk}, 0) for p in name_people[:3]]
    people_count = 4 + len(name_people) + len(bio_people)
    routes.append(("organisations:people", {}, math.ceil(people_count / PER_PAGE)))

    # Organisations: names through the service's own check, descriptions 5,000 characters.
    def describe(body: str):
        # The edit form's fields first (Django refuses NUL characters there), then the service.
        cleaned = {
            name: OrganisationForm.base_fields[name].clean(body)
            for name in ("description_ar", "description_en")
        }
        organisation = OrganisationFactory()
        return organisations.organisation_update(
            organisation=organisation, by=coordinator, data=cleaned
        )

    described = write_packed(
        ledger, "organisation description", pack(numbered(), 5000, MARKDOWN), MARKDOWN, describe
    )
    named = 0
    for number, vector in numbered():
        try:
            validate_name(vector)  # the organisation form's and the service's rule for names
        except ValidationError:
            ledger.refused["organisation name"].add(number)
            continue
        organisation = OrganisationFactory()
        try:
            organisations.organisation_update(
                organisation=organisation,
                by=coordinator,
                data={"name_ar": vector, "name_en": vector},
            )
        except ValidationError as error:
            refused_fields = set(error.message_dict)
            ledger.refused["organisation name"].add(number)
            organisation.delete()
            assert refused_fields & {"name_ar", "name_en"}, (vector, refused_fields)
        else:
            ledger.written["organisation name"].add(number)
            named += 1
    routes += [("organisations:organisation", {"slug": o.slug}, 0) for o in described]
    routes.append(("organisations:directory", {}, math.ceil((named + len(described)) / PER_PAGE)))

    # Workgroup threads from the web: subjects (one line, 300) and bodies.
    workgroup = WorkgroupFactory()
    for person in (reader, author):
        MembershipFactory(workgroup=workgroup, user=person)
    accepted = []
    for number, vector in numbered():
        try:
            ThreadForm.base_fields["body"].clean(vector)
        except ValidationError:
            ledger.refused["workgroup body"].add(number)
        else:
            accepted.append((number, vector))
    wg_bodies = [accepted[i : i + BODY_VECTORS] for i in range(0, len(accepted), BODY_VECTORS)]
    subjects = pack(numbered(), 300, " ")
    threads = []
    for index in range(max(len(subjects), len(wg_bodies))):
        body = text(wg_bodies[index]) if index < len(wg_bodies) else "A body."

        def start(subject, body=body):
            # The web form first (as the page posts it), then the service.
            form = ThreadForm(data={"subject": subject, "body": body})
            if not form.is_valid():
                raise ValidationError(form.errors)
            return workgroups.post_from_web(
                workgroup=workgroup,
                author=author,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )

        made = write_packed(
            ledger,
            "workgroup subject",
            [subjects[index]] if index < len(subjects) else [[(0, f"Thread {index}")]],
            " ",
            start,
        )
        ledger.written["workgroup subject"].discard(0)
        threads += made[:1]
        if index < len(wg_bodies) and made:
            ledger.written["workgroup body"].update(n for n, _ in wg_bodies[index])
    bodies = by_body()
    routes += [
        ("workgroups:thread", {"slug": workgroup.slug, "pk": post.thread_id}, 0)
        for post in threads[: len(wg_bodies)]
    ]
    routes.append(
        ("workgroups:workgroup", {"slug": workgroup.slug}, math.ceil(len(threads) / PER_PAGE))
    )

    # Private messages: subjects (200) and bodies, in group conversations.
    subjects = pack(numbered(), 200, " ")
    conversations = []
    for index in range(max(len(subjects), len(bodies))):
        subject = text(subjects[index], " ") if index < len(subjects) else ""
        body = text(bodies[index]) if index < len(bodies) else "Hello."
        conversation, _ = messaging.conversation_start(
            sender=author, recipients=[reader, other], subject=subject, body=body
        )
        conversations.append(conversation)
        if index < len(subjects):
            ledger.written["message subject"].update(n for n, _ in subjects[index])
        if index < len(bodies):
            ledger.written["message body"].update(n for n, _ in bodies[index])
    routes += [("messaging:conversation", {"pk": c.pk}, 0) for c in conversations[: len(bodies)]]
    routes.append(("messaging:inbox", {}, math.ceil(len(conversations) / PER_PAGE)))

    # Documents: titles (one line, 300) and descriptions.
    titles = pack(numbered(), 300, " ")
    library = []
    for index in range(max(len(titles), len(bodies))):
        description = text(bodies[index]) if index < len(bodies) else ""

        def create(title, description=description):
            return documents.document_create(
                by=author,
                upload=upload(),
                title=title,
                category="report",
                description=description,
                audience="members",
            )

        made = write_packed(
            ledger,
            "document title",
            [titles[index]] if index < len(titles) else [[(0, f"Report {index}")]],
            " ",
            create,
        )
        ledger.written["document title"].discard(0)
        library += made
        if index < len(bodies) and made:
            ledger.written["document description"].update(n for n, _ in bodies[index])
    routes += [("documents:detail", {"pk": d.pk}, 0) for d in library[: len(bodies)]]
    routes.append(("documents:library", {}, math.ceil(len(library) / PER_PAGE)))

    # Campaigns: titles (one line, 200), summaries (1,000), demands and background (Markdown),
    # the same text in both languages so that both pages show every vector.
    lead = OrganisationFactory()
    titles = pack(numbered(), 200, " ")
    summaries = pack(numbered(), 1000, MARKDOWN)
    shown = []
    for index in range(max(len(titles), len(summaries), len(bodies))):
        title_chunk = titles[index] if index < len(titles) else [(0, f"Campaign {index}")]
        summary = text(summaries[index]) if index < len(summaries) else "In short."
        demands = text(bodies[index]) if index < len(bodies) else "Our demands."

        def propose(title, summary=summary, demands=demands):
            return campaigns.campaign_propose(
                by=coordinator,
                lead_organisations=[lead],
                title_ar=title,
                title_en=title,
                summary_ar=summary,
                summary_en=summary,
                demands_ar=demands,
                demands_en=demands,
                background_ar=demands,
                background_en=demands,
            )

        made = write_packed(ledger, "campaign title", [title_chunk], " ", propose)
        ledger.written["campaign title"].discard(0)
        ledger.refused["campaign title"].discard(0)
        if made:
            if index < len(summaries):
                ledger.written["campaign summary"].update(n for n, _ in summaries[index])
            if index < len(bodies):
                ledger.written["campaign demands"].update(n for n, _ in bodies[index])
                ledger.written["campaign background"].update(n for n, _ in bodies[index])
        shown += made
    # Opening needs a review by others; what matters here is what an open campaign shows.
    Campaign.objects.filter(pk__in=[c.pk for c in shown]).update(status=Campaign.Status.OPEN)
    routes += [
        ("campaigns:campaign", {"slug": c.slug}, 0)
        for c in shown[: max(len(summaries), len(bodies))]
    ]
    routes.append(("campaigns:list", {}, math.ceil(len(shown) / PER_PAGE)))

    # Petition text (Markdown) and the public names list: signer names and organisations
    # through the signing form's own check.
    # Petitions are written in the admin: a plain form field refuses NUL characters there.
    accepted = []
    for number, vector in numbered():
        try:
            forms.CharField().clean(vector)
        except ValidationError:
            ledger.refused["petition text"].add(number)
        else:
            accepted.append((number, vector))
    whole = text(accepted)
    petition = PetitionFactory(text_ar=whole, text_en=whole)
    ledger.written["petition text"].update(n for n, _ in accepted)
    signers = 0
    for number, vector in numbered():
        try:
            name = check_person_text(vector, label="Your name")
        except ValidationError:
            ledger.refused["petition signer name"].add(number)
            name = f"Signer {number}"
        else:
            ledger.written["petition signer name"].add(number)
        try:
            organisation_name = check_person_text(vector, label="Organisation")
        except ValidationError:
            ledger.refused["petition signer organisation"].add(number)
            organisation_name = ""
        else:
            ledger.written["petition signer organisation"].add(number)
        if name.startswith("Signer ") and not organisation_name:
            continue
        SignatureFactory(
            petition=petition,
            confirmed=True,
            name=name,
            show_name=True,
            organisation_name=organisation_name,
            email=f"signer{number}@example.org",
        )
        signers += 1
    routes.append(("petitions:petition", {"slug": petition.slug}, 0))
    routes.append(("petitions:names", {"slug": petition.slug}, math.ceil(signers / 100)))

    # The search page echoes the query (300 characters at most).
    # Null characters are refused by every form field (Django answers 400).
    client = Client()
    client.force_login(reader)
    searchable = []
    for number, vector in numbered():
        if "\x00" in vector:
            response = client.get(reverse("search:search"), {"q": vector})
            assert response.status_code == 400, vector
            ledger.refused["search query"].add(number)
        else:
            searchable.append((number, vector))
    searches = [text(chunk, " ") for chunk in pack(searchable, 300, " ")]
    ledger.written["search query"].update(n for n, _ in searchable)
    # Every query's echo is checked in the served HTML; every SEARCH_SAMPLE-th also in Chromium.
    for language in LANGUAGES:
        with translation.override(language):
            address = reverse("search:search")
        for query in searches:
            response = client.get(address, {"q": query})
            assert response.status_code == 200, query
            found = served_html_problems(response.content.decode())
            assert not found, (language, query, found)

    # Notification sentences, last, so they are the newest: each accepted name comments on a
    # post of the reader's (one post each: comments on the same post soon after one another
    # update a single notification).
    for person in name_people:
        reader_post = social.post_create(
            author=reader, body="What do you think?", audience="members"
        )
        social.comment_create(post=reader_post, author=person, body="A comment.")
        # Dated a year back, so the reader's feed opens on the corpus's posts, not on these.
        year_ago = timezone.now() - datetime.timedelta(days=365)
        SocialPost.objects.filter(pk=reader_post.pk).update(created=year_ago, published_at=year_ago)
    assert Notification.objects.filter(recipient=reader).exists()
    routes.append(("social:post", {"pk": reader_post.pk}, 0))
    routes.append(("notifications:list", {}, math.ceil(len(name_people) / 30)))
    pages = []
    for name, kwargs, count in routes:
        pages += [(name, kwargs, number) for number in range(1, max(count, 1) + 1)]
    return World(reader=reader, ledger=ledger, pages=pages, searches=searches[::SEARCH_SAMPLE])


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        own = (values.get("src") or "").startswith("/static/")
        if tag == "script" and not own and values.get("type") != "application/json":
            self.found.append(f"<script {attrs}>")
        for name, value in attrs:
            squeezed = "".join((value or "").split()).lower()
            dangerous = name in URL_ATTRIBUTES and squeezed.startswith(DANGEROUS_SCHEMES)
            if name.startswith("on") or name == "srcdoc" or dangerous:
                self.found.append(f"<{tag} {name}={value!r}>")


def served_html_problems(html: str) -> list[str]:
    """The DOM rules of DOM_CHECK, applied to the HTML as served."""
    scan = _Scan()
    scan.feed(html)
    return scan.found


DOM_CHECK = """() => {
  const found = [];
  for (const script of document.querySelectorAll('script')) {
    const src = script.getAttribute('src') || '';
    const type = (script.getAttribute('type') || '').toLowerCase();
    if (src) {
      if (!new URL(src, location.href).pathname.startsWith('/static/')
          || new URL(src, location.href).origin !== location.origin) {
        found.push('script src=' + src);
      }
    } else if (!(type === 'application/json' && !script.textContent.includes('<'))) {
      found.push('inline script: ' + script.textContent.slice(0, 120));
    }
  }
  const IGNORED = /[\\u0000-\\u0020\\u00a0\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff]/g;
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
                         'poster', 'background', 'codebase', 'dynsrc', 'lowsrc'];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(IGNORED, '').toLowerCase();
      if (name.startsWith('on')) {
        found.push(`<${element.tagName.toLowerCase()} ${name}="${attribute.value.slice(0, 120)}">`);
      } else if (name === 'srcdoc') {
        found.push(`<${element.tagName.toLowerCase()} srcdoc>`);
      } else if (urlAttributes.includes(name)
                 && (value.startsWith('javascript:') || value.startsWith('vbscript:')
                     || value.startsWith('data:text/html'))) {
        found.push(`<${element.tagName.toLowerCase()} ${name}="${attribute.value.slice(0, 120)}">`);
      }
    }
  }
  for (const meta of document.querySelectorAll('meta[http-equiv]')) {
    found.push('meta http-equiv=' + meta.getAttribute('http-equiv'));
  }
  for (const base of document.querySelectorAll('base')) {
    found.push('base href=' + base.getAttribute('href'));
  }
  return found;
}"""


def page_url(page, name: str, kwargs: dict, number: int, language: str) -> str:
    with translation.override(language):
        address = page.base + reverse(name, kwargs=kwargs or None)
    return address + (f"?page={number}" if number > 1 else "")


def watch(page) -> list[str]:
    """Every sign of execution the page gives: dialogs, console markers, requests to /xss/."""
    executed: list[str] = []
    page.on(
        "dialog",
        lambda dialog: (executed.append(f"dialog {dialog.message!r}"), dialog.dismiss()),
    )
    page.on(
        "console",
        lambda message: (
            xss_corpus.EXECUTED in message.text and executed.append(f"console {message.text!r}")
        ),
    )
    page.on(
        "request",
        lambda request: (
            xss_corpus.REQUEST_PATH in request.url and executed.append(f"request {request.url}")
        ),
    )
    return executed


def inspect(page) -> tuple[str, bool, list[str], bool]:
    """The document's title, whether a template expression was evaluated, what DOM_CHECK
    finds, and whether the page shows vectors as text."""
    return page.evaluate(
        f"() => [document.title, document.body.innerText.includes("
        f"'{xss_corpus.TEMPLATE_EVALUATED}'), ({DOM_CHECK})(),"
        f" /onerror=|javascript:|&lt;|&#|script>|alert\\('X|CUTED-|'\\/x'|'PWN'|TPL/"
        f".test(document.body.textContent)]"
    )


def test_the_detectors_see_what_runs(page):
    """A control: the same vectors in a page served raw and without CSP do run, and every
    detector of the real test notices (so its "0 executed" means something)."""
    raw = "".join(f"<img src=x onerror={xss_corpus.js(n)}>" for n in range(4))
    # "{{7*7}} TPL…" left as it is must not look evaluated.
    raw += next(vector for vector in VECTORS if vector.startswith("{{7*7}} TPL"))
    executed = watch(page)
    address = page.base + "/en/xss-control/"
    page.route(address, lambda route: route.fulfill(body=f"<body>{raw}</body>", status=200))
    page.goto(address)
    page.wait_for_function(f"document.title.includes('{xss_corpus.PWNED}')")
    page.wait_for_timeout(300)
    title, evaluated, found, _ = inspect(page)
    kinds = {event.split()[0] for event in executed}
    assert kinds == {"dialog", "console", "request"}, executed
    assert xss_corpus.PWNED in title
    assert not evaluated
    assert len([item for item in found if "onerror" in item]) == 4, found


def test_no_vector_of_the_corpus_runs(page, settings, tmp_path):
    started = time.monotonic()
    world = build(settings, tmp_path)
    print(f"built in {time.monotonic() - started:.1f}s, {len(world.pages)} pages")
    ledger = world.ledger
    sign_in(page, world.reader)

    executed = watch(page)

    problems: list[str] = []
    silent: list[str] = []  # pages whose text shows no vector at all
    loaded = 0

    def visit(address: str) -> None:
        nonlocal loaded
        before = len(executed)
        response = page.goto(address)
        assert response is not None, address
        assert response.status == 200, (address, response.status)
        loaded += 1
        title, evaluated, found, shows_vectors = inspect(page)
        if not shows_vectors:
            silent.append(address)
        if xss_corpus.PWNED in title:
            executed.append(f"title {title!r}")
        if evaluated:
            problems.append(f"{address}: a template expression was evaluated")
        problems.extend(f"{address}: {item}" for item in found)
        if len(executed) > before:
            problems.extend(f"{address}: EXECUTED {event}" for event in executed[before:])

    for language in LANGUAGES:
        for name, kwargs, number in world.pages:
            visit(page_url(page, name, kwargs, number, language))
        for query in world.searches:
            with translation.override(language):
                search = reverse("search:search")
            visit(page.base + search + "?" + _query(query))

    print(f"loaded in {time.monotonic() - started:.1f}s")
    fields = ledger.fields()
    placed = sum(len(ledger.written[f]) for f in fields)
    refused = sum(len(ledger.refused[f]) for f in fields)
    for name in fields:
        print(f"  {name}: {len(ledger.written[name])} written, {len(ledger.refused[name])} refused")
    print(
        f"XSS: {len(VECTORS)} vectors × {len(fields)} fields × {len(LANGUAGES)} languages, "
        f"{loaded} pages loaded: {len(executed)} executed "
        f"({placed} vector-field placements shown, {refused} refused by the forms)"
    )
    print(f"pages showing no vector as text: {silent}")
    assert not problems, "\n".join(problems[:60])
    # The pages really show the vectors (as text): the check is not run on empty pages.
    assert silent == [], silent
    assert executed == []
    # Every vector reached every field, shown or refused (names refuse markup on purpose).
    for name in fields:
        assert ledger.written[name] | ledger.refused[name] == set(range(1, len(VECTORS) + 1)), name
    # Free text fields refuse nothing: they show every vector, escaped or sanitised.
    for name in (
        "post body",
        "comment",
        "message body",
        "document description",
        "campaign demands",
    ):
        assert len(ledger.written[name]) == len(VECTORS), name
    # Bios, descriptions, petition texts and search queries refuse only the vectors with NUL
    # characters (Django's form fields do).
    nulls = {n for n, v in enumerate(VECTORS, start=1) if "\x00" in v}
    for name in (
        "bio",
        "organisation description",
        "petition text",
        "search query",
        "workgroup body",
    ):
        assert ledger.refused[name] == nulls, name
    # Names with markup or bidi controls are refused, never stored.
    for name in ("display name", "organisation name", "petition signer name"):
        for number in ledger.written[name]:
            vector = VECTORS[number - 1]
            assert "<" not in vector, (name, vector)
            assert ">" not in vector, (name, vector)
            assert "\u202e" not in vector, (name, vector)


def _query(query: str) -> str:
    return urlencode({"q": query})
