import datetime
import json
from unittest import mock

import pytest
from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from tadamun.accounts.receivers import typed_email_hash
from tadamun.accounts.tests.conftest import sign_in
from tadamun.accounts.tests.factories import PASSWORD, UserFactory
from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def test_sign_in_and_out_are_audited(client):
    user = UserFactory()
    sign_in(client, user)
    client.post(reverse("account_logout"))
    actions = list(AuditEvent.objects.filter(subject=user).values_list("action", flat=True))
    assert actions == [Action.LOGOUT, Action.LOGIN]


def test_failed_sign_in_stores_only_a_hash_of_the_typed_address(client):
    user = UserFactory(email="layla@example.org")
    client.post(reverse("account_login"), {"login": " Layla@Example.org", "password": "nope"})
    client.post(reverse("account_login"), {"login": "ghost@example.org", "password": "nope"})

    known, unknown = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).order_by("pk")
    assert known.subject == user
    assert known.detail == {"email_hmac": typed_email_hash("layla@example.org")}
    assert unknown.subject is None
    stored = json.dumps([known.detail, unknown.detail])
    assert "example.org" not in stored
    assert "ghost" not in stored


def test_password_change_is_audited(client):
    user = UserFactory()
    sign_in(client, user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another long passphrase",
            "password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED, subject=user).exists()


def test_email_confirmed_and_password_reset_are_audited(rf):
    user = UserFactory()
    address = EmailAddress.objects.get(user=user)
    account_signals.email_confirmed.send(sender=None, request=rf.get("/"), email_address=address)
    account_signals.password_reset.send(sender=None, request=rf.get("/"), user=user)
    actions = set(AuditEvent.objects.filter(subject=user).values_list("action", flat=True))
    assert actions == {Action.EMAIL_CONFIRMED, Action.PASSWORD_RESET}


def test_audit_log_lists_and_filters(client):
    coordinator = UserFactory(coordinator=True, display_name="Coordinator Zainab")
    layla = UserFactory(display_name="ليلى حسن")
    omar = UserFactory(display_name="Omar")
    client.force_login(coordinator)  # the coordinator's own sign-in is the first event
    audit(Action.ROLE_CHANGED, actor=coordinator, subject=layla)
    audit(Action.LOGIN, actor=omar, subject=omar)
    # The log is append-only (no backdating afterwards): an event written 40 days ago.
    forty_days_ago = timezone.now() - datetime.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=forty_days_ago):
        audit(Action.LOGIN, actor=layla, subject=layla)
    url = reverse("accounts:audit_log")

    page = client.get(url).context["page"]
    assert page.paginator.count == 4

    assert client.get(url, {"action": "login"}).context["page"].paginator.count == 3
    by_name = client.get(url, {"person": "ليلى"})
    assert by_name.context["page"].paginator.count == 2
    assert "<bdi>ليلى حسن</bdi>" in by_name.content.decode()
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert client.get(url, {"date_from": since}).context["page"].paginator.count == 3
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert client.get(url, {"date_to": until}).context["page"].paginator.count == 1


def test_audit_log_ignores_bad_filters_and_paginates(client):
    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    AuditEvent.objects.bulk_create([AuditEvent(action=Action.LOGIN) for _ in range(120)])
    url = reverse("accounts:audit_log")
    response = client.get(url, {"action": "login", "page": "2"})
    page = response.context["page"]
    assert page.number == 2
    assert len(page.object_list) == 50
    html = response.content.decode()
    assert "action=login&amp;page=3" in html
    assert "action=login&amp;page=1" in html
    response = client.get(url, {"action": "nonsense", "date_from": "yesterday", "page": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("who", ["anonymous", "applicant", "member"])
def test_audit_log_forbidden(client, who):
    if who != "anonymous":
        client.force_login(UserFactory(**{who: True}))
    response = client.get(reverse("accounts:audit_log"))
    assert response.status_code in {302, 403}
    if who == "member":
        assert response.status_code == 403
