"""Thin views: authorise through campaigns.selectors, validate a form, call one service, then
render or redirect (POST → redirect → GET).

A campaign `viewer` may not see (a draft, one in review) answers 404 everywhere, so that its
existence is not revealed; a visible campaign where the action is not allowed answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tadamun.campaigns import selectors, services
from tadamun.campaigns.forms import (
    CampaignForm,
    EventForm,
    FilterForm,
    LinkForm,
    ReviewForm,
    StatusForm,
    TargetForm,
    UpdateForm,
)
from tadamun.campaigns.models import Campaign, CampaignEvent, CampaignUpdate, Target
from tadamun.core.markdown import plain_text, render_markdown
from tadamun.core.permissions import member_required
from tadamun.core.templatetags.bidi import pick
from tadamun.documents.models import Document
from tadamun.documents.selectors import documents_visible_to
from tadamun.social.models import Post
from tadamun.social.selectors import posts_visible_to
from tadamun.translations.selectors import localize_many

PER_PAGE = 20
S = Campaign.Status
# Shown when the list is not filtered by status: what is going on, not the archive.
CURRENT = (S.OPEN, S.CLOSED, S.DELIVERED, S.ANSWERED)


def _language() -> str:
    return (get_language() or "ar")[:2]


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _visible(request, slug: str) -> Campaign:
    return get_object_or_404(selectors.campaigns_visible_to(request.user), slug=slug)


def _editable(request, slug: str) -> Campaign:
    campaign = _visible(request, slug)
    if not selectors.can_edit(request.user, campaign):
        raise PermissionDenied
    return campaign


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --------------------------------------------------------------------------------- the list


def campaign_list(request):
    viewer = request.user
    form = FilterForm(request.GET)
    campaigns = selectors.campaigns_visible_to(viewer).filter(status__in=selectors.PUBLISHED)
    page, status = None, 200
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            campaigns = campaigns.filter(status=data["status"])
        else:
            campaigns = campaigns.filter(status__in=CURRENT)
        if data["theme"]:
            campaigns = campaigns.filter(themes=data["theme"])
        campaigns = campaigns.order_by("-opened_at", "-created", "-pk").prefetch_related("themes")
        page = Paginator(campaigns, PER_PAGE).get_page(data.get("page") or 1)
    else:
        status = 400
    return render(
        request,
        "campaigns/list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "filtered": any(request.GET.get(name) for name in ("status", "theme")),
            "own": list(selectors.own_unpublished(viewer)[:20]),
            "may_propose": selectors.can_propose(viewer),
            "waiting": selectors.review_queue(viewer).count(),
        },
        status=status,
    )


# ------------------------------------------------------------------------------- a campaign


def _shown_text(campaign: Campaign, field: str, language: str) -> tuple[str, str]:
    """(text, its language): the reader's language; for a draft or a campaign in review, the
    other language when that one is still empty (published campaigns exist in both)."""
    text = getattr(campaign, f"{field}_{language}")
    if text or campaign.status in selectors.PUBLISHED:
        return text, language
    other = "en" if language == "ar" else "ar"
    return getattr(campaign, f"{field}_{other}"), other


def _timeline(campaign: Campaign) -> list[dict]:
    steps = list(selectors.STEPS)
    if campaign.status == S.ARCHIVED and campaign.opened_at is None:
        steps = [S.DRAFT, S.REVIEW, S.ARCHIVED]  # not taken up by the coalition
    current = steps.index(campaign.status)
    dates = {S.OPEN: campaign.opened_at, S.CLOSED: campaign.closed_at}
    return [
        {
            "status": step,
            "label": S(step).label,
            "state": "done" if index < current else "current" if index == current else "next",
            "date": dates.get(step) if index <= current else None,
        }
        for index, step in enumerate(steps)
    ]


def _petitions(campaign: Campaign) -> list[dict]:
    shown = []
    for petition in selectors.petitions_for(campaign):
        try:
            url = petition.get_absolute_url()
        except (AttributeError, NoReverseMatch):
            url = ""
        shown.append(
            {"title": pick(petition, "title"), "url": url, "status": petition.get_status_display()}
        )
    return shown


def _linked(items, language: str, title_field: str, body_field: str) -> list[dict]:
    linked = []
    for loc in localize_many(list(items), language):
        title = loc.text.get(title_field) or plain_text(loc.text.get(body_field, ""), limit=120)
        linked.append({"obj": loc.obj, "title": title, "language": loc.shown_language})
    return linked


def campaign_detail(request, slug: str):
    campaign = _visible(request, slug)
    viewer = request.user
    language = _language()
    texts = {}
    for field in Campaign.BILINGUAL_FIELDS:
        text, shown_in = _shown_text(campaign, field, language)
        texts[field] = {"text": text, "language": shown_in}
    for field in ("demands", "background"):
        texts[field]["html"] = render_markdown(texts[field]["text"])
    editor = selectors.is_editor(viewer, campaign)
    updates = [
        {
            "update": update,
            "title": pick(update, "title"),
            "html": render_markdown(pick(update, "body")),
        }
        for update in campaign.updates.all()
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "texts": texts,
            "timeline": _timeline(campaign),
            "is_published": campaign.status in selectors.PUBLISHED,
            "leads": selectors.organisations_for(viewer, campaign.lead_organisations.all()),
            "partners": selectors.organisations_for(viewer, campaign.partner_organisations.all()),
            "identified_by": selectors.organisations_for(viewer, campaign.identified_by.all()),
            "themes": campaign.themes.all(),
            "targets": campaign.targets.all(),
            "show_target_emails": editor,
            "events": campaign.events.all(),
            "updates": updates,
            "toolkit": _linked(
                selectors.toolkit_for(viewer, campaign), language, "title", "description"
            ),
            "posts": _linked(selectors.posts_for(viewer, campaign), language, "title", "body"),
            "petitions": _petitions(campaign),
            "is_editor": editor,
            "missing": campaign.missing_languages() if editor else [],
            "reviews": campaign.reviews.select_related("reviewer") if editor else [],
            "may_edit": selectors.can_edit(viewer, campaign),
            "may_submit": selectors.can_submit(viewer, campaign),
            "may_review": selectors.can_review(viewer, campaign),
            "may_post_update": selectors.can_post_update(viewer, campaign),
            "status_form": StatusForm(campaign=campaign)
            if selectors.can_change_status(viewer, campaign)
            else None,
        },
    )


# ------------------------------------------------------------------- propose, edit, submit


def _campaign_form(request, *, campaign: Campaign | None):
    viewer = request.user
    organisations = selectors.lead_choices_for(viewer)
    if request.method == "POST":
        form = CampaignForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                if campaign is None:
                    campaign = services.campaign_propose(by=viewer, **form.cleaned_data)
                    messages.success(
                        request,
                        _(
                            "The campaign was saved as a draft. When both languages are "
                            "complete, send it to the coalition's review."
                        ),
                    )
                else:
                    services.campaign_update(campaign=campaign, by=viewer, **form.cleaned_data)
                    messages.success(request, _("The campaign was saved."))
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                return redirect(campaign)
    else:
        initial = CampaignForm.initial_for(campaign) if campaign is not None else {}
        form = CampaignForm(initial=initial, organisations=organisations)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@member_required
def propose(request):
    if not selectors.can_propose(request.user):
        raise PermissionDenied
    return _campaign_form(request, campaign=None)


@member_required
def edit(request, slug: str):
    return _campaign_form(request, campaign=_editable(request, slug))


@member_required
@require_POST
def submit(request, slug: str):
    campaign = _visible(request, slug)
    if not selectors.can_submit(request.user, campaign):
        raise PermissionDenied
    try:
        services.campaign_submit_for_review(campaign=campaign, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The campaign was sent to the coalition's review."))
    return redirect(campaign)


# --------------------------------------------------------------------------------- review


@member_required
def review_queue(request):
    if not selectors.may_review_any(request.user):
        raise PermissionDenied
    waiting = selectors.review_queue(request.user).prefetch_related("lead_organisations")
    return render(request, "campaigns/review_queue.html", {"campaigns": waiting})


@member_required
def review(request, slug: str):
    campaign = _visible(request, slug)
    if not selectors.can_review(request.user, campaign):
        raise PermissionDenied
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                done = services.campaign_review(
                    campaign=campaign, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _review_message(done.campaign, done.decision))
                return redirect(campaign)
    else:
        form = ReviewForm()
    return render(
        request,
        "campaigns/review.html",
        {
            "campaign": campaign,
            "form": form,
            "reviews": campaign.reviews.select_related("reviewer"),
            "languages": [
                {
                    "code": code,
                    "title": getattr(campaign, f"title_{code}"),
                    "summary": getattr(campaign, f"summary_{code}"),
                    "issue": getattr(campaign, f"issue_{code}"),
                    "demands": render_markdown(getattr(campaign, f"demands_{code}")),
                    "background": render_markdown(getattr(campaign, f"background_{code}")),
                }
                for code in ("ar", "en")
            ],
        },
        status=400 if form.errors else 200,
    )


def _review_message(campaign: Campaign, decision: str) -> str:
    if campaign.status == S.OPEN:
        return _("The campaign is approved and now open.")
    if campaign.status == S.DRAFT:
        return _("The campaign went back to its proposer for changes.")
    if campaign.status == S.ARCHIVED:
        return _("The campaign was rejected and archived.")
    return _("Your approval was recorded; a coordinator's approval opens the campaign.")


@member_required
@require_POST
def change_status(request, slug: str):
    campaign = _visible(request, slug)
    if not selectors.can_change_status(request.user, campaign):
        raise PermissionDenied
    form = StatusForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            services.campaign_set_status(
                campaign=campaign, by=request.user, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The campaign's status was changed."))
    else:
        messages.error(request, _("Choose one of the next steps offered."))
    return redirect(campaign)


# ------------------------------------------------------------- targets, events, updates


def _add_page(request, campaign, *, form_class, service, template, success, extra=None):
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(campaign=campaign, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, success)
                return redirect(request.path)
    else:
        form = form_class()
    return render(
        request,
        template,
        {"campaign": campaign, "form": form, **(extra or {})},
        status=400 if form.errors else 200,
    )


@member_required
def targets(request, slug: str):
    campaign = _editable(request, slug)
    return _add_page(
        request,
        campaign,
        form_class=TargetForm,
        service=services.target_add,
        template="campaigns/targets.html",
        success=_("The decision maker was added."),
        extra={"targets": campaign.targets.all()},
    )


@member_required
@require_POST
def target_remove(request, slug: str, pk: int):
    campaign = _editable(request, slug)
    target = get_object_or_404(Target, campaign=campaign, pk=pk)
    services.target_remove(target=target, by=request.user)
    messages.success(request, _("The decision maker was removed."))
    return redirect("campaigns:targets", campaign.slug)


@member_required
def events(request, slug: str):
    campaign = _editable(request, slug)
    return _add_page(
        request,
        campaign,
        form_class=EventForm,
        service=services.event_add,
        template="campaigns/events.html",
        success=_("The event was added."),
        extra={"events": campaign.events.all()},
    )


@member_required
@require_POST
def event_remove(request, slug: str, pk: int):
    campaign = _editable(request, slug)
    event = get_object_or_404(CampaignEvent, campaign=campaign, pk=pk)
    services.event_remove(event=event, by=request.user)
    messages.success(request, _("The event was removed."))
    return redirect("campaigns:events", campaign.slug)


@member_required
def update_new(request, slug: str):
    campaign = _visible(request, slug)
    if not selectors.can_post_update(request.user, campaign):
        raise PermissionDenied
    if request.method == "POST":
        form = UpdateForm(request.POST)
        if form.is_valid():
            try:
                services.update_publish(campaign=campaign, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("The update was published."))
                return redirect(campaign)
    else:
        form = UpdateForm()
    return render(
        request,
        "campaigns/update_form.html",
        {"campaign": campaign, "form": form},
        status=400 if form.errors else 200,
    )


@member_required
@require_POST
def update_remove(request, slug: str, pk: int):
    campaign = _editable(request, slug)
    update = get_object_or_404(CampaignUpdate, campaign=campaign, pk=pk)
    services.update_remove(update=update, by=request.user)
    messages.success(request, _("The update was removed."))
    return redirect(campaign)


# ------------------------------------------------------------------ toolkit and linked posts


def _links_page(request, campaign, *, document_form=None, post_form=None, status=200):
    language = _language()
    return render(
        request,
        "campaigns/links.html",
        {
            "campaign": campaign,
            "document_form": document_form or LinkForm(url_name="documents:detail"),
            "post_form": post_form or LinkForm(url_name="social:post"),
            "toolkit": _linked(
                selectors.toolkit_for(request.user, campaign), language, "title", "description"
            ),
            "posts": _linked(
                selectors.posts_for(request.user, campaign), language, "title", "body"
            ),
        },
        status=status,
    )


@member_required
def links(request, slug: str):
    return _links_page(request, _editable(request, slug))


def _link(request, slug: str, *, kind: str):
    campaign = _editable(request, slug)
    url_name = "documents:detail" if kind == "document" else "social:post"
    form = LinkForm(request.POST, url_name=url_name)
    if form.is_valid():
        pk = form.cleaned_data["address"]
        try:
            if kind == "document":
                document = Document.objects.filter(pk=pk).first()
                if document is None:
                    raise ValidationError(
                        {"document": [_("No document you may see has this address.")]}
                    )
                services.toolkit_link(campaign=campaign, by=request.user, document=document)
            else:
                post = Post.objects.filter(pk=pk).first()
                if post is None:
                    raise ValidationError({"post": [_("No post you may see has this address.")]})
                services.post_link(campaign=campaign, by=request.user, post=post)
        except ValidationError as error:
            form.add_error("address", error.messages)
        else:
            messages.success(request, _("The link was added."))
            return redirect("campaigns:links", campaign.slug)
    forms = {"document_form": form} if kind == "document" else {"post_form": form}
    return _links_page(request, campaign, status=400, **forms)


@member_required
@require_POST
def link_document(request, slug: str):
    return _link(request, slug, kind="document")


@member_required
@require_POST
def link_post(request, slug: str):
    return _link(request, slug, kind="post")


@member_required
@require_POST
def unlink_document(request, slug: str, pk: int):
    campaign = _editable(request, slug)
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    services.toolkit_unlink(campaign=campaign, by=request.user, document=document)
    messages.success(request, _("The document was taken out of the toolkit."))
    return redirect("campaigns:links", campaign.slug)


@member_required
@require_POST
def unlink_post(request, slug: str, pk: int):
    campaign = _editable(request, slug)
    post = get_object_or_404(posts_visible_to(request.user), pk=pk)
    services.post_unlink(campaign=campaign, by=request.user, post=post)
    messages.success(request, _("The post is no longer linked."))
    return redirect("campaigns:links", campaign.slug)
