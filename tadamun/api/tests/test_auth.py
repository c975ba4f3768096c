"""Who gets in: session and token, members only, lockdown, second factor."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tadamun.accounts.models import SecurityPolicy
from tadamun.accounts.tests.factories import UserFactory
from tadamun.api import selectors, services
from tadamun.api.models import ApiToken
from tadamun.lockdown import services as lockdown

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_anonymous_gets_401_and_no_data(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": "Unauthorized"}


def test_session_of_a_member_reads_me_without_email_or_legal_name():
    member = UserFactory(member=True, display_name="Sparrow", legal_name="Real Legal Name")
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.get(ME)
    assert response.status_code == 200
    data = response.json()
    assert data["display_name"] == "Sparrow"
    assert data["id"] == member.pk
    assert member.email not in response.content.decode()
    assert "Real Legal Name" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_session_unsafe_method_is_refused():
    member = UserFactory(member=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    # Only GETs exist; a POST with the session and no CSRF token never reaches a view.
    assert client.post(ME).status_code in {403, 405}


def test_token_reads_me_and_marks_the_day_only():
    member = UserFactory(member=True)
    token, secret = services.token_create(user=member, name="laptop")
    assert token.last_used is None
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 200
    assert response.json()["id"] == member.pk
    token.refresh_from_db()
    assert isinstance(token.last_used, datetime.date)
    assert not isinstance(token.last_used, datetime.datetime)
    # The stored row holds the SHA-256 of the secret, never the secret.
    assert token.token_hash == selectors.token_hash(secret)
    assert len(token.token_hash) == 64
    stored = list(ApiToken.objects.values_list(flat=False))
    assert secret not in repr(stored)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tdm_wrong",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
        "Bearer tdm_\x00\x01",
        "bearer tdm_" + "A" * 43,
    ],
)
def test_bad_tokens_get_401(header):
    member = UserFactory(member=True)
    services.token_create(user=member, name="real")
    response = Client().get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_revoked_token_gets_401():
    member = UserFactory(member=True)
    token, secret = services.token_create(user=member, name="phone")
    assert Client().get(ME, **bearer(secret)).status_code == 200
    services.token_revoke(token=token)
    assert Client().get(ME, **bearer(secret)).status_code == 401


@pytest.mark.parametrize("status", ["applicant", "suspended", "declined"])
def test_not_approved_people_get_403_by_session_and_by_token(status):
    person = UserFactory(**{status: True})
    # A token made while a member stops working once the person is no longer one.
    person.status = "member"
    person.save()
    _token, secret = services.token_create(user=person, name="old")
    person.status = status
    person.save()
    client = Client()
    client.force_login(person)
    assert client.get(ME).status_code == 403
    assert Client().get(ME, **bearer(secret)).status_code == 403


def test_deactivated_account_token_gets_401():
    person = UserFactory(member=True)
    _token, secret = services.token_create(user=person, name="old")
    person.is_active = False
    person.save()
    assert Client().get(ME, **bearer(secret)).status_code == 401


def test_site_lockdown_stops_the_api_for_everyone_but_coordinators():
    member = UserFactory(member=True)
    coordinator = UserFactory(coordinator=True)
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_mfa_for_coordinators": False})
    _t, member_secret = services.token_create(user=member, name="m")
    session = Client()
    session.force_login(member)
    coordinator_session = Client()
    coordinator_session.force_login(coordinator)
    assert session.get(ME).status_code == 200
    lockdown.lockdown_start(by=coordinator, reason="raid")
    try:
        assert session.get(ME).status_code == 503
        assert Client().get(ME, **bearer(member_secret)).status_code == 503
        assert coordinator_session.get(ME).status_code == 200
    finally:
        from tadamun.lockdown.selectors import active_lockdown

        lockdown.lockdown_lift(by=coordinator, lockdown=active_lockdown())
    # The lockdown revoked the member's tokens as it ended their sessions: a new one is needed.
    assert Client().get(ME, **bearer(member_secret)).status_code == 401
    _t, new_secret = services.token_create(user=member, name="after")
    assert Client().get(ME, **bearer(new_secret)).status_code == 200


def test_token_of_a_coordinator_without_the_required_second_factor_is_refused():
    coordinator = UserFactory(coordinator=True)
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_mfa_for_coordinators": True})
    _t, secret = services.token_create(user=coordinator, name="c")
    response = Client().get(ME, **bearer(secret))
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_token_page_is_for_members_only(client):
    url = reverse("api:tokens")
    assert client.get(url).status_code == 302
    applicant = UserFactory(applicant=True)
    client.force_login(applicant)
    assert client.get(url)["Location"] == reverse("accounts:pending")
