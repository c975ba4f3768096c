"""Who may see and do what with campaigns: decided here and nowhere else.

Pages, search, notifications and the petitions app read through `campaigns_visible_to`.

- Everyone, anonymous visitors included, sees campaigns that have been published: open,
  closed, delivered, answered and archived ones.
- Drafts and campaigns in coalition review are seen by their proposer, the administrators of
  their lead organisations and the network's coordinators — "the editors".
- Editing (texts, organisations, targets, events, toolkit, linked posts): the editors, while the
  campaign is a draft or published and not archived; never during review (reviewers decide on
  what they read).
- Reviewing: coordinators and lead organisations' administrators, never the proposer of the
  campaign (someone else in the coalition decides). Only a coordinator's approval opens it.
- The later steps (closed, delivered, answered, archived): coordinators and lead
  organisations' administrators.
- What a campaign page shows of other things goes through those things' own selectors: toolkit
  documents (documents_visible_to), linked posts (posts_visible_to), organisations
  (organisations_visible_to). Targets' e-mail addresses are for the editors only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tadamun.accounts.selectors import viewer_is_coordinator, viewer_is_member
from tadamun.campaigns.models import Campaign
from tadamun.documents.selectors import documents_visible_to
from tadamun.organisations.models import Organisation, OrganisationMembership
from tadamun.organisations.selectors import organisations_administered_by, organisations_visible_to
from tadamun.social.selectors import posts_visible_to

S = Campaign.Status
PUBLISHED = (S.OPEN, S.CLOSED, S.DELIVERED, S.ANSWERED, S.ARCHIVED)
UNPUBLISHED = (S.DRAFT, S.REVIEW)
# Where a campaign may go next by campaign_set_status (review decisions are campaign_review's).
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    S.OPEN: (S.CLOSED,),
    S.CLOSED: (S.DELIVERED, S.ARCHIVED),
    S.DELIVERED: (S.ANSWERED, S.ARCHIVED),
    S.ANSWERED: (S.ARCHIVED,),
}
EDITABLE = (S.DRAFT, S.OPEN, S.CLOSED, S.DELIVERED, S.ANSWERED)
# Statuses in which news of the campaign may be published.
WITH_UPDATES = (S.OPEN, S.CLOSED, S.DELIVERED, S.ANSWERED)
# The petitions of a campaign that its page lists (tadamun.petitions' statuses).
PETITION_STATUSES = ("open", "closed", "delivered", "answered")
# The steps of the timeline on a campaign's page, in order.
STEPS = (S.DRAFT, S.REVIEW, S.OPEN, S.CLOSED, S.DELIVERED, S.ANSWERED, S.ARCHIVED)


def _admin_org_ids(viewer) -> QuerySet:
    return OrganisationMembership.objects.filter(
        user=viewer, role=OrganisationMembership.Role.ADMIN
    ).values("organisation_id")


def _led_by_admin_q(viewer) -> Q:
    """Campaigns one of whose lead organisations `viewer` administers (one subquery, no join
    that would repeat rows)."""
    leads = Campaign.lead_organisations.through.objects.filter(
        campaign_id=OuterRef("pk"), organisation_id__in=_admin_org_ids(viewer)
    )
    return Q(Exists(leads))


def campaigns_visible_to(viewer) -> QuerySet[Campaign]:
    """The campaigns `viewer` may see (see the module docstring)."""
    campaigns = Campaign.objects.all()
    if viewer_is_coordinator(viewer):
        return campaigns
    published = Q(status__in=PUBLISHED)
    if not viewer_is_member(viewer):
        return campaigns.filter(published)
    return campaigns.filter(published | Q(proposed_by=viewer) | _led_by_admin_q(viewer))


def published_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status__in=PUBLISHED)


def is_lead_admin(viewer, campaign: Campaign) -> bool:
    if not viewer_is_member(viewer):
        return False
    return campaign.lead_organisations.filter(pk__in=_admin_org_ids(viewer)).exists()


def is_editor(viewer, campaign: Campaign) -> bool:
    """The proposer, the lead organisations' administrators, the coordinators."""
    if not viewer_is_member(viewer):
        return False
    if viewer_is_coordinator(viewer) or campaign.proposed_by_id == viewer.pk:
        return True
    return is_lead_admin(viewer, campaign)


