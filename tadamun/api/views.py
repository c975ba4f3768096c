"""The page where a member makes, lists and revokes their personal access tokens. The secret
is shown once, on the page that answers the POST that made it (never stored, never in a URL,
never in the session)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tadamun.api import selectors, services
from tadamun.api.forms import TokenForm
from tadamun.core.permissions import member_required


def _page(request, form, *, secret: str = "", status: int = 200):
    context = {
        "form": form,
        "tokens": selectors.tokens_of(request.user),
        "secret": secret,
        "max_tokens": services.MAX_ACTIVE_TOKENS,
    }
    return render(request, "api/tokens.html", context, status=status)


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _token, secret = services.token_create(user=request.user, name=form.cleaned_data["name"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, form, status=400)
    # Answered at once, not redirected: the secret lives only in this one response.
    return _page(request, TokenForm(), secret=secret, status=201)


@require_POST
@member_required
def token_revoke(request, pk: int):
    token = get_object_or_404(selectors.active_tokens_of(request.user), pk=pk)
    services.token_revoke(token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("api:tokens")
