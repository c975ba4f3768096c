from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tadamun.core.text import fold

IRAQ = "IQ"


class Theme(models.Model):
    """A theme the network works on (privatization, peace building, workers' rights, …)."""

    slug = models.SlugField(unique=True, max_length=60)
    name_ar = models.CharField(_("name in Arabic"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name_en


class Governorate(models.TextChoices):
    """Iraq's eighteen governorates plus Halabja (recognised by the Kurdistan Region)."""

    BAGHDAD = "baghdad", _("Baghdad")
    BASRA = "basra", _("Basra")
    NINEVEH = "nineveh", _("Nineveh")
    ERBIL = "erbil", _("Erbil")
    SULAYMANIYAH = "sulaymaniyah", _("Sulaymaniyah")
    DUHOK = "duhok", _("Duhok")
    KIRKUK = "kirkuk", _("Kirkuk")
    ANBAR = "anbar", _("Anbar")
    BABIL = "babil", _("Babil")
    KARBALA = "karbala", _("Karbala")
    NAJAF = "najaf", _("Najaf")
    DIYALA = "diyala", _("Diyala")
    SALADIN = "saladin", _("Saladin")
    WASIT = "wasit", _("Wasit")
    MAYSAN = "maysan", _("Maysan")
    DHI_QAR = "dhi_qar", _("Dhi Qar")
    MUTHANNA = "muthanna", _("Muthanna")
    QADISIYAH = "qadisiyah", _("Qadisiyah")
    HALABJA = "halabja", _("Halabja")


# Place names are data rather than interface text: their Arabic form is kept here so that it is
# right even before a translation catalogue exists.
GOVERNORATE_NAMES_AR = {
    "baghdad": "بغداد",
    "basra": "البصرة",
    "nineveh": "نينوى",
    "erbil": "أربيل",
    "sulaymaniyah": "السليمانية",
    "duhok": "دهوك",
    "kirkuk": "كركوك",
    "anbar": "الأنبار",
    "babil": "بابل",
    "karbala": "كربلاء",
    "najaf": "النجف",
    "diyala": "ديالى",
    "saladin": "صلاح الدين",
    "wasit": "واسط",
    "maysan": "ميسان",
    "dhi_qar": "ذي قار",
    "muthanna": "المثنى",
    "qadisiyah": "القادسية",
    "halabja": "حلبجة",
}


def governorate_name(code: str, language: str | None = None) -> str:
    if not code:
        return ""
    if (language or get_language() or "ar")[:2] == "ar":
        return GOVERNORATE_NAMES_AR.get(code, code)
    return str(Governorate(code).label) if code in Governorate.values else code


def governorate_choices(language: str | None = None) -> list[tuple[str, str]]:
    return [(code, governorate_name(code, language)) for code in Governorate.values]


class OrganisationLanguage(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    KURDISH = "ku", _("Kurdish")
    TURKMEN = "tr", _("Turkmen")
    SYRIAC = "syr", _("Syriac")
    FRENCH = "fr", _("French")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental organisation")
        TRADE_UNION = "trade_union", _("Trade union")
        WOMENS_RIGHTS = "womens_rights", _("Women's rights organisation")
        YOUTH_STUDENT_UNION = "youth_student_union", _("Youth or student union")
        HUMAN_RIGHTS = "human_rights", _("Human rights organisation")
        MINORITY_RIGHTS = "minority_rights", _("Minority rights organisation")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    class Scope(models.TextChoices):
        IRAQI = "iraqi", _("Iraqi")
        INTERNATIONAL = "international", _("International")

    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    # Folded forms (tadamun.core.text.fold) carry the uniqueness: look-alike names are refused.
    name_ar_folded = models.CharField(max_length=200, blank=True, editable=False)
    name_en_folded = models.CharField(max_length=200, blank=True, editable=False)
    slug = models.SlugField(_("short name"), unique=True, max_length=80)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.NGO)
    scope = models.CharField(_("Iraqi or international"), max_length=16, choices=Scope.choices)
    country = CountryField(_("country"))
    governorate = models.CharField(
        _("governorate"), max_length=16, choices=Governorate.choices, blank=True
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="organisations"
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    description_ar = models.TextField(_("description in Arabic"), max_length=5000, blank=True)
    description_en = models.TextField(_("description in English"), max_length=5000, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    listed_publicly = models.BooleanField(
        _("listed publicly"),
        default=False,
        help_text=_("Shown in the public list of member organisations, visible to anyone."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name_en", "name_ar", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(governorate="") | Q(scope="iraqi", country=IRAQ),
                name="organisation_governorate_only_in_iraq",
            ),
            models.CheckConstraint(
                condition=~Q(name_ar="") | ~Q(name_en=""),
                name="organisation_has_a_name",
            ),
            models.UniqueConstraint(
                fields=["name_ar_folded"],
                condition=~Q(name_ar_folded=""),
                name="organisation_unique_name_ar",
            ),
            models.UniqueConstraint(
                fields=["name_en_folded"],
                condition=~Q(name_en_folded=""),
                name="organisation_unique_name_en",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_ar

    def save(self, *args, **kwargs):
        # Derived data kept in step with the names it folds (as on User).
        self.name_ar_folded = fold(self.name_ar)
        self.name_en_folded = fold(self.name_en)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("organisations:organisation", args=[self.slug])

    @property
    def governorate_name(self) -> str:
        return governorate_name(self.governorate)

    def language_labels(self) -> list[str]:
        labels = dict(OrganisationLanguage.choices)
        return [str(labels[code]) for code in self.languages if code in labels]


class OrganisationMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-role", "pk"]
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class Application(models.Model):
    """A request to join the network, by a person alone or on behalf of an organisation."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("As an individual")
        ORGANISATION = "organisation", _("On behalf of an organisation")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    applicant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application"
    )
    kind = models.CharField(_("applying"), max_length=16, choices=Kind.choices)
    org_name_ar = models.CharField(_("organisation name in Arabic"), max_length=200, blank=True)
    org_name_en = models.CharField(_("organisation name in English"), max_length=200, blank=True)
    org_kind = models.CharField(
        _("kind of organisation"), max_length=24, choices=Organisation.Kind.choices, blank=True
    )
    org_scope = models.CharField(
        _("Iraqi or international"), max_length=16, choices=Organisation.Scope.choices, blank=True
    )
    org_country = CountryField(_("country"), blank=True)
    org_governorate = models.CharField(
        _("governorate"), max_length=16, choices=Governorate.choices, blank=True
    )
    org_city = models.CharField(_("city"), max_length=100, blank=True)
    org_website = models.URLField(_("website"), max_length=300, blank=True)
    org_description = models.TextField(_("about the organisation"), max_length=5000, blank=True)
    motivation = models.TextField(_("why do you want to join?"), max_length=3000)
    language = models.CharField(_("language"), max_length=2, default="ar")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_message = models.TextField(_("message to the applicant"), max_length=3000, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        help_text=_("The organisation created when the application was approved."),
    )
    created = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.applicant} ({self.kind}, {self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def org_governorate_name(self) -> str:
        return governorate_name(self.org_governorate)


class Invitation(models.Model):
    """A single-use invitation. Only the SHA-256 of its random token is stored; the link
    carries the token signed with SECRET_KEY (django.core.signing)."""

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(
        _("role"),
        max_length=8,
        choices=OrganisationMembership.Role.choices,
        default=OrganisationMembership.Role.MEMBER,
    )
    language = models.CharField(_("language of the invitation"), max_length=2, default="ar")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation or '-'}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return not self.accepted_at and not self.revoked_at and not self.is_expired

    @property
    def state(self) -> str:
        if self.accepted_at:
            return str(_("accepted"))
        if self.revoked_at:
            return str(_("revoked"))
        if self.is_expired:
            return str(_("expired"))
        return str(_("open"))
