"""Who may reach what. Views use these decorators; selectors decide visibility of things."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def member_required(view):
    """Internal pages: approved members only. Applicants are sent to their status page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_member:
            if user.is_applicant:
                return redirect("accounts:pending")
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def coordinator_required(view):
    @wraps(view)
    @member_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_network_coordinator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
