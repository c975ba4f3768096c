import pytest
from django.urls import reverse

from tadamun.accounts import selectors, services
from tadamun.accounts.tests.conftest import add_totp
from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def require(coordinators=True, org_admins=False):
    services.security_policy_update(
        by=UserFactory(coordinator=True),
        require_mfa_for_coordinators=coordinators,
        require_mfa_for_org_admins=org_admins,
    )


def test_policy_update_is_audited():
    coordinator = UserFactory(coordinator=True)
    services.security_policy_update(
        by=coordinator, require_mfa_for_coordinators=True, require_mfa_for_org_admins=False
    )
    policy = selectors.security_policy()
    assert policy.require_mfa_for_coordinators
    event = AuditEvent.objects.get(action=AuditEvent.Action.MFA_POLICY)
    assert event.actor == coordinator
    assert event.detail["before"]["require_mfa_for_coordinators"] is False
    assert event.detail["after"]["require_mfa_for_coordinators"] is True


def test_coordinator_without_second_factor_is_sent_to_set_one_up(client):
    require()
    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    response = client.get(reverse("accounts:profile"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    # In the person's language (Arabic here).
    assert "عامل تحقّق ثانٍ" in " ".join(str(m) for m in response.context["messages"])
    # What they need to reach on the way stays open.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_email")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_coordinator_with_totp_passes(client):
    require()
    coordinator = UserFactory(coordinator=True)
    add_totp(coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_members_are_not_asked_by_the_coordinator_rule(client):
    require()
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_org_admin_rule_asks_the_organisations_app(client, monkeypatch):
    require(coordinators=False, org_admins=True)
    admin, member = UserFactory(), UserFactory()
    monkeypatch.setattr(selectors, "administers_any_organisation", lambda user: user.pk == admin.pk)
    client.force_login(member)
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.force_login(admin)
    assert client.get(reverse("accounts:profile")).url == reverse("mfa_index")


def test_policy_page(client):
    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    url = reverse("accounts:security_policy")
    assert client.get(url).status_code == 200
    response = client.post(url, {"require_mfa_for_org_admins": "on"})
    assert response.url == url
    policy = selectors.security_policy()
    assert policy.require_mfa_for_org_admins
    assert not policy.require_mfa_for_coordinators


@pytest.mark.parametrize("who", ["anonymous", "applicant", "member"])
def test_policy_page_forbidden(client, who):
    if who != "anonymous":
        client.force_login(UserFactory(**{who: True}))
    url = reverse("accounts:security_policy")
    assert client.get(url).status_code in {302, 403}
    client.post(url, {"require_mfa_for_coordinators": "on"})
    assert not selectors.security_policy().require_mfa_for_coordinators
