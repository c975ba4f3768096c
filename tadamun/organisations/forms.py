"""Forms validate what people type; the services decide and write."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tadamun.accounts.forms import NameField
from tadamun.core.templatetags.bidi import pick
from tadamun.organisations import selectors, services
from tadamun.organisations.images import reencode_logo
from tadamun.organisations.models import (
    IRAQ,
    Application,
    Organisation,
    OrganisationLanguage,
    OrganisationMembership,
    Theme,
    governorate_choices,
)

User = get_user_model()

LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


def _blank(label=None):
    return [("", label or _("Any"))]


class LtrEmailField(forms.EmailField):
    def __init__(self, **kwargs):
        super().__init__(max_length=254, **kwargs)
        self.widget.attrs.update({"dir": "ltr", "autocomplete": "email"})


class PasswordPairMixin:
    """Two password fields checked against Django's validators (settings.AUTH_PASSWORD_...)."""

    def _check_passwords(self, cleaned, *, user_attrs: dict) -> None:
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
            return
        if password:
            try:
                validate_password(password, user=User(**user_attrs))
            except ValidationError as error:
                self.add_error("password1", error)


def _password_fields():
    return (
        forms.CharField(
            label=_("Password"),
            max_length=128,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
        ),
        forms.CharField(
            label=_("Password again"),
            max_length=128,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
        ),
    )


