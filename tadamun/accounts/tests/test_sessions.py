import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tadamun.accounts.models import UserSession
from tadamun.accounts.tests.conftest import sign_in
from tadamun.accounts.tests.factories import UserFactory
from tadamun.accounts.useragent import summarise_user_agent
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE = CHROME_WINDOWS + " Edg/126.0.0.0"


@pytest.mark.parametrize(
    ("header", "summary"),
    [
        (FIREFOX_ANDROID, "Firefox on Android"),
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iOS"),
        (EDGE, "Edge on Windows"),
        ("", "Unknown device"),
        ("x" * 5000, "Unknown device"),
    ],
)
def test_user_agent_summary(header, summary):
    assert summarise_user_agent(header) == summary


def test_signing_in_records_the_session_without_an_address(client):
    user = UserFactory()
    sign_in(client, user, HTTP_USER_AGENT=FIREFOX_ANDROID, REMOTE_ADDR="198.51.100.9")
    tracked = UserSession.objects.get(user=user)
    assert tracked.session_key == client.session.session_key
    assert tracked.user_agent_summary == "Firefox on Android"
    assert not any("198.51.100.9" in str(v) for v in tracked.__dict__.values())


def test_last_seen_is_written_at_most_every_five_minutes(client):
    user = UserFactory()
    sign_in(client, user)
    tracked = UserSession.objects.get(user=user)
    first_seen = tracked.last_seen

    client.get(reverse("accounts:security"))
    tracked.refresh_from_db()
    assert tracked.last_seen == first_seen

    session = client.session
    key, _sep, at = session["_tadamun_session_touched"].rpartition(":")
    session["_tadamun_session_touched"] = f"{key}:{int(at) - 301}"
    session.save()
    client.get(reverse("accounts:security"))
    tracked.refresh_from_db()
    assert tracked.last_seen > first_seen


def test_security_page_lists_sessions_and_marks_this_device():
    user = UserFactory()
    phone, laptop = Client(), Client()
    sign_in(phone, user, HTTP_USER_AGENT=FIREFOX_ANDROID)
    sign_in(laptop, user, HTTP_USER_AGENT=CHROME_WINDOWS)
    UserFactory()  # someone else's session is not listed
    response = laptop.get(reverse("accounts:security"))
    assert response.status_code == 200
    listed = list(response.context["sessions"])
    assert {s.user_agent_summary for s in listed} == {"Firefox on Android", "Chrome on Windows"}
    html = response.content.decode()
    assert "Firefox on Android" in html
    assert reverse("mfa_index") in html
    assert reverse("account_change_password") in html
    assert reverse("account_email") in html


def test_expired_sessions_are_not_listed(client):
    user = UserFactory()
    other = Client()
    sign_in(other, user)
    Session.objects.filter(session_key=other.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(days=1)
    )
    sign_in(client, user)
    assert len(client.get(reverse("accounts:security")).context["sessions"]) == 1


def test_sign_out_one_other_session():
    user = UserFactory()
    phone, laptop = Client(), Client()
    sign_in(phone, user)
    sign_in(laptop, user)
    phone_session = UserSession.objects.get(session_key=phone.session.session_key)

    response = laptop.post(reverse("accounts:session_end", args=[phone_session.pk]))

    assert response.url == reverse("accounts:security")
    assert phone.get(reverse("accounts:security")).status_code == 302  # signed out
    assert laptop.get(reverse("accounts:security")).status_code == 200


def test_sign_out_this_session_signs_you_out(client):
    user = UserFactory()
    sign_in(client, user)
    tracked = UserSession.objects.get(user=user)
    client.post(reverse("accounts:session_end", args=[tracked.pk]))
    assert "_auth_user_id" not in client.session


def test_cannot_end_someone_elses_session(client):
    owner, intruder = UserFactory(), UserFactory()
    victim_browser = Client()
    sign_in(victim_browser, owner)
    sign_in(client, intruder)
    tracked = UserSession.objects.get(user=owner)
    assert client.post(reverse("accounts:session_end", args=[tracked.pk])).status_code == 404
    assert victim_browser.get(reverse("accounts:security")).status_code == 200


def test_ending_a_session_needs_post(client):
    user = UserFactory()
    sign_in(client, user)
    tracked = UserSession.objects.get(user=user)
    assert client.get(reverse("accounts:session_end", args=[tracked.pk])).status_code == 405


def test_sign_out_everywhere():
    user, bystander = UserFactory(), UserFactory()
    phone, laptop, other = Client(), Client(), Client()
    sign_in(phone, user)
    sign_in(laptop, user)
    sign_in(other, bystander)

    response = laptop.post(reverse("accounts:sign_out_everywhere"))

    assert response.url == reverse("account_login")
    assert "_auth_user_id" not in laptop.session
    assert phone.get(reverse("accounts:security")).status_code == 302
    assert other.get(reverse("accounts:security")).status_code == 200
    assert not UserSession.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT_EVERYWHERE)
    assert event.actor == user
    assert event.detail["sessions"] == 2


def test_security_page_needs_sign_in(client):
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_applicants_reach_their_security_page(client):
    user = UserFactory(applicant=True)
    sign_in(client, user)
    assert client.get(reverse("accounts:security")).status_code == 200
