"""The signing form: what a signer types, checked before anything is stored.

Names and organisation names refuse what could disguise or inject: bidi overrides (U+202E
turns "Ali" into something else on screen), control characters (CR/LF would inject mail
headers where a name is used), and markup. The honeypot and the signed timestamp are checked
here too (tadamun.petitions.protection); rate limits need the request and are the view's.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tadamun.core.templatetags.bidi import pick
from tadamun.core.text import clean_name, has_bidi_controls
from tadamun.organisations.models import governorate_choices
from tadamun.petitions import protection
from tadamun.petitions.models import Partner, Petition, Signature
from tadamun.petitions.normalise import InvalidAddress, email_domain, normalise_email
from tadamun.petitions.services import SignatureData

NAME_MAX = Signature._meta.get_field("name").max_length
ORGANISATION_MAX = Signature._meta.get_field("organisation_name").max_length
# Characters that have no place in a name: markup, and what mail headers and CSV cells treat
# specially ("=cmd|" in a spreadsheet export).
FORBIDDEN_IN_NAMES = set("<>{}[]\\|=;`")


def check_person_text(value: str, *, label) -> str:
    """A name as typed → its stored form, or ValidationError with a clear reason."""
    if has_bidi_controls(value):
        raise ValidationError(
            _(
                "%(label)s contains invisible or direction-changing characters. "
                "Please type it again without them."
            ),
            params={"label": label},
            code="bidi",
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise ValidationError(
            _("%(label)s must be on one line, without control characters."),
            params={"label": label},
            code="control",
        )
    if any(char in FORBIDDEN_IN_NAMES for char in value):
        raise ValidationError(
            _("%(label)s may not contain any of these characters: < > { } [ ] \\ | = ; `"),
            params={"label": label},
            code="markup",
        )
    return clean_name(value)


@lru_cache(maxsize=16)
def _country_choices(language: str) -> list[tuple[str, str]]:
    """Countries sorted by their name in `language` (sorting ~250 translated names costs
    several ms: once per language and process)."""
    return [("", "—"), *((code, str(name)) for code, name in countries)]


@lru_cache(maxsize=16)
def _governorate_choices(language: str) -> list[tuple[str, str]]:
    return [("", "—"), *((code, str(name)) for code, name in governorate_choices(language))]


@lru_cache(maxsize=64)
def _options_html(choices: tuple, selected: tuple) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) in selected else "", label)  # nosec B308
            for value, label in choices
        ),
    )


class QuickSelect(forms.Select):
    """A <select> whose options are rendered once per choice list (so once per language) and
    selected value, not through one template per <option>: the ~250 countries cost 35 ms
    otherwise, on every page with the signing form."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        selected = tuple(str(v) for v in self.format_value(value))
        options = _options_html(tuple((str(v), str(label)) for v, label in self.choices), selected)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class SignForm(forms.Form):
    SHOW, HIDE = "show", "hide"

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        strip=False,
        help_text=_("As it should appear if you choose to show it on the public list."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    public = forms.ChoiceField(
        label=_("On the public list of signers"),
        choices=[
            (SHOW, _("Show my name")),
            (HIDE, _("Do not show my name (sign anonymously)")),
        ],
        initial=HIDE,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send you a link to confirm your signature. It is never shown."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    country = forms.ChoiceField(label=_("Country"), initial="IQ", widget=QuickSelect)
    governorate = forms.ChoiceField(
        label=_("Governorate (if you live in Iraq)"),
        required=False,
        widget=QuickSelect,
        help_text=_("The Kurdistan Region's governorates are in the list."),
    )
    organisation_name = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=ORGANISATION_MAX,
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization", "dir": "auto"}),
    )
    consent_petition = forms.BooleanField(
        label=_("I sign this petition, and agree that my signature is counted and delivered."),
        error_messages={"required": _("Tick this box to sign the petition.")},
    )
    consent_lead = forms.BooleanField(required=False)
    consent_partner = forms.BooleanField(required=False)
    # Not shown to people (the template hides it); bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # The signed moment the form was shown (protection.form_stamp), rendered by the page.
    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, petition: Petition, partner: Partner | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition
        self.partner = partner
        language = get_language() or "ar"
        # The cached lists are already in the shape ChoiceField.choices would normalise them
        # to; assigning them through the property would walk all ~250 countries again on
        # every form (2.5 ms of a signing POST).
        for name, choices in (
            ("country", _country_choices(language)),
            ("governorate", _governorate_choices(language)),
        ):
            field = self.fields[name]
            field._choices = field.widget._choices = choices
        self.fields["consent_lead"].label = petition.text_in("lead_consent")
        if partner is None:
            del self.fields["consent_partner"]
        else:
            self.fields["consent_partner"].label = pick(partner, "consent")

    def visible_fields_for_page(self):
        return [self[name] for name in self.fields if name not in ("website", "started")]

    def clean_name(self) -> str:
        name = check_person_text(self.cleaned_data["name"], label=_("Your name"))
        if not name:
            raise ValidationError(_("Please type your name."), code="required")
        return name

    def clean_organisation_name(self) -> str:
        return check_person_text(
            self.cleaned_data.get("organisation_name", ""), label=_("Organisation")
        )

    def clean_email(self) -> str:
        address = self.cleaned_data["email"].strip()
        try:
            normalise_email(address)
            domain = email_domain(address)
        except InvalidAddress as error:
            raise ValidationError(_("Enter a valid e-mail address."), code="invalid") from error
        if protection.is_disposable(domain):
            raise ValidationError(
                _(
                    "Addresses of disposable-mail services are not accepted. Please use an "
                    "address you keep."
                ),
                code="disposable",
            )
        return address

    def clean(self):
        data = super().clean()
        try:
            protection.check_honeypot(data.get("website", ""))
            protection.check_form_stamp(data.get("started", ""))
        except protection.Refused as refused:
            raise ValidationError(refused.message, code="refused") from refused
        if data.get("country") == "IQ" and not data.get("governorate"):
            self.add_error("governorate", _("Please choose your governorate."))
        if data.get("country") != "IQ":
            data["governorate"] = ""
        return data

    def signature_data(self) -> SignatureData:
        data = self.cleaned_data
        return SignatureData(
            name=data["name"],
            show_name=data["public"] == self.SHOW,
            email=data["email"],
            country=data["country"],
            governorate=data["governorate"],
            organisation_name=data["organisation_name"],
            consent_lead=data["consent_lead"],
            consent_partner=bool(data.get("consent_partner")),
        )
