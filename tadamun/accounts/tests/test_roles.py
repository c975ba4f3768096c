import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tadamun.accounts import services
from tadamun.accounts.models import User
from tadamun.accounts.tests.conftest import sign_in
from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_set_roles_writes_before_and_after():
    coordinator = UserFactory(coordinator=True)
    person = UserFactory()
    services.person_set_roles(
        person=person, by=coordinator, is_coordinator=True, is_translator=True, status="member"
    )
    person.refresh_from_db()
    assert person.is_coordinator
    assert person.is_translator
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.actor == coordinator
    assert event.subject == person
    assert event.detail["before"] == {
        "is_coordinator": False,
        "is_translator": False,
        "status": "member",
    }
    assert event.detail["after"]["is_coordinator"] is True


def test_no_change_writes_no_audit():
    coordinator = UserFactory(coordinator=True)
    person = UserFactory()
    services.person_set_roles(
        person=person, by=coordinator, is_coordinator=False, is_translator=False, status="member"
    )
    assert not AuditEvent.objects.exists()


def test_last_coordinator_cannot_step_down():
    coordinator = UserFactory(coordinator=True)
    with pytest.raises(ValidationError):
        services.person_set_roles(
            person=coordinator,
            by=coordinator,
            is_coordinator=False,
            is_translator=False,
            status="member",
        )
    with pytest.raises(ValidationError):
        services.person_set_roles(
            person=coordinator,
            by=coordinator,
            is_coordinator=True,
            is_translator=False,
            status="suspended",
        )
    coordinator.refresh_from_db()
    assert coordinator.is_coordinator
    assert coordinator.status == "member"


def test_a_coordinator_may_step_down_when_another_remains():
    coordinator = UserFactory(coordinator=True)
    UserFactory(coordinator=True)
    services.person_set_roles(
        person=coordinator,
        by=coordinator,
        is_coordinator=False,
        is_translator=False,
        status="member",
    )
    coordinator.refresh_from_db()
    assert not coordinator.is_coordinator


def test_applicants_are_not_made_members_here():
    coordinator = UserFactory(coordinator=True)
    applicant = UserFactory(applicant=True)
    with pytest.raises(ValidationError):
        services.person_set_roles(
            person=applicant,
            by=coordinator,
            is_coordinator=False,
            is_translator=False,
            status="member",
        )
    applicant.refresh_from_db()
    assert applicant.status == "applicant"


def test_suspension_ends_the_persons_sessions():
    coordinator = UserFactory(coordinator=True)
    person = UserFactory()
    browser = Client()
    sign_in(browser, person)
    services.person_set_roles(
        person=person,
        by=coordinator,
        is_coordinator=False,
        is_translator=False,
        status="suspended",
    )
    assert browser.get(reverse("accounts:security")).status_code == 302


def test_roles_page_for_coordinators(client):
    coordinator = UserFactory(coordinator=True)
    person = UserFactory(display_name="Layla Hassan")
    url = reverse("accounts:person_roles", args=[person.pk])
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert "<bdi>Layla Hassan</bdi>" in response.content.decode()
    response = client.post(url, {"is_translator": "on", "status": "suspended"})
    assert response.url == url
    person.refresh_from_db()
    assert person.is_translator
    assert person.status == User.Status.SUSPENDED


def test_roles_page_shows_the_last_coordinator_message(client):
    coordinator = UserFactory(coordinator=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("accounts:person_roles", args=[coordinator.pk]), {"status": "member"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    coordinator.refresh_from_db()
    assert coordinator.is_coordinator


def test_roles_page_refuses_unknown_status(client):
    client.force_login(UserFactory(coordinator=True))
    person = UserFactory()
    response = client.post(
        reverse("accounts:person_roles", args=[person.pk]), {"status": "superuser"}
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.status == "member"


@pytest.mark.parametrize("who", ["anonymous", "applicant", "member"])
def test_roles_page_forbidden(client, who):
    person = UserFactory()
    url = reverse("accounts:person_roles", args=[person.pk])
    if who != "anonymous":
        client.force_login(UserFactory(**{who: True}))
    assert client.get(url).status_code in {302, 403}
    assert client.post(url, {"is_coordinator": "on", "status": "member"}).status_code in {
        302,
        403,
    }
    person.refresh_from_db()
    assert not person.is_coordinator


def test_roles_page_404_for_unknown_person(client):
    client.force_login(UserFactory(coordinator=True))
    assert client.get(reverse("accounts:person_roles", args=[99999])).status_code == 404


def test_django_admin_flag_changes_are_audited_and_roles_are_read_only(client):
    from tadamun.accounts.admin import UserAdmin

    superuser = UserFactory(is_superuser=True, is_staff=True)
    person = UserFactory()
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        {
            "username": person.username,
            "email": person.email,
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "preferred_language": person.preferred_language,
            "legal_name": person.legal_name,
            "display_name": person.display_name,
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED, subject=person)
    assert event.detail["after"]["is_staff"] is True
    assert event.detail["via"] == "admin"
    assert "is_coordinator" in UserAdmin.readonly_fields
