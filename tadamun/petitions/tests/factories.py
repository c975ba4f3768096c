"""Petitions for tests, shared by the public and the back-office tests.

`PetitionFactory()` is an OPEN petition of an open campaign led by one organisation
(`petition.campaign.lead_organisations`); `PartnerFactory(petition=…)` gives a partner page;
`SignatureFactory(petition=…)` a PENDING online signature, `SignatureFactory(confirmed=True)`
a confirmed one that is also counted in the tallies (as the confirming service would), so that
`tally.counts()` agrees with the signatures. `count=False` leaves the tallies alone.
"""

import factory
from django.utils import timezone

from tadamun.campaigns.models import Campaign
from tadamun.organisations.tests.factories import OrganisationFactory
from tadamun.petitions.models import Partner, Petition, Signature
from tadamun.petitions.normalise import normalise_email
from tadamun.petitions.tally import forget, tally_add

__all__ = [
    "CampaignFactory",
    "OrganisationFactory",
    "PartnerFactory",
    "PetitionFactory",
    "SignatureFactory",
]


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title_en = factory.Sequence(lambda n: f"Clean water for Basra, part {n}")
    title_ar = factory.Sequence(lambda n: f"مياه نظيفة للبصرة، الجزء {n}")
    summary_en = "Water that is safe to drink."
    summary_ar = "مياه صالحة للشرب."
    demands_en = "Repair the treatment plants."
    demands_ar = "إصلاح محطات المعالجة."
    status = Campaign.Status.OPEN

    @factory.post_generation
    def lead(obj, create, extracted, **kwargs):
        """The lead organisation: `lead=organisation`, or a new one."""
        if create:
            obj.lead_organisations.add(extracted or OrganisationFactory())


class PetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Petition

    class Params:
        draft = factory.Trait(status=Petition.Status.DRAFT, opened_at=None)
        closed = factory.Trait(
            status=Petition.Status.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"petition-{n}")
    title_en = factory.Sequence(lambda n: f"Fix the water plants, petition {n}")
    title_ar = factory.Sequence(lambda n: f"أصلحوا محطات المياه، العريضة {n}")
    text_en = "We, the undersigned, ask the **Ministry** to repair the water plants."
    text_ar = "نحن الموقعين أدناه نطالب **الوزارة** بإصلاح محطات المياه."
    lead_consent_en = "Yes, the lead organisation may send me news about this campaign."
    lead_consent_ar = "نعم، يمكن للمنظمة القائدة أن ترسل لي أخبار هذه الحملة."
    goal = 100
    status = Petition.Status.OPEN
    opened_at = factory.LazyFunction(timezone.now)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    petition = factory.SubFactory(PetitionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"partner-{n}")
    consent_en = "Yes, this partner may send me news."
    consent_ar = "نعم، يمكن لهذا الشريك أن يرسل لي الأخبار."


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature
        skip_postgeneration_save = True

    class Params:
        confirmed = factory.Trait(
            state=Signature.State.CONFIRMED, confirmed_at=factory.LazyFunction(timezone.now)
        )

    petition = factory.SubFactory(PetitionFactory)
    name = factory.Sequence(lambda n: f"Signer Number {n}")
    show_name = True
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    email_normalised = factory.LazyAttribute(lambda o: normalise_email(o.email))
    country = "IQ"
    governorate = "basra"
    language = "en"
    state = Signature.State.PENDING

    @factory.post_generation
    def count(obj, create, extracted, **kwargs):
        """A confirmed signature is added to the tallies, as signature_confirm does;
        `count=False` leaves them alone."""
        if create and extracted is not False and obj.state == Signature.State.CONFIRMED:
            tally_add(
                petition_id=obj.petition_id,
                partner_id=obj.partner_id,
                country=str(obj.country),
                governorate=obj.governorate,
                source=obj.source,
            )
            forget(obj.petition_id)
