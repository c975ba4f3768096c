"""The pages in a real browser (Debian's Chromium through playwright), in both languages:
axe-core finds no accessibility violation, the document says its language and direction, the
language switch keeps the reader on the same page, and everything works with JavaScript off.

Screenshots for the README: `UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest -k screenshots`
writes them to docs/screenshots/; otherwise they are taken (so they stay possible) and dropped.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.organisations.tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LANGUAGES = ["ar", "en"]
DIRECTION = {"ar": "rtl", "en": "ltr"}
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS_DIR", Path(settings.BASE_DIR) / "docs" / "screenshots")
)
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}

AXE = Axe()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Hashed names need `collectstatic` first; the live server finds the files without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def url(page, name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return page.base + reverse(name, kwargs=kwargs or None)


def sign_in(page, user) -> None:
    """Give the browser a signed-in session without going through the form each time."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}]
    )


def watch_console(page) -> list[str]:
    """Console errors: a CSP violation (an inline style or script) shows up here."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def assert_accessible(page, address: str, language: str) -> None:
    errors = watch_console(page)
    response = page.goto(address)
    assert response.status == 200, f"{address} answered {response.status}"
    page.wait_for_load_state("load")
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == DIRECTION[language]
    results = AXE.run(page)
    assert results.violations_count == 0, f"{address}\n{results.generate_report()}"
    assert not errors, f"{address}: console errors {errors}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_is_accessible(page, language):
    OrganisationFactory.create_batch(8, listed_publicly=True)
    assert_accessible(page, url(page, "home", language), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_page_is_accessible(page, language):
    assert_accessible(page, url(page, "account_login", language), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_errors_are_accessible(page, language):
    page.goto(url(page, "account_login", language))
    page.fill("input[name=login]", "nobody@example.org")
    page.fill("input[name=password]", "not the password")
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator(".errorlist").count() > 0
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_directory_is_accessible(page, language):
    OrganisationFactory.create_batch(8, listed_publicly=True)
    assert_accessible(page, url(page, "organisations:public_directory", language), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_pages_are_accessible(page, language):
    organisations = OrganisationFactory.create_batch(8, listed_publicly=True)
    sign_in(page, UserFactory(member=True, preferred_language=language))
    assert_accessible(page, url(page, "organisations:directory", language), language)
    assert_accessible(page, url(page, "organisations:people", language), language)
    assert_accessible(page, organisation_url(page, organisations[0], language), language)


def organisation_url(page, organisation, language: str) -> str:
    for name in ("organisations:organisation", "organisations:detail"):
        try:
            return url(page, name, language, slug=organisation.slug)
        except NoReverseMatch:
            continue
    pytest.skip("the organisations app has no organisation page yet")


def test_language_switch_keeps_the_page(page):
    page.goto(url(page, "account_login", "en"))
    page.locator(".language-switch button[lang=ar]").click()
    page.wait_for_url(url(page, "account_login", "ar"))
    assert page.locator("html").get_attribute("dir") == "rtl"

    page.locator(".language-switch button[lang=en]").click()
    page.wait_for_url(url(page, "account_login", "en"))
    assert page.locator("html").get_attribute("dir") == "ltr"


def test_skip_link_is_first_and_reaches_main(page):
    page.goto(url(page, "account_login", "ar"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_everything_works_without_javascript(browser, live_server):
    user = UserFactory(member=True, preferred_language="en")
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.base = live_server.url
        assert page.goto(url(page, "home", "ar")).status == 200
        assert page.goto(url(page, "account_login", "en")).status == 200
        page.fill("input[name=login]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form[method=post] button[type=submit]").first.click()
        page.wait_for_load_state("load")
        assert page.url == url(page, "home", "en")
        assert page.locator(".site-nav form[action$='/logout/'] button").is_visible()

        page.locator(".language-switch button[lang=ar]").click()
        page.wait_for_load_state("load")
        assert page.url == url(page, "home", "ar")
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots(page, language, tmp_path):
    """The README's pictures, of the real demo data: public pages, then a member's."""
    call_command("seed_demo", verbosity=0)
    target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    public = {
        "home": url(page, "home", language),
        "sign-in": url(page, "account_login", language),
        "directory": url(page, "organisations:public_directory", language),
        "news": url(page, "social:news", language),
        "campaign": page.base + f"/{language}/campaigns/freedom-of-association-ngo-law/",
        "petition": page.base + f"/{language}/petitions/protect-freedom-of-association-iraq/",
    }
    from tadamun.social.models import Post

    statement = Post.objects.filter(kind=Post.Kind.STATEMENT, published=True).first()
    internal = {
        "organisations": url(page, "organisations:directory", language),
        "organisation": page.base + f"/{language}/organisations/baghdad-womens-solidarity-league/",
        "workgroup": page.base + f"/{language}/workgroups/privatization/",
        "archive": page.base + f"/{language}/workgroups/privatization/archive/",
        "feed": url(page, "social:feed", language),
        "statement": page.base + f"/{language}/posts/{statement.pk}/",
        "library": url(page, "documents:library", language),
        "messages": url(page, "messaging:inbox", language),
        "notifications": url(page, "notifications:list", language),
        "search": url(page, "search:search", language)
        + ("?q=النقابات العمالية" if language == "ar" else "?q=unions"),
    }

    def shoot(pages):
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            for name, address in pages.items():
                page.goto(address)
                page.wait_for_load_state("load")
                page.evaluate("document.fonts.ready")
                path = target / f"{name}-{language}-{size}.png"
                page.screenshot(path=path)
                assert path.stat().st_size < 400_000, f"{path.name} is too heavy for the README"

    shoot(public)
    page.goto(public["sign-in"])
    page.fill("#id_login", "admin.baghdad@demo.tadamun.example")
    page.fill("#id_password", "tadamun-demo-2026")
    page.locator('main form[action$="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_load_state("load")
    shoot(internal)
