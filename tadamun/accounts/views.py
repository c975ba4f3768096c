from allauth.account.decorators import reauthentication_required
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tadamun.accounts import deletion, selectors, services
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


class DeleteAccountForm(forms.Form):
    """The password — or, for an account without one (it signed in with a passkey, after
    allauth's reauthentication), the confirmation word typed out."""

    password = forms.CharField(
        label=_("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirmation = forms.CharField(label=_("Type the word shown above"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.word = str(_("DELETE"))
        if user.has_usable_password():
            del self.fields["confirmation"]
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["confirmation"].required = True

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password. Nothing has been deleted."))
        return password

    def clean_confirmation(self) -> str:
        typed = self.cleaned_data["confirmation"].strip()
        if typed.casefold() != self.word.casefold():
            raise ValidationError(_("Type the word exactly as shown. Nothing has been deleted."))
        return typed


@login_required
@reauthentication_required(allow_get=True, enabled=lambda r: not r.user.has_usable_password())
def delete_account(request):
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        report = deletion.account_delete_now(user=user)
        # Not logout(): its receivers would audit a sign-out by a person who no longer
        # exists. The session rows are gone already; this drops the cookie's session too.
        request.session.flush()
        request.user = AnonymousUser()
        if report.completed:
            messages.success(request, _("Your account has been deleted."))
        else:
            messages.warning(
                request,
                _(
                    "Your account is closed and you have been signed out, but part of the "
                    "deletion did not finish. The network's coordinators will complete it."
                ),
            )
        return redirect("home")
    context = {"form": form, "preview": deletion.deletion_preview(user=user)}
    return render(request, "accounts/delete_account.html", context)


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
