"""The pages: what they show to whom (no members-only post, document or target e-mail address
to the public), both languages, the timeline, petitions, search, and the demo."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tadamun.campaigns import demo, selectors
from tadamun.campaigns.models import Campaign, CampaignEvent, CampaignUpdate
from tadamun.documents import services as document_services
from tadamun.documents.models import Document
from tadamun.search.selectors import search
from tadamun.social import services as social_services

from .conftest import login
from .factories import CampaignFactory, TargetFactory, UserFactory, complete_texts

pytestmark = pytest.mark.django_db
S = Campaign.Status


def body_of(response) -> str:
    text = response.content.decode()
    return text[text.index('<main id="main"') : text.index("</main>")]


def document(by, title: str, audience: str) -> Document:
    return document_services.document_create(
        by=by,
        upload=SimpleUploadedFile("notes.txt", b"Notes.\n", content_type="text/plain"),
        title=title,
        category=Document.Category.REPORT,
        audience=audience,
    )


@pytest.fixture
def linked(world):
    """The open campaign with a public and a members-only post and document, and a target
    with an e-mail address."""
    campaign = world.campaigns["open"]
    author = UserFactory()
    public_post = social_services.post_create(
        author=author, title="Public post zqpubliczq", body="For all.", audience="public"
    )
    members_post = social_services.post_create(
        author=author, title="Members post zqsecretzq", body="Inside.", audience="members"
    )
    public_doc = document(author, "Public leaflet zqleafletzq", Document.Audience.PUBLIC)
    members_doc = document(author, "Members guide zqguidezq", Document.Audience.MEMBERS)
    campaign.posts.set([public_post, members_post])
    campaign.toolkit.set([public_doc, members_doc])
    TargetFactory(campaign=campaign, email="minister@labour.example")
    return campaign


def test_the_public_sees_no_members_only_post_document_or_target_address(client, world, linked):
    page = body_of(client.get(linked.get_absolute_url()))
    assert "zqpubliczq" in page
    assert "zqleafletzq" in page
    assert "zqsecretzq" not in page
    assert "zqguidezq" not in page
    assert "Ministry of Labour" in page
    assert "minister@labour.example" not in page
    # A member sees the members-only items, still not the address.
    page = body_of(login(client, world.member).get(linked.get_absolute_url()))
    assert "zqsecretzq" in page
    assert "zqguidezq" in page
    assert "minister@labour.example" not in page
    # An editor sees the address.
    page = body_of(login(client, world.proposer).get(linked.get_absolute_url()))
    assert "minister@labour.example" in page
    page = body_of(
        login(client, world.proposer).get(reverse("campaigns:targets", args=[linked.slug]))
    )
    assert "minister@labour.example" in page


def test_selectors_answer_the_same(world, linked):
    anonymous = AnonymousUser()
    assert [p.title for p in selectors.posts_for(anonymous, linked)] == ["Public post zqpubliczq"]
    assert [d.title for d in selectors.toolkit_for(anonymous, linked)] == [
        "Public leaflet zqleafletzq"
    ]
    assert set(selectors.campaigns_visible_to(anonymous)) == {linked}
    assert set(selectors.campaigns_visible_to(world.coordinator)) == set(world.campaigns.values())
    assert set(selectors.campaigns_visible_to(world.lead_admin)) == set(world.campaigns.values())
    assert set(selectors.campaigns_visible_to(world.partner_admin)) == {linked}


def test_unlisted_organisations_stay_hidden_from_the_public(client, world):
    campaign = world.campaigns["open"]
    world.lead_b.listed_publicly = False
    world.lead_b.save()
    page = body_of(client.get(campaign.get_absolute_url()))
    assert world.lead.name_en in page
    assert world.lead_b.name_en not in page
    page = body_of(login(client, world.member).get(campaign.get_absolute_url()))
    assert world.lead_b.name_en in page


@pytest.mark.parametrize("language", ["ar", "en"])
def test_pages_render_in_both_languages(client, world, language):
    campaign = world.campaigns["open"]
    campaign.background_ar = "خلفية **مهمة**"
    campaign.background_en = "An **important** background"
    campaign.save()
    CampaignEvent.objects.create(
        campaign=campaign, title_ar="وقفة", title_en="A rally", starts_at="2030-05-01T10:00Z"
    )
    CampaignUpdate.objects.create(
        campaign=campaign, title_ar="خبر", title_en="Some news", body_ar="نص", body_en="Text"
    )
    with translation.override(language):
        urls = [
            reverse("campaigns:list"),
            campaign.get_absolute_url(),
            reverse("campaigns:propose"),
            reverse("campaigns:review_queue"),
            reverse("campaigns:edit", args=[campaign.slug]),
            reverse("campaigns:targets", args=[campaign.slug]),
            reverse("campaigns:events", args=[campaign.slug]),
            reverse("campaigns:update_new", args=[campaign.slug]),
            reverse("campaigns:links", args=[campaign.slug]),
            reverse("campaigns:review", args=[world.campaigns["review"].slug]),
            world.campaigns["draft"].get_absolute_url(),
        ]
    assert all(url.startswith(f"/{language}/") for url in urls)
    login(client, world.coordinator)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}"' in response.content.decode()
    page = body_of(client.get(urls[1]))
    if language == "ar":
        assert "خلفية <strong>مهمة</strong>" in page
        assert "وقفة" in page
        assert "خبر" in page
        assert "important" not in page
    else:
        assert "An <strong>important</strong> background" in page
        assert "A rally" in page
        assert "خلفية" not in page


def test_the_edit_form_puts_each_language_in_its_direction(client, world):
    campaign = world.campaigns["draft"]
    page = body_of(
        login(client, world.proposer).get(reverse("campaigns:edit", args=[campaign.slug]))
    )
    for name in ("title", "summary", "demands", "background", "issue"):
        assert re.search(rf'name="{name}_ar"[^>]* dir="rtl" lang="ar"', page), name
        assert re.search(rf'name="{name}_en"[^>]* dir="ltr" lang="en"', page), name


def test_drafts_fall_back_to_the_other_language_published_campaigns_do_not(client, world):
    draft = world.campaigns["draft"]
    draft.summary_en = ""
    draft.save()
    with translation.override("en"):
        page = body_of(login(client, world.proposer).get(draft.get_absolute_url()))
    assert "ملخص." in page
    opened = world.campaigns["open"]
    opened.background_ar = "خلفية فقط بالعربية"
    opened.save()
    with translation.override("en"):
        page = body_of(client.get(opened.get_absolute_url()))
    assert "خلفية فقط بالعربية" not in page


def test_the_timeline_and_the_status_form(client, world):
    campaign = world.campaigns["open"]
    page = body_of(login(client, world.coordinator).get(campaign.get_absolute_url()))
    assert 'aria-current="step"' in page
    assert 'value="closed"' in page
    assert 'value="delivered"' not in page
    page = body_of(login(client, world.member).get(campaign.get_absolute_url()))
    assert 'value="closed"' not in page


def test_the_list_filters_by_status_and_theme(client, world):
    from tadamun.organisations.tests.factories import ThemeFactory

    theme = ThemeFactory(slug="workers")
    delivered = CampaignFactory(status=S.DELIVERED, title_en="Delivered zqdeliveredzq")
    delivered.themes.set([theme])
    archived = CampaignFactory(status=S.ARCHIVED, title_en="Archived zqarchivedzq")
    page = body_of(client.get(reverse("campaigns:list")))
    assert "zqopenzq" in page
    assert "zqdeliveredzq" in page
    assert "zqarchivedzq" not in page
    page = body_of(client.get(reverse("campaigns:list"), {"status": "archived"}))
    assert "zqarchivedzq" in page
    assert "zqopenzq" not in page
    page = body_of(client.get(reverse("campaigns:list"), {"theme": "workers"}))
    assert "zqdeliveredzq" in page
    assert "zqopenzq" not in page
    # Drafts are never reached through the filter.
    response = client.get(reverse("campaigns:list"), {"status": "draft"})
    assert response.status_code == 400
    assert "zqdraftzq" not in body_of(response)
    assert archived.pk


def test_published_petitions_are_listed(client, world):
    campaign = world.campaigns["open"]
    petitions = getattr(campaign, "petitions", None)
    if petitions is None:
        pytest.skip("the petitions app is not installed")
    from tadamun.petitions.models import Petition

    fields = {f.name for f in Petition._meta.concrete_fields}
    common = {"campaign": campaign, "title_ar": "عريضة", "title_en": "Petition zqpetitionzq"}
    try:
        Petition.objects.create(slug="open-petition", status="open", **common)
        Petition.objects.create(
            slug="draft-petition", status="draft", **{**common, "title_en": "Draft zqdpzq"}
        )
    except Exception:
        pytest.skip(f"petitions need more fields than these: {sorted(fields)}")
    page = body_of(client.get(campaign.get_absolute_url()))
    assert "zqpetitionzq" in page
    assert "zqdpzq" not in page


def test_search_finds_public_campaigns_in_both_languages(world):
    campaign = world.campaigns["open"]
    campaign.title_ar = "إلغاء قرار مجلس قيادة الثورة"
    campaign.title_en = "Abolish the resolution of the Revolutionary Command Council"
    campaign.demands_en = "Unions for dockworkers"
    campaign.save()
    draft = world.campaigns["draft"]
    draft.title_en = "Secret dockworkers draft"
    draft.save()
    anonymous = AnonymousUser()
    assert [r.obj for r in search(anonymous, "قيادة الثورة")] == [campaign]
    assert [r.obj for r in search(anonymous, "revolutionary")] == [campaign]
    assert [r.obj for r in search(anonymous, "dockworkers")] == [campaign]
    assert {r.obj for r in search(world.proposer, "dockworkers")} == {campaign, draft}
    assert [r.obj for r in search(anonymous, "labour.example")] == []


def test_demo_seeds_five_bilingual_campaigns_once(settings, tmp_path, monkeypatch):
    from django.core.management import call_command

    from tadamun.organisations.management.commands.seed_demo import Command

    monkeypatch.setattr(Command, "_social_content", lambda self: None, raising=False)
    call_command("seed_demo", stdout=StringIO())
    demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())
    campaigns = Campaign.objects.all()
    assert campaigns.count() == 5
    statuses = sorted(campaigns.values_list("status", flat=True))
    assert statuses == ["delivered", "open", "open", "open", "review"]
    for campaign in campaigns:
        assert campaign.missing_languages() == []
        assert campaign.lead_organisations.exists()
        assert campaign.targets.exists()
    workers = campaigns.get(slug="workers-right-to-organise-law-150")
    assert "150" in workers.title_en
    assert "150" in workers.title_ar
    assert workers.targets.count() == 2  # not doubled by the second run
    assert set(selectors.campaigns_visible_to(None)) == set(campaigns.exclude(status="review"))


def test_demo_skips_what_is_missing():
    demo.seed(stdout=StringIO())
    assert not Campaign.objects.exists()


def test_complete_texts_are_complete():
    campaign = Campaign(**complete_texts())
    assert campaign.missing_languages() == []
