"""What personal data the site holds, for how long, and who sees it: the coordinators' privacy
report (`/privacy/report/`).

The list of kinds is written by hand — it is documentation — but it must name every model of
the project's apps: each is in one section, or in `NO_PERSONAL_DATA` with the reason. A test
(`privacy/tests/test_report.py`) fails when a new model appears in neither, so the report
cannot silently fall behind the schema. Counts are live (`.count()`); retention rules are read
from the settings that drive them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.models import DBTaskResult

from tadamun.accounts.models import SecurityPolicy, User, UserSession
from tadamun.api.models import ApiToken
from tadamun.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignReview,
    CampaignUpdate,
    Target,
)
from tadamun.core.models import AuditEvent, CaughtMail
from tadamun.core.templatetags.bidi import num
from tadamun.documents.models import Document, DocumentVersion
from tadamun.lists.models import (
    BounceEvent,
    Delivery,
    InboundMessage,
    MailingList,
    Subscription,
    ThreadMute,
)
from tadamun.lists.subscriptions import CONFIRM_MAX_AGE
from tadamun.messaging.models import Conversation, Message, Participant
from tadamun.moderation.models import ModerationDecision, Report
from tadamun.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from tadamun.organisations.models import (
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
    Theme,
)
from tadamun.petitions.anonymise import DEFAULT_DAYS as PETITION_DEFAULT_DAYS
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Partner,
    Petition,
    Signature,
    SignatureMail,
    SignerUpdate,
    Tally,
    TargetDelivery,
    UpdateDelivery,
)
from tadamun.search.models import SearchEntry
from tadamun.social import models as social
from tadamun.translations.models import Translation, TranslationRequest
from tadamun.workgroups import models as workgroups

# Models of the project that hold no personal data, and why (shown on the report too).
NO_PERSONAL_DATA: dict[type[models.Model], Promise] = {
    SecurityPolicy: _("the network's second-factor policy"),
    Theme: _("the themes the network works on"),
    Organisation: _("organisations' public profiles (not people)"),
    workgroups.Workgroup: _("workgroups' names and settings"),
    Petition: _("petition texts and dates"),
    Partner: _("partner organisations' petition pages"),
    Tally: _("signature counts by country and governorate, without names"),
    CampaignEvent: _("campaign events (title, place, date)"),
}


@dataclass
class Row:
    label: Promise
    count: int


@dataclass
class Section:
    key: str
    title: Promise
    fields: list[Promise]
    retention: list[str | Promise]
    who: list[Promise]
    models: list[type[models.Model]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def _days(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": num(days)}


def _count(model: type[models.Model], label: Promise) -> Row:
    return Row(label=label, count=model.objects.count())


UNTIL_DELETED = _("Kept until its author deletes it, or the account is deleted.")
UNTIL_ACCOUNT_DELETED = _("Kept until the account is deleted.")


def _optional_model(app_label: str, name: str) -> type[models.Model] | None:
    """A model of an app written alongside this one (None while that app is not installed)."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _sections() -> list[tuple[Section, list[tuple[type[models.Model], Promise]]]]:
    """Each section, with the models it covers and the row label for each model's count
    (models outside the project — allauth's, the sessions, the task results — are counted but
    not part of the coverage check)."""
    session_days = settings.SESSION_COOKIE_AGE // 86400
    petition_days = int(getattr(settings, "PETITION_ANONYMISE_AFTER_DAYS", PETITION_DEFAULT_DAYS))
    own_petition_days = Petition.objects.filter(anonymise_after_days__isnull=False).count()
    held_days = MailingList._meta.get_field("held_expiry_days").default
    return [
        (
            Section(
                key="accounts",
                title=_("Accounts and profiles"),
                fields=[
                    _("user name, e-mail addresses (and whether confirmed)"),
                    _("full name, display name, mention name, about me"),
                    _("status, roles (coordinator, translator), hide my membership"),
                    _("preferred language, date joined, last sign-in"),
                    _("password hash; second factors (secrets encrypted at rest)"),
                    _("notification choices (per kind, content-free e-mails)"),
                ],
                retention=[str(UNTIL_ACCOUNT_DELETED)],
                who=[
                    _("The person, on their profile and security pages."),
                    _(
                        "Members see the display name, mention name and about me — not when the "
                        "membership is hidden."
                    ),
                    _(
                        "Coordinators see everything but the password hash and second-factor "
                        "secrets."
                    ),
                ],
            ),
            [
                (User, _("people")),
                (EmailAddress, _("e-mail addresses")),
                (Authenticator, _("second factors")),
                (NotificationPreference, _("notification choices")),
                (NotificationSettings, _("notification settings")),
            ],
        ),
        (
            Section(
                key="applications",
                title=_("Applications and invitations"),
                fields=[
                    _("why they want to join, the organisation they apply for"),
                    _("the decision and its message"),
                    _("invited e-mail address, who invited, when accepted or revoked"),
                ],
                retention=[
                    str(UNTIL_ACCOUNT_DELETED),
                    _("An invitation link stops working after %(days)s; the row stays.")
                    % {"days": _days(settings.INVITATION_MAX_AGE_DAYS)},
                ],
                who=[
                    _("The applicant, on their status page."),
                    _("Coordinators; organisation administrators see their own invitations."),
                ],
            ),
            [(Application, _("applications")), (Invitation, _("invitations"))],
        ),
        (
            Section(
                key="organisation_memberships",
                title=_("Organisation memberships"),
                fields=[_("person, organisation, role (administrator or member), since when")],
                retention=[_("Kept until the membership ends or the account is deleted.")],
                who=[
                    _(
                        "Members, on the organisation's page — except hidden members, whom only "
                        "coordinators see."
                    ),
                ],
            ),
            [(OrganisationMembership, _("organisation memberships"))],
        ),
        (
            Section(
                key="workgroup_memberships",
                title=_("Workgroup memberships and list subscriptions"),
                fields=[
                    _("person, workgroup, role, status (member, asked, invited)"),
                    _("subscribed e-mail address, delivery mode, language, bounce score"),
                    _("muted threads; each copy of a list message sent to an address"),
                ],
                retention=[
                    _("Kept until the person leaves, unsubscribes, or the account is deleted."),
                    _(
                        "Subscriptions of outside addresses never confirmed are forgotten after "
                        "%(days)s."
                    )
                    % {"days": _days(CONFIRM_MAX_AGE.days)},
                    _("Delivery records are kept as long as the message they carried."),
                ],
                who=[
                    _("The workgroup's members see its members (not hidden ones)."),
                    _("Owners, moderators and coordinators see the subscriptions."),
                ],
            ),
            [
                (workgroups.WorkgroupMembership, _("workgroup memberships")),
                (Subscription, _("list subscriptions")),
                (MailingList, _("list settings (with always-allowed senders)")),
                (ThreadMute, _("muted threads")),
                (Delivery, _("list deliveries")),
                (BounceEvent, _("bounces")),
            ],
        ),
        (
            Section(
                key="posts",
                title=_("Posts and comments"),
                fields=[
                    _("author, text, language, when written and edited, audience"),
                    _("earlier versions of edited posts"),
                    _(
                        "workgroup discussions: sender name and e-mail address as the message "
                        "said, subject, text"
                    ),
                    _("reactions, mentions and follows"),
                ],
                retention=[
                    str(UNTIL_DELETED),
                    _(
                        "Workgroup posts stay when the account is deleted, with the sender's name "
                        "and e-mail address as the message gave them."
                    ),
                    _(
                        "Held workgroup posts are discarded after %(days)s by default (each list "
                        "sets its own), but the row stays."
                    )
                    % {"days": _days(held_days)},
                ],
                who=[
                    _("Whoever the post's audience allows (public, members, one workgroup)."),
                    _("Hidden posts: their author, moderators and coordinators."),
                ],
            ),
            [
                (social.Post, _("posts")),
                (social.PostRevision, _("earlier versions")),
                (social.Comment, _("comments")),
                (social.Reaction, _("reactions")),
                (social.Mention, _("mentions")),
                (social.Follow, _("follows")),
                (workgroups.Thread, _("workgroup threads")),
                (workgroups.Post, _("workgroup posts")),
            ],
        ),
        (
            Section(
                key="documents",
                title=_("Documents and uploaded media"),
                fields=[
                    _("title, description, who uploaded, when"),
                    _("the files (images re-encoded without EXIF or GPS position)"),
                    _("file names as uploaded"),
                ],
                retention=[
                    _("Kept until deleted; every version stays until the document is deleted."),
                    _("Documents stay when the uploader's account is deleted, without the name."),
                ],
                who=[_("Whoever may read the document, post or workgroup they belong to.")],
            ),
            [
                (Document, _("documents")),
                (DocumentVersion, _("document files")),
                (social.PostImage, _("post images")),
                (social.PostAttachment, _("post attachments")),
                (workgroups.Attachment, _("workgroup attachments")),
            ],
        ),
        (
            Section(
                key="messages",
                title=_("Private messages"),
                fields=[
                    _("participants, subject, text, when sent, read and left"),
                ],
                retention=[
                    _(
                        "Kept until deleted. When an account is deleted, its messages stay in "
                        "the conversations, without an author."
                    )
                ],
                who=[
                    _(
                        "Only the participants who have not left. Coordinators do not read them; "
                        "a report keeps its own excerpt."
                    ),
                ],
            ),
            [
                (Conversation, _("conversations")),
                (Participant, _("participants")),
                (Message, _("messages")),
            ],
        ),
        (
            Section(
                key="notifications",
                title=_("Notifications"),
                fields=[_("recipient, kind, who acted, what it is about, read or not")],
                retention=[
                    _("Kept until the account is deleted; they copy no text of what they point to.")
                ],
                who=[_("Only the recipient.")],
            ),
            [(Notification, _("notifications"))],
        ),
        (
            Section(
                key="inbound",
                title=_("List mail archive (inbound messages)"),
                fields=[
                    _("the raw message as received: sender address, headers, text, attachments")
                ],
                retention=[
                    _(
                        "The raw bytes and the envelope sender are erased %(days)s after arrival "
                        "once the message is handled; the post made from it stays."
                    )
                    % {"days": _days(settings.INBOUND_RAW_RETENTION_DAYS)},
                ],
                who=[
                    _(
                        "The workgroup's readers see the posts made from them; the raw bytes "
                        "only the site's administrators."
                    )
                ],
            ),
            [(InboundMessage, _("inbound messages"))],
        ),
        (
            Section(
                key="signatures",
                title=_("Petition signatures"),
                fields=[
                    _("name, e-mail address, country, governorate, organisation"),
                    _("consents (lead organisation, partner), language, when confirmed"),
                    _("mail to signers; scans of paper signature sheets"),
                ],
                retention=[
                    _(
                        "Names, e-mail addresses and organisations are erased %(days)s after the "
                        "petition closes; country, governorate and counts stay."
                    )
                    % {"days": _days(petition_days)},
                    ngettext(
                        "%(count)s petition sets its own period.",
                        "%(count)s petitions set their own period.",
                        own_petition_days,
                    )
                    % {"count": num(own_petition_days)},
                ],
                who=[
                    _("The public sees the names of those who chose to show them."),
                    _(
                        "The petition's office (lead organisation, coordinators) sees the rest; "
                        "partners see their own signers who consented."
                    ),
                ],
            ),
            [
                (Signature, _("signatures")),
                (SignatureMail, _("mail to signers")),
                (SignerUpdate, _("updates to signers")),
                (UpdateDelivery, _("update deliveries")),
                (PaperBatch, _("paper batches")),
                (Invalidation, _("voided sets")),
            ],
        ),
        (
            Section(
                key="campaigns",
                title=_("Campaigns"),
                fields=[
                    _("who proposed and reviewed a campaign, and the review comments"),
                    _("decision makers' names, roles and official e-mail addresses"),
                ],
                retention=[_("Kept until the campaign is deleted.")],
                who=[
                    _("Reviews: coordinators and the lead organisations' administrators."),
                    _("Decision makers' e-mail addresses are never shown on public pages."),
                ],
            ),
            [
                (Campaign, _("campaigns")),
                (CampaignReview, _("reviews")),
                (CampaignUpdate, _("campaign updates")),
                (Target, _("decision makers")),
                (TargetDelivery, _("deliveries to decision makers")),
            ],
        ),
        (
            Section(
                key="moderation",
                title=_("Reports and moderation"),
                fields=[
                    _("who reported, why, a note, an excerpt of the item"),
                    _("who decided, what and why"),
                ],
                retention=[_("Kept until the item's workgroup or the item's kind is deleted.")],
                who=[
                    _(
                        "The workgroup's moderators and coordinators — never the item's authors, "
                        "who do not learn who reported."
                    ),
                ],
            ),
            [(Report, _("reports")), (ModerationDecision, _("moderation decisions"))],
        ),
        (
            Section(
                key="translations",
                title=_("Translations"),
                fields=[_("the translated text, who translated it, who asked for it")],
                retention=[_("Kept as long as the item they translate.")],
                who=[_("Whoever may read the item; the queue: translators and coordinators.")],
            ),
            [
                (Translation, _("translations")),
                (TranslationRequest, _("translation requests")),
            ],
        ),
        (
            Section(
                key="lockdowns",
                title=_("Lockdowns"),
                fields=[
                    _("which workgroup or the whole site, why, who started and lifted it, when")
                ],
                retention=[_("Kept as the history of lockdowns until deleted.")],
                who=[_("Coordinators.")],
            ),
            [
                (model, _("lockdowns"))
                for model in [_optional_model("lockdown", "Lockdown")]
                if model is not None
            ],
        ),
        (
            Section(
                key="audit",
                title=_("Audit log"),
                fields=[
                    _("event, when, who acted, whom it concerned, details (never an IP address)"),
                ],
                retention=[
                    _(
                        "Kept until deleted; when an account is deleted its events stay, "
                        "without the person."
                    )
                ],
                who=[_("Coordinators.")],
            ),
            [(AuditEvent, _("audit events"))],
        ),
        (
            Section(
                key="sessions",
                title=_("Sessions"),
                fields=[
                    _(
                        'session data; for each signed-in browser a summary ("Firefox on '
                        'Android"), when signed in and last seen — never an IP address'
                    ),
                    _(
                        "API tokens: a name, a fingerprint of the secret (never the secret), "
                        "when made, the day last used, when revoked — never an IP address"
                    ),
                ],
                retention=[
                    _("A session ends %(days)s after sign-in, or at sign-out.")
                    % {"days": _days(session_days)},
                    _("Ended sessions are removed by the hourly clean-up."),
                ],
                who=[_("The person, on their security page.")],
            ),
            [
                (Session, _("sessions")),
                (UserSession, _("signed-in browsers")),
                (ApiToken, _("API tokens")),
            ],
        ),
        (
            Section(
                key="caught_mail",
                title=_("Caught development mail"),
                fields=[_("every e-mail the site would have sent: recipients, subject, text")],
                retention=[
                    _("Only when no mail server is configured (development)."),
                    _("Removed %(days)s after it was caught.")
                    % {"days": _days(settings.CAUGHT_MAIL_RETENTION_DAYS)},
                ],
                who=[_("Coordinators, at /dev/mail/.")],
            ),
            [(CaughtMail, _("caught e-mails"))],
        ),
        (
            Section(
                key="tasks",
                title=_("Task results"),
                fields=[_("background jobs: their arguments (record numbers), state, errors")],
                retention=[
                    _("Removed %(days)s after the job finished.")
                    % {"days": _days(settings.TASK_RESULT_RETENTION_DAYS)},
                ],
                who=[_("The site's administrators.")],
            ),
            [(DBTaskResult, _("task results"))],
        ),
        (
            Section(
                key="search",
                title=_("Search index"),
                fields=[_("a copy of the searchable text of posts, documents and discussions")],
                retention=[_("Removed with the item it indexes.")],
                who=[_("Results are filtered by the same rules as the items themselves.")],
            ),
            [(SearchEntry, _("index entries"))],
        ),
    ]


def covered_models() -> set[type[models.Model]]:
    """The project's models that a section of the report describes."""
    return {model for _section, rows in _sections() for model, _label in rows}


def privacy_report() -> list[Section]:
    """The report's sections with live counts, in the active language."""
    sections = []
    for section, rows in _sections():
        section.models = [model for model, _label in rows]
        section.rows = [_count(model, label) for model, label in rows]
        sections.append(section)
    return sections


def no_personal_data() -> list[tuple[str, Promise]]:
    return [
        (str(model._meta.verbose_name_plural), reason) for model, reason in NO_PERSONAL_DATA.items()
    ]
