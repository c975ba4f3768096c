from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tadamun.translations.services import FIELD_MAX_CHARS

FIELD_LABELS = {
    "title": _("Title"),
    "body": _("Text"),
    "description": _("Description"),
    "summary": _("Summary"),
    "name": _("Name"),
}


class TranslationForm(forms.Form):
    """One input per text field of the item's kind, written in `language`."""

    def __init__(self, *args, fields: tuple[str, ...], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        direction = "rtl" if language in settings.LANGUAGES_BIDI else "ltr"
        for name in fields:
            attrs = {"lang": language, "dir": direction}
            if name in {"title", "name", "subject"}:
                field = forms.CharField(
                    label=FIELD_LABELS.get(name, name),
                    max_length=300,
                    required=False,
                    widget=forms.TextInput(attrs=attrs),
                )
            else:
                field = forms.CharField(
                    label=FIELD_LABELS.get(name, name),
                    max_length=FIELD_MAX_CHARS,
                    required=False,
                    widget=forms.Textarea(attrs={**attrs, "rows": 10}),
                )
            self.fields[name] = field


class QueueFilterForm(forms.Form):
    source = forms.ChoiceField(
        label=_("From"), choices=[("", _("Any language")), *settings.LANGUAGES], required=False
    )
    target = forms.ChoiceField(
        label=_("Into"), choices=[("", _("Any language")), *settings.LANGUAGES], required=False
    )
