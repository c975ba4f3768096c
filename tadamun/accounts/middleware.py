import time

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from tadamun.accounts import selectors, services

# Session entry: "<session key>:<unix time>" of the last write, so a request writes the
# sessions table at most once per interval. The key is part of it because signing in and
# changing password give the session a new key while keeping its contents.
TOUCH_MARK = "_tadamun_session_touched"


class SessionTrackingMiddleware:
    """Keeps the security page's list of signed-in sessions (never an IP address)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.interval = services.SESSION_TOUCH_INTERVAL.total_seconds()

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return response
        key = session.session_key
        if not key:
            return response
        mark = session.get(TOUCH_MARK, "")
        marked_key, _sep, marked_at = mark.rpartition(":")
        now = time.time()
        if marked_key == key and marked_at.isdigit() and now - int(marked_at) < self.interval:
            return response
        services.session_touch(
            user=user, session_key=key, user_agent=request.headers.get("user-agent", "")
        )
        session[TOUCH_MARK] = f"{key}:{int(now)}"
        return response


# Views a person must still reach while the policy sends them to set up a second factor.
MFA_SETUP_ALLOWED = {
    "account_logout",
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reauthenticate",
    "account_login",
    "switch_language",
}


class SecondFactorRequiredMiddleware:
    """People the security policy names (coordinators, organisation administrators) must add
    an authenticator app or a security key before they use the site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.url_name if match else ""
        if name and (name.startswith("mfa_") or name in MFA_SETUP_ALLOWED):
            return None
        reason = selectors.second_factor_required_reason(user)
        if not reason or selectors.has_strong_second_factor(user):
            return None
        if reason == "coordinator":
            text = _(
                "The network asks coordinators to protect their account with a second factor. "
                "Please add an authenticator app or a security key to continue."
            )
        else:
            text = _(
                "The network asks organisation administrators to protect their account with a "
                "second factor. Please add an authenticator app or a security key to continue."
            )
        messages.warning(request, text, fail_silently=True)
        return redirect("mfa_index")
