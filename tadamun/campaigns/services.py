"""Writes about campaigns: propose, edit, send for review, review, move through the later steps,
and the campaign's targets, events, updates, toolkit and linked posts.

Each function checks permission through campaigns.selectors and cleans what people typed,
whoever calls it (a view, the API, a command), and raises ValidationError with messages per
field. Status changes are written to the audit log.

The rule of the coalition: a campaign is published only in Arabic and English. It is sent for
review only when both languages are complete (Campaign.missing_languages), it opens only when a
coordinator approves it, and a published campaign cannot be edited back into one language.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tadamun.accounts.selectors import viewer_is_coordinator
from tadamun.campaigns import selectors
from tadamun.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignReview,
    CampaignUpdate,
    Target,
)
from tadamun.core.audit import audit
from tadamun.core.text import clean_text, has_bidi_controls
from tadamun.documents.models import Document
from tadamun.documents.selectors import documents_visible_to
from tadamun.organisations.models import Organisation, OrganisationMembership, Theme
from tadamun.social.models import Post
from tadamun.social.selectors import posts_visible_to

S = Campaign.Status
LANGUAGES = ("ar", "en")
# Characters each bilingual field may hold; single-line fields refuse line breaks and bidi
# controls (a title with U+202E would display reversed in lists and e-mail subjects).
TEXT_LIMITS = {
    "title": 200,
    "summary": 1_000,
    "demands": 20_000,
    "background": 50_000,
    "issue": 300,
}
SINGLE_LINE = ("title", "issue")
TARGET_LIMITS = {"name": 200, "role": 200}
EVENT_LIMITS = {"title": 200, "place": 200}
UPDATE_LIMITS = {"title": 200, "body": 20_000}
COMMENT_MAX = 5_000
SLUG_MAX = 70
# Words the campaigns' own pages use at the place of a slug (/campaigns/new/, …/review/).
RESERVED_SLUGS = {"new", "review"}
# The notification kind told to the proposer about review decisions (see the report to the
# lead: the kind is registered in tadamun/notifications/kinds.py; until it is, nobody is told).
REVIEW_NOTIFICATION = "campaign_review"

NOT_ALLOWED = _("You may not do this.")
BIDI_MESSAGE = _(
    "Remove the invisible characters that change the direction of text (such as U+202E)."
)
ONE_LINE_MESSAGE = _("Keep this on one line.")
LANGUAGE_NAMES = {"ar": _("Arabic"), "en": _("English")}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def _too_long(limit: int):
    return _("This is too long (%(limit)s characters at most).") % {"limit": limit}


def _single_line(value: str, field: str, limit: int, errors: dict) -> str:
    """A title or name: refused with bidi controls or line breaks ("\\r\\n" in a name could
    reach an e-mail header), then NFC and single spaces."""
    value = value or ""
    if has_bidi_controls(value):
        errors.setdefault(field, []).append(BIDI_MESSAGE)
    if "\n" in value or "\r" in value:
        errors.setdefault(field, []).append(ONE_LINE_MESSAGE)
    value = " ".join(clean_text(value).split())
    if len(value) > limit:
        errors.setdefault(field, []).append(_too_long(limit))
    return value


def _free_text(value: str, field: str, limit: int, errors: dict) -> str:
    value = clean_text(value or "")
    if len(value) > limit:
        errors.setdefault(field, []).append(_too_long(limit))
    return value


def _clean_bilingual(
    values: dict[str, str], limits: dict[str, int], single_line: Iterable[str], errors: dict
) -> dict[str, str]:
    """`values` keyed "<field>_<language>", cleaned; the problems added to `errors`."""
    single_line = set(single_line)
    cleaned = {}
    for field, limit in limits.items():
        for code in LANGUAGES:
            name = f"{field}_{code}"
            clean = _single_line if field in single_line else _free_text
            cleaned[name] = clean(values.get(name, ""), name, limit, errors)
    return cleaned


def _missing_message(languages: list[str]):
    if len(languages) == 2:
        return _(
            "Write the title, summary and demands in Arabic and in English: the coalition "
            "publishes campaigns only in both languages."
        )
    return _(
        "Write the title, summary and demands in %(language)s too: the coalition publishes "
        "campaigns only in both languages."
    ) % {"language": LANGUAGE_NAMES[languages[0]]}


def _ids(objects: Iterable) -> set[int]:
    return {getattr(obj, "pk", obj) for obj in objects or ()}


def _clean_organisations(
    *,
    by,
    lead_organisations: Iterable,
    partner_organisations: Iterable,
    identified_by: Iterable,
    themes: Iterable,
    errors: dict,
    must_administer_a_lead: bool,
) -> dict[str, list]:
    lead_ids = _ids(lead_organisations)
    partner_ids = _ids(partner_organisations) - lead_ids
    identified_ids = _ids(identified_by)
    leads = list(Organisation.objects.filter(pk__in=lead_ids))
    partners = list(Organisation.objects.filter(pk__in=partner_ids))
    identified = list(Organisation.objects.filter(pk__in=identified_ids))
    chosen_themes = list(Theme.objects.filter(pk__in=_ids(themes)))
    if not leads:
        errors.setdefault("lead_organisations", []).append(
            _("Choose at least one lead organisation.")
        )
    elif (
        must_administer_a_lead
        and not OrganisationMembership.objects.filter(
            user=by, organisation__in=leads, role=OrganisationMembership.Role.ADMIN
        ).exists()
    ):
        errors.setdefault("lead_organisations", []).append(
            _("One of the lead organisations must be one you administer.")
        )
    if any(org.scope != Organisation.Scope.IRAQI for org in identified):
        errors.setdefault("identified_by", []).append(
            _("The issue is identified by Iraqi organisations: choose Iraqi organisations only.")
        )
    if (
        len(leads) != len(lead_ids)
        or len(partners) != len(partner_ids)
        or len(identified) != len(identified_ids)
    ):
        errors.setdefault("lead_organisations", []).append(_("An organisation was not found."))
    return {
        "lead_organisations": leads,
        "partner_organisations": partners,
        "identified_by": identified,
        "themes": chosen_themes,
    }


def _unique_slug(title_en: str) -> str:
    base = slugify(title_en)[:SLUG_MAX].strip("-") or "campaign"
    if base in RESERVED_SLUGS:
        base = f"{base}-campaign"
    slug, number = base, 1
    while Campaign.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base[: SLUG_MAX - 6]}-{number}"
    return slug


def _set_relations(campaign: Campaign, relations: dict[str, list]) -> None:
    for name, objects in relations.items():
        getattr(campaign, name).set(objects)


def _audit_status(campaign: Campaign, *, by, old: str, action: str = "campaign_status") -> None:
    audit(
        action,
        actor=by,
        campaign=campaign.pk,
        slug=campaign.slug,
        old_status=old,
        new_status=campaign.status,
    )


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


# ------------------------------------------------------------------------------ the campaign


def _clean_input(
    *,
    by,
    typed: dict[str, str],
    lead_organisations,
    partner_organisations,
    identified_by,
    themes,
    must_administer_a_lead: bool,
) -> tuple[dict, dict, dict[str, list]]:
    """What propose and update both check: the bilingual texts (a title in one language at
    least) and the organisations. Returns (texts, relations, errors)."""
    errors: dict[str, list] = {}
    texts = _clean_bilingual(typed, TEXT_LIMITS, SINGLE_LINE, errors)
    if not (texts["title_ar"] or texts["title_en"]):
        errors.setdefault("title_ar", []).append(
            _("Give the campaign a title (in Arabic, in English, or both).")
        )
    relations = _clean_organisations(
        by=by,
        lead_organisations=lead_organisations,
        partner_organisations=partner_organisations,
        identified_by=identified_by,
        themes=themes,
        errors=errors,
        must_administer_a_lead=must_administer_a_lead,
    )
    return texts, relations, errors


# The texts a campaign is proposed and edited with, in both languages.
TEXT_FIELDS = tuple(
    f"{name}_{language}"
    for name in ("title", "summary", "demands", "background", "issue")
    for language in ("ar", "en")
)


def _typed_texts(arguments: dict) -> dict[str, str]:
    """The text arguments of campaign_propose/campaign_update, by field name."""
    return {name: arguments[name] for name in TEXT_FIELDS}


@transaction.atomic
def campaign_propose(
    *,
    by,
    lead_organisations: Iterable[Organisation],
    partner_organisations: Iterable[Organisation] = (),
    identified_by: Iterable[Organisation] = (),
    themes: Iterable[Theme] = (),
    title_ar: str = "",
    title_en: str = "",
    summary_ar: str = "",
    summary_en: str = "",
    demands_ar: str = "",
    demands_en: str = "",
    background_ar: str = "",
    background_en: str = "",
    issue_ar: str = "",
    issue_en: str = "",
) -> Campaign:
    """A new campaign, as a draft, by a member who administers one of its lead organisations
    (or a coordinator). One language is enough for a draft; both are needed for review."""
    _require(selectors.can_propose(by))
    texts, relations, errors = _clean_input(
        by=by,
        typed=_typed_texts(locals()),
        lead_organisations=lead_organisations,
        partner_organisations=partner_organisations,
        identified_by=identified_by,
        themes=themes,
        must_administer_a_lead=not viewer_is_coordinator(by),
    )
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        slug=_unique_slug(texts["title_en"]), proposed_by=by, status=S.DRAFT, **texts
    )
    _set_relations(campaign, relations)
    _audit_status(campaign, by=by, old="", action="campaign_proposed")
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    by,
    lead_organisations: Iterable[Organisation],
    partner_organisations: Iterable[Organisation] = (),
    identified_by: Iterable[Organisation] = (),
    themes: Iterable[Theme] = (),
    title_ar: str = "",
    title_en: str = "",
    summary_ar: str = "",
    summary_en: str = "",
    demands_ar: str = "",
    demands_en: str = "",
    background_ar: str = "",
    background_en: str = "",
    issue_ar: str = "",
    issue_en: str = "",
) -> Campaign:
    """Change the texts and organisations of a campaign. A published campaign stays complete
    in both languages; an editor who is neither a coordinator nor the proposer keeps at least
    one lead organisation they administer (they would lock themselves out otherwise)."""
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    texts, relations, errors = _clean_input(
        by=by,
        typed=_typed_texts(locals()),
        lead_organisations=lead_organisations,
        partner_organisations=partner_organisations,
        identified_by=identified_by,
        themes=themes,
        must_administer_a_lead=not viewer_is_coordinator(by) and campaign.proposed_by_id != by.pk,
    )
    for name, value in texts.items():
        setattr(campaign, name, value)
    if campaign.status in selectors.PUBLISHED and not errors:
        missing = campaign.missing_languages()
        if missing:
            errors.setdefault("__all__", []).append(_missing_message(missing))
    if errors:
        raise ValidationError(errors)
    campaign.save()
    _set_relations(campaign, relations)
    return campaign


@transaction.atomic
def campaign_submit_for_review(*, campaign: Campaign, by) -> Campaign:
    """Send a draft to the coalition's review: only when it is complete in both languages."""
    campaign = _locked(campaign)
    _require(selectors.can_submit(by, campaign))
    missing = campaign.missing_languages()
    if missing:
        raise ValidationError(_missing_message(missing))
    old = campaign.status
    campaign.status = S.REVIEW
    campaign.save(update_fields=["status", "updated"])
    _audit_status(campaign, by=by, old=old)
    return campaign


