"""Every write in the organisations domain: applications, invitations, organisations and
their memberships. Keyword-only, transactional, audited; mail goes out after commit, rendered
in the recipient's language."""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tadamun.core.audit import audit
from tadamun.core.models import AuditEvent
from tadamun.core.tasks import send_templated_mail_task
from tadamun.core.templatetags.bidi import pick
from tadamun.core.text import clean_name, fold
from tadamun.core.validators import validate_name
from tadamun.organisations import selectors
from tadamun.organisations.models import (
    IRAQ,
    Application,
    Invitation,
    Organisation,
    OrganisationMembership,
)

User = get_user_model()
Action = AuditEvent.Action
Role = OrganisationMembership.Role

INVITATION_SALT = "tadamun.organisations.invitation"

NAME_TAKEN = _("This name is already used by another organisation, or looks too much like it.")
DISPLAY_NAME_TAKEN = _(
    "This name is already used by another person, or looks too much like it. "
    "Choose a different display name."
)
ALREADY_DECIDED = _("This application has already been decided.")
LAST_ADMIN = _("An organisation needs at least one administrator.")


class InvitationInvalid(Exception):
    """An invitation link that cannot be used; `message` says why, `status` is the HTTP status
    the page answers with."""

    def __init__(self, message, *, status: int = 404):
        super().__init__(str(message))
        self.message = message
        self.status = status


# ------------------------------------------------------------------------------------ helpers


def _absolute_url(name: str, *, language: str, **kwargs: Any) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def _mail_after_commit(*, template: str, to: str, language: str, context: dict) -> None:
    transaction.on_commit(
        lambda: send_templated_mail_task.enqueue(
            template=template, to=to, language=language, context=context
        )
    )


def _require_coordinator(user) -> None:
    if not (user.is_authenticated and user.is_network_coordinator):
        raise PermissionDenied


def _require_administrator(user, organisation: Organisation) -> None:
    if not selectors.can_administer(user, organisation):
        raise PermissionDenied


def _check_names(**names: str) -> None:
    errors = {}
    for field, value in names.items():
        try:
            validate_name(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)


def organisation_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    """True if the folded `name` equals the folded Arabic or English name of another
    organisation, or of an organisation proposed in a pending application."""
    folded = fold(name)
    if not folded:
        return False
    organisations = Organisation.objects.filter(Q(name_ar_folded=folded) | Q(name_en_folded=folded))
    if exclude_pk is not None:
        organisations = organisations.exclude(pk=exclude_pk)
    if organisations.exists():
        return True
    return any(
        folded in {fold(app.org_name_ar), fold(app.org_name_en)}
        for app in Application.objects.filter(
            status=Application.Status.PENDING, kind=Application.Kind.ORGANISATION
        ).only("org_name_ar", "org_name_en")
    )


def display_name_taken(name: str) -> bool:
    return User.objects.filter(display_name_folded=fold(name)).exists()


def _check_organisation_names(*, name_ar: str, name_en: str, exclude_pk=None, prefix="") -> None:
    errors = {}
    if not name_ar and not name_en:
        errors[f"{prefix}name_en"] = [_("Give the organisation's name in Arabic or English.")]
    for field, value in ((f"{prefix}name_ar", name_ar), (f"{prefix}name_en", name_en)):
        if value and organisation_name_taken(name=value, exclude_pk=exclude_pk):
            errors[field] = [NAME_TAKEN]
    if errors:
        raise ValidationError(errors)


def _unique_slug(*names: str) -> str:
    base = next((slug for slug in (slugify(name)[:70] for name in names) if slug), "") or "org"
    slug, number = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _save_new_user(user) -> None:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two people choosing look-alike names at the same moment: the constraint decides.
        raise ValidationError({"display_name": [DISPLAY_NAME_TAKEN]}) from None


def _applicant_greeting_context(user) -> dict:
    return {"display_name": user.display_name}


# ------------------------------------------------------------------------------ applications


