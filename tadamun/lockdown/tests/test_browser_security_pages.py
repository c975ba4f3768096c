"""The security and privacy pages in Chromium, both languages: axe-core finds nothing on the
lockdown page, the privacy report, the own-data page, the delete-account page and the page
the site shows while it is locked down."""

import pytest

from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.tests.test_browser_a11y import (
    LANGUAGES,
    _plain_static_storage,  # noqa: F401 (an autouse fixture, used by being imported)
    assert_accessible,
    sign_in,
    url,
)
from tadamun.lockdown import selectors, services
from tadamun.workgroups.tests.factories import WorkgroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinator_pages_are_accessible(page, language):
    coordinator = UserFactory(coordinator=True, preferred_language=language)
    workgroup = WorkgroupFactory()
    lockdown = services.lockdown_start(by=coordinator, workgroup=workgroup, reason="test")
    services.lockdown_lift(by=coordinator, lockdown=lockdown)
    services.lockdown_start(by=coordinator, workgroup=workgroup, reason="again")
    sign_in(page, coordinator)
    assert_accessible(page, url(page, "lockdown:page", language), language)
    assert_accessible(page, url(page, "privacy:report", language), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_privacy_pages_are_accessible(page, language):
    sign_in(page, UserFactory(preferred_language=language))
    assert_accessible(page, url(page, "privacy:my_data", language), language)
    assert_accessible(page, url(page, "accounts:delete_account", language), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_closed_site_page_is_accessible(page, language):
    coordinator = UserFactory(coordinator=True)
    services.lockdown_start(by=coordinator)
    try:
        response = page.goto(url(page, "home", language))
        assert response.status == 503
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert page.locator("html").get_attribute("lang") == language
    finally:
        selectors.forget_state()