@transaction.atomic
def campaign_review(*, campaign: Campaign, by, decision: str, comment: str = "") -> CampaignReview:
    """A reviewer's decision. "approve" by a coordinator opens the campaign (both languages
    still required); a lead organisation's administrator's approval is recorded and waits for
    a coordinator's. "changes" sends it back to draft, "reject" archives it; both need a
    comment saying why. The proposer is told of the decision."""
    campaign = _locked(campaign)
    _require(selectors.can_review(by, campaign))
    errors: dict[str, list] = {}
    if decision not in CampaignReview.Decision.values:
        errors["decision"] = [_("Choose a decision.")]
    comment = _free_text(comment, "comment", COMMENT_MAX, errors)
    if decision in (CampaignReview.Decision.CHANGES, CampaignReview.Decision.REJECT) and not (
        comment
    ):
        errors.setdefault("comment", []).append(
            _("Say what should change, or why the campaign is not taken up.")
        )
    if decision == CampaignReview.Decision.APPROVE and viewer_is_coordinator(by):
        missing = campaign.missing_languages()
        if missing:
            errors.setdefault("__all__", []).append(_missing_message(missing))
    if errors:
        raise ValidationError(errors)
    review = CampaignReview.objects.create(
        campaign=campaign, reviewer=by, decision=decision, comment=comment
    )
    old = campaign.status
    if decision == CampaignReview.Decision.APPROVE and viewer_is_coordinator(by):
        campaign.status = S.OPEN
        campaign.opened_at = timezone.now()
    elif decision == CampaignReview.Decision.CHANGES:
        campaign.status = S.DRAFT
    elif decision == CampaignReview.Decision.REJECT:
        campaign.status = S.ARCHIVED
    if campaign.status != old:
        campaign.save(update_fields=["status", "opened_at", "updated"])
    audit(
        "campaign_review",
        actor=by,
        campaign=campaign.pk,
        slug=campaign.slug,
        decision=decision,
        old_status=old,
        new_status=campaign.status,
    )
    _tell_proposer(campaign, by=by, decision=decision)
    return review