@transaction.atomic
def application_submit(
    *, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Application | None:
    """Create an applicant account and their application, and send the address-verification
    mail. If the address already has an account nothing is created and its owner is told by
    mail instead: the page looks the same, so the form reveals no one's membership."""
    email = data["email"].strip().lower()
    language = data.get("language") or settings.LANGUAGE_CODE
    # Checked as typed: clean_name() would silently drop the characters we refuse.
    _check_names(legal_name=data["legal_name"], display_name=data.get("display_name") or "")
    legal_name = clean_name(data["legal_name"])
    display_name = clean_name(data.get("display_name") or "") or legal_name
    is_organisation = data["kind"] == Application.Kind.ORGANISATION

    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        existing_address = EmailAddress.objects.filter(email__iexact=email).first()
        existing = existing_address.user if existing_address else None
    if existing is not None:
        recipient_language = existing.preferred_language or language
        _mail_after_commit(
            template="organisations/email/already_registered",
            to=existing.email,
            language=recipient_language,
            context={
                "display_name": existing.display_name,
                "login_url": _absolute_url("account_login", language=recipient_language),
                "reset_url": _absolute_url("account_reset_password", language=recipient_language),
            },
        )
        return None

    if display_name_taken(display_name):
        raise ValidationError({"display_name": [DISPLAY_NAME_TAKEN]})

    org_fields: dict[str, Any] = {}
    if is_organisation:
        _check_names(
            org_name_ar=data.get("org_name_ar") or "", org_name_en=data.get("org_name_en") or ""
        )
        org_name_ar = clean_name(data.get("org_name_ar") or "")
        org_name_en = clean_name(data.get("org_name_en") or "")
        _check_organisation_names(name_ar=org_name_ar, name_en=org_name_en, prefix="org_")
        scope = data["org_scope"]
        country = IRAQ if scope == Organisation.Scope.IRAQI else data.get("org_country") or ""
        org_fields = {
            "org_name_ar": org_name_ar,
            "org_name_en": org_name_en,
            "org_kind": data["org_kind"],
            "org_scope": scope,
            "org_country": country,
            "org_governorate": (data.get("org_governorate") or "") if country == IRAQ else "",
            "org_city": data.get("org_city") or "",
            "org_website": data.get("org_website") or "",
            "org_description": data.get("org_description") or "",
        }

    user = User(
        username=email,
        email=email,
        legal_name=legal_name,
        display_name=display_name,
        status=User.Status.APPLICANT,
        preferred_language=language,
    )
    user.set_password(data["password"])
    _save_new_user(user)
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    application = Application.objects.create(
        applicant=user,
        kind=data["kind"],
        motivation=data.get("motivation") or "",
        language=language,
        **org_fields,
    )
    audit(Action.APPLIED, actor=user, subject=user, application=application.pk, kind=data["kind"])

    if request is not None:
        from allauth.account.internal.flows.email_verification import (
            send_verification_email_to_address,
        )
        from allauth.core.context import request_context

        def send_verification() -> None:
            # allauth renders its mail in the active language: the applicant's, who is
            # filling in the form in it. It reads the request from its context variable.
            with translation.override(language), request_context(request):
                send_verification_email_to_address(request, address, signup=True)

        transaction.on_commit(send_verification)

    for coordinator in User.objects.filter(
        is_coordinator=True, status=User.Status.MEMBER, is_active=True
    ):
        coordinator_language = coordinator.preferred_language
        _mail_after_commit(
            template="organisations/email/application_received",
            to=coordinator.email,
            language=coordinator_language,
            context={
                "display_name": coordinator.display_name,
                "applicant_name": user.display_name,
                "organisation_name": org_fields.get("org_name_ar")
                if coordinator_language == "ar"
                else org_fields.get("org_name_en"),
                "review_url": _absolute_url(
                    "organisations:application_detail",
                    language=coordinator_language,
                    pk=application.pk,
                ),
            },
        )
    return application


def _lock_pending(application: Application) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .get(pk=application.pk)
    )
    if not application.is_pending:
        raise ValidationError(ALREADY_DECIDED)
    return application


@transaction.atomic
def application_approve(*, application: Application, by, message: str = "") -> Application:
    """Make the applicant a member; for an organisation application, create the organisation
    with the applicant as its administrator."""
    _require_coordinator(by)
    application = _lock_pending(application)
    applicant = application.applicant

    organisation = None
    if application.kind == Application.Kind.ORGANISATION:
        # Names were unique when proposed; check again, an organisation may have been added.
        name_ar, name_en = application.org_name_ar, application.org_name_en
        for value in (name_ar, name_en):
            taken = (
                value
                and Organisation.objects.filter(
                    Q(name_ar_folded=fold(value)) | Q(name_en_folded=fold(value))
                ).exists()
            )
            if taken:
                raise ValidationError(NAME_TAKEN)
        organisation = Organisation(
            name_ar=name_ar,
            name_en=name_en,
            slug=_unique_slug(name_en, name_ar),
            kind=application.org_kind or Organisation.Kind.OTHER,
            scope=application.org_scope,
            country=application.org_country or IRAQ,
            governorate=application.org_governorate,
            city=application.org_city,
            website=application.org_website,
            description_ar=application.org_description if application.language == "ar" else "",
            description_en=application.org_description if application.language != "ar" else "",
            languages=[application.language],
        )
        organisation.full_clean(exclude=["logo"])
        organisation.save()
        OrganisationMembership.objects.create(
            user=applicant, organisation=organisation, role=Role.ADMIN
        )

    applicant.status = User.Status.MEMBER
    applicant.save(update_fields=["status"])
    application.status = Application.Status.APPROVED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decision_message = message
    application.organisation = organisation
    application.save()
    audit(
        Action.APPROVED,
        actor=by,
        subject=applicant,
        application=application.pk,
        organisation=organisation.pk if organisation else None,
    )

    language = applicant.preferred_language
    context = {
        **_applicant_greeting_context(applicant),
        "message": message,
        "organisation_name": pick(organisation, "name", language) if organisation else "",
        "login_url": _absolute_url("account_login", language=language),
    }
    if organisation:
        context["organisation_url"] = _absolute_url(
            "organisations:organisation", language=language, slug=organisation.slug
        )
    _mail_after_commit(
        template="organisations/email/application_approved",
        to=applicant.email,
        language=language,
        context=context,
    )
    return application


