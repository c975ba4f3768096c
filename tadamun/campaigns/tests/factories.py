"""Campaigns for tests, made through the one real path (the services) where a test is about
behaviour, or straight as rows (`CampaignFactory`) for pages and visibility. People and
organisations come from the factories of their own apps."""

import factory

from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.models import Campaign, Target
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import MembershipFactory, OrganisationFactory

__all__ = [
    "CampaignFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "TargetFactory",
    "UserFactory",
    "complete_texts",
    "org_admin",
]


def complete_texts(mark: str = "") -> dict[str, str]:
    """Every bilingual field filled in, in both languages."""
    return {
        "title_ar": f"حملة من أجل الحرية النقابية {mark}".strip(),
        "title_en": f"A campaign for union freedom {mark}".strip(),
        "summary_ar": "ملخص الحملة.",
        "summary_en": "The campaign in short.",
        "demands_ar": "1. إلغاء القرار.\n2. قانون جديد.",
        "demands_en": "1. Abolish the resolution.\n2. A new law.",
        "background_ar": "خلفية **الحملة**.",
        "background_en": "The **campaign's** background.",
        "issue_ar": "حرمان العمال من التنظيم",
        "issue_en": "Workers denied the right to organise",
    }


def org_admin(organisation, **user_kwargs):
    """A member who administers `organisation`."""
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organisation=organisation, role=OrganisationMembership.Role.ADMIN)
    return user


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title_ar = factory.Sequence(lambda n: f"حملة رقم {n}")
    title_en = factory.Sequence(lambda n: f"Campaign number {n}")
    summary_ar = "ملخص."
    summary_en = "Summary."
    demands_ar = "مطالبنا."
    demands_en = "Our demands."
    status = Campaign.Status.OPEN

    @factory.post_generation
    def lead_organisations(obj, create, extracted, **kwargs):
        if create:
            obj.lead_organisations.set(extracted or [OrganisationFactory()])


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    campaign = factory.SubFactory(CampaignFactory)
    name_ar = "وزارة العمل"
    name_en = "Ministry of Labour"
    role_ar = "الوزير"
    role_en = "The minister"
    email = factory.Sequence(lambda n: f"minister{n}@labour.example")
