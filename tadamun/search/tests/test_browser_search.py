"""The search page in Chromium, in Arabic: a query typed without hamza finds the text written
with it, the snippet marks the word as written, and axe-core finds no accessibility problem."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory
from tadamun.social import services as social

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

AXE = Axe()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


def test_arabic_search_with_another_spelling_highlights_the_word(page):
    author = UserFactory(member=True, preferred_language="ar")
    post = social.post_create(
        author=author,
        title="بيان حول المياه",
        body="ندعو الأمم المتحدة إلى حماية حقوق المزارعين في الأهوار.",
        audience="public",
    )
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    with translation.override("ar"):
        address = page.base + reverse("search:search")
    page.goto(address)
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    page.fill("input[name=q]", "الامم")  # typed without the hamza
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "q=" in page.url
    result = page.locator("ol.search-results li").first
    assert result.locator("a").get_attribute("href").endswith(post.get_absolute_url()[3:])
    snippet = result.locator("p[dir=auto]").first
    assert snippet.locator("mark").first.inner_text() == "الأمم"
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()
    assert not errors, errors
