"""The API tokens page: the secret shown once, only its hash stored, revoking, CSRF."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tadamun.accounts.tests.factories import UserFactory
from tadamun.api import selectors, services
from tadamun.api.models import ApiToken

pytestmark = pytest.mark.django_db

SECRET = re.compile(r'<code dir="ltr" id="new-token">(tdm_[A-Za-z0-9_-]+)</code>')


@pytest.fixture
def member():
    return UserFactory(member=True)


@pytest.fixture
def client_of(member):
    client = Client()
    client.force_login(member)
    return client


def test_make_a_token_shows_the_secret_once_and_stores_only_its_hash(client_of, member):
    url = reverse("api:tokens")
    response = client_of.post(url, {"name": "my script"})
    assert response.status_code == 201
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    secret = SECRET.search(response.content.decode()).group(1)
    token = ApiToken.objects.get(user=member)
    assert token.name == "my script"
    assert token.token_hash == selectors.token_hash(secret)
    assert secret not in token.token_hash
    # Shown once: the list page never shows it again.
    again = client_of.get(url).content.decode()
    assert secret not in again
    assert "my script" in again
    # And it works.
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_the_secret_never_reaches_the_session_or_a_url(client_of):
    response = client_of.post(reverse("api:tokens"), {"name": "x"})
    secret = SECRET.search(response.content.decode()).group(1)
    assert secret not in repr(dict(client_of.session))
    assert not response.has_header("Location")


def test_revoke(client_of, member):
    token, secret = services.token_create(user=member, name="old")
    response = client_of.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    page = client_of.get(reverse("api:tokens")).content.decode()
    said = set()
    for language in ("ar", "en"):
        with translation.override(language):
            said.add(gettext("The token has been revoked."))
    assert any(message in page for message in said), said


def test_nobody_revokes_or_lists_another_persons_token(client_of):
    other = UserFactory(member=True)
    token, _secret = services.token_create(user=other, name="OTHERS-TOKEN-NAME")
    assert client_of.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked is None
    assert "OTHERS-TOKEN-NAME" not in client_of.get(reverse("api:tokens")).content.decode()


def test_revoke_is_post_only(client_of, member):
    token, _secret = services.token_create(user=member, name="old")
    assert client_of.get(reverse("api:token_revoke", args=[token.pk])).status_code == 405


def test_forms_need_csrf(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(reverse("api:tokens"), {"name": "x"}).status_code == 403
    token, _secret = services.token_create(user=member, name="keep")
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked is None
    assert ApiToken.objects.filter(user=member).count() == 1
    # With the token from the page, it works.
    page = client.get(reverse("api:tokens"))
    csrf = page.cookies[settings.CSRF_COOKIE_NAME].value
    made = client.post(reverse("api:tokens"), {"name": "x", "csrfmiddlewaretoken": csrf})
    assert made.status_code == 201


def test_a_name_is_required_and_bounded(client_of, member):
    assert client_of.post(reverse("api:tokens"), {"name": ""}).status_code == 400
    assert client_of.post(reverse("api:tokens"), {"name": "x" * 81}).status_code == 400
    assert not ApiToken.objects.filter(user=member).exists()


def test_active_tokens_are_capped(client_of, member):
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.token_create(user=member, name=f"t{n}")
    response = client_of.post(reverse("api:tokens"), {"name": "one too many"})
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=member).count() == services.MAX_ACTIVE_TOKENS


@pytest.mark.parametrize("language", ["en", "ar"])
def test_page_renders_in_both_languages(client_of, language):
    response = client_of.get(f"/{language}/api/tokens/")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()


def test_signing_out_everywhere_revokes_the_tokens(client_of, member):
    _token, secret = services.token_create(user=member, name="laptop")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client_of.post(reverse("accounts:sign_out_everywhere"))
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert not selectors.active_tokens_of(member).exists()


def test_the_security_page_links_to_the_tokens(client_of):
    page = client_of.get(reverse("accounts:security")).content.decode()
    assert reverse("api:tokens") in page


@pytest.mark.parametrize("status", ["applicant", "suspended"])
def test_only_members_are_given_tokens(status):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.token_create(user=UserFactory(**{status: True}), name="x")
    assert not ApiToken.objects.exists()


def test_the_personal_data_export_lists_the_tokens_without_secret_or_hash(member):
    from tadamun.privacy.selectors import personal_data_of

    token, secret = services.token_create(user=member, name="export me")
    data, _files = personal_data_of(member)
    assert [t["name"] for t in data["api_tokens"]] == ["export me"]
    text = repr(data)
    assert secret not in text
    assert token.token_hash not in text


def test_making_and_revoking_are_audited_once(member):
    from tadamun.core.models import AuditEvent

    token, secret = services.token_create(user=member, name="laptop")
    services.token_revoke(token=token)
    services.token_revoke(token=token)  # again: nothing more happens
    events = list(
        AuditEvent.objects.filter(subject=member, action__startswith="api_token").order_by("pk")
    )
    assert [event.action for event in events] == ["api_token_created", "api_token_revoked"]
    assert all(event.detail == {"token": token.pk} for event in events)
    assert all(secret not in str(event.detail) for event in events)
