"""Security keys and passkeys in headless Chromium, through the DevTools virtual authenticator:
adding one on allauth's MFA pages, using it as the second factor, and signing in with a passkey
alone, all under the site's strict Content-Security-Policy (no inline script)."""

import json
import re

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from tadamun.accounts.tests.factories import PASSWORD, UserFactory

HOME = re.compile(r"/en/$")


@pytest.fixture
def webauthn_page(page, live_server, settings):
    """`page` on http://localhost:<port> (a secure context, and the relying party ID allauth
    takes from the request host), with a virtual platform authenticator that holds resident
    keys and verifies its user, and a list of console and page errors."""
    # Production never relaxes the origin check; neither do these tests.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
    page.base = f"http://localhost:{live_server.thread.port}"
    page.errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.cdp = cdp
    page.authenticator_id = authenticator["authenticatorId"]
    return page


def virtual_credentials(page) -> list[dict]:
    return page.cdp.send("WebAuthn.getCredentials", {"authenticatorId": page.authenticator_id})[
        "credentials"
    ]


def sign_in_with_password(page, user):
    page.goto(page.base + "/en/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator('main form[action$="/accounts/login/"] button[type="submit"]').click()


def sign_out(page):
    page.locator('header form[action$="/accounts/logout/"] button[type="submit"]').click()
    page.wait_for_url(HOME)
    expect(page.locator("header nav")).to_contain_text("Sign in")


def age_sign_in(page, seconds: int = 3600):
    """Make the browser's sign-in look `seconds` old, so allauth asks for the password again
    before a security key is added (ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    cookie = next(
        c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    session = SessionStore(session_key=cookie["value"])
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def add_key(page, name: str, *, passkey: bool) -> bool:
    """From a signed-in page: the MFA overview, then "Add" under security keys. True when
    allauth asked for the password again first."""
    page.goto(page.base + "/en/accounts/2fa/")
    page.locator('main a[href$="/accounts/2fa/webauthn/add/"]').click()
    page.wait_for_url(re.compile(r"/accounts/(reauthenticate|2fa/webauthn/add)/"))
    reauthenticated = "/reauthenticate/" in page.url
    if reauthenticated:
        page.fill("#id_password", PASSWORD)
        page.locator('main form button[type="submit"]').first.click()
        page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    page.fill("#id_name", name)
    page.locator("#id_passwordless").set_checked(passkey)
    page.locator("#mfa_webauthn_add").click()
    # The first authenticator comes with recovery codes, shown at once.
    page.wait_for_url(re.compile(r"/accounts/2fa/(recovery-codes/|$)"))
    return reauthenticated


def add_key_after_password_sign_in(page, user, name: str, *, passkey: bool, aged=False) -> bool:
    sign_in_with_password(page, user)
    page.wait_for_url(HOME)
    if aged:
        age_sign_in(page)
    return add_key(page, name, passkey=passkey)


@pytest.mark.browser
def test_adding_a_passkey_works_under_the_csp(webauthn_page, transactional_db):
    page = webauthn_page
    user = UserFactory(email="noor@example.org", display_name="Noor Kareem")

    add_key_after_password_sign_in(page, user, "Laptop", passkey=True)

    page.goto(page.base + "/en/accounts/2fa/webauthn/")
    row = page.locator("main tr", has_text="Laptop")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Passkey")
    assert len(virtual_credentials(page)) == 1
    assert virtual_credentials(page)[0]["isResidentCredential"] is True

    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert set(key.data) == {"name", "credential"}
    assert key.data["name"] == "Laptop"
    # allauth reads "passkey" from the credProps extension the browser reported.
    assert key.wrap().is_passwordless is True
    # The public credential only: no password, no address, no private key.
    stored = json.dumps(key.data)
    for secret in (PASSWORD, user.email, virtual_credentials(page)[0]["privateKey"]):
        assert secret not in stored
    assert set(key.data["credential"]) <= {
        "id",
        "rawId",
        "type",
        "response",
        "clientExtensionResults",
        "authenticatorAttachment",
    }
    # The recovery codes that came with it are encrypted at rest.
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.data["seed"].startswith("fernet:")

    assert page.errors == []


@pytest.mark.browser
def test_a_security_key_is_the_second_factor(webauthn_page, transactional_db):
    page = webauthn_page
    user = UserFactory(email="sami@example.org", display_name="Sami Jaber")
    # An old sign-in: allauth asks for the password before the key is added.
    assert add_key_after_password_sign_in(page, user, "Yubikey", passkey=False, aged=True)
    assert virtual_credentials(page)[0]["isResidentCredential"] is False
    sign_out(page)

    sign_in_with_password(page, user)
    page.wait_for_url(re.compile(r"/en/accounts/2fa/authenticate/"))
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(HOME)

    expect(page.locator("header nav")).to_contain_text("Sami Jaber")
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.last_used_at is not None
    assert virtual_credentials(page)[0]["signCount"] >= 2
    assert page.errors == []


@pytest.mark.browser
def test_a_passkey_signs_in_without_a_password(webauthn_page, transactional_db):
    page = webauthn_page
    user = UserFactory(email="huda@example.org", display_name="Huda Salman")
    add_key_after_password_sign_in(page, user, "Phone", passkey=True)
    sign_out(page)

    page.goto(page.base + "/en/accounts/login/")
    page.locator("#passkey_login").click()
    page.wait_for_url(HOME)

    expect(page.locator("header nav")).to_contain_text("Huda Salman")
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.last_used_at is not None
    assert page.errors == []
