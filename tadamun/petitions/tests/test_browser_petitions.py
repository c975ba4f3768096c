"""In Chromium, in both languages: a visitor signs a petition, confirms from the e-mail they
received, and sees the counter move; axe-core finds nothing on the campaign, petition, signing
(with its errors), "check your e-mail", confirmation and confirmed pages."""

import re

import pytest
from django.conf import settings
from django.core import mail

from tadamun.core.tests.test_browser_a11y import AXE, DIRECTION, assert_accessible, watch_console
from tadamun.petitions import protection
from tadamun.petitions.models import Signature
from tadamun.petitions.tally import counts
from tadamun.petitions.tests.factories import PetitionFactory, SignatureFactory

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["ar", "en"]


@pytest.fixture(autouse=True)
def _people_are_quick(monkeypatch):
    """A browser fills the form in milliseconds; the timing check wants a person's seconds."""
    monkeypatch.setattr(protection, "FORM_MIN_SECONDS", 0)


def axe_clean(page, what: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{what}\n{results.generate_report()}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_confirm_from_the_email_and_see_the_counter_move(page, language):
    petition = PetitionFactory(goal=10)
    SignatureFactory.create_batch(2, petition=petition, confirmed=True)
    errors = watch_console(page)
    address = f"{page.base}/{language}/petitions/{petition.slug}/"
    page.goto(address)
    html = page.locator("html")
    assert html.get_attribute("dir") == DIRECTION[language]
    counter = page.locator(".petition-counter strong").first
    assert counter.inner_text() == ("٢" if language == "ar" else "2")
    axe_clean(page, "petition page")

    # A first try without the consent box: a clear error, nothing stored.
    page.fill("#id_name", "زينب كريم" if language == "ar" else "Zainab Kareem")
    page.fill("#id_email", f"zainab.{language}@example.org")
    page.select_option("#id_country", "IQ")
    page.select_option("#id_governorate", "basra")
    page.locator("#sign form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#sign .form-errors").count() == 1
    assert not Signature.objects.filter(email=f"zainab.{language}@example.org").exists()
    axe_clean(page, "signing form with errors")

    page.check("#id_consent_petition")
    page.locator("#sign form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/check-your-email/" in page.url
    axe_clean(page, "check your e-mail")
    signature = Signature.objects.get(email=f"zainab.{language}@example.org")
    assert signature.state == Signature.State.PENDING
    assert counts(petition, fresh=True).total == 2  # not before the link is clicked

    # The e-mail, in the signer's language, with the link.
    message = next(m for m in mail.outbox if f"zainab.{language}@example.org" in m.to)
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/\S+/confirm/[A-Za-z0-9_-]+/)", message.body
    )
    assert found, message.body
    assert f"/{language}/petitions/" in found.group(1)
    response = page.goto(page.base + found.group(1))
    assert response.status == 200, (found.group(1), page.content()[:3000])
    # Opening the link confirms nothing (mail scanners open links): a button does.
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING
    axe_clean(page, "confirmation page")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/confirmed/" in page.url
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED
    axe_clean(page, "confirmed page")
    assert page.locator(".petition-counter strong").first.inner_text() == (
        "٣" if language == "ar" else "3"
    )

    # The link again: "already confirmed", nothing counted twice.
    page.goto(page.base + found.group(1))
    assert "/confirmed/" in page.url
    assert page.locator(".messages .message").count() == 1
    assert counts(petition, fresh=True).total == 3
    page.goto(address)
    assert page.locator(".petition-counter strong").first.inner_text() == (
        "٣" if language == "ar" else "3"
    )
    # The form sent without its consent box answered 400 on purpose; nothing else may fail.
    assert [error for error in errors if "status of 400" not in error] == [], errors


@pytest.mark.parametrize("language", LANGUAGES)
def test_campaign_and_petition_list_pages_are_accessible(page, language):
    petition = PetitionFactory()
    campaign = petition.campaign
    assert_accessible(page, f"{page.base}/{language}/campaigns/", language)
    assert_accessible(page, f"{page.base}/{language}/campaigns/{campaign.slug}/", language)
    assert_accessible(page, f"{page.base}/{language}/petitions/", language)
    assert_accessible(page, f"{page.base}/{language}/petitions/{petition.slug}/names/", language)
