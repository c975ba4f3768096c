"""The back office of a petition, at /petitions/<slug>/office/: thin views that authorise
through petitions.office_selectors, validate a form, call one service of petitions.office and
redirect (POST → redirect → GET).

Petition staff (coordinators, admins of the campaign's lead organisations) use every page; a
partner's admins reach only their partner page. Anyone else who is a member gets 403 (404 for
a draft, whose existence is not public); visitors are sent to sign in, applicants to their
status page. Forbidden POSTs change nothing.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tadamun.core.charts import bar_chart
from tadamun.core.markdown import render_markdown
from tadamun.core.permissions import member_required
from tadamun.core.templatetags.bidi import ldate, num
from tadamun.core.uploads import download_response, extension_of
from tadamun.petitions import anonymise, delivery, exports, office
from tadamun.petitions import office_selectors as selectors
from tadamun.petitions.forms_office import (
    ExportForm,
    InvalidationForm,
    OptionalReasonForm,
    PaperBatchForm,
    PaperSignatureForm,
    ReasonForm,
    ResponseForm,
    StatusForm,
    UpdateForm,
)
from tadamun.petitions.models import (
    Invalidation,
    PaperBatch,
    Partner,
    Petition,
    Signature,
    SignerUpdate,
)
from tadamun.petitions.tally import counts

PREVIEW_SAMPLE = 20


# ------------------------------------------------------------------------------ helpers


def _petition(slug: str) -> Petition:
    return get_object_or_404(Petition.objects.select_related("campaign"), slug=slug)


def _staff_petition(request, slug: str) -> Petition:
    petition = _petition(slug)
    if not selectors.is_petition_staff(request.user, petition):
        if petition.status == Petition.Status.DRAFT:
            raise Http404
        raise PermissionDenied
    return petition


def _office_url(petition: Petition, name: str = "office", *args) -> str:
    return reverse(f"petitions:{name}", args=[petition.slug, *args])


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _message_errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _context(request, petition: Petition, **extra) -> dict:
    return {
        "petition": petition,
        "is_coordinator": selectors.may_approve_updates(request.user),
        **extra,
    }


def _pdf_module():
    """petitions.pdf (written by another part of the app); None while it does not exist."""
    try:
        from tadamun.petitions import pdf
    except ImportError:
        return None
    return pdf


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------- dashboard


def _rate_chart(petition: Petition):
    rate = selectors.signing_rate(petition)
    points = [
        (
            num(timezone.localtime(hour).hour),
            ldate(hour, "short"),
            number,
        )
        for hour, number in rate
    ]
    chart = bar_chart(
        points,
        title=_("Confirmed signatures per hour, last 24 hours"),
        chart_id="signing-rate",
        value_text=num,
    )
    last_hour = rate[-1][1] if rate else 0
    return chart, last_hour, sum(number for _hour, number in rate)


@member_required
@require_GET
def dashboard(request, slug: str):
    petition = _staff_petition(request, slug)
    figures = counts(petition, fresh=True)
    partners = list(petition.partners.select_related("organisation"))
    chart, last_hour, last_day = _rate_chart(petition)
    latest = selectors.latest_signatures(petition)
    for signature in latest:
        signature.masked_email = selectors.mask_email(signature.email)
    context = _context(
        request,
        petition,
        figures=figures,
        states=selectors.state_counts(petition),
        partner_rows=[(partner, figures.by_partner.get(partner.pk, 0)) for partner in partners],
        rate_chart=chart,
        last_hour=last_hour,
        last_day=last_day,
        latest=latest,
        status_form=StatusForm(petition=petition),
        waiting_updates=SignerUpdate.objects.filter(
            petition=petition, status=SignerUpdate.Status.DRAFT
        ).count(),
        anonymise_at=anonymise.anonymise_due_at(petition),
        sheet_available=_pdf_module() is not None,
    )
    return render(request, "petitions/office/dashboard.html", context)


@member_required
@require_POST
def status(request, slug: str):
    petition = _staff_petition(request, slug)
    form = StatusForm(request.POST, petition=petition)
    if not form.is_valid():
        messages.error(request, _("This status change is not possible."))
        return redirect(_office_url(petition))
    try:
        petition = office.petition_set_status(
            petition=petition, status=form.cleaned_data["status"], by=request.user
        )
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(
            request,
            _("The petition is now: %(status)s.") % {"status": petition.get_status_display()},
        )
    return redirect(_office_url(petition))


@member_required
@require_GET
def preview(request, slug: str):
    """The petition as signers will see it (drafts included), in both languages."""
    petition = _staff_petition(request, slug)
    versions = []
    for code in ("ar", "en"):
        versions.append(
            {
                "code": code,
                "dir": "rtl" if code == "ar" else "ltr",
                "title": getattr(petition, f"title_{code}"),
                "text": render_markdown(getattr(petition, f"text_{code}")),
                "consent": getattr(petition, f"lead_consent_{code}"),
            }
        )
    return render(
        request, "petitions/office/preview.html", _context(request, petition, versions=versions)
    )


# ------------------------------------------------------------------------ invalidation

CRITERIA_FIELDS = ("domain", "since", "until", "partner", "ids")


def _previewable_criteria(form: InvalidationForm) -> dict:
    """The criteria, when every one of them was read correctly (a criterion with an error
    left out would widen the selection)."""
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return {}
    if any(name in form.errors for name in CRITERIA_FIELDS):
        return {}
    return form.criteria()


@member_required
@require_http_methods(["GET", "POST"])
def invalidate(request, slug: str):
    """GET with criteria: the preview (how many, a sample); POST: void them, with a reason."""
    petition = _staff_petition(request, slug)
    matching = sample = None
    if request.method == "POST":
        form = InvalidationForm(request.POST, petition=petition, require_reason=True)
        if form.is_valid():
            try:
                invalidation = office.invalidation_create(
                    petition=petition,
                    criteria=form.criteria(),
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    expected=form.cleaned_data.get("expected"),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(number)s signature was voided.",
                        "%(number)s signatures were voided.",
                        invalidation.count,
                    )
                    % {"number": num(invalidation.count)},
                )
                return redirect(_office_url(petition, "office_invalidations"))
        status_code = 400
    else:
        form = InvalidationForm(request.GET or None, petition=petition)
        status_code = 200
        if request.GET and not form.is_valid():
            status_code = 400
    criteria = _previewable_criteria(form)
    if criteria:
        found = selectors.signatures_matching(petition, criteria)
        matching = found.count()
        sample = list(found.select_related("partner").order_by("-created")[:PREVIEW_SAMPLE])
        for signature in sample:
            signature.masked_email = selectors.mask_email(signature.email)
    hidden = [
        (name, form.data.get(name, ""))
        for name in CRITERIA_FIELDS
        if criteria and form.data.get(name, "")
    ]
    context = _context(
        request,
        petition,
        form=form,
        matching=matching,
        sample=sample,
        hidden_criteria=hidden,
    )
    return render(request, "petitions/office/invalidate.html", context, status=status_code)


@member_required
@require_GET
def invalidations(request, slug: str):
    petition = _staff_petition(request, slug)
    rows = list(selectors.invalidations_of(petition))
    return render(
        request,
        "petitions/office/invalidations.html",
        _context(request, petition, invalidations=rows),
    )


@member_required
@require_POST
def invalidation_restore(request, slug: str, pk: int):
    petition = _staff_petition(request, slug)
    invalidation = get_object_or_404(Invalidation, petition=petition, pk=pk)
    try:
        restored = office.invalidation_restore(invalidation=invalidation, by=request.user)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(number)s signature was restored.",
                "%(number)s signatures were restored.",
                restored,
            )
            % {"number": num(restored)},
        )
    return redirect(_office_url(petition, "office_invalidations"))


# ------------------------------------------------------------------------------ paper


@member_required
@require_http_methods(["GET", "POST"])
def paper(request, slug: str):
    petition = _staff_petition(request, slug)
    status_code = 200
    if request.method == "POST":
        form = PaperBatchForm(request.POST, request.FILES, petition=petition)
        if form.is_valid():
            data = form.cleaned_data
            counted = data["counted"] if data["kind"] == PaperBatchForm.COUNTED else 0
            try:
                batch = office.paper_batch_create(
                    petition=petition,
                    by=request.user,
                    partner=data.get("partner"),
                    counted=counted or 0,
                    country=data.get("country") or "",
                    governorate=data.get("governorate") or "",
                    evidence=form.checked_evidence if counted else None,
                    note=data.get("note") or "",
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if counted:
                    messages.success(
                        request,
                        ngettext(
                            "%(number)s paper signature was counted.",
                            "%(number)s paper signatures were counted.",
                            counted,
                        )
                        % {"number": num(counted)},
                    )
                    return redirect(_office_url(petition, "office_paper"))
                messages.success(request, _("The batch is ready: enter its names one by one."))
                return redirect(_office_url(petition, "office_paper_batch", batch.pk))
        status_code = 400
    else:
        form = PaperBatchForm(petition=petition)
    context = _context(
        request,
        petition,
        form=form,
        batches=list(selectors.paper_batches_of(petition)),
        open_for_paper=petition.status in office.PAPER_STATUSES and not petition.anonymised_at,
        sheet_available=_pdf_module() is not None,
        delete_form=ReasonForm(),
    )
    return render(request, "petitions/office/paper.html", context, status=status_code)


@member_required
@require_http_methods(["GET", "POST"])
def paper_batch(request, slug: str, pk: int):
    petition = _staff_petition(request, slug)
    batch = get_object_or_404(
        PaperBatch.objects.select_related("partner__organisation", "entered_by"),
        petition=petition,
        pk=pk,
    )
    status_code = 200
    if request.method == "POST":
        form = PaperSignatureForm(request.POST, batch=batch)
        if form.is_valid():
            data = form.cleaned_data
            try:
                signature = office.paper_signature_add(
                    batch=batch,
                    by=request.user,
                    name=data["name"],
                    email=data.get("email") or "",
                    country=data.get("country") or "",
                    governorate=data.get("governorate") or "",
                    organisation_name=data.get("organisation_name") or "",
                    consent_lead=data.get("consent_lead", False),
                    consent_partner=data.get("consent_partner", False),
                    language=data.get("language") or "ar",
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("“%(name)s” was added.") % {"name": signature.name})
                return redirect(_office_url(petition, "office_paper_batch", batch.pk))
        status_code = 400
    else:
        form = PaperSignatureForm(batch=batch)
    names = list(batch.signatures.order_by("-pk")[:200])
    context = _context(
        request,
        petition,
        batch=batch,
        form=form,
        names=names,
        named=batch.signatures.exclude(state=Signature.State.INVALID).count(),
        open_for_paper=petition.status in office.PAPER_STATUSES and not petition.anonymised_at,
    )
    return render(request, "petitions/office/paper_batch.html", context, status=status_code)


@member_required
@require_POST
def paper_batch_delete(request, slug: str, pk: int):
    petition = _staff_petition(request, slug)
    batch = get_object_or_404(PaperBatch, petition=petition, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(_office_url(petition, "office_paper"))
    try:
        office.paper_batch_delete(batch=batch, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("The counted batch was removed."))
    return redirect(_office_url(petition, "office_paper"))


@member_required
@require_GET
def paper_evidence(request, slug: str, pk: int):
    petition = _staff_petition(request, slug)
    batch = get_object_or_404(PaperBatch, petition=petition, pk=pk)
    if not batch.evidence:
        raise Http404
    extension = extension_of(batch.evidence.name)
    content_type = {
        "pdf": "application/pdf",
    }.get(extension, "application/octet-stream")
    return download_response(
        batch.evidence,
        filename=f"{petition.slug}-paper-{batch.pk}.{extension or 'bin'}",
        content_type=content_type,
    )


@member_required
@require_GET
def paper_sheet(request, slug: str):
    """The printable signature sheet (petitions.pdf)."""
    petition = _staff_petition(request, slug)
    pdf = _pdf_module()
    if pdf is None or not hasattr(pdf, "signature_sheet_pdf"):
        raise Http404
    return _pdf_response(pdf.signature_sheet_pdf(petition), f"{petition.slug}-sheet.pdf")


# --------------------------------------------------------------------------- delivery


def _delivery_page(request, petition: Petition, *, response_form=None, status_code=200):
    targets = list(selectors.targets_of(petition))
    deliveries = {row.target_id: row for row in selectors.target_deliveries_of(petition)}
    rows = [(target, deliveries.get(target.pk)) for target in targets]
    response_form = response_form or ResponseForm(
        initial={"response_ar": petition.response_ar, "response_en": petition.response_en}
    )
    context = _context(
        request,
        petition,
        target_rows=rows,
        with_email=sum(1 for target in targets if target.email),
        response_form=response_form,
        may_deliver=petition.status in {Petition.Status.CLOSED, Petition.Status.DELIVERED},
        may_respond=petition.status in {Petition.Status.DELIVERED, Petition.Status.ANSWERED},
        pdf_available=_pdf_module() is not None,
        total=counts(petition, fresh=True).total,
    )
    return render(request, "petitions/office/delivery.html", context, status=status_code)


@member_required
@require_GET
def delivery_page(request, slug: str):
    petition = _staff_petition(request, slug)
    return _delivery_page(request, petition)


@member_required
@require_GET
def delivery_pdf(request, slug: str):
    petition = _staff_petition(request, slug)
    pdf = _pdf_module()
    if pdf is None or not hasattr(pdf, "delivery_pdf"):
        raise Http404
    return _pdf_response(pdf.delivery_pdf(petition), f"{petition.slug}-delivery.pdf")


@member_required
@require_POST
def delivery_send(request, slug: str):
    petition = _staff_petition(request, slug)
    try:
        queued = office.delivery_start(petition=petition, by=request.user)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "The petition is delivered; %(number)s e-mail to a target is on its way.",
                "The petition is delivered; %(number)s e-mails to targets are on their way.",
                queued,
            )
            % {"number": num(queued)},
        )
    return redirect(_office_url(petition, "office_delivery"))


@member_required
@require_POST
def response(request, slug: str):
    petition = _staff_petition(request, slug)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            office.response_publish(
                petition=petition,
                by=request.user,
                response_ar=form.cleaned_data["response_ar"],
                response_en=form.cleaned_data["response_en"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The response is published on the petition's page."))
            return redirect(_office_url(petition, "office_delivery"))
    return _delivery_page(request, petition, response_form=form, status_code=400)


# ---------------------------------------------------------------------------- updates


@member_required
@require_GET
def updates(request, slug: str):
    petition = _staff_petition(request, slug)
    rows = list(selectors.updates_of(petition))
    next_at = office.next_update_allowed_at(petition)
    context = _context(
        request,
        petition,
        updates=rows,
        per_week=office.updates_per_week(),
        next_allowed_at=next_at,
    )
    return render(request, "petitions/office/updates.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def update_new(request, slug: str):
    petition = _staff_petition(request, slug)
    status_code = 200
    if request.method == "POST":
        form = UpdateForm(request.POST, petition=petition)
        if form.is_valid():
            try:
                update = office.update_create(
                    petition=petition, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The update is waiting for a coordinator's approval."))
                return redirect(_office_url(petition, "office_update", update.pk))
        status_code = 400
    else:
        form = UpdateForm(petition=petition)
    return render(
        request,
        "petitions/office/update_new.html",
        _context(request, petition, form=form),
        status=status_code,
    )


def _staff_update(request, slug: str, pk: int) -> tuple[Petition, SignerUpdate]:
    petition = _staff_petition(request, slug)
    update = get_object_or_404(
        SignerUpdate.objects.select_related("partner__organisation", "written_by", "approved_by"),
        petition=petition,
        pk=pk,
    )
    return petition, update


@member_required
@require_GET
def update_detail(request, slug: str, pk: int):
    petition, update = _staff_update(request, slug, pk)
    versions = [
        {
            "code": code,
            "dir": "rtl" if code == "ar" else "ltr",
            "subject": getattr(update, f"subject_{code}"),
            "body": render_markdown(getattr(update, f"body_{code}")),
        }
        for code in ("ar", "en")
    ]
    deliveries = update.deliveries.values("state")
    context = _context(
        request,
        petition,
        update=update,
        versions=versions,
        recipients=selectors.update_recipients(petition, update.partner).count(),
        may_approve=selectors.may_approve(request.user, update),
        own_update=update.written_by_id == request.user.pk,
        copies=deliveries.count(),
        sent=deliveries.filter(state="sent").count(),
        reject_form=OptionalReasonForm(),
        next_allowed_at=office.next_update_allowed_at(petition),
    )
    return render(request, "petitions/office/update_detail.html", context)


@member_required
@require_POST
def update_approve(request, slug: str, pk: int):
    petition, update = _staff_update(request, slug, pk)
    try:
        queued = office.update_approve(update=update, by=request.user)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Approved: %(number)s signer will receive the update.",
                "Approved: %(number)s signers will receive the update.",
                queued,
            )
            % {"number": num(queued)},
        )
    return redirect(_office_url(petition, "office_update", update.pk))


@member_required
@require_POST
def update_reject(request, slug: str, pk: int):
    petition, update = _staff_update(request, slug, pk)
    form = OptionalReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason could not be read: check it and try again."))
        return redirect(_office_url(petition, "office_update", update.pk))
    try:
        office.update_reject(update=update, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _message_errors(request, error)
    else:
        messages.success(request, _("The update was declined."))
    return redirect(_office_url(petition, "office_update", update.pk))


# ----------------------------------------------------------------------------- export


def _day_start(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@member_required
@require_GET
def export(request, slug: str):
    petition = _staff_petition(request, slug)
    form = ExportForm(request.GET or None, petition=petition)
    return render(request, "petitions/office/export.html", _context(request, petition, form=form))


@member_required
@require_GET
def export_csv(request, slug: str):
    petition = _staff_petition(request, slug)
    form = ExportForm(request.GET, petition=petition)
    if not form.is_valid():
        return render(
            request,
            "petitions/office/export.html",
            _context(request, petition, form=form),
            status=400,
        )
    data = form.cleaned_data
    state = data.get("state") or Signature.State.CONFIRMED
    until = data.get("until")
    rows = selectors.export_rows(
        petition,
        partner=data.get("partner"),
        state="" if state == ExportForm.ALL else state,
        source=data.get("source") or "",
        consent=data.get("consent") or "",
        since=_day_start(data.get("since")),
        until=_day_start(until + datetime.timedelta(days=1)) if until else None,
    )
    return exports.export_response(
        petition=petition, rows=rows, by=request.user, filters=form.filters()
    )


# ----------------------------------------------------------------------------- partner


def _partner_for(request, slug: str, partner_slug: str) -> tuple[Petition, Partner]:
    petition = _petition(slug)
    partner = get_object_or_404(
        Partner.objects.select_related("organisation"), petition=petition, slug=partner_slug
    )
    allowed = (
        selectors.is_petition_staff(request.user, petition)
        or selectors.partners_administered_by(request.user, petition).filter(pk=partner.pk).exists()
    )
    if not allowed:
        if petition.status == Petition.Status.DRAFT:
            raise Http404
        raise PermissionDenied
    return petition, partner


@member_required
@require_GET
def partner_office(request, slug: str, partner_slug: str):
    """A partner's own figures and the export of its consenting signers."""
    petition, partner = _partner_for(request, slug, partner_slug)
    figures = counts(petition, fresh=True)
    context = _context(
        request,
        petition,
        partner=partner,
        partner_total=figures.by_partner.get(partner.pk, 0),
        total=figures.total,
        consenting=selectors.partner_export_rows(partner).count(),
        is_staff=selectors.is_petition_staff(request.user, petition),
    )
    return render(request, "petitions/office/partner.html", context)


