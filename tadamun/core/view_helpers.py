"""Small things every app's views need: a service's ValidationError shown on a form or as a
flash message, and a `next` URL that stays on this site."""

from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def errors_text(error: ValidationError) -> str:
    """A service's error as one sentence (for a flash message)."""
    return " ".join(str(message) for message in error.messages)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on `form`: on the named fields it has, else on the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def safe_next(request, default: str) -> str:
    """The `next` parameter (POST, then GET) when it points to this site; else `default`
    (never an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