@transaction.atomic
def application_decline(*, application: Application, by, message: str = "") -> Application:
    _require_coordinator(by)
    application = _lock_pending(application)
    applicant = application.applicant
    applicant.status = User.Status.DECLINED
    applicant.save(update_fields=["status"])
    application.status = Application.Status.DECLINED
    application.decided_by = by
    application.decided_at = timezone.now()
    application.decision_message = message
    application.save()
    audit(Action.REJECTED, actor=by, subject=applicant, application=application.pk)
    _mail_after_commit(
        template="organisations/email/application_declined",
        to=applicant.email,
        language=applicant.preferred_language,
        context={**_applicant_greeting_context(applicant), "message": message},
    )
    return application


# ------------------------------------------------------------------------------- invitations


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str, *, language: str) -> str:
    """The absolute link for a raw token: the token signed (and timestamped) with SECRET_KEY."""
    signed = signing.dumps(token, salt=INVITATION_SALT)
    return _absolute_url("organisations:invitation_accept", language=language, token=signed)


@transaction.atomic
def invitation_create(
    *,
    by,
    email: str,
    organisation: Organisation | None = None,
    role: str = Role.MEMBER,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Invite someone by e-mail, into the network and (optionally) an organisation. Returns
    the invitation and its link; the link is never stored, only its token's hash."""
    if organisation is None:
        _require_coordinator(by)
        role = Role.MEMBER
    else:
        _require_administrator(by, organisation)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    language = language or by.preferred_language
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("Choose a valid language.")]})
    email = email.strip().lower()
    if Invitation.objects.filter(
        email=email,
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError(
            {"email": [_("There is already an open invitation for this address.")]}
        )

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        role=role,
        language=language,
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        token_hash=invitation_token_hash(token),
    )
    url = invitation_link(token, language=language)
    audit(
        Action.INVITED,
        actor=by,
        invitation=invitation.pk,
        organisation=organisation.pk if organisation else None,
        role=role,
    )
    _mail_after_commit(
        template="organisations/email/invitation",
        to=email,
        language=language,
        context={
            "inviter_name": by.display_name,
            "organisation_name": pick(organisation, "name", language) if organisation else "",
            "role": role,
            "url": url,
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )
    return invitation, url


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The open invitation a link stands for, or InvitationInvalid saying why not."""
    try:
        raw = signing.loads(
            token, salt=INVITATION_SALT, max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        raise InvitationInvalid(
            _("This invitation has expired. Ask the person who invited you for a new one."),
            status=410,
        ) from None
    except signing.BadSignature:
        raise InvitationInvalid(
            _("This invitation link is not valid. Check that you copied the whole link.")
        ) from None
    if not isinstance(raw, str):
        raise InvitationInvalid(_("This invitation link is not valid."))
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=invitation_token_hash(raw)).first()
    if invitation is None:
        raise InvitationInvalid(_("This invitation link is not valid."))
    if invitation.revoked_at:
        raise InvitationInvalid(_("This invitation has been withdrawn."), status=410)
    if invitation.accepted_at:
        raise InvitationInvalid(
            _("This invitation has already been used. Sign in with your account."), status=410
        )
    if invitation.is_expired:
        raise InvitationInvalid(
            _("This invitation has expired. Ask the person who invited you for a new one."),
            status=410,
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, data: Mapping[str, Any]):
    """Create an active member with a verified address (the invitation proves it) and their
    organisation membership. Any problem raises before anything is written."""
    invitation = invitation_for_token(token, for_update=True)
    email = invitation.email
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise InvitationInvalid(
            _("An account with this address already exists. Sign in instead."), status=409
        )
    _check_names(legal_name=data["legal_name"], display_name=data.get("display_name") or "")
    legal_name = clean_name(data["legal_name"])
    display_name = clean_name(data.get("display_name") or "") or legal_name
    if display_name_taken(display_name):
        raise ValidationError({"display_name": [DISPLAY_NAME_TAKEN]})

    user = User(
        username=email,
        email=email,
        legal_name=legal_name,
        display_name=display_name,
        status=User.Status.MEMBER,
        preferred_language=data.get("preferred_language") or invitation.language,
        hide_membership=bool(data.get("hide_membership")),
    )
    user.set_password(data["password"])
    _save_new_user(user)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if invitation.organisation_id:
        OrganisationMembership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit(
        Action.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
        invitation=invitation.pk,
        invited_by=invitation.invited_by_id,
    )
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    if invitation.organisation is None:
        _require_coordinator(by)
    else:
        _require_administrator(by, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is already closed."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(Action.INVITATION_REVOKED, actor=by, invitation=invitation.pk)
    return invitation


# ----------------------------------------------------------------------------- organisations

ORGANISATION_FIELDS = [
    "name_ar",
    "name_en",
    "kind",
    "scope",
    "country",
    "governorate",
    "city",
    "languages",
    "website",
    "description_ar",
    "description_en",
    "listed_publicly",
]


@transaction.atomic
def organisation_update(*, organisation: Organisation, by, data: Mapping[str, Any]) -> Organisation:
    """Change an organisation's details. `data["logo"]` is an already re-encoded file
    (tadamun.organisations.images.reencode_logo); `data["remove_logo"]` removes it."""
    _require_administrator(by, organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    _check_names(name_ar=data.get("name_ar") or "", name_en=data.get("name_en") or "")
    name_ar = clean_name(data.get("name_ar", organisation.name_ar) or "")
    name_en = clean_name(data.get("name_en", organisation.name_en) or "")
    _check_organisation_names(name_ar=name_ar, name_en=name_en, exclude_pk=organisation.pk)

    changed = []
    values = {**data, "name_ar": name_ar, "name_en": name_en}
    for field in ORGANISATION_FIELDS:
        if field not in values:
            continue
        value = values[field]
        if value is None:
            value = "" if field != "languages" else []
        if getattr(organisation, field) != value:
            setattr(organisation, field, value)
            changed.append(field)
    if organisation.scope == Organisation.Scope.IRAQI:
        organisation.country = IRAQ
    if organisation.country != IRAQ or organisation.scope != Organisation.Scope.IRAQI:
        organisation.governorate = ""
    organisation.full_clean(exclude=["logo"])

    old_logo = organisation.logo.name if organisation.logo else ""
    if data.get("logo"):
        organisation.logo.save(data["logo"].name, data["logo"], save=False)
        changed.append("logo")
    elif data.get("remove_logo") and old_logo:
        organisation.logo = ""
        changed.append("logo")
    organisation.save()
    if "themes" in data:
        before = set(organisation.themes.values_list("pk", flat=True))
        organisation.themes.set(data["themes"])
        if before != {theme.pk for theme in data["themes"]}:
            changed.append("themes")
    if "logo" in changed and old_logo:
        storage = organisation.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    if changed:
        audit(Action.ORG_CHANGED, actor=by, organisation=organisation.pk, fields=changed)
    return organisation


def _is_last_admin(membership: OrganisationMembership) -> bool:
    return (
        membership.role == Role.ADMIN
        and not OrganisationMembership.objects.filter(
            organisation=membership.organisation_id, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_set_role(
    *, membership: OrganisationMembership, by, role: str
) -> OrganisationMembership:
    _require_administrator(by, membership.organisation)
    if role not in Role.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != Role.ADMIN and _is_last_admin(membership) and not by.is_network_coordinator:
        raise ValidationError(LAST_ADMIN)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        Action.ROLE_CHANGED,
        actor=by,
        subject=membership.user,
        organisation=membership.organisation_id,
        before=before,
        after=role,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: OrganisationMembership, by) -> None:
    """Administrators remove members; anyone may leave an organisation."""
    if membership.user_id != by.pk:
        _require_administrator(by, membership.organisation)
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    if _is_last_admin(membership) and not by.is_network_coordinator:
        raise ValidationError(LAST_ADMIN)
    audit(
        Action.ROLE_CHANGED,
        actor=by,
        subject=membership.user,
        organisation=membership.organisation_id,
        before=membership.role,
        after=None,
    )
    membership.delete()
