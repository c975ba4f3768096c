"""Who may see which organisations, people and memberships: decided here and nowhere else.

Pages, the home page's figures, e-mail and exports all read through these functions.
Hidden people (User.hide_membership) are seen only by coordinators and by themselves; counts
shown to anyone else leave them out.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from tadamun.accounts.selectors import active_member_q as _active_member_q
from tadamun.accounts.selectors import shown_people_q as _shown_people_q
from tadamun.accounts.selectors import viewer_is_coordinator as _is_coordinator
from tadamun.accounts.selectors import viewer_is_member as _is_member
from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
)

User = get_user_model()


def _organisations_seen_by(viewer) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if not _is_member(viewer):
        organisations = organisations.filter(listed_publicly=True)
    return organisations


def organisations_visible_to(viewer) -> QuerySet[Organisation]:
    """Members see every organisation; anyone else only the publicly listed ones. Each carries
    `member_count`: the members `viewer` may see."""
    organisations = _organisations_seen_by(viewer)
    if not _is_member(viewer):
        member_count = Count(
            "memberships",
            filter=_active_member_q("memberships__user__")
            & Q(memberships__user__hide_membership=False),
        )
    else:
        member_count = Count("memberships", filter=_shown_people_q(viewer, "memberships__user__"))
    # Meta.ordering does not apply to aggregated queries: order explicitly, by the reader's
    # language, for stable pages.
    order = ["name_ar", "name_en"] if (get_language() or "")[:2] == "ar" else ["name_en", "name_ar"]
    return organisations.annotate(member_count=member_count).order_by(*order, "pk")


def publicly_listed_organisations() -> QuerySet[Organisation]:
    """The public list: the same for everyone, signed in or not."""
    return organisations_visible_to(None)


def people_visible_to(viewer) -> QuerySet:
    if not _is_member(viewer):
        return User.objects.none()
    return User.objects.filter(_shown_people_q(viewer)).order_by("display_name", "pk")


def organisation_members_visible_to(organisation: Organisation, viewer) -> QuerySet:
    """Memberships of `organisation` that `viewer` may see (none for non-members)."""
    if not _is_member(viewer):
        return OrganisationMembership.objects.none()
    return (
        OrganisationMembership.objects.filter(organisation=organisation)
        .filter(_shown_people_q(viewer, "user__"))
        .select_related("user")
        .order_by("role", "user__display_name")
    )


def memberships_of_person_visible_to(person, viewer) -> QuerySet:
    """A person's organisations as `viewer` may see them (used on the person page)."""
    if not people_visible_to(viewer).filter(pk=person.pk).exists():
        return OrganisationMembership.objects.none()
    visible = _organisations_seen_by(viewer).values("pk")
    return (
        OrganisationMembership.objects.filter(user=person, organisation__in=visible)
        .select_related("organisation")
        .order_by("organisation__name_en")
    )


def administers_any_organisation(user) -> bool:
    """True when `user` is an administrator of at least one organisation (the accounts app
    requires a second factor for them)."""
    if user is None or not user.is_authenticated:
        return False
    return OrganisationMembership.objects.filter(
        user=user, role=OrganisationMembership.Role.ADMIN
    ).exists()


def can_administer(user, organisation: Organisation) -> bool:
    """Coordinators administer every organisation; an organisation's admins administer it."""
    if not _is_member(user):
        return False
    if user.is_network_coordinator:
        return True
    return OrganisationMembership.objects.filter(
        user=user, organisation=organisation, role=OrganisationMembership.Role.ADMIN
    ).exists()


def organisations_administered_by(user) -> QuerySet[Organisation]:
    if not _is_member(user):
        return Organisation.objects.none()
    if user.is_network_coordinator:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=OrganisationMembership.Role.ADMIN
    )


def may_invite(user) -> bool:
    return _is_coordinator(user) or (_is_member(user) and administers_any_organisation(user))


def invitations_visible_to(viewer) -> QuerySet[Invitation]:
    """Coordinators see all invitations; organisation admins those for their organisations."""
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if _is_coordinator(viewer):
        return invitations
    if not _is_member(viewer):
        return invitations.none()
    return invitations.filter(organisation__in=organisations_administered_by(viewer))


def applications_for_review(
    viewer, *, status: str | None = Application.Status.PENDING
) -> QuerySet[Application]:
    """Applications with `status` (all when None); coordinators only."""
    if not _is_coordinator(viewer):
        return Application.objects.none()
    applications = Application.objects.select_related("applicant", "decided_by").prefetch_related(
        "applicant__emailaddress_set"
    )
    return applications.filter(status=status) if status else applications


def network_stats(*, viewer) -> dict:
    """Figures for the home page, counted over what `viewer` may see."""
    organisations = _organisations_seen_by(viewer)
    return {
        "organisations": organisations.count(),
        "iraqi": organisations.filter(scope=Organisation.Scope.IRAQI).count(),
        "international": organisations.filter(scope=Organisation.Scope.INTERNATIONAL).count(),
        "governorates": organisations.exclude(governorate="")
        .values("governorate")
        .distinct()
        .count(),
    }
