"""Thin views: authenticate, authorise through moderation.selectors, validate a form, call one
service, then render or redirect (POST → redirect → GET).

An item a member may not see, or may not review, answers 404 (its existence is not revealed);
the queue answers 403 to members who review nothing.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tadamun.core import content
from tadamun.core.permissions import member_required
from tadamun.core.view_helpers import add_service_errors, errors_text
from tadamun.moderation import selectors, services
from tadamun.moderation.forms import (
    DismissForm,
    HideForm,
    QueueFilterForm,
    ReportForm,
    RestoreForm,
)
from tadamun.moderation.models import Reason

PER_PAGE = 25


# ------------------------------------------------------------------------------ reporting


@member_required
def report(request, content_type_id: int, object_id: int):
    obj = selectors.reportable_item(content_type_id, object_id)
    if obj is None or not selectors.may_report(request.user, obj):
        if obj is not None and selectors.is_author(request.user, obj):
            messages.info(request, _("You cannot report what you wrote yourself."))
            return redirect(obj.get_absolute_url())
        raise Http404
    if selectors.has_open_report(request.user, obj):
        messages.info(request, _("You have reported this already; the reviewers will look at it."))
        return redirect(obj.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.report_create(
                    reporter=request.user,
                    obj=obj,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                if error.code == "duplicate":
                    messages.info(request, errors_text(error))
                    return redirect(obj.get_absolute_url())
                add_service_errors(form, error)
                status = 429 if error.code == "rate_limited" else 400
            else:
                messages.success(
                    request,
                    _("Thank you. The reviewers will look at your report."),
                )
                return redirect(obj.get_absolute_url())
        else:
            status = 400
    else:
        form = ReportForm()
    return render(
        request,
        "moderation/report_form.html",
        {
            "form": form,
            "obj": obj,
            "kind_label": content.kind_of(obj).label,
            "preview": services.excerpt_of(obj),
        },
        status=status,
    )


@member_required
def my_reports(request):
    reports = Paginator(selectors.reports_by(request.user).select_related("content_type"), PER_PAGE)
    page = reports.get_page(_page_number(request))
    return render(
        request,
        "moderation/my_reports.html",
        {"page": page, "rows": selectors.my_report_rows(request.user, page.object_list)},
    )


# ---------------------------------------------------------------------------------- queue


def _page_number(request) -> int:
    form = QueueFilterForm(request.GET)
    return (form.cleaned_data.get("page") if form.is_valid() else None) or 1


@member_required
def queue(request):
    if not selectors.is_reviewer(request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET)
    handled = form.is_valid() and form.cleaned_data.get("show") == "handled"
    groups = Paginator(selectors.queue_groups(request.user, handled=handled), PER_PAGE)
    page = groups.get_page(_page_number(request))
    return render(
        request,
        "moderation/queue.html",
        {
            "page": page,
            "items": selectors.queue_items(request.user, list(page.object_list), handled=handled),
            "handled": handled,
        },
    )


# ------------------------------------------------------------------------------ one item


def _review_item(request, content_type_id: int, object_id: int):
    item = selectors.review_item(request.user, content_type_id, object_id)
    if item is None:
        raise Http404
    return item


def _render_item(
    request, item, *, hide_form=None, restore_form=None, dismiss_form=None, status=200
):
    return render(
        request,
        "moderation/item.html",
        {
            "item": item,
            "hide_form": hide_form or HideForm(prefix="hide", initial={"reason": item.main_reason}),
            "restore_form": restore_form or RestoreForm(prefix="restore"),
            "dismiss_form": dismiss_form or DismissForm(prefix="dismiss"),
            "reasons": dict(Reason.choices),
        },
        status=status,
    )


@member_required
def item(request, content_type_id: int, object_id: int):
    return _render_item(request, _review_item(request, content_type_id, object_id))


def _back(content_type_id: int, object_id: int):
    return redirect("moderation:item", content_type_id=content_type_id, object_id=object_id)


def _decide(request, content_type_id, object_id, *, form_class, prefix, act, done):
    item = _review_item(request, content_type_id, object_id)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            act(item, form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                messages.error(request, errors_text(error))
                return _back(content_type_id, object_id)
        else:
            messages.success(request, done)
            return _back(content_type_id, object_id)
    return _render_item(request, item, **{f"{prefix}_form": form}, status=400)


def _existing(item):
    if item.obj is None:
        raise ValidationError(_("The item no longer exists."))
    return item.obj


@require_POST
@member_required
def hide(request, content_type_id: int, object_id: int):
    return _decide(
        request,
        content_type_id,
        object_id,
        form_class=HideForm,
        prefix="hide",
        act=lambda item, data: services.item_hide(
            obj=_existing(item), by=request.user, reason=data["reason"], note=data["note"]
        ),
        done=_("The item is hidden and its author was told why."),
    )


@require_POST
@member_required
def restore(request, content_type_id: int, object_id: int):
    return _decide(
        request,
        content_type_id,
        object_id,
        form_class=RestoreForm,
        prefix="restore",
        act=lambda item, data: services.item_restore(
            obj=_existing(item), by=request.user, note=data["note"]
        ),
        done=_("The item is shown again and its author was told."),
    )


@require_POST
@member_required
def dismiss(request, content_type_id: int, object_id: int):
    return _decide(
        request,
        content_type_id,
        object_id,
        form_class=DismissForm,
        prefix="dismiss",
        act=lambda item, data: services.reports_dismiss(
            by=request.user,
            content_type_id=content_type_id,
            object_id=object_id,
            note=data["note"],
        ),
        done=_("The reports were dismissed; the item stays as it is."),
    )
