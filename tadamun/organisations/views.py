"""Thin views: authenticate, authorise through a selector, validate a form, call one service,
then render or redirect (POST → redirect → GET)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tadamun.core.permissions import coordinator_required, member_required
from tadamun.core.view_helpers import add_service_errors
from tadamun.organisations import selectors, services
from tadamun.organisations.forms import (
    ApplicationForm,
    DecisionForm,
    DirectoryFilterForm,
    InvitationAcceptForm,
    InvitationForm,
    OrganisationForm,
    PageForm,
    PeopleFilterForm,
    RoleForm,
)
from tadamun.organisations.models import Application, OrganisationMembership

PER_PAGE = 20


def _page(queryset, number: int | None):
    return Paginator(queryset, PER_PAGE).get_page(number or 1)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ------------------------------------------------------------------------------ directories


def public_directory(request):
    """The organisations that chose to be listed publicly; the same for everyone."""
    form = PageForm(request.GET)
    valid = form.is_valid()
    organisations = selectors.publicly_listed_organisations().prefetch_related("themes")
    page = _page(organisations, form.cleaned_data.get("page") if valid else None)
    return render(
        request,
        "organisations/public_directory.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
        status=200 if valid else 400,
    )


@member_required
def directory(request):
    organisations = selectors.organisations_visible_to(request.user).prefetch_related("themes")
    form = DirectoryFilterForm(request.GET, organisations=organisations)
    if form.is_valid():
        page = _page(form.filter(organisations).distinct(), form.cleaned_data.get("page"))
        status = 200
    else:
        page, status = None, 400
    template = "organisations/directory.html"
    if request.headers.get("HX-Request"):
        # htmx (progressive enhancement) swaps only the results; it swaps no 4xx response,
        # and the partial carries the error message itself.
        template, status = f"{template}#results", 200
    response = render(
        request,
        template,
        {"form": form, "page": page, "query": _query_without_page(request)},
        status=status,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _visible_organisation(request, slug: str):
    return get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)


def organisation(request, slug: str):
    """Public when the organisation is listed; otherwise members only (404 for others, so an
    unlisted organisation's existence is not revealed)."""
    organisation = _visible_organisation(request, slug)
    may_administer = selectors.can_administer(request.user, organisation)
    memberships = selectors.organisation_members_visible_to(organisation, request.user)
    return render(
        request,
        "organisations/organisation.html",
        {
            "organisation": organisation,
            "memberships": memberships,
            "may_administer": may_administer,
            "role_choices": OrganisationMembership.Role.choices,
        },
    )


@member_required
def organisation_edit(request, slug: str):
    organisation = _visible_organisation(request, slug)
    if not selectors.can_administer(request.user, organisation):
        raise PermissionDenied
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, organisation=organisation)
        if form.is_valid():
            try:
                organisation = services.organisation_update(
                    organisation=organisation, by=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The organisation's details were saved."))
                return redirect("organisations:organisation", slug=organisation.slug)
    else:
        form = OrganisationForm(organisation=organisation)
    return render(
        request,
        "organisations/organisation_edit.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


def _membership_for_admin(request, slug: str, pk: int) -> OrganisationMembership:
    organisation = _visible_organisation(request, slug)
    membership = get_object_or_404(
        selectors.organisation_members_visible_to(organisation, request.user), pk=pk
    )
    return membership


@require_POST
@member_required
def membership_role(request, slug: str, pk: int):
    membership = _membership_for_admin(request, slug, pk)
    if not selectors.can_administer(request.user, membership.organisation):
        raise PermissionDenied
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_set_role(
                membership=membership, by=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The role was changed."))
    return redirect("organisations:organisation", slug=slug)


@require_POST
@member_required
def membership_remove(request, slug: str, pk: int):
    membership = _membership_for_admin(request, slug, pk)
    if membership.user_id != request.user.pk and not selectors.can_administer(
        request.user, membership.organisation
    ):
        raise PermissionDenied
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The membership was removed."))
    return redirect("organisations:organisation", slug=slug)


@member_required
def people(request):
    form = PeopleFilterForm(request.GET)
    people = selectors.people_visible_to(request.user)
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            people = people.filter(display_name__icontains=q)
            if request.user.is_network_coordinator:
                people = people | selectors.people_visible_to(request.user).filter(
                    legal_name__icontains=q
                )
        page, status = _page(people, form.cleaned_data.get("page")), 200
    else:
        page, status = None, 400
    return render(
        request,
        "organisations/people.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
        status=status,
    )


@member_required
def person(request, pk: int):
    person = get_object_or_404(selectors.people_visible_to(request.user), pk=pk)
    return render(
        request,
        "organisations/person.html",
        {
            "person": person,
            "memberships": selectors.memberships_of_person_visible_to(person, request.user),
        },
    )


# ------------------------------------------------------------------------ joining the network


def apply(request):
    """ "Join the initiative": for people without an account."""
    if request.user.is_authenticated:
        messages.info(request, _("You already have an account."))
        return redirect("home")
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            try:
                services.application_submit(data=form.service_data(), request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("organisations:apply_sent")
    else:
        form = ApplicationForm()
    return render(
        request, "organisations/apply.html", {"form": form}, status=400 if form.errors else 200
    )


def apply_sent(request):
    return render(request, "organisations/apply_sent.html")


@coordinator_required
def review_queue(request):
    form = PageForm(request.GET)
    number = form.cleaned_data.get("page") if form.is_valid() else None
    return render(
        request,
        "organisations/review_queue.html",
        {
            "page": _page(selectors.applications_for_review(request.user), number),
            "recent": selectors.applications_for_review(request.user, status=None)
            .exclude(status=Application.Status.PENDING)
            .order_by("-decided_at")[:10],
        },
    )


@coordinator_required
def application_detail(request, pk: int):
    application = get_object_or_404(
        selectors.applications_for_review(request.user, status=None).select_related("organisation"),
        pk=pk,
    )
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            decide = (
                services.application_approve
                if form.cleaned_data["decision"] == "approve"
                else services.application_decline
            )
            try:
                decide(
                    application=application, by=request.user, message=form.cleaned_data["message"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if form.cleaned_data["decision"] == "approve":
                    messages.success(request, _("The application was approved."))
                else:
                    messages.success(request, _("The application was declined."))
                return redirect("organisations:review_queue")
    else:
        form = DecisionForm()
    return render(
        request,
        "organisations/application_detail.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------------------ invitations


@member_required
def invitations(request):
    if not selectors.may_invite(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = InvitationForm(request.POST, inviter=request.user)
        if form.is_valid():
            try:
                invitation, _link = services.invitation_create(
                    by=request.user,
                    email=form.cleaned_data["email"],
                    organisation=form.cleaned_data["organisation"],
                    role=form.cleaned_data["role"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The invitation to %(email)s was sent.") % {"email": invitation.email},
                )
                return redirect("organisations:invitations")
    else:
        form = InvitationForm(inviter=request.user)
    page_form = PageForm(request.GET)
    number = page_form.cleaned_data.get("page") if page_form.is_valid() else None
    return render(
        request,
        "organisations/invitations.html",
        {"form": form, "page": _page(selectors.invitations_visible_to(request.user), number)},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect("organisations:invitations")


def invitation_accept(request, token: str):
    if request.user.is_authenticated:
        messages.info(request, _("Sign out before accepting an invitation for someone else."))
        return redirect("home")
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as invalid:
        return _invitation_invalid(request, invalid)
    if request.method == "POST":
        form = InvitationAcceptForm(request.POST, email=invitation.email)
        if form.is_valid():
            try:
                services.invitation_accept(token=token, data=form.service_data())
            except services.InvitationInvalid as invalid:
                return _invitation_invalid(request, invalid)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Welcome! Your account is ready: sign in with your new password.")
                )
                return redirect(reverse("account_login"))
    else:
        form = InvitationAcceptForm(email=invitation.email)
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


def _invitation_invalid(request, invalid: services.InvitationInvalid):
    return render(
        request,
        "organisations/invitation_invalid.html",
        {"reason": invalid.message},
        status=invalid.status,
    )
