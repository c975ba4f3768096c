"""The report form and the reviewers' pages in a real browser, in both languages: axe-core
finds no accessibility violation, and reporting works with a click."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tadamun.moderation.models import Report

from .conftest import World, ids

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DIRECTION = {"ar": "rtl", "en": "ltr"}
AXE = Axe()


def url(page, name: str, language: str, *args) -> str:
    with translation.override(language):
        return page.base + reverse(name, args=args or None)


def sign_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base}]
    )


def assert_accessible(page, address: str, language: str) -> None:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto(address)
    assert response.status == 200, f"{address} answered {response.status}"
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == DIRECTION[language]
    results = AXE.run(page)
    assert results.violations_count == 0, f"{address}\n{results.generate_report()}"
    assert not errors, f"{address}: console errors {errors}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_report_form_is_accessible_and_works(page, language):
    world = World()
    sign_in(page, world.member)
    address = url(page, "moderation:report", language, *ids(world.open))
    assert_accessible(page, address, language)
    page.locator("input[name=reason][value=harassment]").check()
    page.fill("textarea[name=note]", "تعليق مسيء" if language == "ar" else "Insulting")
    page.locator("main form[method=post] button[type=submit]").click()
    with translation.override(language):
        back = world.open.get_absolute_url()
    page.wait_for_url(re.compile(".*" + re.escape(back) + "$"))
    assert Report.objects.filter(reporter=world.member, reason="harassment").exists()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_reviewer_pages_are_accessible(page, language):
    world = World()
    sign_in(page, world.coordinator)
    assert_accessible(page, url(page, "moderation:queue", language), language)
    assert_accessible(page, url(page, "moderation:item", language, *ids(world.closed)), language)
    assert_accessible(page, url(page, "moderation:my_reports", language), language)
