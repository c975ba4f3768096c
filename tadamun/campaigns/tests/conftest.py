import pytest
from django.utils import translation

from tadamun.campaigns.models import Campaign

from .factories import CampaignFactory, OrganisationFactory, UserFactory, org_admin


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english_urls():
    with translation.override("en"):
        yield


class World:
    """People in every role around three campaigns (a draft, one in review, one open), each
    led by two organisations (`lead`, administered by the proposer, and `lead_b`) with a
    partner organisation.

    Roles: anonymous, applicant, member (of the network, no organisation role), lead_admin
    (administers `lead_b`), partner_admin (administers the partner), proposer (proposed the
    campaigns and administers `lead`), coordinator."""

    ROLES = [
        "anonymous",
        "applicant",
        "member",
        "lead_admin",
        "partner_admin",
        "proposer",
        "coordinator",
    ]
    KINDS = ["draft", "review", "open"]

    def __init__(self):
        self.lead = OrganisationFactory()
        self.lead_b = OrganisationFactory()
        self.partner = OrganisationFactory(international=True)
        self.applicant = UserFactory(applicant=True)
        self.member = UserFactory()
        self.lead_admin = org_admin(self.lead_b)
        self.partner_admin = org_admin(self.partner)
        self.proposer = org_admin(self.lead)
        self.coordinator = UserFactory(coordinator=True)
        self.campaigns = {
            kind: self._campaign(kind, status)
            for kind, status in [
                ("draft", Campaign.Status.DRAFT),
                ("review", Campaign.Status.REVIEW),
                ("open", Campaign.Status.OPEN),
            ]
        }

    def _campaign(self, kind: str, status: str) -> Campaign:
        campaign = CampaignFactory(
            slug=f"the-{kind}-campaign",
            title_en=f"The {kind} campaign zq{kind}zq",
            status=status,
            proposed_by=self.proposer,
            lead_organisations=[self.lead, self.lead_b],
        )
        campaign.partner_organisations.set([self.partner])
        return campaign

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db):
    return World()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client
