import pytest
from django.utils import translation

from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_hashing_and_media(settings, tmp_path):
    # Services hash real passwords; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    # reverse() in tests gives /en/… paths; pages are checked in Arabic where it matters.
    with translation.override("en"):
        yield


class World:
    """One person in every role around one listed and one unlisted organisation."""

    def __init__(self):
        Role = OrganisationMembership.Role
        self.listed = OrganisationFactory(listed_publicly=True)
        self.unlisted = OrganisationFactory(listed_publicly=False, governorate="erbil")
        self.coordinator = UserFactory(coordinator=True)
        self.org_admin = UserFactory()
        self.member = UserFactory()
        self.other_member = UserFactory()
        self.hidden = UserFactory(hidden=True, legal_name="Secret Person", display_name="Hidden")
        self.pseudonym = UserFactory(legal_name="Zainab Kareem", display_name="Nightingale")
        self.applicant = UserFactory(applicant=True)
        self.application = ApplicationFactory(applicant=self.applicant)
        MembershipFactory(user=self.org_admin, organisation=self.listed, role=Role.ADMIN)
        self.member_membership = MembershipFactory(user=self.member, organisation=self.listed)
        self.other_membership = MembershipFactory(user=self.other_member, organisation=self.listed)
        self.hidden_membership = MembershipFactory(user=self.hidden, organisation=self.listed)
        MembershipFactory(user=self.pseudonym, organisation=self.unlisted)

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()
