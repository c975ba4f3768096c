"""Forms validate what people send; notifications.services writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tadamun.notifications.kinds import KINDS, Channel


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


def field_name(kind: str) -> str:
    return f"kind-{kind}"


class PreferencesForm(forms.Form):
    """One e-mail channel per kind (a table of radio buttons) and the content-free choice."""

    content_free_emails = forms.BooleanField(
        label=_("Content-free e-mails"),
        required=False,
        help_text=_(
            "E-mails only say that there is something new for you, with a link to your "
            "notifications: no names, titles, excerpts or kind of event, and a neutral subject. "
            "Choose this if someone else may read your mailbox."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, kind in KINDS.items():
            self.fields[field_name(key)] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how you want to hear about “%(kind)s”.")
                    % {"kind": kind.label},
                    "invalid_choice": _("Choose one of the offered options."),
                },
            )

    def channels(self) -> dict[str, str]:
        return {key: self.cleaned_data[field_name(key)] for key in KINDS}

    def rows(self) -> list[dict]:
        """The table the template draws: one row per kind, one radio button per channel."""
        rows = []
        for key, kind in KINDS.items():
            bound = self[field_name(key)]
            current = str(bound.value() or "")
            rows.append(
                {
                    "key": key,
                    "label": kind.label,
                    "name": bound.html_name,
                    "errors": bound.errors,
                    "options": [
                        {"value": value, "label": label, "checked": value == current}
                        for value, label in Channel.choices
                    ],
                }
            )
        return rows
