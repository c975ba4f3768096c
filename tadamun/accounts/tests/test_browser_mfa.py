"""Signing in with a password and an authenticator app, in headless Chromium, without help
from JavaScript-only paths."""

import re

import pytest

from tadamun.accounts.tests.conftest import add_totp, totp_now
from tadamun.accounts.tests.factories import PASSWORD, UserFactory


@pytest.mark.browser
def test_sign_in_with_password_and_totp_reaches_the_security_page(page, transactional_db):
    user = UserFactory(email="layla@example.org", display_name="Layla Hassan")
    secret = add_totp(user)

    page.goto(page.base + "/en/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator('main form[action$="/accounts/login/"] button[type="submit"]').click()

    page.wait_for_url(re.compile(r"/en/accounts/2fa/authenticate/"))
    page.fill('input[name="code"]', totp_now(secret))
    page.locator('main form:has(input[name="code"]) button[type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/en/$"))

    page.goto(page.base + "/en/accounts/security/")
    assert page.locator("h1").inner_text() == "Security"
    assert page.get_by_text("this device").count() == 1
    assert page.locator("bdi", has_text="Layla Hassan").count() >= 1