def can_propose(viewer) -> bool:
    """Coordinators, and members who administer an organisation (it will lead the campaign)."""
    if not viewer_is_member(viewer):
        return False
    return viewer_is_coordinator(viewer) or organisations_administered_by(viewer).exists()


def lead_choices_for(viewer) -> QuerySet[Organisation]:
    """The organisations `viewer` may name as leads or partners (one of the leads they must
    administer unless they are a coordinator): every organisation, for members."""
    if not viewer_is_member(viewer):
        return Organisation.objects.none()
    return Organisation.objects.order_by("name_en", "pk")


def can_edit(viewer, campaign: Campaign) -> bool:
    return campaign.status in EDITABLE and is_editor(viewer, campaign)


def can_submit(viewer, campaign: Campaign) -> bool:
    return campaign.status == S.DRAFT and is_editor(viewer, campaign)


def can_review(viewer, campaign: Campaign) -> bool:
    if campaign.status != S.REVIEW or not viewer_is_member(viewer):
        return False
    if campaign.proposed_by_id == viewer.pk:
        return False
    return viewer_is_coordinator(viewer) or is_lead_admin(viewer, campaign)


def can_change_status(viewer, campaign: Campaign) -> bool:
    if campaign.status not in NEXT_STATUSES or not viewer_is_member(viewer):
        return False
    return viewer_is_coordinator(viewer) or is_lead_admin(viewer, campaign)


def can_post_update(viewer, campaign: Campaign) -> bool:
    return campaign.status in WITH_UPDATES and is_editor(viewer, campaign)


def may_review_any(viewer) -> bool:
    """Whether the review queue is for `viewer` at all (coordinators, organisation admins)."""
    return can_propose(viewer)


def review_queue(viewer) -> QuerySet[Campaign]:
    """The campaigns waiting for `viewer`'s review, oldest first."""
    if not viewer_is_member(viewer):
        return Campaign.objects.none()
    waiting = Campaign.objects.filter(status=S.REVIEW).exclude(proposed_by=viewer)
    if not viewer_is_coordinator(viewer):
        waiting = waiting.filter(_led_by_admin_q(viewer))
    return waiting.order_by("updated", "pk")


def own_unpublished(viewer) -> QuerySet[Campaign]:
    """Drafts and proposals in review that `viewer` edits (shown above the public list)."""
    if not viewer_is_member(viewer):
        return Campaign.objects.none()
    mine = Q(proposed_by=viewer) | _led_by_admin_q(viewer)
    return Campaign.objects.filter(mine, status__in=UNPUBLISHED).order_by("-updated")


# ------------------------------------------------------------------ what a campaign page shows


def toolkit_for(viewer, campaign: Campaign) -> QuerySet:
    """The campaign's toolkit documents `viewer` may see (their own rule decides)."""
    return documents_visible_to(viewer).filter(campaigns=campaign).order_by("title", "pk")


def posts_for(viewer, campaign: Campaign) -> QuerySet:
    """The posts linked to the campaign that `viewer` may see (their own rule decides)."""
    return posts_visible_to(viewer).filter(campaigns=campaign).order_by("-created", "-pk")


def organisations_for(viewer, organisations: QuerySet) -> QuerySet[Organisation]:
    """Of `organisations` (a campaign's leads, partners, …), those `viewer` may see."""
    return organisations_visible_to(viewer).filter(pk__in=organisations.values("pk"))


def petitions_for(campaign: Campaign) -> list:
    """The campaign's published petitions, when the petitions app is installed."""
    petitions = getattr(campaign, "petitions", None)
    if petitions is None:
        return []
    return list(petitions.filter(status__in=PETITION_STATUSES).order_by("pk"))