@member_required
@require_GET
def partner_csv(request, slug: str, partner_slug: str):
    petition, partner = _partner_for(request, slug, partner_slug)
    return exports.export_response(
        petition=petition,
        rows=selectors.partner_export_rows(partner),
        by=request.user,
        filters={"partner": partner.pk, "consent": "partner", "state": "confirmed"},
        partner=partner,
    )


# -------------------------------------------------------------------------- unsubscribe


@csrf_exempt  # RFC 8058 §3.2: the one-click POST comes from the mail provider, no cookies
@never_cache
@require_http_methods(["GET", "POST"])
def update_unsubscribe(request, token: str):
    """GET shows a button (link scanners must not unsubscribe anyone); POST — that button or
    an RFC 8058 one-click request — stops the news. Repeating it is harmless."""
    found = delivery.read_unsubscribe_token(token)
    if found is None:
        status_code = 200 if request.method == "POST" else 404
        return render(
            request, "petitions/office/unsubscribe.html", {"gone": True}, status=status_code
        )
    signature, kind = found
    language = signature.language if signature.language in ("ar", "en") else "ar"
    with translation.override(language):
        context = {
            "petition": signature.petition,
            "kind": kind,
            "sender": (
                signature.partner.organisation
                if kind == "partner" and signature.partner_id
                else None
            ),
            "address": signature.email,
        }
        if request.method == "POST":
            office.consent_withdraw(signature=signature, kind=kind)
            return render(request, "petitions/office/unsubscribe.html", {**context, "done": True})
        return render(request, "petitions/office/unsubscribe.html", context)