def _tell_proposer(campaign: Campaign, *, by, decision: str) -> None:
    from tadamun.notifications import kinds
    from tadamun.notifications.services import notify

    if REVIEW_NOTIFICATION not in kinds.KINDS or campaign.proposed_by_id is None:
        return
    notify(
        recipients=[campaign.proposed_by_id],
        kind=REVIEW_NOTIFICATION,
        target=campaign,
        actor=by,
        data={"decision": decision},
    )


@transaction.atomic
def campaign_set_status(*, campaign: Campaign, by, status: str) -> Campaign:
    """The later steps: open → closed → delivered → answered → archived (a closed or delivered
    campaign may also be archived directly). Other moves are refused."""
    campaign = _locked(campaign)
    _require(selectors.can_change_status(by, campaign))
    allowed = selectors.NEXT_STATUSES.get(campaign.status, ())
    if status not in allowed:
        raise ValidationError(
            {"status": [_("A campaign cannot go from this step to the one chosen.")]}
        )
    old = campaign.status
    campaign.status = status
    if status == S.CLOSED:
        campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at", "updated"])
    _audit_status(campaign, by=by, old=old)
    return campaign


# ---------------------------------------------------------------------------------- targets


@transaction.atomic
def target_add(
    *,
    campaign: Campaign,
    by,
    name_ar: str,
    name_en: str,
    role_ar: str = "",
    role_en: str = "",
    email: str = "",
) -> Target:
    """A decision maker the campaign addresses, named in both languages. Their e-mail address
    (where petitions are delivered) is shown to the campaign's editors only."""
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    errors: dict[str, list] = {}
    values = {"name_ar": name_ar, "name_en": name_en, "role_ar": role_ar, "role_en": role_en}
    cleaned = _clean_bilingual(values, TARGET_LIMITS, TARGET_LIMITS, errors)
    for code in LANGUAGES:
        if not cleaned[f"name_{code}"] and f"name_{code}" not in errors:
            errors[f"name_{code}"] = [_("Name the decision maker in both languages.")]
    email = _clean_email(email, errors)
    if errors:
        raise ValidationError(errors)
    return Target.objects.create(campaign=campaign, email=email, **cleaned)


