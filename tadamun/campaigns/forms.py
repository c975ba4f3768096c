"""Forms validate what people type (lengths, formats); campaigns.services cleans the text,
refuses what is hostile and decides. Arabic fields are right-to-left, English ones
left-to-right, side by side."""

from django import forms
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tadamun.campaigns.models import Campaign, CampaignReview
from tadamun.campaigns.selectors import NEXT_STATUSES, PUBLISHED
from tadamun.campaigns.services import (
    COMMENT_MAX,
    EVENT_LIMITS,
    TARGET_LIMITS,
    TEXT_LIMITS,
    UPDATE_LIMITS,
)
from tadamun.core.templatetags.bidi import pick
from tadamun.organisations.models import Organisation, Theme

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}

AR = {"dir": "rtl", "lang": "ar"}
EN = {"dir": "ltr", "lang": "en"}
MARKDOWN_HELP = _("Markdown: *italic*, **bold**, links, lists.")


def _line(label, limit: int, attrs: dict, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        strip=True,
        widget=forms.TextInput(attrs={**attrs, "autocomplete": "off"}),
    )


def _area(label, limit: int, attrs: dict, *, rows: int = 6, required: bool = False, help=""):
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        strip=True,
        help_text=help,
        widget=forms.Textarea(attrs={**attrs, "rows": rows}),
    )


class OrganisationChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return pick(obj, "name")


class ThemeChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return pick(obj, "name")


class CampaignForm(forms.Form):
    """Both languages side by side; organisations and themes below."""

    title_ar = _line(_("Title in Arabic"), TEXT_LIMITS["title"], AR)
    summary_ar = _area(_("Summary in Arabic"), TEXT_LIMITS["summary"], AR, rows=3)
    demands_ar = _area(_("Demands in Arabic"), TEXT_LIMITS["demands"], AR, help=MARKDOWN_HELP)
    background_ar = _area(
        _("Background in Arabic"), TEXT_LIMITS["background"], AR, rows=8, help=MARKDOWN_HELP
    )
    issue_ar = _line(_("The issue in Arabic"), TEXT_LIMITS["issue"], AR)
    title_en = _line(_("Title in English"), TEXT_LIMITS["title"], EN)
    summary_en = _area(_("Summary in English"), TEXT_LIMITS["summary"], EN, rows=3)
    demands_en = _area(_("Demands in English"), TEXT_LIMITS["demands"], EN, help=MARKDOWN_HELP)
    background_en = _area(
        _("Background in English"), TEXT_LIMITS["background"], EN, rows=8, help=MARKDOWN_HELP
    )
    issue_en = _line(_("The issue in English"), TEXT_LIMITS["issue"], EN)
    lead_organisations = OrganisationChoice(
        label=_("Lead organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one of them must be an organisation you administer."),
    )
    partner_organisations = OrganisationChoice(
        label=_("Partner organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    identified_by = OrganisationChoice(
        label=_("Iraqi organisations that identified the issue"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = ThemeChoice(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    ARABIC = ("title_ar", "summary_ar", "demands_ar", "background_ar", "issue_ar")
    ENGLISH = ("title_en", "summary_en", "demands_en", "background_en", "issue_en")
    RELATIONS = ("lead_organisations", "partner_organisations", "identified_by", "themes")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisations"].queryset = organisations
        self.fields["partner_organisations"].queryset = organisations
        self.fields["identified_by"].queryset = organisations.filter(scope=Organisation.Scope.IRAQI)
        self.fields["themes"].queryset = Theme.objects.all()

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        initial = {name: getattr(campaign, name) for name in (*cls.ARABIC, *cls.ENGLISH)}
        for name in cls.RELATIONS:
            initial[name] = list(getattr(campaign, name).values_list("pk", flat=True))
        return initial

    def arabic_fields(self):
        return [self[name] for name in self.ARABIC]

    def english_fields(self):
        return [self[name] for name in self.ENGLISH]

    def relation_fields(self):
        return [self[name] for name in self.RELATIONS]


class FilterForm(forms.Form):
    """The list's filters: a GET form, so every filtered page has a URL."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("All themes"),
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All but the archived ones"))] + [
            (value, label) for value, label in Campaign.Status.choices if value in PUBLISHED
        ]
        self.fields["page"].widget = forms.HiddenInput()
        self.fields["theme"].label_from_instance = lambda theme: pick(theme, "name")


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=CampaignReview.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment for the proposer and the other reviewers"),
        max_length=COMMENT_MAX,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 5}),
        help_text=_("Needed when you ask for changes or reject the campaign."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Next step"))

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = NEXT_STATUSES.get(campaign.status, ())
        self.fields["status"].choices = [
            (value, label) for value, label in Campaign.Status.choices if value in allowed
        ]


class TargetForm(forms.Form):
    name_ar = _line(_("Name in Arabic"), TARGET_LIMITS["name"], AR, required=True)
    role_ar = _line(_("Role in Arabic"), TARGET_LIMITS["role"], AR)
    name_en = _line(_("Name in English"), TARGET_LIMITS["name"], EN, required=True)
    role_en = _line(_("Role in English"), TARGET_LIMITS["role"], EN)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_("Where petitions are delivered. Shown only to the campaign's editors."),
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )


class EventForm(forms.Form):
    title_ar = _line(_("Title in Arabic"), EVENT_LIMITS["title"], AR, required=True)
    place_ar = _line(_("Place in Arabic"), EVENT_LIMITS["place"], AR)
    title_en = _line(_("Title in English"), EVENT_LIMITS["title"], EN, required=True)
    place_en = _line(_("Place in English"), EVENT_LIMITS["place"], EN)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class UpdateForm(forms.Form):
    title_ar = _line(_("Title in Arabic"), UPDATE_LIMITS["title"], AR, required=True)
    body_ar = _area(
        _("Text in Arabic"), UPDATE_LIMITS["body"], AR, required=True, help=MARKDOWN_HELP
    )
    title_en = _line(_("Title in English"), UPDATE_LIMITS["title"], EN, required=True)
    body_en = _area(
        _("Text in English"), UPDATE_LIMITS["body"], EN, required=True, help=MARKDOWN_HELP
    )


class LinkForm(forms.Form):
    """A document or post named by its address on this site (pasted from the browser) or its
    number."""

    address = forms.CharField(
        label=_("Address or number"),
        max_length=500,
        strip=True,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )

    def __init__(self, *args, url_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_name = url_name

    def clean_address(self) -> int:
        address = self.cleaned_data["address"]
        if address.isascii() and address.isdigit() and len(address) < 12:
            return int(address)
        path = address.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "://" in address and "/" in path else path
        path = path.split("?", 1)[0].split("#", 1)[0]
        # The address may carry either language's prefix (/ar/…, /en/…): resolve it in that one.
        prefix = path.lstrip("/").split("/", 1)[0]
        language = prefix if prefix in LANGUAGE_CODES else translation.get_language()
        try:
            with translation.override(language):
                match = resolve(path)
        except Resolver404:
            match = None
        if match is None or match.view_name != self.url_name or "pk" not in match.kwargs:
            raise forms.ValidationError(
                _("Paste the address of the page (or its number), as the browser shows it.")
            )
        return int(match.kwargs["pk"])
