"""The coordinators' lockdown page: what is locked down now, lock down the site or one
workgroup, lift, and the history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from tadamun.accounts.selectors import viewer_is_coordinator
from tadamun.lockdown import selectors, services
from tadamun.lockdown.forms import LockdownForm
from tadamun.lockdown.models import Lockdown
from tadamun.workgroups.models import Workgroup


def _coordinator_only(request) -> None:
    if not viewer_is_coordinator(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def lockdown_page(request):
    _coordinator_only(request)
    locked = selectors.locked_workgroup_ids()
    workgroups = Workgroup.objects.exclude(pk__in=locked).order_by("slug")
    form = LockdownForm(request.POST or None, workgroups=workgroups)
    if request.method == "POST":
        if form.is_valid():
            target = form.target()
            lockdown = services.lockdown_start(
                by=request.user, workgroup=target, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                ngettext(
                    "Locked down. %(count)s session was ended.",
                    "Locked down. %(count)s sessions were ended.",
                    lockdown.sessions_ended,
                )
                % {"count": number_format(lockdown.sessions_ended)},
            )
            return redirect("lockdown:page")
        status = 400
    else:
        status = 200
    return render(
        request,
        "lockdown/page.html",
        {
            "form": form,
            "active": selectors.history().filter(lifted_at__isnull=True),
            "history": selectors.history().exclude(lifted_at__isnull=True)[:50],
        },
        status=status,
    )


@login_required
@require_POST
def lift(request, pk: int):
    _coordinator_only(request)
    lockdown = get_object_or_404(Lockdown, pk=pk)
    services.lockdown_lift(by=request.user, lockdown=lockdown)
    messages.success(request, _("The lockdown was lifted. Mail that waited is being sent."))
    return redirect("lockdown:page")
