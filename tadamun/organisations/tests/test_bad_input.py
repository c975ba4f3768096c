"""Bad input gets a clear message and changes nothing."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tadamun.accounts.models import User
from tadamun.organisations import services
from tadamun.organisations.models import Application, Invitation, Organisation
from tadamun.organisations.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GOOD_APPLICATION = {
    "kind": "individual",
    "legal_name": "Samir Yousif",
    "display_name": "",
    "email": "samir@example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "language": "en",
    "motivation": "Solidarity with Iraqi workers.",
}

GOOD_ORGANISATION = {
    **GOOD_APPLICATION,
    "kind": "organisation",
    "org_name_en": "Maysan Marshes Society",
    "org_name_ar": "جمعية أهوار ميسان",
    "org_kind": "ngo",
    "org_scope": "iraqi",
    "org_governorate": "maysan",
}


def text(response) -> str:
    return response.content.decode()


class TestApplicationForm:
    def test_good_application_goes_through_and_sends_the_verification_in_arabic(
        self, client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/ar/join/", {**GOOD_ORGANISATION, "language": "ar"})
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == "/ar/join/sent/"
        application = Application.objects.get(applicant__email="samir@example.org")
        assert application.kind == "organisation"
        assert application.org_country == "IQ"
        (message,) = mail.outbox
        assert message.to == ["samir@example.org"]
        assert "/ar/accounts/confirm-email/" in message.body
        assert any("\u0600" <= ch <= "\u06ff" for ch in message.subject)  # Arabic subject

    def test_the_same_page_for_a_known_address(self, client, django_capture_on_commit_callbacks):
        UserFactory(email="samir@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("organisations:apply"), GOOD_APPLICATION)
        assert urlsplit(response["Location"]).path == reverse("organisations:apply_sent")
        assert not Application.objects.exists()
        assert "already have an account" in mail.outbox[0].body

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"legal_name": "x" * 151}, "legal_name", "at most 150 characters"),
            ({"display_name": "y" * 81}, "display_name", "at most 80 characters"),
            ({"motivation": "z" * 3001}, "motivation", "at most 3000 characters"),
            ({"legal_name": "<script>alert(1)</script>"}, "legal_name", "“<” or “>”"),
            ({"display_name": "Samir\u202eYousif"}, "display_name", "text-direction"),
            ({"legal_name": "Samir\u2067Yousif"}, "legal_name", "text-direction"),
            ({"kind": "robot"}, "kind", "Select a valid choice"),
            ({"language": "xx"}, "language", "Select a valid choice"),
            ({"email": "not an address"}, "email", "valid email"),
            ({"password2": "something else entirely"}, "password2", "do not match"),
            ({"password1": "short", "password2": "short"}, "password1", "too short"),
            ({"legal_name": ""}, "legal_name", "required"),
        ],
    )
    def test_bad_personal_fields(self, client, changes, field, message):
        response = client.post(reverse("organisations:apply"), {**GOOD_APPLICATION, **changes})
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert field in errors
        assert message in " ".join(errors[field])
        assert escape(message) in text(response)
        assert not User.objects.filter(email="samir@example.org").exists()
        assert not Application.objects.exists()
        assert "<script>alert(1)" not in text(response)

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"org_name_en": "", "org_name_ar": ""}, "org_name_en", "Arabic or English"),
            ({"org_name_en": "Maysan\u202eSociety"}, "org_name_en", "text-direction"),
            ({"org_name_ar": "<b>جمعية</b>"}, "org_name_ar", "“<” or “>”"),
            ({"org_name_en": "n" * 201}, "org_name_en", "at most 200 characters"),
            ({"org_kind": ""}, "org_kind", "required for an organisation"),
            ({"org_kind": "cartel"}, "org_kind", "Select a valid choice"),
            ({"org_scope": ""}, "org_scope", "required for an organisation"),
            ({"org_scope": "international"}, "org_country", "Choose the country"),
            (
                {"org_scope": "international", "org_country": "FR"},
                "org_governorate",
                "only for Iraqi organisations",
            ),
            ({"org_governorate": "atlantis"}, "org_governorate", "Select a valid choice"),
            ({"org_website": "javascript:alert(1)"}, "org_website", "valid URL"),
        ],
    )
    def test_bad_organisation_fields(self, client, changes, field, message):
        response = client.post(reverse("organisations:apply"), {**GOOD_ORGANISATION, **changes})
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert not User.objects.filter(email="samir@example.org").exists()

    @pytest.mark.parametrize(
        "look_alike",
        [
            "MAYSAN MARSHES SOCIETY",
            "Maysan   Marshes Society ",
            "Maysаn Marshes Sоciety",  # Cyrillic а and о
            "Ｍaysan Marshes Society",  # fullwidth M
        ],
    )
    def test_look_alike_organisation_names(self, client, look_alike):
        OrganisationFactory(name_en="Maysan Marshes Society", name_ar="")
        response = client.post(
            reverse("organisations:apply"),
            {**GOOD_ORGANISATION, "org_name_en": look_alike, "org_name_ar": ""},
        )
        assert response.status_code == 400
        assert "already used by another organisation" in text(response)
        assert not User.objects.filter(email="samir@example.org").exists()

    def test_arabic_look_alike_organisation_name(self, client):
        OrganisationFactory(name_ar="جمعية أهوار ميسان", name_en="")
        response = client.post(
            reverse("organisations:apply"),
            # Farsi yeh, bare alef and a diacritic: the same name to a reader.
            {**GOOD_ORGANISATION, "org_name_ar": "جَمعیة اهوار ميسان", "org_name_en": ""},
        )
        assert response.status_code == 400
        assert "org_name_ar" in response.context["form"].errors

    def test_look_alike_display_name(self, client):
        UserFactory(display_name="Samir Yousif")
        response = client.post(
            reverse("organisations:apply"), {**GOOD_APPLICATION, "display_name": "SAMIR YOUSIF"}
        )
        assert response.status_code == 400
        assert "display_name" in response.context["form"].errors


class TestDirectoryFilters:
    @pytest.fixture
    def member(self, client):
        member = UserFactory()
        client.force_login(member)
        return member

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"page": "abc"}, "Enter a whole number"),
            ({"page": "0"}, "greater than or equal to 1"),
            ({"kind": "robot"}, "Select a valid choice"),
            ({"governorate": "atlantis"}, "Select a valid choice"),
            ({"country": "XX"}, "Select a valid choice"),
            ({"theme": "nope"}, "Select a valid choice"),
            ({"q": "q" * 101}, "at most 100 characters"),
        ],
    )
    def test_bad_filters_get_a_message(self, client, member, query, message):
        response = client.get(reverse("organisations:directory"), query)
        assert response.status_code == 400
        assert message in text(response)

    def test_bad_page_on_public_pages(self, client):
        response = client.get(reverse("organisations:public_directory"), {"page": "abc"})
        assert response.status_code == 400
        assert "Enter a whole number" in text(response)
        assert client.get(reverse("organisations:people"), {"page": "x"}).status_code == 302

    def test_filters(self, client, member):
        theme = ThemeFactory(slug="peace-building")
        OrganisationFactory(name_en="Basra Dockers", languages=["ar"])
        erbil = OrganisationFactory(
            name_en="Erbil Observatory", governorate="erbil", languages=["ku", "en"]
        )
        erbil.themes.add(theme)
        OrganisationFactory(
            international=True, name_en="Paris Friends", city="Paris", languages=["fr"]
        )

        def names(**query):
            response = client.get(reverse("organisations:directory"), query)
            assert response.status_code == 200
            return {org.name_en for org in response.context["page"].object_list}

        assert names() == {"Basra Dockers", "Erbil Observatory", "Paris Friends"}
        assert names(scope="iraqi") == {"Basra Dockers", "Erbil Observatory"}
        assert names(scope="international") == {"Paris Friends"}
        assert names(country="FR") == {"Paris Friends"}
        assert names(governorate="erbil") == {"Erbil Observatory"}
        assert names(theme="peace-building") == {"Erbil Observatory"}
        assert names(language="ku") == {"Erbil Observatory"}
        assert names(language="ar") == {"Basra Dockers"}
        assert names(q="dockers") == {"Basra Dockers"}
        assert names(q="paris") == {"Paris Friends"}
        assert names(kind="media") == set()

    def test_pagination_with_localised_numbers(self, client, member):
        OrganisationFactory.create_batch(21)
        response = client.get("/ar/organisations/", {"page": "2"})
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 1
        assert "٢١" in text(response)  # the total, in Arabic-Indic digits
        assert client.get("/ar/organisations/", {"page": "999"}).context["page"].number == 2


class TestOrganisationEdit:
    @pytest.fixture
    def setup(self, client):
        organisation = OrganisationFactory(name_en="Basra Dockers", name_ar="عمال ميناء البصرة")
        admin = MembershipFactory(organisation=organisation, role="admin").user
        client.force_login(admin)
        url = reverse("organisations:organisation_edit", args=[organisation.slug])
        data = {
            "name_ar": organisation.name_ar,
            "name_en": organisation.name_en,
            "kind": organisation.kind,
            "scope": "iraqi",
            "country": "IQ",
            "governorate": "basra",
            "languages": ["ar", "en"],
        }
        return organisation, url, data

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"name_en": "Basra\u202eDockers"}, "name_en", "text-direction"),
            ({"name_en": "<img src=x onerror=alert(1)>"}, "name_en", "“<” or “>”"),
            ({"name_en": "", "name_ar": ""}, "name_en", "Arabic or English"),
            ({"description_en": "d" * 5001}, "description_en", "at most 5000 characters"),
            ({"languages": ["ar", "klingon"]}, "languages", "Select a valid choice"),
            ({"scope": "international", "country": "FR"}, "governorate", "only for Iraqi"),
            ({"country": "FR"}, "country", "based in Iraq"),
            ({"kind": "cartel"}, "kind", "Select a valid choice"),
            ({"themes": ["999999"]}, "themes", "Select a valid choice"),
            ({"themes": ["abc"]}, "themes", "is not a valid value"),
            ({"website": "ftp//nowhere"}, "website", "valid URL"),
        ],
    )
    def test_bad_input_changes_nothing(self, client, setup, changes, field, message):
        organisation, url, data = setup
        response = client.post(url, {**data, **changes})
        assert response.status_code == 400
        assert message in " ".join(response.context["form"].errors[field])
        assert "<img src=x" not in text(response)
        before = Organisation.objects.get(pk=organisation.pk)
        assert (before.name_en, before.scope, before.languages) == (
            "Basra Dockers",
            "iraqi",
            ["ar", "en"],
        )

    def test_look_alike_of_another_organisation(self, client, setup):
        _organisation, url, data = setup
        OrganisationFactory(name_en="Najaf Students", name_ar="")
        response = client.post(url, {**data, "name_en": "NAJAF STUDENTS"})
        assert response.status_code == 400
        assert "already used by another organisation" in text(response)

    def test_keeping_its_own_name_is_fine(self, client, setup):
        organisation, url, data = setup
        response = client.post(url, {**data, "city": "Zubair", "listed_publicly": "on"})
        assert response.status_code == 302
        organisation.refresh_from_db()
        assert (organisation.city, organisation.listed_publicly) == ("Zubair", True)


class TestInvitationPages:
    @pytest.fixture
    def invitation(self):
        coordinator = UserFactory(coordinator=True)
        organisation = OrganisationFactory()
        invitation, url = services.invitation_create(
            by=coordinator, email="guest@example.org", organisation=organisation
        )
        invitation.path = urlsplit(url).path
        return invitation

    def form(self, **changes):
        return {
            "legal_name": "Guest Person",
            "display_name": "",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "preferred_language": "en",
            **changes,
        }

    def test_accepting_then_signing_in(self, client, invitation):
        page = client.get(invitation.path)
        assert page.status_code == 200
        assert "guest@example.org" in text(page)
        response = client.post(invitation.path, self.form())
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("account_login")
        assert EmailAddress.objects.get(email="guest@example.org").verified
        signed_in = client.post(
            reverse("account_login"),
            {"login": "guest@example.org", "password": "a long enough passphrase"},
        )
        assert signed_in.status_code == 302
        assert client.get(reverse("organisations:directory")).status_code == 200

    def test_reused_link(self, client, invitation):
        client.post(invitation.path, self.form())
        client.logout()
        response = client.get(invitation.path)
        assert response.status_code == 410
        assert "already been used" in text(response)
        response = client.post(invitation.path, self.form(legal_name="Another Person"))
        assert response.status_code == 410
        assert User.objects.filter(email="guest@example.org").count() == 1

    def test_forged_link(self, client, invitation):
        forged = invitation.path.rstrip("/")[:-2] + "xx/"
        response = client.post(forged, self.form())
        assert response.status_code == 404
        assert "not valid" in text(response)
        assert not User.objects.filter(email="guest@example.org").exists()

    def test_expired_link(self, client, invitation):
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        response = client.post(invitation.path, self.form())
        assert response.status_code == 410
        assert "expired" in text(response)
        assert not User.objects.filter(email="guest@example.org").exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"display_name": "Guest\u202eName"}, "display_name"),
            ({"legal_name": "<script>x</script>"}, "legal_name"),
            ({"legal_name": "g" * 151}, "legal_name"),
            ({"preferred_language": "de"}, "preferred_language"),
        ],
    )
    def test_bad_input_leaves_the_link_usable(self, client, invitation, changes, field):
        response = client.post(invitation.path, self.form(**changes))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        invitation.refresh_from_db()
        assert invitation.accepted_at is None
        assert not User.objects.filter(email="guest@example.org").exists()


class TestInvitationsAndDecisions:
    def test_unknown_role_or_bad_address_is_refused(self, client):
        client.force_login(UserFactory(coordinator=True))
        for data in (
            {"email": "x@example.org", "role": "owner", "language": "en"},
            {"email": "x@", "role": "member", "language": "en"},
            {"email": "x@example.org", "role": "member", "language": "en", "organisation": "a"},
        ):
            response = client.post(reverse("organisations:invitations"), data)
            assert response.status_code == 400
        assert not Invitation.objects.exists()

    def test_overlong_decision_message_changes_nothing(self, client):
        from tadamun.organisations.tests.factories import ApplicationFactory

        application = ApplicationFactory()
        client.force_login(UserFactory(coordinator=True))
        response = client.post(
            reverse("organisations:application_detail", args=[application.pk]),
            {"decision": "approve", "message": "m" * 3001},
        )
        assert response.status_code == 400
        application.refresh_from_db()
        assert application.is_pending

    def test_unknown_decision_changes_nothing(self, client):
        from tadamun.organisations.tests.factories import ApplicationFactory

        application = ApplicationFactory()
        client.force_login(UserFactory(coordinator=True))
        response = client.post(
            reverse("organisations:application_detail", args=[application.pk]),
            {"decision": "maybe"},
        )
        assert response.status_code == 400
        application.refresh_from_db()
        assert application.is_pending

    def test_deciding_twice_shows_a_message(self, client):
        from tadamun.organisations.tests.factories import ApplicationFactory

        application = ApplicationFactory()
        client.force_login(UserFactory(coordinator=True))
        url = reverse("organisations:application_detail", args=[application.pk])
        assert client.post(url, {"decision": "decline"}).status_code == 302
        response = client.post(url, {"decision": "approve"})
        assert response.status_code == 400
        assert "already been decided" in text(response)
        application.refresh_from_db()
        assert application.status == "declined"
