from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from tadamun.accounts.models import User
from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
    Theme,
)
from tadamun.workgroups.models import Workgroup

pytestmark = pytest.mark.django_db

EUROPE, ASIA, AMERICAS = {"SE", "FR", "DE"}, {"PH", "JP"}, {"CL", "CA"}


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Theme,
            Workgroup,
            User,
            EmailAddress,
            OrganisationMembership,
            Application,
            Invitation,
        )
    }


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_is_complete_and_idempotent():
    output = seed()
    first = counts()
    seed()
    assert counts() == first

    assert "organisations 19/19" in output
    assert "coordinator@demo.tadamun.example" in output
    assert "tadamun-demo-2026" in output

    assert first["Organisation"] >= 15
    iraqi = Organisation.objects.filter(scope="iraqi")
    assert iraqi.values("governorate").distinct().count() >= 6
    countries = set(
        Organisation.objects.filter(scope="international").values_list("country", flat=True)
    )
    assert countries & EUROPE
    assert countries & ASIA
    assert countries & AMERICAS
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"trade_union", "womens_rights", "youth_student_union", "human_rights"} <= kinds
    assert {"minority_rights", "media"} <= kinds
    assert all(org.name_ar and org.name_en for org in Organisation.objects.all())
    assert Theme.objects.count() >= 8
    assert Workgroup.objects.count() >= 6
    assert all(group.name_ar and group.name_en for group in Workgroup.objects.all())


def test_people_in_every_role_with_the_demo_password():
    seed()
    coordinator = User.objects.get(email="coordinator@demo.tadamun.example")
    assert coordinator.is_network_coordinator
    assert coordinator.check_password("tadamun-demo-2026")
    assert User.objects.filter(is_translator=True, status="member").exists()
    assert OrganisationMembership.objects.filter(role="admin").exists()
    assert User.objects.filter(hide_membership=True).exists()
    assert any(user.display_name != user.legal_name for user in User.objects.all())
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert EmailAddress.objects.count() == User.objects.count()
    pending = Application.objects.filter(status="pending")
    assert set(pending.values_list("kind", flat=True)) == {"individual", "organisation"}
    assert all(application.applicant.is_applicant for application in pending)
    assert Invitation.objects.filter(accepted_at=None, revoked_at=None).count() == 1


def test_if_empty_does_nothing_when_organisations_exist(client):
    seed()
    Organisation.objects.filter(slug="kirkuk-dialogue-centre").update(city="Changed")
    before = counts()
    output = seed("--if-empty")
    assert "nothing to do" in output
    assert counts() == before
    assert Organisation.objects.get(slug="kirkuk-dialogue-centre").city == "Changed"


def test_if_empty_seeds_an_empty_database():
    seed("--if-empty")
    assert Organisation.objects.count() >= 15


def test_demo_coordinator_can_sign_in_and_see_the_queue(client):
    seed()
    response = client.post(
        "/en/accounts/login/",
        {"login": "coordinator@demo.tadamun.example", "password": "tadamun-demo-2026"},
    )
    assert response.status_code == 302
    queue = client.get("/en/applications/")
    assert queue.status_code == 200
    assert len(queue.context["page"].object_list) == 2


def test_every_page_renders_in_arabic_with_the_demo_data(client):
    seed()
    coordinator = User.objects.get(email="coordinator@demo.tadamun.example")
    client.force_login(coordinator)
    organisation = Organisation.objects.get(slug="baghdad-womens-solidarity-league")
    person = User.objects.get(email="pseudonym@demo.tadamun.example")
    application = Application.objects.get(kind="organisation")
    for path in (
        "/ar/members/",
        "/ar/organisations/",
        "/ar/organisations/?scope=iraqi&governorate=baghdad&theme=womens-rights&language=ar",
        f"/ar/organisations/{organisation.slug}/",
        f"/ar/organisations/{organisation.slug}/edit/",
        "/ar/people/",
        "/ar/people/?q=بلبل",
        f"/ar/people/{person.pk}/",
        "/ar/applications/",
        f"/ar/applications/{application.pk}/",
        "/ar/invitations/",
        "/ar/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'lang="ar" dir="rtl"' in response.content.decode(), path
    page = client.get(f"/ar/organisations/{organisation.slug}/").content.decode()
    assert "رابطة تضامن نساء بغداد" in page
    assert "بغداد" in page  # the governorate, in Arabic
    assert "<bdi>بلبل دجلة</bdi>" in page
    assert "<bdi>زينب كريم</bdi>" in page  # coordinators see the legal name too