def _clean_email(email: str, errors: dict) -> str:
    email = (email or "").strip()
    if not email:
        return ""
    if has_bidi_controls(email) or any(ch in email for ch in "\r\n"):
        errors["email"] = [_("Enter a valid e-mail address.")]
        return ""
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
        return ""
    if len(email) > 254:
        errors["email"] = [_("Enter a valid e-mail address.")]
    return email


@transaction.atomic
def target_remove(*, target: Target, by) -> None:
    campaign = _locked(target.campaign)
    _require(selectors.can_edit(by, campaign))
    target.delete()


# ----------------------------------------------------------------------------------- events


@transaction.atomic
def event_add(
    *,
    campaign: Campaign,
    by,
    title_ar: str,
    title_en: str,
    starts_at: datetime.datetime,
    place_ar: str = "",
    place_en: str = "",
) -> CampaignEvent:
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    errors: dict[str, list] = {}
    values = {
        "title_ar": title_ar,
        "title_en": title_en,
        "place_ar": place_ar,
        "place_en": place_en,
    }
    cleaned = _clean_bilingual(values, EVENT_LIMITS, EVENT_LIMITS, errors)
    for code in LANGUAGES:
        if not cleaned[f"title_{code}"] and f"title_{code}" not in errors:
            errors[f"title_{code}"] = [_("Give the event a title in both languages.")]
    if not isinstance(starts_at, datetime.datetime):
        errors["starts_at"] = [_("Give the date and time the event starts.")]
    elif not (2000 <= starts_at.year <= 2100):
        errors["starts_at"] = [_("Give a date between the years 2000 and 2100.")]
    if errors:
        raise ValidationError(errors)
    return CampaignEvent.objects.create(campaign=campaign, starts_at=starts_at, **cleaned)


