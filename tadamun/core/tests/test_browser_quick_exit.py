"""Quick exit in Chromium: the link and Shift ×3 leave at once and "back" does not return to
the page that was left. Without JavaScript the link's own step cannot be taken back out of the
history: the /exit/ page leaves at once and replaces itself, so "back" shows the page that was
left (the README says so, and advises a private window on a shared device)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def neutral(settings, page):
    # A page of this server stands in for the neutral site (no internet in tests).
    settings.QUICK_EXIT_URL = page.base + "/static/img/favicon.svg"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings.QUICK_EXIT_URL


def _visit_then_flee(page, flee) -> None:
    page.goto(page.base + "/en/")
    page.goto(page.base + "/ar/campaigns/")  # the page to flee from
    flee()
    page.wait_for_url("**/favicon.svg")


def _back_does_not_return(page) -> None:
    page.go_back()
    page.wait_for_load_state()
    assert "/campaigns/" not in page.url
    assert page.url.endswith("/en/")


def test_the_link_leaves_and_back_does_not_return(page, neutral):
    _visit_then_flee(page, lambda: page.click("a.quick-exit"))
    _back_does_not_return(page)


def test_shift_three_times_leaves(page, neutral):
    def press():
        page.locator("body").click(position={"x": 5, "y": 300})
        for _ in range(3):
            page.keyboard.press("Shift")

    _visit_then_flee(page, press)
    _back_does_not_return(page)


def test_without_javascript(browser, live_server, settings):
    settings.QUICK_EXIT_URL = live_server.url + "/static/img/favicon.svg"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.base = live_server.url
    try:
        _visit_then_flee(page, lambda: page.click("a.quick-exit"))
        page.go_back()
        page.wait_for_load_state()
        assert "/exit/" not in page.url  # the exit page replaced itself
    finally:
        context.close()
