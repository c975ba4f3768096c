import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tadamun.accounts import services
from tadamun.accounts.forms import NameField, ProfileForm, validate_person_name
from tadamun.accounts.models import User
from tadamun.accounts.tests.factories import UserFactory
from tadamun.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def profile_data(person: User, **changes) -> dict:
    data = {
        "legal_name": person.legal_name,
        "display_name": person.display_name,
        "bio": person.bio,
        "preferred_language": person.preferred_language,
        "hide_membership": "on" if person.hide_membership else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", False)}


@pytest.mark.parametrize(
    "name",
    [
        "Evil\u202egnp.exe",
        "Layla\u2066 Hassan",
        "Omar\u200b",
        "علي\u200f",
        "<b>Ali</b>",
        "Ali >",
        "Ali\x07",
    ],
)
def test_name_validator_refuses_dangerous_characters(name):
    with pytest.raises(ValidationError):
        validate_person_name(name)


@pytest.mark.parametrize("name", ["Layla Hassan", "ليلى حسن", "Zhîlan Kurdî", "O'Brien-Smith"])
def test_name_validator_accepts_names(name):
    validate_person_name(name)


def test_name_field_normalises_spacing_and_checks_length():
    field = NameField(max_length=10)
    assert field.clean("  Layla   Hassan ".replace("Hassan", "H")) == "Layla H"
    with pytest.raises(ValidationError):
        field.clean("x" * 11)
    assert field.widget.attrs["dir"] == "auto"


@pytest.mark.parametrize(
    ("existing", "attempt"),
    [
        ("علي", "علی"),  # Farsi yeh ی for Arabic yeh ي
        ("Layla Hassan", "layla hassan"),  # case
        ("paypal", "pаypal"),  # Cyrillic а
        ("Layla Hassan", "Layla  Hassan"),  # spacing
        ("محمد", "مـحـمـد"),  # tatweel
    ],
)
def test_look_alike_display_names_are_refused(existing, attempt):
    UserFactory(display_name=existing)
    person = UserFactory()
    form = ProfileForm(profile_data(person, display_name=attempt), person=person)
    assert not form.is_valid()
    assert "too close to another member" in str(form.errors["display_name"])


def test_your_own_name_is_not_too_close_to_itself():
    person = UserFactory(display_name="Layla Hassan")
    form = ProfileForm(profile_data(person, display_name="LAYLA HASSAN"), person=person)
    assert form.is_valid(), form.errors


def test_update_profile_service_audits_privacy_change():
    person = UserFactory(display_name="Layla Hassan")
    services.person_update_profile(
        person=person,
        legal_name="Layla Hassan Ali",
        display_name="Nightingale",
        bio="Trade unionist.",
        preferred_language="ar",
        hide_membership=True,
    )
    person.refresh_from_db()
    assert person.display_name == "Nightingale"
    assert person.display_name_folded == "nightingale"
    assert person.hide_membership
    event = AuditEvent.objects.get(action=AuditEvent.Action.PRIVACY_CHANGED)
    assert event.subject == person
    assert event.detail["hide_membership"] == {"before": False, "after": True}


def test_update_profile_without_privacy_change_is_not_audited():
    person = UserFactory()
    services.person_update_profile(
        person=person,
        legal_name=person.legal_name,
        display_name=person.display_name,
        bio="New bio",
        preferred_language="en",
        hide_membership=False,
    )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRIVACY_CHANGED).exists()


def test_update_profile_service_refuses_a_taken_folded_name():
    UserFactory(display_name="Layla Hassan")
    person = UserFactory(display_name="Someone")
    with pytest.raises(ValidationError):
        services.person_update_profile(
            person=person,
            legal_name="x",
            display_name="LAYLA HASSAN",
            bio="",
            preferred_language="en",
            hide_membership=False,
        )
    person.refresh_from_db()
    assert person.display_name == "Someone"


def test_profile_page_saves(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(
        reverse("accounts:profile"),
        profile_data(person, display_name="Nightingale", hide_membership="on"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Nightingale"
    assert person.hide_membership


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "x" * 81, "at most 80"),
        ("legal_name", "x" * 151, "at most 150"),
        ("display_name", "Evil\u202eName", "text-direction"),
        ("legal_name", "<script>alert(1)</script>", "“&lt;” or “&gt;”"),
        ("bio", "x" * 2001, "at most 2000"),
        ("display_name", "   ", "required"),
    ],
)
def test_profile_page_refuses_bad_input_and_changes_nothing(client, field, value, message):
    person = UserFactory(display_name="Layla Hassan", legal_name="Layla Hassan")
    client.force_login(person)
    with translation.override("en"):
        response = client.post(
            reverse("accounts:profile"), profile_data(person, **{"bio": "b", field: value})
        )
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert (person.display_name, person.legal_name, person.bio) == (
        "Layla Hassan",
        "Layla Hassan",
        "",
    )


def test_profile_page_refuses_look_alike_name(client):
    UserFactory(display_name="علي")
    person = UserFactory(display_name="Someone")
    client.force_login(person)
    response = client.post(reverse("accounts:profile"), profile_data(person, display_name="علی"))
    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    person.refresh_from_db()
    assert person.display_name == "Someone"


def test_profile_page_is_for_members(client):
    assert client.get(reverse("accounts:profile")).status_code == 302
    client.force_login(UserFactory(applicant=True))
    response = client.get(reverse("accounts:profile"))
    assert response.url == reverse("accounts:pending")
    client.force_login(UserFactory(suspended=True))
    assert client.get(reverse("accounts:profile")).status_code == 403
    client.force_login(UserFactory(coordinator=True))
    assert client.get(reverse("accounts:profile")).status_code == 200
