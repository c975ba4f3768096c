"""The public pages of a petition: no account needed, light enough for a slow phone, no
JavaScript. Forms POST → redirect → GET.

Whatever happened to a signature (new, already pending, already confirmed), the signer is sent
to the same "check your e-mail" page, so that a stranger typing someone's address learns
nothing; the mailbox's owner is told by e-mail.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods

from tadamun.core.markdown import render_markdown
from tadamun.petitions import office_selectors, protection, selectors, services
from tadamun.petitions.charts import signing_chart
from tadamun.petitions.forms import SignForm
from tadamun.petitions.models import Partner, Petition
from tadamun.petitions.normalise import email_domain

logger = logging.getLogger(__name__)

NAMES_PER_PAGE = 100
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")


def _language() -> str:
    return (get_language() or "ar")[:2]


def _map_svg(by_governorate: dict[str, int]):
    """The Iraq map drawn by petitions.maps (another module; absent until it exists). The
    table beside it carries the same numbers, so a map that fails only leaves the table."""
    try:
        from tadamun.petitions.maps import iraq_map
    except ImportError:
        return None
    try:
        return iraq_map(by_governorate, title=_("Signatures by governorate"))
    except Exception:
        logger.exception("the governorate map could not be drawn")
        return None


def _campaign_url(petition: Petition) -> str:
    try:
        return petition.campaign.get_absolute_url()
    except NoReverseMatch:  # the campaigns app's pages are not there yet
        return ""


def petition_list(request):
    petitions = list(selectors.petitions_open())
    rows = [(petition, selectors.petition_progress(petition)) for petition in petitions]
    return render(request, "petitions/public/list.html", {"rows": rows})


def _sign_page(request, petition: Petition, partner: Partner | None):
    """The petition's page (or a partner's page for it) with the signing form."""
    form = None
    status = 200
    refusal = None
    if petition.status == Petition.Status.OPEN:
        if request.method == "POST":
            form = SignForm(request.POST, petition=petition, partner=partner)
            if form.is_valid():
                try:
                    protection.check_rate_limits(
                        client=protection.ClientKeys.of(request),
                        domain=email_domain(form.cleaned_data["email"]),
                    )
                    services.petition_sign(
                        petition=petition,
                        partner=partner,
                        data=form.signature_data(),
                        language=_language(),
                    )
                except protection.Refused as refused:
                    refusal, status = refused.message, refused.status
                except services.SigningClosed:
                    return redirect(request.path)
                else:
                    return redirect("petitions:check_email", petition.slug)
            else:
                status = 400
        else:
            form = SignForm(petition=petition, partner=partner)
    elif request.method == "POST":
        refusal, status = services.SigningClosed.message, 403
    progress = selectors.petition_progress(petition, partner=partner)
    context = {
        "petition": petition,
        "campaign_url": _campaign_url(petition),
        "partner": partner,
        "form": form,
        "form_stamp": protection.form_stamp(),
        "refusal": refusal,
        "progress": progress,
        "text": render_markdown(petition.text_in("text")),
        "response": render_markdown(petition.text_in("response"))
        if petition.text_in("response")
        else "",
        "map_svg": _map_svg(progress.by_governorate_codes),
        "chart_svg": signing_chart(petition),
        "office_url": _office_url(request.user, petition, partner),
    }
    if partner is not None:
        widget_path = reverse("petitions:partner_widget", args=[petition.slug, partner.slug])
        context["partner_url"] = settings.SITE_URL + partner.get_absolute_url()
    else:
        widget_path = reverse("petitions:widget", args=[petition.slug])
    context["widget_url"] = settings.SITE_URL + widget_path
    return render(request, "petitions/public/petition.html", context, status=status)


def _office_url(user, petition: Petition, partner: Partner | None) -> str:
    """The back office of this petition (or of this partner's page), for those who run it."""
    if not user.is_authenticated:
        return ""
    if office_selectors.is_petition_staff(user, petition):
        return reverse("petitions:office", args=[petition.slug])
    if partner is not None and partner in office_selectors.partners_administered_by(user, petition):
        return reverse("petitions:office_partner", args=[petition.slug, partner.slug])
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
def petition_detail(request, slug: str):
    petition = selectors.public_petition(slug)
    return _sign_page(request, petition, None)


@require_http_methods(["GET", "HEAD", "POST"])
def partner_page(request, slug: str, partner_slug: str):
    petition = selectors.public_petition(slug)
    partner = selectors.public_partner(petition, partner_slug)
    return _sign_page(request, petition, partner)


@require_GET
def check_email(request, slug: str):
    petition = selectors.public_petition(slug)
    return render(request, "petitions/public/check_email.html", {"petition": petition})


def _invalid_link(request, petition: Petition) -> HttpResponse:
    return render(request, "petitions/public/invalid_link.html", {"petition": petition}, status=404)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, slug: str, token: str):
    """GET shows a button (mail scanners that open links must not confirm); POST confirms."""
    petition = selectors.public_petition(slug)
    if not TOKEN_SHAPE.fullmatch(token):
        return _invalid_link(request, petition)
    if request.method == "POST":
        try:
            outcome = services.signature_confirm(petition=petition, token=token)
        except services.InvalidToken:
            return _invalid_link(request, petition)
        except services.SigningClosed:
            return render(
                request, "petitions/public/closed.html", {"petition": petition}, status=403
            )
        if outcome == services.Confirmation.ALREADY:
            messages.info(request, _("Your signature was already confirmed. Thank you!"))
        return redirect("petitions:confirmed", petition.slug)
    try:
        signature = services.signature_for_token(petition=petition, token=token)
    except services.InvalidToken:
        return _invalid_link(request, petition)
    if signature.state == signature.State.CONFIRMED:
        messages.info(request, _("Your signature was already confirmed. Thank you!"))
        return redirect("petitions:confirmed", petition.slug)
    if petition.status != Petition.Status.OPEN:
        return render(request, "petitions/public/closed.html", {"petition": petition}, status=403)
    return render(request, "petitions/public/confirm.html", {"petition": petition})


@require_GET
def confirmed(request, slug: str):
    petition = selectors.public_petition(slug)
    return render(
        request,
        "petitions/public/confirmed.html",
        {
            "petition": petition,
            # Fresh: the signer must see their signature counted.
            "progress": selectors.petition_progress(petition, fresh=True),
            "share_url": settings.SITE_URL + petition.get_absolute_url(),
        },
    )


@require_GET
def names(request, slug: str):
    petition = selectors.public_petition(slug)
    page = Paginator(selectors.public_names(petition), NAMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "petitions/public/names.html",
        {"petition": petition, "page": page, "progress": selectors.petition_progress(petition)},
    )


# The widget is made to be shown in other sites' pages: it alone may be framed by anyone.
WIDGET_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}


@require_GET
@xframe_options_exempt
@csp_override(WIDGET_CSP)
@cache_control(public=True, max_age=60)
def widget(request, slug: str, partner_slug: str | None = None):
    petition = selectors.public_petition(slug)
    partner = selectors.public_partner(petition, partner_slug) if partner_slug else None
    target = partner.get_absolute_url() if partner else petition.get_absolute_url()
    return render(
        request,
        "petitions/public/widget.html",
        {
            "petition": petition,
            "partner": partner,
            "progress": selectors.petition_progress(petition),
            "sign_url": settings.SITE_URL + target,
        },
    )
