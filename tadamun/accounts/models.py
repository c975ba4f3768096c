from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tadamun.core.text import clean_name, fold


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


def handle_base(display_name: str) -> str:
    """`Amal Hassan` → `amal_hassan`, `أمل حسن` → `أمل_حسن`: letters and digits of any script,
    joined by underscores — what `core.markdown` reads after an `@`."""
    base = slugify(display_name, allow_unicode=True).replace("-", "_").strip("_")
    return base[:50] or "member"


def free_handle(display_name: str, *, exclude_pk: int | None = None) -> str:
    base = handle_base(display_name)
    taken = set(
        User.objects.filter(handle__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("handle", flat=True)
    )
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}_{number}"
    return candidate


class User(AbstractUser):
    """A person. Signs in by e-mail; shown to other members by display name (a pseudonym when
    they choose one); may hide their membership so only coordinators see it."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        MEMBER = "member", _("Member")
        DECLINED = "declined", _("Declined")
        SUSPENDED = "suspended", _("Suspended")

    email = models.EmailField(_("e-mail address"), unique=True)
    legal_name = models.CharField(
        _("full name"),
        max_length=150,
        help_text=_("Seen only by coordinators when you choose a display name."),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("The name other members see. It may be a pseudonym."),
    )
    display_name_folded = models.CharField(max_length=80, unique=True, editable=False)
    # How others @mention this person: derived from the display name (never from the e-mail
    # address or the legal name), so a pseudonym's handle reveals nothing more than it.
    handle = models.CharField(_("mention name"), max_length=60, unique=True, editable=False)
    username_folded = models.CharField(max_length=150, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.APPLICANT
    )
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_translator = models.BooleanField(_("translator"), default=False)
    hide_membership = models.BooleanField(
        _("hide my membership"),
        default=False,
        help_text=_(
            "Only coordinators will see that you belong to the network or to an organisation."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ARABIC
    )
    bio = models.TextField(_("about me"), max_length=2000, blank=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("organisations:person", args=[self.pk])

    def save(self, *args, **kwargs):
        # Folded forms are derived data kept in step with the names they fold; the unique
        # constraints on them are what stops look-alike impersonation.
        self.display_name = clean_name(self.display_name or self.legal_name or self.username)
        self.legal_name = clean_name(self.legal_name)
        self.username = clean_name(self.username)
        self.display_name_folded = fold(self.display_name)
        self.username_folded = fold(self.username)
        if not self.handle or not self.handle.startswith(handle_base(self.display_name)):
            self.handle = free_handle(self.display_name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    @property
    def is_member(self) -> bool:
        """Approved and active: may reach internal pages."""
        return self.is_active and (self.status == self.Status.MEMBER or self.is_superuser)

    @property
    def is_network_coordinator(self) -> bool:
        return self.is_member and (self.is_coordinator or self.is_superuser)

    @property
    def is_applicant(self) -> bool:
        return self.is_active and self.status == self.Status.APPLICANT


class UserSession(models.Model):
    """One signed-in browser, listed on the security page so it can be signed out. Holds no
    IP address (README, Privacy): only a coarse "Firefox on Android" summary."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"))
    user_agent_summary = models.CharField(_("device"), max_length=100, blank=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} · {self.user_agent_summary}"


class SecurityPolicy(models.Model):
    """The network's one security policy row (pk=1), edited by coordinators."""

    require_mfa_for_coordinators = models.BooleanField(
        _("coordinators must use a second factor"), default=False
    )
    require_mfa_for_org_admins = models.BooleanField(
        _("organisation administrators must use a second factor"), default=False
    )
    updated = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="security_policy_singleton")
        ]

    def __str__(self) -> str:
        return str(_("security policy"))
