"""Public endpoints of the lists: confirming a subscription, and unsubscribing by the link in
every message — including RFC 8058 one-click, which mail providers POST without cookies, CSRF
token or language prefix."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tadamun.lists import subscriptions
from tadamun.lists.outbound import list_name


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, language: str, token: str) -> HttpResponse:
    """GET shows a button (link scanners that follow links must not confirm); POST confirms.
    The confirmed page is rendered at once: the token is spent, there is nothing to redirect
    back to."""
    subscription = subscriptions.pending_for_token(token)
    if request.method == "POST" and subscription is not None:
        subscription = subscriptions.confirm(token=token)
        return render(
            request,
            "lists/confirm.html",
            {
                "done": True,
                "list_name": list_name(subscription.mailing_list, language),
                "subscription": subscription,
            },
        )
    if subscription is None:
        return render(request, "lists/confirm.html", {"invalid": True}, status=404)
    return render(
        request,
        "lists/confirm.html",
        {"list_name": list_name(subscription.mailing_list, language), "subscription": subscription},
    )


@csrf_exempt  # RFC 8058 §3.2: the POST comes from the mail provider, with no cookies
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirm button (so that a prefetching scanner unsubscribes nobody); POST —
    from that button or an RFC 8058 `List-Unsubscribe=One-Click` request — unsubscribes."""
    subscription = subscriptions.subscription_for_unsubscribe_token(token)
    language = subscription.language if subscription else translation.get_language()
    with translation.override(language):
        if subscription is None:
            # Already gone: a repeated one-click POST still succeeds (it is idempotent).
            status = 200 if request.method == "POST" else 404
            return render(request, "lists/unsubscribe.html", {"gone": True}, status=status)
        context = {
            "list_name": list_name(subscription.mailing_list, language),
            "address": subscription.email,
        }
        if request.method == "POST":
            subscriptions.unsubscribe(subscription=subscription)
            return render(request, "lists/unsubscribe.html", {**context, "done": True})
        return render(request, "lists/unsubscribe.html", context)
