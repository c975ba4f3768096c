"""Forms validate what people type; moderation.services decides and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tadamun.moderation.models import NOTE_MAX, Reason


def _note(label, help_text=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=NOTE_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 3}),
    )


def _reason(label):
    return forms.ChoiceField(
        label=label,
        choices=Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the reasons."),
            "invalid_choice": _("Choose one of the reasons."),
        },
    )


class ReportForm(forms.Form):
    reason = _reason(_("Why are you reporting this?"))
    note = _note(
        _("Anything the reviewers should know (optional)"),
        _("Only the reviewers read this; the author is not told who reported."),
    )


class HideForm(forms.Form):
    reason = _reason(_("Reason, told to the author"))
    note = _note(_("Note to the author (optional)"))


class RestoreForm(forms.Form):
    note = _note(_("Note to the author (optional)"))


class DismissForm(forms.Form):
    note = _note(_("Note for the other reviewers (optional)"))


class QueueFilterForm(forms.Form):
    show = forms.ChoiceField(
        choices=[("open", _("Waiting")), ("handled", _("Decided"))], required=False
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
