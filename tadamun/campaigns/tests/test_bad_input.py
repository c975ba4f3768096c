"""Every form is hostile: direction overrides and line breaks in titles and names, header
injection in e-mail addresses, absurd lengths, script in Markdown, forged choices and
addresses — a clear message, and nothing stored."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tadamun.campaigns.models import Campaign
from tadamun.campaigns.services import BIDI_MESSAGE, ONE_LINE_MESSAGE

from .conftest import login
from .factories import complete_texts

pytestmark = pytest.mark.django_db
S = Campaign.Status
RLO = "\u202e"
HUGE = "x" * 200_001
TEXT_FIELDS = [f"{f}_{c}" for f in Campaign.BILINGUAL_FIELDS for c in ("ar", "en")]


class ActiveHtml(HTMLParser):
    """What a browser would run in a piece of HTML: script-like elements, event handlers,
    inline styles, script URLs."""

    ELEMENTS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base"}

    def __init__(self, html: str):
        super().__init__()
        self.found: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in self.ELEMENTS:
            self.found.append(tag)
        for name, value in attrs:
            compact = "".join((value or "").split()).lower()
            if (
                name.startswith("on")
                or name == "style"
                or (name in {"href", "src"} and compact.startswith(("javascript:", "data:")))
            ):
                self.found.append(f"{tag} {name}")


def main_of(response) -> str:
    text = response.content.decode()
    return text[text.index('<main id="main"') : text.index("</main>")]


def snapshot(campaign: Campaign) -> tuple:
    campaign = Campaign.objects.get(pk=campaign.pk)
    return (
        Campaign.objects.count(),
        campaign.status,
        tuple(
            getattr(campaign, f"{f}_{c}") for f in Campaign.BILINGUAL_FIELDS for c in ["ar", "en"]
        ),
        campaign.targets.count(),
        campaign.events.count(),
        campaign.updates.count(),
        campaign.reviews.count(),
        campaign.toolkit.count(),
        campaign.posts.count(),
    )


def campaign_data(w, **changes) -> dict:
    return {
        **complete_texts(),
        "lead_organisations": [w.lead.pk],
        **changes,
    }


SINGLE_LINE = ["title_ar", "title_en", "issue_ar", "issue_en"]


@pytest.mark.parametrize("page", ["propose", "edit"])
def test_campaign_form_refuses_hostile_input_on_every_field(client, world, page):
    campaign = world.campaigns["draft"]
    address = (
        reverse("campaigns:propose")
        if page == "propose"
        else reverse("campaigns:edit", args=[campaign.slug])
    )
    login(client, world.proposer)
    before = snapshot(campaign)
    attempts = []
    for field in TEXT_FIELDS:
        attempts.append((field, HUGE, "at most"))
    for field in SINGLE_LINE:
        attempts.append((field, f"Free{RLO}unions", str(BIDI_MESSAGE)))
        attempts.append((field, "Free unions\r\nBcc: all@evil.example", str(ONE_LINE_MESSAGE)))
    attempts += [
        ("lead_organisations", ["999999"], "Select a valid choice"),
        ("lead_organisations", ["not-a-number"], "valid"),
        ("identified_by", [str(world.partner.pk)], "Select a valid choice"),  # not Iraqi
        ("themes", ["999999"], "Select a valid choice"),
    ]
    for field, value, message in attempts:
        response = client.post(address, campaign_data(world, **{field: value}))
        assert response.status_code == 400, field
        assert message in response.content.decode(), (field, message)
        assert snapshot(campaign) == before, field


def test_script_in_every_text_is_shown_as_text(client, world):
    payload = '<script>alert(1)</script><img src=x onerror="alert(1)"> [x](javascript:alert(1))'
    campaign = world.campaigns["open"]
    for field in TEXT_FIELDS:
        setattr(campaign, field, f"{field} {payload}")
    campaign.save()
    for language in ("ar", "en"):
        response = client.get(f"/{language}/campaigns/{campaign.slug}/")
        assert ActiveHtml(main_of(response)).found == []
        assert "&lt;script&gt;" in main_of(response)
    login(client, world.coordinator)
    for address in (
        reverse("campaigns:list"),
        reverse("campaigns:edit", args=[campaign.slug]),
    ):
        assert ActiveHtml(main_of(client.get(address))).found == []


def test_target_form(client, world):
    campaign = world.campaigns["open"]
    address = reverse("campaigns:targets", args=[campaign.slug])
    login(client, world.proposer)
    before = snapshot(campaign)
    good = {"name_ar": "وزارة العمل", "name_en": "Ministry of Labour", "email": ""}
    attempts = [
        ("name_ar", f"وزارة{RLO}العمل", str(BIDI_MESSAGE)),
        ("name_en", "Ministry\r\nBcc: all@evil.example", str(ONE_LINE_MESSAGE)),
        ("role_en", f"Minister{RLO}", str(BIDI_MESSAGE)),
        ("name_en", "", "required"),
        ("name_ar", HUGE, "at most"),
        ("role_ar", HUGE, "at most"),
        ("email", "minister@labour.example\r\nBcc: all@evil.example", "Enter a valid e"),
        ("email", "not an address", "Enter a valid e"),
        ("email", f"minister{RLO}@labour.example", "Enter a valid e"),
        ("email", "a" * 250 + "@labour.example", "at most"),
    ]
    for field, value, message in attempts:
        response = client.post(address, {**good, field: value})
        assert response.status_code == 400, field
        assert message in response.content.decode(), (field, message)
        assert snapshot(campaign) == before, field
    assert client.post(address, good).status_code == 302
    assert campaign.targets.count() == 1


def test_event_form(client, world):
    campaign = world.campaigns["open"]
    address = reverse("campaigns:events", args=[campaign.slug])
    login(client, world.proposer)
    before = snapshot(campaign)
    good = {"title_ar": "وقفة", "title_en": "Rally", "starts_at": "2030-05-01T10:00"}
    attempts = [
        ("title_ar", f"وقفة{RLO}", str(BIDI_MESSAGE)),
        ("title_en", "Rally\r\nX-Header: 1", str(ONE_LINE_MESSAGE)),
        ("place_en", HUGE, "at most"),
        ("starts_at", "tomorrow-ish", "valid date"),
        ("starts_at", "0001-01-01T00:00", "between"),
        ("starts_at", "", "required"),
    ]
    for field, value, message in attempts:
        response = client.post(address, {**good, field: value})
        assert response.status_code == 400, field
        assert message in response.content.decode(), (field, message)
        assert snapshot(campaign) == before, field


def test_update_form(client, world):
    campaign = world.campaigns["open"]
    address = reverse("campaigns:update_new", args=[campaign.slug])
    login(client, world.proposer)
    before = snapshot(campaign)
    good = {"title_ar": "خبر", "title_en": "News", "body_ar": "نص", "body_en": "Text"}
    attempts = [
        ("title_ar", f"خبر{RLO}", str(BIDI_MESSAGE)),
        ("title_en", "News\r\nBcc: x@evil.example", str(ONE_LINE_MESSAGE)),
        ("body_en", "", "required"),
        ("body_ar", "   ", "required"),
        ("body_ar", HUGE, "at most"),
    ]
    for field, value, message in attempts:
        response = client.post(address, {**good, field: value})
        assert response.status_code == 400, field
        assert message in response.content.decode(), (field, message)
        assert snapshot(campaign) == before, field


def test_review_form(client, world):
    campaign = world.campaigns["review"]
    address = reverse("campaigns:review", args=[campaign.slug])
    login(client, world.coordinator)
    before = snapshot(campaign)
    for data, message in [
        ({"decision": "open"}, "Select a valid choice"),
        ({"decision": ""}, "required"),
        ({"decision": "changes", "comment": ""}, "Say what should change"),
        ({"decision": "reject", "comment": "   "}, "Say what should change"),
        ({"decision": "approve", "comment": HUGE}, "at most"),
    ]:
        response = client.post(address, data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
        assert snapshot(campaign) == before


def test_forged_status(client, world):
    campaign = world.campaigns["open"]
    address = reverse("campaigns:status", args=[campaign.slug])
    login(client, world.coordinator)
    before = snapshot(campaign)
    for status in ("draft", "review", "delivered", "answered", "open", "nonsense", ""):
        response = client.post(address, {"status": status}, follow=True)
        assert "Choose one of the next steps offered." in response.content.decode()
        assert snapshot(campaign) == before


def test_link_forms(client, world):
    from tadamun.social import services as social_services
    from tadamun.workgroups.tests.factories import MembershipFactory, WorkgroupFactory

    campaign = world.campaigns["open"]
    login(client, world.proposer)
    before = snapshot(campaign)
    visible = social_services.post_create(author=world.member, body="x", audience="members")
    # A post only a closed workgroup reads: the proposer may not see it, so may not link it.
    closed = WorkgroupFactory(closed=True)
    MembershipFactory(workgroup=closed, user=world.member)
    secret = social_services.post_create(
        author=world.member, body="y", audience="workgroup", audience_workgroup=closed
    )
    for kind, address, message in [
        ("document", "javascript:alert(1)", "Paste the address"),
        ("document", f"https://tadamun.example/en/posts/{visible.pk}/", "Paste the address"),
        ("document", "/en/campaigns/", "Paste the address"),
        ("document", "999999", "No document you may see"),
        ("post", "99999999999999999999", "Paste the address"),
        ("post", f"/en/posts/{secret.pk}/", "No post you may see"),
        ("post", "x" * 600, "at most"),
        ("post", "", "required"),
    ]:
        name = "campaigns:link_document" if kind == "document" else "campaigns:link_post"
        response = client.post(reverse(name, args=[campaign.slug]), {"address": address})
        assert response.status_code == 400, address
        assert message in response.content.decode(), address
        assert snapshot(campaign) == before, address
    # Pasting the post's address, in either language, with a query and a fragment, links it.
    response = client.post(
        reverse("campaigns:link_post", args=[campaign.slug]),
        {"address": f"https://tadamun.example/ar/posts/{visible.pk}/?x=1#top"},
    )
    assert response.status_code == 302
    assert list(campaign.posts.all()) == [visible]


def test_filters_refuse_nonsense(client, world):
    for query in ({"status": "draft"}, {"theme": "no-such-theme"}, {"page": "-1"}):
        response = client.get(reverse("campaigns:list"), query)
        assert response.status_code == 400
        assert "Some filters are not valid" in response.content.decode()
