"""Thin views: a person's own notifications, opening one, and their e-mail choices.

Only the recipient reaches a notification (anyone else's number answers 404), and a target is
shown or linked only while the recipient may still see it (its own selector, asked again).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tadamun.core.permissions import member_required
from tadamun.notifications import selectors, services
from tadamun.notifications.context_processors import unread
from tadamun.notifications.forms import PageForm, PreferencesForm, field_name
from tadamun.notifications.kinds import Channel

PER_PAGE = 30


@member_required
def notification_list(request):
    form = PageForm(request.GET)
    number = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    page = Paginator(selectors.notifications_of(request.user), PER_PAGE).get_page(number)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "items": selectors.shown_to(request.user, page.object_list),
            "unread": unread(request).get("unread_notifications", 0),
        },
    )


@member_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


@member_required
def open_notification(request, pk: int):
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.open_notification(notification=notification)
    shown = selectors.shown_to(request.user, [notification])[0]
    if not shown.available:
        return render(request, "notifications/gone.html", status=410)
    url = getattr(shown.target, "get_absolute_url", None)
    return redirect(url() if url else "notifications:list")


@member_required
def notification_settings(request):
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                services.preferences_update(
                    user=user,
                    channels=form.channels(),
                    content_free_emails=form.cleaned_data["content_free_emails"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:settings")
        status = 400
    else:
        initial = {
            field_name(kind): channel for kind, channel in selectors.preferences_of(user).items()
        }
        initial["content_free_emails"] = selectors.settings_of(user).content_free_emails
        form = PreferencesForm(initial=initial)
        status = 200
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "rows": form.rows(), "channels": Channel.choices},
        status=status,
    )
