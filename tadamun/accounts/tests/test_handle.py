"""Mention names (`@handle`) come from the display name — never from the e-mail address or the
legal name — and are unique."""

import pytest

from tadamun.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_handle_from_the_display_name_only():
    person = UserFactory(
        legal_name="Real Name", display_name="Nightingale", email="real.name@example.org"
    )
    assert person.handle == "nightingale"
    arabic = UserFactory(display_name="أمل حسن")
    assert arabic.handle == "أمل_حسن"


def test_handles_are_unique_and_follow_a_new_display_name():
    first = UserFactory(display_name="Amal Hassan")
    second = UserFactory(display_name="Amal-Hassan!")
    assert (first.handle, second.handle) == ("amal_hassan", "amal_hassan_2")
    first.display_name = "Amal H. Basra"
    first.save()
    assert first.handle == "amal_h_basra"
    second.save()
    assert second.handle == "amal_hassan_2"  # unchanged when the name did not change
