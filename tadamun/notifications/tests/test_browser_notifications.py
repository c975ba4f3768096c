"""The notifications pages in Chromium, in both languages: axe-core finds no violation, no
console error (a CSP violation would show), and the settings form works without JavaScript."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.notifications import services
from tadamun.notifications.models import NotificationPreference
from tadamun.notifications.tests.factories import Closed

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

AXE = Axe()
DIRECTION = {"ar": "rtl", "en": "ltr"}


def sign_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}]
    )


def address(page, name: str, language: str) -> str:
    with translation.override(language):
        return page.base + reverse(name)


def assert_accessible(page, url: str, language: str) -> None:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == DIRECTION[language]
    results = AXE.run(page)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
    assert not errors, f"{url}: console errors {errors}"


@pytest.fixture
def member(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    world = Closed()
    services.notify(
        recipients=[world.member], kind="document", target=world.document, actor=world.author
    )
    services.notify(
        recipients=[world.member], kind="follow", target=world.author, actor=world.author
    )
    services.notify(recipients=[world.member], kind="post", target=world.workgroup)
    world.member.notifications.filter(kind="post").update(read_at="2026-01-01T00:00:00Z")
    gone = world.document.__class__.objects.create(
        title="Removed", language="en", audience="members", uploaded_by=world.author
    )
    services.notify(recipients=[world.member], kind="comment", target=gone)
    gone.delete()
    return world.member


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_notifications_pages_are_accessible(page, member, language):
    sign_in(page, member)
    assert_accessible(page, address(page, "notifications:list", language), language)
    assert page.locator("li.notification.unread").count() == 3
    # Four notifications; the one about a deleted document has no link and no text of it.
    assert page.locator("li.notification").count() == 4
    assert page.locator("li.notification a").count() == 3
    assert "Removed" not in page.locator("main").inner_text()
    assert_accessible(page, address(page, "notifications:settings", language), language)


def test_settings_and_mark_all_read_work_without_javascript(browser, live_server, member, settings):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.base = live_server.url
    sign_in(page, member)
    page.goto(address(page, "notifications:settings", "en"))
    page.locator("#kind-post-never").check()
    page.locator("#id_content_free_emails").check()
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state()
    assert page.url.endswith("/en/notifications/settings/")
    assert page.locator("#kind-post-never").is_checked()
    assert NotificationPreference.objects.get(user=member).channel == "never"

    page.goto(address(page, "notifications:list", "en"))
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state()
    assert page.locator("li.notification.unread").count() == 0
    assert not member.notifications.filter(read_at__isnull=True).exists()
    context.close()