class ApplicationForm(PasswordPairMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("I am applying"), choices=Application.Kind.choices, widget=forms.RadioSelect
    )
    legal_name = NameField(label=_("Full name"), max_length=150)
    display_name = NameField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_(
            "The name other members see. It may be a pseudonym; your full name is seen only "
            "by coordinators. Leave empty to use your full name."
        ),
    )
    email = LtrEmailField(label=_("E-mail address"))
    password1, password2 = _password_fields()
    language = forms.ChoiceField(
        label=_("Language for e-mails from the network"), choices=LANGUAGE_CHOICES
    )
    motivation = forms.CharField(
        label=_("Why do you want to join the initiative?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )
    org_name_ar = NameField(label=_("Organisation name in Arabic"), max_length=200, required=False)
    org_name_en = NameField(label=_("Organisation name in English"), max_length=200, required=False)
    org_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=_blank("—") + list(Organisation.Kind.choices),
        required=False,
    )
    org_scope = forms.ChoiceField(
        label=_("Iraqi or international"),
        choices=_blank("—") + list(Organisation.Scope.choices),
        required=False,
    )
    org_country = forms.ChoiceField(label=_("Country"), required=False)
    org_governorate = forms.ChoiceField(
        label=_("Governorate (Iraqi organisations)"), required=False
    )
    org_city = forms.CharField(label=_("City"), max_length=100, required=False)
    org_website = forms.URLField(
        label=_("Website"),
        max_length=300,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    org_description = forms.CharField(
        label=_("About the organisation"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )

    ORGANISATION_FIELDS = (
        "org_name_ar",
        "org_name_en",
        "org_kind",
        "org_scope",
        "org_country",
        "org_governorate",
        "org_city",
        "org_website",
        "org_description",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (get_language() or "ar")[:2]
        self.fields["org_country"].choices = _blank("—") + list(countries)
        self.fields["org_governorate"].choices = _blank("—") + governorate_choices()

    def clean_display_name(self):
        name = self.cleaned_data.get("display_name", "")
        if name and services.display_name_taken(name):
            raise ValidationError(services.DISPLAY_NAME_TAKEN)
        return name

    def clean(self):
        cleaned = super().clean()
        legal_name = cleaned.get("legal_name")
        if (
            legal_name
            and not cleaned.get("display_name")
            and "display_name" not in self.errors
            and services.display_name_taken(legal_name)
        ):
            self.add_error("display_name", services.DISPLAY_NAME_TAKEN)
        self._check_passwords(
            cleaned,
            user_attrs={
                "email": cleaned.get("email", ""),
                "legal_name": legal_name or "",
                "display_name": cleaned.get("display_name") or "",
            },
        )
        if cleaned.get("kind") == Application.Kind.ORGANISATION:
            self._clean_organisation(cleaned)
        return cleaned

    def _clean_organisation(self, cleaned) -> None:
        name_ar, name_en = cleaned.get("org_name_ar"), cleaned.get("org_name_en")
        if (
            not name_ar
            and not name_en
            and not ("org_name_ar" in self.errors or "org_name_en" in self.errors)
        ):
            self.add_error("org_name_en", _("Give the organisation's name in Arabic or English."))
        for field in ("org_name_ar", "org_name_en"):
            if cleaned.get(field) and services.organisation_name_taken(name=cleaned[field]):
                self.add_error(field, services.NAME_TAKEN)
        for field in ("org_kind", "org_scope"):
            if not cleaned.get(field) and field not in self.errors:
                self.add_error(field, _("This field is required for an organisation."))
        scope = cleaned.get("org_scope")
        if scope == Organisation.Scope.INTERNATIONAL and not cleaned.get("org_country"):
            self.add_error("org_country", _("Choose the country the organisation is based in."))
        if scope == Organisation.Scope.IRAQI:
            cleaned["org_country"] = IRAQ
        if cleaned.get("org_governorate") and scope != Organisation.Scope.IRAQI:
            self.add_error(
                "org_governorate", _("A governorate can be given only for Iraqi organisations.")
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2", None)
        return data


class DirectoryFilterForm(forms.Form):
    """The organisation directory's filters: a GET form, so every filtered page has a URL."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    scope = forms.ChoiceField(label=_("Iraqi or international"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    language = forms.ChoiceField(label=_("Working language"), required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank() + list(Organisation.Kind.choices)
        self.fields["scope"].choices = _blank() + list(Organisation.Scope.choices)
        # Only the countries the reader's organisations are in: a list of 250 countries would
        # weigh on every page and offer choices that find nothing.
        present = set()
        if organisations is not None:
            present = set(organisations.order_by().values_list("country", flat=True).distinct())
        self.fields["country"].choices = _blank() + [
            (code, name) for code, name in countries if organisations is None or code in present
        ]
        self.fields["governorate"].choices = _blank() + governorate_choices()
        self.fields["theme"].choices = _blank() + [
            (theme.slug, pick(theme, "name")) for theme in Theme.objects.all()
        ]
        self.fields["language"].choices = _blank() + list(OrganisationLanguage.choices)
        self.fields["page"].widget = forms.HiddenInput()

    def filter(self, organisations):
        data = self.cleaned_data
        if q := data.get("q", "").strip():
            organisations = organisations.filter(
                Q(name_ar__icontains=q)
                | Q(name_en__icontains=q)
                | Q(city__icontains=q)
                | Q(description_ar__icontains=q)
                | Q(description_en__icontains=q)
            )
        for field in ("kind", "scope", "country", "governorate"):
            if data.get(field):
                organisations = organisations.filter(**{field: data[field]})
        if data.get("theme"):
            organisations = organisations.filter(themes__slug=data["theme"])
        if data.get("language"):
            # The JSON text holds each code in quotes; this works on SQLite, which has no
            # JSON `contains`, and on PostgreSQL alike. Codes come from a fixed choice list.
            organisations = organisations.filter(languages__icontains=f'"{data["language"]}"')
        return organisations


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class OrganisationForm(forms.Form):
    name_ar = NameField(label=_("Name in Arabic"), max_length=200, required=False)
    name_en = NameField(label=_("Name in English"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    scope = forms.ChoiceField(label=_("Iraqi or international"), choices=Organisation.Scope.choices)
    country = forms.ChoiceField(label=_("Country"))
    governorate = forms.ChoiceField(label=_("Governorate (Iraqi organisations)"), required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=OrganisationLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(
        label=_("Website"),
        max_length=300,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    description_ar = forms.CharField(
        label=_("Description in Arabic"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "rtl", "lang": "ar"}),
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr", "lang": "en"}),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "PNG, JPEG, WebP or GIF. It is resized to 512 pixels and its metadata removed."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    listed_publicly = forms.BooleanField(
        label=_("List publicly"),
        required=False,
        help_text=_("Show this organisation in the public list of member organisations."),
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        self.organisation = organisation
        kwargs.setdefault(
            "initial",
            {
                **{field: getattr(organisation, field) for field in services.ORGANISATION_FIELDS},
                "country": organisation.country.code,
                "themes": list(organisation.themes.all()),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["name_ar"].widget.attrs.update({"dir": "rtl", "lang": "ar"})
        self.fields["name_en"].widget.attrs.update({"dir": "ltr", "lang": "en"})
        self.fields["country"].choices = list(countries)
        self.fields["governorate"].choices = _blank("—") + governorate_choices()

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return reencode_logo(upload) if upload else None

    def clean(self):
        cleaned = super().clean()
        name_ar, name_en = cleaned.get("name_ar"), cleaned.get("name_en")
        if (
            not name_ar
            and not name_en
            and not ("name_ar" in self.errors or "name_en" in self.errors)
        ):
            self.add_error("name_en", _("Give the organisation's name in Arabic or English."))
        for field in ("name_ar", "name_en"):
            if cleaned.get(field) and services.organisation_name_taken(
                name=cleaned[field], exclude_pk=self.organisation.pk
            ):
                self.add_error(field, services.NAME_TAKEN)
        if cleaned.get("scope") == Organisation.Scope.IRAQI:
            if cleaned.get("country") and cleaned["country"] != IRAQ:
                self.add_error("country", _("An Iraqi organisation is based in Iraq."))
        elif cleaned.get("governorate"):
            self.add_error(
                "governorate", _("A governorate can be given only for Iraqi organisations.")
            )
        return cleaned


class InvitationForm(forms.Form):
    email = LtrEmailField(label=_("E-mail address"))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Role in the organisation"),
        choices=OrganisationMembership.Role.choices,
        initial=OrganisationMembership.Role.MEMBER,
    )
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        field = self.fields["organisation"]
        field.queryset = selectors.organisations_administered_by(inviter)
        field.label_from_instance = lambda organisation: pick(organisation, "name")
        if inviter.is_network_coordinator:
            field.empty_label = _("None: the network only")
        else:
            field.required = True
            field.empty_label = None
        self.fields["language"].initial = (get_language() or "ar")[:2]


class InvitationAcceptForm(PasswordPairMixin, forms.Form):
    legal_name = NameField(label=_("Full name"), max_length=150)
    display_name = NameField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("The name other members see. It may be a pseudonym."),
    )
    password1, password2 = _password_fields()
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES)
    hide_membership = forms.BooleanField(
        label=_("Hide my membership"),
        required=False,
        help_text=_(
            "Only coordinators will see that you belong to the network or to an organisation."
        ),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["preferred_language"].initial = (get_language() or "ar")[:2]

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("display_name") or cleaned.get("legal_name")
        if name and "display_name" not in self.errors and services.display_name_taken(name):
            self.add_error("display_name", services.DISPLAY_NAME_TAKEN)
        self._check_passwords(
            cleaned,
            user_attrs={"email": self.email, "legal_name": cleaned.get("legal_name") or ""},
        )
        return cleaned

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2", None)
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )
    message = forms.CharField(
        label=_("Message to the applicant (optional)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationMembership.Role.choices)
