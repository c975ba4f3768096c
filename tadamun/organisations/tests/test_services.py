from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.core.models import AuditEvent
from tadamun.organisations import services
from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
)
from tadamun.organisations.tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

Role = OrganisationMembership.Role
AR_NETWORK = settings.NETWORK_NAME["ar"]
EN_NETWORK = settings.NETWORK_NAME["en"]


def application_data(**overrides):
    return {
        "kind": Application.Kind.INDIVIDUAL,
        "email": "Applicant@Example.org",
        "legal_name": "Samir Yousif",
        "display_name": "",
        "password": "a long enough passphrase",
        "language": "ar",
        "motivation": "أريد الانضمام",
        **overrides,
    }


def org_application_data(**overrides):
    return application_data(
        **{
            "kind": Application.Kind.ORGANISATION,
            "org_name_ar": "جمعية أهوار ميسان",
            "org_name_en": "Maysan Marshes Society",
            "org_kind": Organisation.Kind.NGO,
            "org_scope": Organisation.Scope.IRAQI,
            "org_country": "IQ",
            "org_governorate": "maysan",
            "org_city": "Amarah",
            "org_website": "https://maysan.example",
            "org_description": "نحمي الأهوار",
            **overrides,
        }
    )


# ------------------------------------------------------------------------------ applications


