"""The campaign's workflow and its rules, asked of the services directly."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tadamun.campaigns import selectors, services
from tadamun.campaigns.models import Campaign, CampaignReview
from tadamun.core.models import AuditEvent
from tadamun.notifications.models import Notification
from tadamun.organisations.models import Organisation

from .factories import (
    CampaignFactory,
    OrganisationFactory,
    UserFactory,
    complete_texts,
    org_admin,
)

pytestmark = pytest.mark.django_db
S = Campaign.Status


@pytest.fixture
def lead():
    return OrganisationFactory()


@pytest.fixture
def proposer(lead):
    return org_admin(lead)


@pytest.fixture
def coordinator():
    return UserFactory(coordinator=True)


def propose(by, leads, **texts):
    return services.campaign_propose(by=by, lead_organisations=leads, **texts)


def test_the_whole_workflow(lead, proposer, coordinator):
    lead_admin = org_admin(lead)
    campaign = propose(proposer, [lead], title_ar="حملة", summary_ar="ملخص", demands_ar="مطالب")
    assert campaign.status == S.DRAFT
    assert campaign.proposed_by == proposer
    assert campaign.slug == "campaign"
    # One language is not enough for the review.
    with pytest.raises(ValidationError) as error:
        services.campaign_submit_for_review(campaign=campaign, by=proposer)
    assert "English" in str(error.value)
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT

    services.campaign_update(
        campaign=campaign, by=proposer, lead_organisations=[lead], **complete_texts()
    )
    services.campaign_submit_for_review(campaign=campaign, by=proposer)
    campaign.refresh_from_db()
    assert campaign.status == S.REVIEW

    # A lead organisation's administrator's approval is recorded, it does not open it.
    services.campaign_review(campaign=campaign, by=lead_admin, decision="approve")
    campaign.refresh_from_db()
    assert campaign.status == S.REVIEW
    services.campaign_review(campaign=campaign, by=coordinator, decision="approve")
    campaign.refresh_from_db()
    assert campaign.status == S.OPEN
    assert campaign.opened_at is not None
    assert list(campaign.reviews.values_list("decision", flat=True)) == ["approve", "approve"]

    for status in (S.CLOSED, S.DELIVERED, S.ANSWERED, S.ARCHIVED):
        services.campaign_set_status(campaign=campaign, by=lead_admin, status=status)
        campaign.refresh_from_db()
        assert campaign.status == status
    assert campaign.closed_at is not None
    statuses = [
        (event.detail["old_status"], event.detail["new_status"])
        for event in AuditEvent.objects.filter(detail__campaign=campaign.pk).order_by("pk")
    ]
    assert statuses == [
        ("", "draft"),
        ("draft", "review"),
        ("review", "review"),
        ("review", "open"),
        ("open", "closed"),
        ("closed", "delivered"),
        ("delivered", "answered"),
        ("answered", "archived"),
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (S.OPEN, S.DELIVERED),
        (S.OPEN, S.ARCHIVED),
        (S.OPEN, S.OPEN),
        (S.CLOSED, S.OPEN),
        (S.DELIVERED, S.CLOSED),
        (S.ANSWERED, S.OPEN),
        (S.OPEN, "nonsense"),
    ],
)
def test_only_allowed_transitions(coordinator, start, target):
    campaign = CampaignFactory(status=start)
    with pytest.raises(ValidationError):
        services.campaign_set_status(campaign=campaign, by=coordinator, status=target)
    campaign.refresh_from_db()
    assert campaign.status == start


@pytest.mark.parametrize("start", [S.DRAFT, S.REVIEW, S.ARCHIVED])
def test_no_status_change_outside_the_later_steps(coordinator, start):
    campaign = CampaignFactory(status=start)
    with pytest.raises(PermissionDenied):
        services.campaign_set_status(campaign=campaign, by=coordinator, status=S.CLOSED)
    campaign.refresh_from_db()
    assert campaign.status == start


def test_a_coordinator_approval_needs_both_languages(coordinator):
    campaign = CampaignFactory(status=S.REVIEW, demands_en="")
    with pytest.raises(ValidationError):
        services.campaign_review(campaign=campaign, by=coordinator, decision="approve")
    campaign.refresh_from_db()
    assert campaign.status == S.REVIEW
    assert not campaign.reviews.exists()


def test_changes_send_it_back_and_rejection_archives_it_both_with_a_reason(coordinator):
    campaign = CampaignFactory(status=S.REVIEW)
    with pytest.raises(ValidationError) as error:
        services.campaign_review(campaign=campaign, by=coordinator, decision="changes")
    assert "comment" in error.value.message_dict
    services.campaign_review(
        campaign=campaign, by=coordinator, decision="changes", comment="Name the ministry."
    )
    campaign.refresh_from_db()
    assert campaign.status == S.DRAFT
    campaign.status = S.REVIEW
    campaign.save()
    services.campaign_review(
        campaign=campaign, by=coordinator, decision="reject", comment="Not for the coalition."
    )
    campaign.refresh_from_db()
    assert campaign.status == S.ARCHIVED
    assert campaign.opened_at is None


def test_reviewers(lead, proposer, coordinator):
    partner = OrganisationFactory()
    campaign = CampaignFactory(status=S.REVIEW, proposed_by=proposer, lead_organisations=[lead])
    campaign.partner_organisations.set([partner])
    assert not selectors.can_review(proposer, campaign)  # someone else decides
    assert not selectors.can_review(org_admin(partner), campaign)
    assert not selectors.can_review(UserFactory(), campaign)
    assert selectors.can_review(org_admin(lead), campaign)
    assert selectors.can_review(coordinator, campaign)
    with pytest.raises(PermissionDenied):
        services.campaign_review(campaign=campaign, by=proposer, decision="approve")
    own = CampaignFactory(status=S.REVIEW, proposed_by=coordinator)
    with pytest.raises(PermissionDenied):
        services.campaign_review(campaign=own, by=coordinator, decision="approve")
    assert not CampaignReview.objects.exists()


def test_a_decision_must_be_one_of_the_three(coordinator):
    campaign = CampaignFactory(status=S.REVIEW)
    with pytest.raises(ValidationError):
        services.campaign_review(campaign=campaign, by=coordinator, decision="open")
    campaign.refresh_from_db()
    assert campaign.status == S.REVIEW


def test_a_published_campaign_stays_in_both_languages(lead, proposer):
    campaign = CampaignFactory(status=S.OPEN, proposed_by=proposer, lead_organisations=[lead])
    texts = complete_texts()
    texts["summary_ar"] = ""
    with pytest.raises(ValidationError) as error:
        services.campaign_update(campaign=campaign, by=proposer, lead_organisations=[lead], **texts)
    assert "Arabic" in str(error.value)
    campaign.refresh_from_db()
    assert campaign.summary_ar == "ملخص."


def test_who_may_propose(lead, proposer, coordinator):
    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        propose(UserFactory(), [lead], **complete_texts())
    with pytest.raises(PermissionDenied):
        propose(UserFactory(applicant=True), [lead], **complete_texts())
    # An administrator must lead with an organisation of their own.
    with pytest.raises(ValidationError) as error:
        propose(proposer, [other], **complete_texts())
    assert "lead_organisations" in error.value.message_dict
    with pytest.raises(ValidationError):
        propose(proposer, [], **complete_texts())
    assert not Campaign.objects.exists()
    # A coordinator may propose for any organisation.
    assert propose(coordinator, [other], **complete_texts()).status == S.DRAFT


def test_the_issue_is_identified_by_iraqi_organisations(lead, proposer):
    abroad = OrganisationFactory(international=True)
    assert abroad.scope == Organisation.Scope.INTERNATIONAL
    with pytest.raises(ValidationError) as error:
        services.campaign_propose(
            by=proposer, lead_organisations=[lead], identified_by=[abroad], **complete_texts()
        )
    assert "identified_by" in error.value.message_dict
    campaign = services.campaign_propose(
        by=proposer,
        lead_organisations=[lead],
        identified_by=[lead],
        partner_organisations=[abroad, lead],
        **complete_texts(),
    )
    assert list(campaign.identified_by.all()) == [lead]
    # A lead is not also its own partner.
    assert list(campaign.partner_organisations.all()) == [abroad]


def test_slugs_are_unique_and_never_a_page_name(lead, proposer):
    first = propose(proposer, [lead], title_en="Free unions", title_ar="نقابات حرة")
    second = propose(proposer, [lead], title_en="Free unions!", title_ar="نقابات حرة")
    arabic_only = propose(proposer, [lead], title_ar="حملة عربية")
    review = propose(proposer, [lead], title_en="Review")
    assert (first.slug, second.slug) == ("free-unions", "free-unions-2")
    assert arabic_only.slug.startswith("campaign")
    assert review.slug == "review-campaign"


@pytest.mark.parametrize("field", ["title_ar", "title_en", "issue_ar", "issue_en"])
@pytest.mark.parametrize("hostile", ["Free\u202eunions", "Free\r\nBcc: x@evil.example"])
def test_single_line_fields_refuse_bidi_controls_and_line_breaks(lead, proposer, field, hostile):
    texts = complete_texts()
    texts[field] = hostile
    with pytest.raises(ValidationError) as error:
        propose(proposer, [lead], **texts)
    assert field in error.value.message_dict
    assert not Campaign.objects.exists()


def test_free_text_loses_overrides_and_control_characters(lead, proposer):
    texts = complete_texts()
    texts["demands_en"] = "Abolish\u202e it\x00 now\r\n"
    campaign = propose(proposer, [lead], **texts)
    assert campaign.demands_en == "Abolish it now"


def test_targets_events_updates(lead, proposer):
    import datetime

    campaign = CampaignFactory(status=S.OPEN, proposed_by=proposer, lead_organisations=[lead])
    target = services.target_add(
        campaign=campaign,
        by=proposer,
        name_ar="وزارة العمل",
        name_en="Ministry of Labour",
        email="minister@labour.example",
    )
    with pytest.raises(ValidationError):
        services.target_add(campaign=campaign, by=proposer, name_ar="وزارة", name_en="")
    with pytest.raises(ValidationError):
        services.target_add(
            campaign=campaign,
            by=proposer,
            name_ar="وزارة",
            name_en="Ministry",
            email="a@labour.example\r\nBcc: all@evil.example",
        )
    assert list(campaign.targets.all()) == [target]
    starts = datetime.datetime(2030, 5, 1, 10, tzinfo=datetime.UTC)
    event = services.event_add(
        campaign=campaign, by=proposer, title_ar="وقفة", title_en="Rally", starts_at=starts
    )
    with pytest.raises(ValidationError):
        services.event_add(
            campaign=campaign,
            by=proposer,
            title_ar="وقفة",
            title_en="Rally",
            starts_at=datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
        )
    update = services.update_publish(
        campaign=campaign,
        by=proposer,
        title_ar="خبر",
        title_en="News",
        body_ar="نص",
        body_en="Text",
    )
    with pytest.raises(ValidationError) as error:
        services.update_publish(
            campaign=campaign,
            by=proposer,
            title_ar="خبر",
            title_en="News",
            body_ar="نص",
            body_en="",
        )
    assert "body_en" in error.value.message_dict
    assert list(campaign.updates.all()) == [update]
    services.event_remove(event=event, by=proposer)
    services.target_remove(target=target, by=proposer)
    services.update_remove(update=update, by=proposer)
    assert not campaign.events.exists()
    assert not campaign.targets.exists()
    assert not campaign.updates.exists()


def test_no_updates_on_drafts_and_nothing_for_outsiders(lead, proposer):
    draft = CampaignFactory(status=S.DRAFT, proposed_by=proposer, lead_organisations=[lead])
    with pytest.raises(PermissionDenied):
        services.update_publish(
            campaign=draft, by=proposer, title_ar="خبر", title_en="News", body_ar="ن", body_en="T"
        )
    opened = CampaignFactory(status=S.OPEN, lead_organisations=[lead])
    with pytest.raises(PermissionDenied):
        services.target_add(campaign=opened, by=UserFactory(), name_ar="و", name_en="M")
    assert not opened.targets.exists()


def test_proposer_is_told_of_each_decision(coordinator, django_capture_on_commit_callbacks):
    proposer = UserFactory(member=True)
    campaign = CampaignFactory(status=S.REVIEW, proposed_by=proposer)
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_review(
            campaign=campaign, by=coordinator, decision="changes", comment="Add the ministry."
        )
    first = Notification.objects.get()
    assert first.recipient == proposer
    assert first.kind == "campaign_review"
    assert first.data == {"decision": "changes"}
    campaign.status = S.REVIEW
    campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_review(campaign=campaign, by=coordinator, decision="approve")
    # An unread notification about the same campaign is brought up to date, not repeated.
    notification = Notification.objects.get()
    assert notification.recipient == proposer
    assert notification.data == {"decision": "approve"}
    assert notification.occurrences == 2
