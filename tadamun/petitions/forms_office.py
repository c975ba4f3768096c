"""Forms of the petitions' back office: they check what staff type and give clear messages;
the rules that matter (who, when, the tallies) are decided in petitions.office."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from tadamun.core.templatetags.bidi import pick
from tadamun.core.text import TEXT_BIDI_OVERRIDES, has_bidi_controls
from tadamun.core.uploads import check_file, extension_of
from tadamun.core.validators import validate_name
from tadamun.organisations.models import Governorate
from tadamun.petitions.models import Petition, Signature
from tadamun.petitions.normalise import InvalidAddress, idna_domain
from tadamun.petitions.office import (
    COUNTED_MAX,
    NOTE_MAX,
    REASON_MAX,
    RESPONSE_MAX,
    STATUS_MOVES,
    UPDATE_BODY_MAX,
    UPDATE_SUBJECT_MAX,
)

IDS_MAX = 10_000
EVIDENCE_TYPES = {"pdf", "jpg", "jpeg", "png", "webp", "gif"}


def _blank(label: str = "—") -> list:
    return [("", label)]


def no_overrides(value: str) -> None:
    """Free text may mix Arabic and English, but never hide its own direction."""
    if value and TEXT_BIDI_OVERRIDES.search(value):
        raise ValidationError(
            _("The text contains hidden text-direction characters (such as U+202E). Remove them."),
            code="bidi_override",
        )


def one_line(value: str) -> None:
    if value and ("\r" in value or "\n" in value):
        raise ValidationError(_("This is one line: remove the line breaks."), code="line_break")


def _partners(form, petition: Petition) -> None:
    """The petition's partners, named by their organisation in the reader's language."""
    field = form.fields["partner"]
    field.queryset = petition.partners.select_related("organisation")
    field.label_from_instance = lambda partner: pick(partner.organisation, "name")


def _ltr(**attrs) -> dict:
    return {"dir": "ltr", "autocomplete": "off", **attrs}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = STATUS_MOVES.get(petition.status, set())
        self.fields["status"].choices = [
            (value, label) for value, label in Petition.Status.choices if value in allowed
        ]


# ------------------------------------------------------------------------ invalidation


class InvalidationForm(forms.Form):
    """Which signatures to void (every criterion given must match), then why. Without a
    reason it is the preview; the confirmation carries the reason and the count seen."""

    domain = forms.CharField(
        label=_("E-mail domain"),
        required=False,
        max_length=253,
        help_text=_("For example mailinator.com: every address at this domain."),
        widget=forms.TextInput(attrs=_ltr()),
    )
    since = forms.DateTimeField(
        label=_("Signed from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}),
    )
    until = forms.DateTimeField(
        label=_("Signed before"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "dir": "ltr"}),
    )
    partner = forms.ModelChoiceField(
        label=_("Signed on the page of"), required=False, queryset=None, empty_label="—"
    )
    ids = forms.CharField(
        label=_("Signature numbers"),
        required=False,
        max_length=200_000,
        help_text=_("Separated by spaces, commas or new lines."),
        widget=forms.Textarea(attrs=_ltr(rows=3)),
    )
    reason = forms.CharField(
        label=_("Why are these signatures voided?"),
        required=False,
        max_length=REASON_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 3}),
    )
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, petition: Petition, require_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _partners(self, petition)
        self.require_reason = require_reason

    def clean_domain(self) -> str:
        value = (self.cleaned_data.get("domain") or "").strip().lstrip("@")
        if not value:
            return ""
        if has_bidi_controls(value) or any(ch.isspace() for ch in value) or "@" in value:
            raise ValidationError(_("Type a domain such as example.com."), code="domain")
        try:
            domain = idna_domain(value)
        except InvalidAddress:
            raise ValidationError(_("Type a domain such as example.com."), code="domain") from None
        if "." not in domain or not re.fullmatch(r"[a-z0-9.-]+", domain):
            raise ValidationError(_("Type a domain such as example.com."), code="domain")
        return domain

    def clean_ids(self) -> list[int]:
        value = self.cleaned_data.get("ids") or ""
        parts = [part for part in re.split(r"[\s,;]+", value) if part]
        if len(parts) > IDS_MAX:
            raise ValidationError(_("At most 10,000 numbers at a time."), code="too_many")
        if any(not part.isascii() or not part.isdigit() or len(part) > 18 for part in parts):
            raise ValidationError(
                _("Signature numbers are whole numbers, separated by spaces or commas."),
                code="ids",
            )
        return sorted({int(part) for part in parts})

    def clean_reason(self) -> str:
        value = (self.cleaned_data.get("reason") or "").strip()
        if self.require_reason and not value:
            raise ValidationError(_("Say why these signatures are voided."), code="required")
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not any(
            data.get(key) for key in ("domain", "since", "until", "partner", "ids")
        ):
            raise ValidationError(_("Choose which signatures to void."), code="no_criteria")
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", _("The end comes after the start."))
        return data

    def criteria(self) -> dict:
        """What selected the signatures, as stored on the Invalidation (JSON)."""
        data = self.cleaned_data
        criteria: dict = {}
        if data.get("domain"):
            criteria["domain"] = data["domain"]
        if data.get("since"):
            criteria["since"] = data["since"].isoformat()
        if data.get("until"):
            criteria["until"] = data["until"].isoformat()
        if data.get("partner"):
            criteria["partner"] = data["partner"].pk
        if data.get("ids"):
            criteria["ids"] = data["ids"]
        return criteria


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 3}),
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the author)"),
        required=False,
        max_length=REASON_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 3}),
    )


# ------------------------------------------------------------------------------ paper


def _country_choices() -> list:
    return _blank() + list(countries)


def _governorate_choices() -> list:
    return _blank() + list(Governorate.choices)


class PaperBatchForm(forms.Form):
    NAMES, COUNTED = "names", "counted"

    kind = forms.ChoiceField(
        label=_("How are these sheets entered?"),
        choices=[
            (NAMES, _("Name by name (each signer is entered)")),
            (COUNTED, _("As a counted total, with a scan of the sheets as evidence")),
        ],
        initial=NAMES,
        widget=forms.RadioSelect,
    )
    partner = forms.ModelChoiceField(
        label=_("Collected by the partner"), required=False, queryset=None, empty_label="—"
    )
    counted = forms.IntegerField(
        label=_("Number of signatures counted"),
        required=False,
        min_value=1,
        max_value=COUNTED_MAX,
    )
    country = forms.ChoiceField(label=_("Country"), required=False, initial="IQ")
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    evidence = forms.FileField(
        label=_("Evidence (scan of the sheets)"),
        required=False,
        help_text=_("A PDF or an image. Scans are deleted when the signers' data is anonymised."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 3}),
    )

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        _partners(self, petition)
        self.fields["country"].choices = _country_choices()
        self.fields["governorate"].choices = _governorate_choices()
        self.checked_evidence = None

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        checked = check_file(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
        if extension_of(checked.filename) not in EVIDENCE_TYPES:
            raise ValidationError(
                _("The evidence is a PDF or an image (up to %(limit)s)."),
                code="evidence_type",
                params={"limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)},
            )
        self.checked_evidence = checked
        return upload

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.COUNTED:
            if not data.get("counted"):
                self.add_error("counted", _("Give the number of signatures counted."))
            if not self.checked_evidence and "evidence" not in self.errors:
                self.add_error(
                    "evidence",
                    _("A counted total needs its evidence: upload a scan of the sheets."),
                )
        elif data.get("counted"):
            self.add_error(
                "counted", _("Leave the number empty when the names are entered one by one.")
            )
        if data.get("governorate") and data.get("country") not in ("", "IQ"):
            self.add_error("governorate", _("A governorate is given only for Iraq."))
        return data


class PaperSignatureForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("E-mail address (if written)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs=_ltr()),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    governorate = forms.ChoiceField(label=_("Governorate"), required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"),
        required=False,
        max_length=200,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the signer"), choices=settings.LANGUAGES, initial="ar"
    )
    consent_lead = forms.BooleanField(
        label=_("Ticked: news from the lead organisations"), required=False
    )
    consent_partner = forms.BooleanField(label=_("Ticked: news from the partner"), required=False)

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()
        self.fields["governorate"].choices = _governorate_choices()
        self.fields["country"].initial = str(batch.country or "") or "IQ"
        self.fields["governorate"].initial = batch.governorate
        if batch.partner_id is None:
            del self.fields["consent_partner"]

    def clean_email(self) -> str:
        value = self.cleaned_data.get("email") or ""
        if has_bidi_controls(value):
            raise ValidationError(_("This e-mail address is not valid."), code="bidi")
        return value


# ---------------------------------------------------------------------------- updates


class UpdateForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("To whom"),
        required=False,
        queryset=None,
        empty_label=_("Signers who agreed to news from the lead organisations"),
        help_text=_("Or the signers of one partner's page who agreed to that partner's news."),
    )
    subject_ar = forms.CharField(
        label=_("Subject in Arabic"),
        max_length=UPDATE_SUBJECT_MAX,
        strip=False,
        validators=[one_line, no_overrides],
        widget=forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
    )
    subject_en = forms.CharField(
        label=_("Subject in English"),
        max_length=UPDATE_SUBJECT_MAX,
        strip=False,
        validators=[one_line, no_overrides],
        widget=forms.TextInput(attrs={"dir": "ltr", "lang": "en"}),
    )
    body_ar = forms.CharField(
        label=_("Text in Arabic"),
        max_length=UPDATE_BODY_MAX,
        validators=[no_overrides],
        help_text=_("Markdown: *italic*, **bold**, links, lists."),
        widget=forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 10}),
    )
    body_en = forms.CharField(
        label=_("Text in English"),
        max_length=UPDATE_BODY_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 10}),
    )

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        _partners(self, petition)


class ResponseForm(forms.Form):
    response_ar = forms.CharField(
        label=_("Response in Arabic"),
        max_length=RESPONSE_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 8}),
    )
    response_en = forms.CharField(
        label=_("Response in English"),
        max_length=RESPONSE_MAX,
        validators=[no_overrides],
        widget=forms.Textarea(attrs={"dir": "ltr", "lang": "en", "rows": 8}),
    )


# ----------------------------------------------------------------------------- export


class ExportForm(forms.Form):
    ALL = "all"

    state = forms.ChoiceField(
        label=_("Signatures"),
        required=False,
        choices=[*Signature.State.choices, (ALL, _("All"))],
        initial=Signature.State.CONFIRMED,
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        choices=_blank(_("Online and paper")) + list(Signature.Source.choices),
    )
    partner = forms.ModelChoiceField(
        label=_("Signed on the page of"), required=False, queryset=None, empty_label="—"
    )
    consent = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        choices=[
            ("", _("Everyone")),
            ("lead", _("Agreed to the lead organisations' news")),
            ("partner", _("Agreed to a partner's news")),
        ],
    )
    since = forms.DateField(
        label=_("Signed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Signed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        _partners(self, petition)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end comes after the start."))
        return data

    def filters(self) -> dict:
        """The filter as written to the audit log (JSON)."""
        data = self.cleaned_data
        return {
            "state": data.get("state") or Signature.State.CONFIRMED,
            "source": data.get("source") or "",
            "partner": data["partner"].pk if data.get("partner") else None,
            "consent": data.get("consent") or "",
            "since": data["since"].isoformat() if data.get("since") else "",
            "until": data["until"].isoformat() if data.get("until") else "",
        }
