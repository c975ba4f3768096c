import pytest
from django.urls import reverse
from django.utils import translation

from tadamun.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_applicant_sees_that_the_application_is_being_reviewed(client):
    client.force_login(UserFactory(applicant=True, display_name="Layla Hassan"))
    with translation.override("en"):
        response = client.get(reverse("accounts:pending"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "being reviewed" in html
    assert "<bdi>Layla Hassan</bdi>" in html
    assert "once your application has been approved" in html


def test_applicant_is_sent_to_pending_from_internal_pages(client):
    client.force_login(UserFactory(applicant=True))
    assert client.get(reverse("accounts:profile")).url == reverse("accounts:pending")


@pytest.mark.parametrize(
    ("status", "text"), [("declined", "not approved"), ("suspended", "suspended")]
)
def test_other_standings(client, status, text):
    client.force_login(UserFactory(**{status: True}))
    with translation.override("en"):
        response = client.get(reverse("accounts:pending"))
    assert text in response.content.decode()


def test_members_go_home(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:pending")).url == reverse("home")


def test_anonymous_must_sign_in(client):
    assert client.get(reverse("accounts:pending")).url.startswith(reverse("account_login"))
