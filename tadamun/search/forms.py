"""The search form: GET, so every search (and every page of results) has its own address."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tadamun.search.selectors import MAX_PAGE, kind_choices, workgroups_to_filter_by

QUERY_MAX = 300


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        max_length=QUERY_MAX,
        required=False,
        widget=forms.SearchInput(attrs={"dir": "auto", "autocomplete": "off"}),
        help_text=_('Put words in quotation marks to find them together: "right to organise".'),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    workgroup = forms.ModelChoiceField(
        label=_("Workgroup"),
        required=False,
        queryset=None,
        empty_label=_("Any workgroup"),
        to_field_name="slug",
    )
    language = forms.ChoiceField(
        label=_("Readable in"),
        required=False,
        choices=[("", _("Any language")), *settings.LANGUAGES],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(
        min_value=1, max_value=MAX_PAGE, required=False, widget=forms.HiddenInput()
    )

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *kind_choices(viewer)]
        workgroups = workgroups_to_filter_by(viewer)
        self.fields["workgroup"].queryset = workgroups
        self.fields["workgroup"].label_from_instance = _workgroup_label
        self.offers_workgroups = workgroups.exists()

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date must not be before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The keyword arguments of selectors.search() for a valid form."""
        data = self.cleaned_data
        return {
            "kinds": [data["kind"]] if data.get("kind") else None,
            "workgroup": data.get("workgroup"),
            "language": data.get("language") or None,
            "since": _start_of(data.get("since")),
            "until": _start_of(data["until"] + datetime.timedelta(days=1))
            if data.get("until")
            else None,
            "page": data.get("page") or 1,
        }

    @property
    def filtered(self) -> bool:
        """True when a filter other than the words is set (the page offers to clear them)."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("kind", "workgroup", "language", "since", "until"))


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _workgroup_label(workgroup) -> str:
    from tadamun.core.templatetags.bidi import pick

    return pick(workgroup, "name")
