"""The site's lockdown at the door: while it lasts, every page answers 503 to everyone but
the network's coordinators, except what a coordinator needs to sign in (and the quick exit).
Static files are served before this (whitenoise)."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.utils.translation import get_language

from tadamun.accounts.selectors import viewer_is_coordinator
from tadamun.lockdown.selectors import request_finished, request_started, site_locked

# Signing in (allauth, its second factor and reauthentication), signing out, switching the
# language of the closed page, the quick exit.
OPEN_DURING_LOCKDOWN = re.compile(r"^/(?:(?:ar|en)/accounts/|language/$|exit/$)")


class SiteLockdownMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_started()
        try:
            return self._answer(request)
        finally:
            request_finished()

    def _answer(self, request):
        if (
            site_locked()
            and not viewer_is_coordinator(request.user)
            and not OPEN_DURING_LOCKDOWN.match(request.path_info)
        ):
            response = render(
                request,
                "lockdown/closed.html",
                {"language": get_language()},
                status=503,
            )
            response["Retry-After"] = "3600"
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
