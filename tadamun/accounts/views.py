from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tadamun.accounts import selectors, services
from tadamun.accounts.forms import AuditFilterForm, ProfileForm, RolesForm, SecurityPolicyForm
from tadamun.accounts.models import User, UserSession
from tadamun.core.permissions import coordinator_required, member_required

AUDIT_PAGE_SIZE = 50


@login_required
def pending(request):
    """Where applicants (and people whose membership is not active) land."""
    if request.user.is_member:
        return redirect("home")
    application = getattr(request.user, "application", None)
    return render(request, "accounts/pending.html", {"application": application})


@member_required
def profile(request):
    form = ProfileForm(request.POST or None, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_profile(person=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def security(request):
    user = request.user
    factors = set(Authenticator.objects.filter(user=user).values_list("type", flat=True).distinct())
    context = {
        "sessions": selectors.sessions_of(user),
        "current_session_key": request.session.session_key,
        "has_totp": Authenticator.Type.TOTP in factors,
        "has_webauthn": Authenticator.Type.WEBAUTHN in factors,
        "has_recovery_codes": Authenticator.Type.RECOVERY_CODES in factors,
        "second_factor_reason": selectors.second_factor_required_reason(user),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@login_required
def session_end(request, pk: int):
    tracked = get_object_or_404(UserSession, pk=pk, user=request.user)
    is_current = tracked.session_key == request.session.session_key
    services.session_end(user=request.user, user_session=tracked)
    if is_current:
        logout(request)
        return redirect("account_login")
    messages.success(request, _("That session has been signed out."))
    return redirect("accounts:security")


@require_POST
@login_required
def sign_out_everywhere(request):
    services.sessions_end_all(user=request.user)
    logout(request)
    messages.success(request, _("You have been signed out on every device."))
    return redirect("account_login")


@coordinator_required
def security_policy(request):
    form = SecurityPolicyForm(request.POST or None, policy=selectors.security_policy())
    if request.method == "POST" and form.is_valid():
        services.security_policy_update(by=request.user, **form.cleaned_data)
        messages.success(request, _("The security policy has been saved."))
        return redirect("accounts:security_policy")
    return render(request, "accounts/security_policy.html", {"form": form})


@coordinator_required
def person_roles(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    form = RolesForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_set_roles(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The roles have been saved."))
            return redirect("accounts:person_roles", pk=person.pk)
    return render(request, "accounts/person_roles.html", {"form": form, "person": person})


@coordinator_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(**{k: v for k, v in filters.items() if v})
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "accounts/audit_log.html", context)