@transaction.atomic
def event_remove(*, event: CampaignEvent, by) -> None:
    campaign = _locked(event.campaign)
    _require(selectors.can_edit(by, campaign))
    event.delete()


# ---------------------------------------------------------------------------------- updates


@transaction.atomic
def update_publish(
    *, campaign: Campaign, by, title_ar: str, title_en: str, body_ar: str, body_en: str
) -> CampaignUpdate:
    """News of a published campaign, in both languages (an update exists in both or not at
    all)."""
    campaign = _locked(campaign)
    _require(selectors.can_post_update(by, campaign))
    errors: dict[str, list] = {}
    values = {"title_ar": title_ar, "title_en": title_en, "body_ar": body_ar, "body_en": body_en}
    cleaned = _clean_bilingual(values, UPDATE_LIMITS, ("title",), errors)
    for name in values:
        if not cleaned[name] and name not in errors:
            errors[name] = [_("Updates are published in Arabic and English: fill in both.")]
    if errors:
        raise ValidationError(errors)
    return CampaignUpdate.objects.create(campaign=campaign, author=by, **cleaned)


@transaction.atomic
def update_remove(*, update: CampaignUpdate, by) -> None:
    campaign = _locked(update.campaign)
    _require(selectors.can_edit(by, campaign))
    update.delete()


# ------------------------------------------------------------------- toolkit and linked posts


@transaction.atomic
def toolkit_link(*, campaign: Campaign, by, document: Document) -> None:
    """Add a document to the toolkit: one the editor may see (readers still see it only if
    they may, on the campaign's page too)."""
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    if not documents_visible_to(by).filter(pk=document.pk).exists():
        raise ValidationError({"document": [_("No document you may see has this address.")]})
    campaign.toolkit.add(document)


@transaction.atomic
def toolkit_unlink(*, campaign: Campaign, by, document: Document) -> None:
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    campaign.toolkit.remove(document)


@transaction.atomic
def post_link(*, campaign: Campaign, by, post: Post) -> None:
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    if not posts_visible_to(by).filter(pk=post.pk).exists():
        raise ValidationError({"post": [_("No post you may see has this address.")]})
    campaign.posts.add(post)


@transaction.atomic
def post_unlink(*, campaign: Campaign, by, post: Post) -> None:
    campaign = _locked(campaign)
    _require(selectors.can_edit(by, campaign))
    campaign.posts.remove(post)