@pytest.mark.django_db
class TestApplicationSubmit:
    def test_creates_an_applicant_with_an_unverified_address_and_the_application(
        self, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            application = services.application_submit(data=application_data())
        user = application.applicant
        assert user.status == User.Status.APPLICANT
        assert user.email == "applicant@example.org"
        assert user.display_name == "Samir Yousif"
        assert user.preferred_language == "ar"
        assert user.check_password("a long enough passphrase")
        address = EmailAddress.objects.get(user=user)
        assert (address.primary, address.verified) == (True, False)
        assert application.status == Application.Status.PENDING
        assert AuditEvent.objects.filter(action="applied", subject=user).exists()

    def test_coordinators_are_told_in_their_own_language(self, django_capture_on_commit_callbacks):
        arabic = UserFactory(coordinator=True, preferred_language="ar")
        english = UserFactory(coordinator=True, preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            application = services.application_submit(data=org_application_data())
        by_recipient = {message.to[0]: message for message in mail.outbox}
        assert AR_NETWORK in by_recipient[arabic.email].body
        assert "جمعية أهوار ميسان" in by_recipient[arabic.email].body
        assert f"/ar/applications/{application.pk}/" in by_recipient[arabic.email].body
        assert EN_NETWORK in by_recipient[english.email].body
        assert "Maysan Marshes Society" in by_recipient[english.email].body
        assert f"/en/applications/{application.pk}/" in by_recipient[english.email].body

    def test_known_address_creates_nothing_and_warns_its_owner(
        self, django_capture_on_commit_callbacks
    ):
        owner = UserFactory(email="applicant@example.org", preferred_language="ar")
        users = User.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            result = services.application_submit(data=application_data())
        assert result is None
        assert User.objects.count() == users
        assert not Application.objects.exists()
        (message,) = mail.outbox
        assert message.to == [owner.email]
        assert AR_NETWORK in message.subject

    def test_look_alike_display_name_is_refused_and_nothing_is_written(self):
        UserFactory(display_name="Samir Yousif")
        users = User.objects.count()
        # Cyrillic "а" and "о" in place of the Latin letters.
        with pytest.raises(ValidationError) as caught:
            services.application_submit(data=application_data(legal_name="Sаmir Yоusif"))
        assert "display_name" in caught.value.message_dict
        assert User.objects.count() == users
        assert not Application.objects.exists()

    def test_look_alike_organisation_name_is_refused(self):
        OrganisationFactory(name_en="Maysan Marshes Society", name_ar="")
        with pytest.raises(ValidationError) as caught:
            services.application_submit(
                data=org_application_data(org_name_en="MAYSAN  Marshes Sоciety")
            )
        assert "org_name_en" in caught.value.message_dict
        assert not User.objects.filter(email="applicant@example.org").exists()

    def test_bidi_controls_in_a_name_are_refused(self):
        with pytest.raises(ValidationError) as caught:
            services.application_submit(data=application_data(legal_name="Samir\u202eYousif"))
        assert "legal_name" in caught.value.message_dict
        assert not User.objects.filter(email="applicant@example.org").exists()

    def test_international_organisation_has_no_governorate(self):
        application = services.application_submit(
            data=org_application_data(
                org_scope=Organisation.Scope.INTERNATIONAL, org_country="FR", org_governorate=""
            )
        )
        assert application.org_country == "FR"
        assert application.org_governorate == ""


@pytest.mark.django_db
class TestApplicationDecisions:
    def test_approve_individual_makes_a_member_and_mails_in_their_language(
        self, django_capture_on_commit_callbacks
    ):
        coordinator = UserFactory(coordinator=True, preferred_language="en")
        application = ApplicationFactory(applicant__preferred_language="ar")
        with django_capture_on_commit_callbacks(execute=True):
            services.application_approve(application=application, by=coordinator, message="أهلاً")
        application.refresh_from_db()
        application.applicant.refresh_from_db()
        assert application.applicant.status == User.Status.MEMBER
        assert application.status == Application.Status.APPROVED
        assert application.decided_by == coordinator
        assert application.decided_at is not None
        assert application.decision_message == "أهلاً"
        (message,) = mail.outbox
        assert message.to == [application.applicant.email]
        assert AR_NETWORK in message.subject
        assert "أهلاً" in message.body
        assert "/ar/accounts/login/" in message.body
        event = AuditEvent.objects.get(action="approved")
        assert (event.actor, event.subject) == (coordinator, application.applicant)

    def test_approve_organisation_creates_it_with_the_applicant_as_admin(
        self, django_capture_on_commit_callbacks
    ):
        coordinator = UserFactory(coordinator=True)
        application = ApplicationFactory(for_organisation=True, applicant__preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            services.application_approve(application=application, by=coordinator)
        application.refresh_from_db()
        organisation = application.organisation
        assert organisation.name_en == application.org_name_en
        assert organisation.name_ar == application.org_name_ar
        assert (organisation.scope, organisation.country.code) == ("iraqi", "IQ")
        assert organisation.governorate == "najaf"
        assert not organisation.listed_publicly
        membership = OrganisationMembership.objects.get(organisation=organisation)
        assert (membership.user, membership.role) == (application.applicant, Role.ADMIN)
        (message,) = mail.outbox
        assert application.org_name_en in message.body
        assert f"/en/organisations/{organisation.slug}/" in message.body

    def test_decline_mails_in_the_applicants_language(self, django_capture_on_commit_callbacks):
        coordinator = UserFactory(coordinator=True, preferred_language="ar")
        application = ApplicationFactory(applicant__preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            services.application_decline(
                application=application, by=coordinator, message="Not this time"
            )
        application.refresh_from_db()
        assert application.status == Application.Status.DECLINED
        assert application.applicant.status == User.Status.DECLINED
        (message,) = mail.outbox
        assert EN_NETWORK in message.subject
        assert "Not this time" in message.body
        assert AuditEvent.objects.filter(action="rejected", actor=coordinator).exists()

    @pytest.mark.parametrize("decide", [services.application_approve, services.application_decline])
    def test_only_coordinators_decide(self, decide):
        application = ApplicationFactory()
        for person in (UserFactory(), UserFactory(applicant=True)):
            with pytest.raises(PermissionDenied):
                decide(application=application, by=person)
        application.refresh_from_db()
        assert application.status == Application.Status.PENDING
        assert application.applicant.status == User.Status.APPLICANT

    def test_a_decided_application_cannot_be_decided_again(
        self, django_capture_on_commit_callbacks
    ):
        coordinator = UserFactory(coordinator=True)
        application = ApplicationFactory()
        services.application_decline(application=application, by=coordinator)
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(ValidationError),
        ):
            services.application_approve(application=application, by=coordinator)
        application.applicant.refresh_from_db()
        assert application.applicant.status == User.Status.DECLINED
        assert mail.outbox == []

    def test_approval_refuses_a_name_taken_meanwhile(self):
        coordinator = UserFactory(coordinator=True)
        application = ApplicationFactory(for_organisation=True)
        OrganisationFactory(name_en=application.org_name_en.upper(), name_ar="")
        with pytest.raises(ValidationError):
            services.application_approve(application=application, by=coordinator)
        application.refresh_from_db()
        assert application.is_pending
        assert application.applicant.status == User.Status.APPLICANT


# ------------------------------------------------------------------------------- invitations


def token_from(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def accept_data(**overrides):
    return {
        "legal_name": "Nadia Hamid",
        "display_name": "",
        "password": "another long passphrase",
        "preferred_language": "en",
        "hide_membership": False,
        **overrides,
    }


@pytest.mark.django_db
class TestInvitations:
    def test_coordinator_invites_to_the_network_in_the_chosen_language(
        self, django_capture_on_commit_callbacks
    ):
        coordinator = UserFactory(coordinator=True, preferred_language="en")
        with django_capture_on_commit_callbacks(execute=True):
            invitation, url = services.invitation_create(
                by=coordinator, email="New@Example.org", language="ar", role=Role.ADMIN
            )
        assert invitation.email == "new@example.org"
        assert invitation.organisation is None
        assert invitation.role == Role.MEMBER  # no organisation: no organisation role
        assert url.startswith(f"{settings.SITE_URL}/ar/join/invitation/")
        token = token_from(url)
        assert invitation.token_hash != token
        assert token not in invitation.token_hash
        assert invitation.expires_at > timezone.now() + timedelta(
            days=settings.INVITATION_MAX_AGE_DAYS - 1
        )
        (message,) = mail.outbox
        assert message.to == ["new@example.org"]
        assert AR_NETWORK in message.subject
        assert url in message.body
        assert AuditEvent.objects.filter(action="invited", actor=coordinator).exists()

    def test_organisation_admin_invites_to_their_organisation_only(self):
        admin = UserFactory()
        organisation = OrganisationFactory()
        other = OrganisationFactory()
        MembershipFactory(user=admin, organisation=organisation, role=Role.ADMIN)
        invitation, _url = services.invitation_create(
            by=admin, email="a@example.org", organisation=organisation, role=Role.ADMIN
        )
        assert invitation.role == Role.ADMIN
        with pytest.raises(PermissionDenied):
            services.invitation_create(by=admin, email="b@example.org", organisation=other)
        with pytest.raises(PermissionDenied):
            services.invitation_create(by=admin, email="b@example.org")
        assert Invitation.objects.count() == 1

    def test_members_and_applicants_cannot_invite(self):
        organisation = OrganisationFactory()
        member = UserFactory()
        MembershipFactory(user=member, organisation=organisation)
        for person in (member, UserFactory(applicant=True)):
            with pytest.raises(PermissionDenied):
                services.invitation_create(
                    by=person, email="x@example.org", organisation=organisation
                )
        assert not Invitation.objects.exists()

    def test_a_second_open_invitation_for_the_same_address_is_refused(self):
        coordinator = UserFactory(coordinator=True)
        services.invitation_create(by=coordinator, email="x@example.org")
        with pytest.raises(ValidationError):
            services.invitation_create(by=coordinator, email="X@example.org")
        assert Invitation.objects.count() == 1

    def test_accept_creates_a_verified_member_with_the_membership(self):
        coordinator = UserFactory(coordinator=True)
        organisation = OrganisationFactory()
        invitation, url = services.invitation_create(
            by=coordinator, email="nadia@example.org", organisation=organisation, role=Role.ADMIN
        )
        user = services.invitation_accept(
            token=token_from(url), data=accept_data(display_name="Dove", hide_membership=True)
        )
        assert user.status == User.Status.MEMBER
        assert user.email == "nadia@example.org"
        assert (user.legal_name, user.display_name) == ("Nadia Hamid", "Dove")
        assert user.hide_membership
        assert user.check_password("another long passphrase")
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.verified, address.primary) == (
            "nadia@example.org",
            True,
            True,
        )
        membership = OrganisationMembership.objects.get(user=user)
        assert (membership.organisation, membership.role) == (organisation, Role.ADMIN)
        invitation.refresh_from_db()
        assert invitation.accepted_by == user
        assert invitation.accepted_at is not None
        assert AuditEvent.objects.filter(action="invitation_accepted", subject=user).exists()

    def test_a_used_link_cannot_be_used_again(self):
        coordinator = UserFactory(coordinator=True)
        _invitation, url = services.invitation_create(by=coordinator, email="n@example.org")
        services.invitation_accept(token=token_from(url), data=accept_data())
        users = User.objects.count()
        with pytest.raises(services.InvitationInvalid) as caught:
            services.invitation_accept(
                token=token_from(url), data=accept_data(legal_name="Someone Else")
            )
        assert "already been used" in str(caught.value.message)
        assert caught.value.status == 410
        assert User.objects.count() == users

    @pytest.mark.parametrize(
        "forge",
        [
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
            lambda token: "not-a-token",
            lambda token: token.split(":")[0] + ":x:y",
            lambda token: "",
        ],
    )
    def test_forged_links_are_refused_and_change_nothing(self, forge):
        coordinator = UserFactory(coordinator=True)
        invitation, url = services.invitation_create(by=coordinator, email="n@example.org")
        users = User.objects.count()
        with pytest.raises(services.InvitationInvalid) as caught:
            services.invitation_accept(token=forge(token_from(url)), data=accept_data())
        assert "not valid" in str(caught.value.message)
        assert User.objects.count() == users
        invitation.refresh_from_db()
        assert invitation.accepted_at is None

    def test_a_validly_signed_unknown_token_is_refused(self):
        from django.core import signing

        token = signing.dumps("made-up", salt=services.INVITATION_SALT)
        with pytest.raises(services.InvitationInvalid):
            services.invitation_accept(token=token, data=accept_data())

    def test_expired_invitation_is_refused(self):
        coordinator = UserFactory(coordinator=True)
        invitation, url = services.invitation_create(by=coordinator, email="n@example.org")
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        with pytest.raises(services.InvitationInvalid) as caught:
            services.invitation_accept(token=token_from(url), data=accept_data())
        assert "expired" in str(caught.value.message)
        assert not User.objects.filter(email="n@example.org").exists()

    def test_link_older_than_the_signature_age_is_refused(self, settings):
        coordinator = UserFactory(coordinator=True)
        _invitation, url = services.invitation_create(by=coordinator, email="n@example.org")
        settings.INVITATION_MAX_AGE_DAYS = -1
        with pytest.raises(services.InvitationInvalid) as caught:
            services.invitation_accept(token=token_from(url), data=accept_data())
        assert caught.value.status == 410

    def test_revoked_invitation_is_refused(self):
        admin = UserFactory()
        organisation = OrganisationFactory()
        MembershipFactory(user=admin, organisation=organisation, role=Role.ADMIN)
        invitation, url = services.invitation_create(
            by=admin, email="n@example.org", organisation=organisation
        )
        services.invitation_revoke(invitation=invitation, by=admin)
        with pytest.raises(services.InvitationInvalid) as caught:
            services.invitation_accept(token=token_from(url), data=accept_data())
        assert "withdrawn" in str(caught.value.message)
        assert AuditEvent.objects.filter(action="invitation_revoked", actor=admin).exists()
        with pytest.raises(ValidationError):
            services.invitation_revoke(invitation=invitation, by=admin)

    def test_revoking_needs_the_right_to_administer(self):
        coordinator = UserFactory(coordinator=True)
        organisation = OrganisationFactory()
        invitation, _url = services.invitation_create(
            by=coordinator, email="n@example.org", organisation=organisation
        )
        outsider_admin = UserFactory()
        MembershipFactory(user=outsider_admin, role=Role.ADMIN)
        with pytest.raises(PermissionDenied):
            services.invitation_revoke(invitation=invitation, by=outsider_admin)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None

    def test_an_address_with_an_account_cannot_accept(self):
        coordinator = UserFactory(coordinator=True)
        _invitation, url = services.invitation_create(by=coordinator, email="n@example.org")
        UserFactory(email="n@example.org")
        with pytest.raises(services.InvitationInvalid) as caught:
            services.invitation_accept(token=token_from(url), data=accept_data())
        assert caught.value.status == 409

    def test_look_alike_display_name_is_refused_and_the_link_stays_usable(self):
        UserFactory(display_name="Nadia Hamid")
        coordinator = UserFactory(coordinator=True)
        invitation, url = services.invitation_create(by=coordinator, email="n@example.org")
        with pytest.raises(ValidationError):
            services.invitation_accept(token=token_from(url), data=accept_data())
        invitation.refresh_from_db()
        assert invitation.accepted_at is None
        services.invitation_accept(token=token_from(url), data=accept_data(display_name="Nadia H"))


# ----------------------------------------------------------------------------- organisations


@pytest.mark.django_db
class TestOrganisationUpdate:
    def data(self, organisation, **overrides):
        return {
            "name_ar": organisation.name_ar,
            "name_en": organisation.name_en,
            "kind": organisation.kind,
            "scope": organisation.scope,
            "country": organisation.country.code,
            "governorate": organisation.governorate,
            "city": organisation.city,
            "languages": ["ar"],
            "website": "",
            "description_ar": "",
            "description_en": "New text",
            "listed_publicly": True,
            "themes": [],
            **overrides,
        }

    def test_admin_updates_and_it_is_audited(self):
        admin = UserFactory()
        organisation = OrganisationFactory()
        MembershipFactory(user=admin, organisation=organisation, role=Role.ADMIN)
        services.organisation_update(
            organisation=organisation, by=admin, data=self.data(organisation, name_en="New Name")
        )
        organisation.refresh_from_db()
        assert organisation.name_en == "New Name"
        assert organisation.name_en_folded == "new name"
        event = AuditEvent.objects.get(action="org_changed")
        assert "name_en" in event.detail["fields"]

    def test_members_may_not_update(self):
        member = UserFactory()
        organisation = OrganisationFactory()
        MembershipFactory(user=member, organisation=organisation)
        with pytest.raises(PermissionDenied):
            services.organisation_update(
                organisation=organisation, by=member, data=self.data(organisation, name_en="X")
            )
        organisation.refresh_from_db()
        assert organisation.name_en != "X"

    def test_coordinators_update_any_organisation(self):
        organisation = OrganisationFactory()
        services.organisation_update(
            organisation=organisation,
            by=UserFactory(coordinator=True),
            data=self.data(organisation, city="Zubair"),
        )
        organisation.refresh_from_db()
        assert organisation.city == "Zubair"

    def test_look_alike_of_another_organisations_name_is_refused(self):
        OrganisationFactory(name_en="Basra Dockers", name_ar="عمال ميناء البصرة")
        organisation = OrganisationFactory()
        coordinator = UserFactory(coordinator=True)
        for field, value in (("name_en", "BASRA DOCKERS"), ("name_ar", "عمّال ميناء البصره")):
            with pytest.raises(ValidationError) as caught:
                services.organisation_update(
                    organisation=organisation,
                    by=coordinator,
                    data=self.data(organisation, **{field: value}),
                )
            assert field in caught.value.message_dict
        before = organisation.name_en
        organisation.refresh_from_db()
        assert organisation.name_en == before

    def test_international_organisation_loses_its_governorate(self):
        organisation = OrganisationFactory(governorate="basra")
        services.organisation_update(
            organisation=organisation,
            by=UserFactory(coordinator=True),
            data=self.data(organisation, scope="international", country="DE", governorate="basra"),
        )
        organisation.refresh_from_db()
        assert (organisation.country.code, organisation.governorate) == ("DE", "")


@pytest.mark.django_db
class TestMemberships:
    def test_admin_changes_a_role(self):
        organisation = OrganisationFactory()
        admin = MembershipFactory(organisation=organisation, role=Role.ADMIN).user
        membership = MembershipFactory(organisation=organisation)
        services.membership_set_role(membership=membership, by=admin, role=Role.ADMIN)
        membership.refresh_from_db()
        assert membership.role == Role.ADMIN
        assert AuditEvent.objects.filter(action="role_changed", subject=membership.user).exists()

    def test_the_last_admin_stays_unless_a_coordinator_decides(self):
        membership = MembershipFactory(role=Role.ADMIN)
        with pytest.raises(ValidationError):
            services.membership_set_role(membership=membership, by=membership.user, role="member")
        with pytest.raises(ValidationError):
            services.membership_remove(membership=membership, by=membership.user)
        assert OrganisationMembership.objects.filter(pk=membership.pk, role=Role.ADMIN).exists()
        services.membership_remove(membership=membership, by=UserFactory(coordinator=True))
        assert not OrganisationMembership.objects.filter(pk=membership.pk).exists()

    def test_members_cannot_manage_others_but_may_leave(self):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation, role=Role.ADMIN)
        mine = MembershipFactory(organisation=organisation)
        theirs = MembershipFactory(organisation=organisation)
        with pytest.raises(PermissionDenied):
            services.membership_set_role(membership=theirs, by=mine.user, role=Role.ADMIN)
        with pytest.raises(PermissionDenied):
            services.membership_remove(membership=theirs, by=mine.user)
        services.membership_remove(membership=mine, by=mine.user)
        assert list(
            OrganisationMembership.objects.filter(organisation=organisation, role="member")
        ) == [theirs]

    def test_unknown_role_is_refused(self):
        membership = MembershipFactory()
        with pytest.raises(ValidationError):
            services.membership_set_role(
                membership=membership, by=UserFactory(coordinator=True), role="owner"
            )
        membership.refresh_from_db()
        assert membership.role == Role.MEMBER
