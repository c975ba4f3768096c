"""The world of the people-and-organising authorization grid (test_grid_people.py).

One person in every role around one organisation (`org`, listed publicly), another
organisation (`other_org`, not listed), a partner organisation, three workgroups, three
campaigns (draft, review, open), a petition with signers, an application, an invitation, a
report, two translation requests and a lockdown of one workgroup. Every private thing
carries a marker (ASCII for search and CSV, with Arabic beside it for the pages) that the grid
looks for.

Roles (ROLES): anonymous, applicant (their own application pending; the application under
test is somebody else's), member (plain member of `org`), org_admin (administers `org`, which
leads the campaigns and the petition), other_org_admin (administers `other_org` only),
moderator (moderates workgroup `wg`), translator, coordinator, other_member (member of
workgroup `wg2` only), partner_admin (administers the petition's partner organisation).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tadamun.accounts.tests.factories import UserFactory
from tadamun.campaigns.models import Campaign, Target
from tadamun.campaigns.tests.factories import CampaignFactory
from tadamun.lockdown import services as lockdown_services
from tadamun.moderation import services as moderation
from tadamun.organisations import services as organisations
from tadamun.organisations.models import OrganisationMembership
from tadamun.organisations.tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tadamun.petitions import office
from tadamun.petitions.models import PaperBatch
from tadamun.petitions.tests.factories import PartnerFactory, PetitionFactory, SignatureFactory
from tadamun.social.models import Post
from tadamun.social.tests.factories import make_post
from tadamun.translations import services as translations
from tadamun.workgroups.models import Workgroup, WorkgroupMembership
from tadamun.workgroups.tests.factories import MembershipFactory as WorkgroupMembershipFactory
from tadamun.workgroups.tests.factories import WorkgroupFactory

ADMIN = OrganisationMembership.Role.ADMIN
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ROLES = (
    "anonymous",
    "applicant",
    "member",
    "org_admin",
    "other_org_admin",
    "moderator",
    "translator",
    "coordinator",
    "other_member",
    "partner_admin",
)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
MEMBERS = SIGNED_IN - {"applicant"}
EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
COORDINATOR = frozenset({"coordinator"})
ORG_STAFF = frozenset({"org_admin", "coordinator"})  # the organisation's admin, coordinators
ADMINISTRATORS = frozenset({"org_admin", "other_org_admin", "partner_admin", "coordinator"})


# Markers: one ASCII token (found by search, compared in CSV and ZIP files) per secret.
class M:
    HIDDEN_NAME = "zqhiddennamezq"
    HIDDEN_LEGAL = "zqhiddenlegalzq"
    HIDDEN_MAIL = "zqhiddenmailzq"
    HIDDEN_BIO = "zqhiddenbiozq"
    VISIBLE_NAME = "zqvisiblenamezq"
    VISIBLE_LEGAL = "zqvisiblelegalzq"
    VISIBLE_MAIL = "zqvisiblemailzq"
    VISIBLE_BIO = "zqvisiblebiozq"
    APPLICANT_NAME = "zqapplicantnamezq"
    APPLICANT_LEGAL = "zqapplicantlegalzq"
    APPLICANT_MAIL = "zqapplicantmailzq"
    APPLICANT_MOTIVATION = "zqmotivationzq"
    INVITEE_MAIL = "zqinviteemailzq"
    OTHER_ORG = "zqunlistedorgzq"
    ORG = "zqlistedorgzq"
    DRAFT = "zqcampdraftzq"
    REVIEW = "zqcampreviewzq"
    OPEN = "zqcampopenzq"
    TARGET_MAIL = "zqtargetmailzq"
    SIGNER_HIDDEN_NAME = "zqsignerhiddennamezq"
    SIGNER_PRIVATE_MAIL = "zqsignerprivatemailzq"
    SIGNER_PUBLIC_NAME = "zqsignerpublicnamezq"
    SIGNER_CONSENT_MAIL = "zqsignerconsentmailzq"
    PAPER_MAIL = "zqpapermailzq"
    REPORT_NOTE = "zqreportnotezq"
    QUEUE_PUBLIC = "zqqueuepubliczq"
    QUEUE_CLOSED = "zqqueueclosedzq"
    LOCKDOWN_REASON = "zqlockdownreasonzq"


class World:
    def __init__(self):
        self.org = OrganisationFactory(
            listed_publicly=True, name_en=f"Basra Workers {M.ORG}", name_ar="عمال البصرة المتحدون"
        )
        self.other_org = OrganisationFactory(
            listed_publicly=False,
            name_en=f"Erbil Collective {M.OTHER_ORG}",
            name_ar="تجمع أربيل السري",
            governorate="erbil",
        )
        self.partner_org = OrganisationFactory(international=True)
        self.coordinator = UserFactory(coordinator=True, display_name="Coordinator Noor")
        # The applicant in role: their own application is pending; the one under test (below)
        # is somebody else's.
        self.applicant = UserFactory(applicant=True)
        ApplicationFactory(applicant=self.applicant)
        self.member = UserFactory()
        self.org_admin = UserFactory()
        self.other_org_admin = UserFactory()
        self.partner_admin = UserFactory()
        self.moderator = UserFactory()
        self.translator = UserFactory(translator=True)
        self.other_member = UserFactory()
        self.proposer = UserFactory()  # proposed the campaigns; administers `org` too
        self.reporter = UserFactory()
        self.author = UserFactory()

        self.hidden = UserFactory(
            hidden=True,
            display_name=f"Dove {M.HIDDEN_NAME} حمامة",
            legal_name=f"Legal {M.HIDDEN_LEGAL} اسم",
            email=f"{M.HIDDEN_MAIL}@example.org",
            bio=f"About {M.HIDDEN_BIO}",
        )
        self.visible = UserFactory(
            display_name=f"Falcon {M.VISIBLE_NAME} صقر",
            legal_name=f"Real {M.VISIBLE_LEGAL} حقيقي",
            email=f"{M.VISIBLE_MAIL}@example.org",
            bio=f"About {M.VISIBLE_BIO} نبذة",
        )
        MembershipFactory(user=self.org_admin, organisation=self.org, role=ADMIN)
        MembershipFactory(user=self.proposer, organisation=self.org, role=ADMIN)
        MembershipFactory(user=self.member, organisation=self.org)
        self.visible_membership = MembershipFactory(user=self.visible, organisation=self.org)
        self.hidden_membership = MembershipFactory(user=self.hidden, organisation=self.org)
        MembershipFactory(user=self.other_org_admin, organisation=self.other_org, role=ADMIN)
        MembershipFactory(user=self.partner_admin, organisation=self.partner_org, role=ADMIN)

        # The application under test, and an invitation to `org`.
        self.application = ApplicationFactory(
            applicant=UserFactory(
                applicant=True,
                display_name=f"Sparrow {M.APPLICANT_NAME} عصفور",
                legal_name=f"Applicant {M.APPLICANT_LEGAL} مقدم",
                email=f"{M.APPLICANT_MAIL}@example.org",
            ),
            motivation=f"I want to help {M.APPLICANT_MOTIVATION} أريد المساعدة",
        )
        self.invitation, _link = organisations.invitation_create(
            by=self.org_admin, email=f"{M.INVITEE_MAIL}@example.org", organisation=self.org
        )

        # Workgroups: `wg` (open; moderated by moderator), `wg2` (closed; other_member),
        # `wg3` (locked down).
        self.wg = WorkgroupFactory()
        self.wg2 = WorkgroupFactory(closed=True)
        self.wg3 = WorkgroupFactory()
        Role = WorkgroupMembership.Role
        WorkgroupMembershipFactory(workgroup=self.wg, user=self.moderator, role=Role.MODERATOR)
        WorkgroupMembershipFactory(workgroup=self.wg, user=self.author, role=Role.OWNER)
        WorkgroupMembershipFactory(workgroup=self.wg, user=self.reporter)
        WorkgroupMembershipFactory(workgroup=self.wg2, user=self.other_member)
        WorkgroupMembershipFactory(workgroup=self.wg2, user=self.author, role=Role.OWNER)

        # A report on a post of `wg`, with the reporter's note.
        self.reported = make_post(
            self.author,
            body="A post in the workgroup",
            audience=Post.Audience.WORKGROUP,
            audience_workgroup=self.wg,
        )
        self.report = moderation.report_create(
            reporter=self.reporter,
            obj=self.reported,
            reason="harassment",
            note=f"Look {M.REPORT_NOTE} انظر",
        )
        # Translation requests: a public post, and a post of the closed workgroup `wg2`.
        self.public_post = make_post(
            self.author,
            body=f"A public statement about solidarity {M.QUEUE_PUBLIC}",
            audience=Post.Audience.PUBLIC,
            language="en",
        )
        self.closed_post = make_post(
            self.author,
            body=f"A closed workgroup text about water {M.QUEUE_CLOSED}",
            audience=Post.Audience.WORKGROUP,
            audience_workgroup=self.wg2,
            language="en",
        )
        self.public_request = translations.translation_request(
            obj=self.public_post, target_language="ar", by=self.author
        )
        self.closed_request = translations.translation_request(
            obj=self.closed_post, target_language="ar", by=self.author
        )
        # A lockdown of wg3 (nobody in the roles belongs to it), in force: its reason is
        # "seen only by coordinators".
        self.active_lockdown = lockdown_services.lockdown_start(
            by=self.coordinator, workgroup=self.wg3, reason=f"Threat {M.LOCKDOWN_REASON}"
        )

        # Campaigns led by `org`, with the partner organisation.
        self.campaigns = {
            kind: self._campaign(kind, status, marker)
            for kind, status, marker in [
                ("draft", Campaign.Status.DRAFT, M.DRAFT),
                ("review", Campaign.Status.REVIEW, M.REVIEW),
                ("open", Campaign.Status.OPEN, M.OPEN),
            ]
        }
        self.target = Target.objects.create(
            campaign=self.campaigns["open"],
            name_en="Ministry of Labour",
            name_ar="وزارة العمل",
            email=f"{M.TARGET_MAIL}@example.org",
        )

        # The petition of the open campaign, its partner page and its signers.
        self.petition = PetitionFactory(campaign=self.campaigns["open"])
        self.partner = PartnerFactory(petition=self.petition, organisation=self.partner_org)
        self.private_signer = SignatureFactory(
            petition=self.petition,
            confirmed=True,
            partner=self.partner,
            name=f"Quiet {M.SIGNER_HIDDEN_NAME} هادئ",
            show_name=False,
            email=f"{M.SIGNER_PRIVATE_MAIL}@example.org",
            consent_partner=False,
            consent_lead=False,
        )
        self.public_signer = SignatureFactory(
            petition=self.petition,
            confirmed=True,
            partner=self.partner,
            name=f"Open {M.SIGNER_PUBLIC_NAME} علني",
            show_name=True,
            email=f"{M.SIGNER_CONSENT_MAIL}@example.org",
            consent_partner=True,
            consent_lead=True,
        )
        self.update = office.update_create(
            petition=self.petition,
            by=self.proposer,
            subject_ar="خبر",
            subject_en="News",
            body_ar="نص",
            body_en="Text",
        )
        self.names_batch = office.paper_batch_create(
            petition=self.petition, by=self.proposer, note="names"
        )
        office.paper_signature_add(
            batch=self.names_batch,
            by=self.proposer,
            name="Paper signer",
            email=f"{M.PAPER_MAIL}@example.org",
            country="IQ",
        )
        self.evidence_batch = self._counted_batch()

    def _campaign(self, kind: str, status: str, marker: str) -> Campaign:
        campaign = CampaignFactory(
            slug=f"grid-{kind}-campaign",
            title_en=f"The {kind} campaign {marker}",
            title_ar=f"حملة {kind} {marker}",
            status=status,
            proposed_by=self.proposer,
            lead_organisations=[self.org],
        )
        campaign.partner_organisations.set([self.partner_org])
        return campaign

    def _counted_batch(self) -> PaperBatch:
        """A counted total with its scan, entered through the office as staff would."""
        client = Client()
        client.force_login(self.proposer)
        response = client.post(
            reverse("petitions:office_paper", args=[self.petition.slug]),
            {
                "kind": "counted",
                "counted": "12",
                "country": "IQ",
                "evidence": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
            },
        )
        assert response.status_code == 302, response.content[:2000]
        batch = PaperBatch.objects.exclude(pk=self.names_batch.pk).get(petition=self.petition)
        assert batch.evidence
        return batch

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)

    def workgroups(self) -> list[Workgroup]:
        return [self.wg, self.wg2, self.wg3]
