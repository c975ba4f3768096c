"""Forms validate what people type; messaging.services decides and writes."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tadamun.core.templatetags.bidi import num
from tadamun.core.text import clean_text, fold
from tadamun.messaging.services import (
    MAX_BODY_CHARS,
    MAX_PARTICIPANTS,
    SUBJECT_MAX,
    isolate,
)
from tadamun.organisations.selectors import people_visible_to

NAME_SEPARATORS = re.compile("[,،;؛]")
NOT_CALLED = _("No network member you can write to is called %(name)s.")


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    message = forms.IntegerField(min_value=1, required=False)


class BodyField(forms.CharField):
    """Message text, cleaned as it will be stored (newlines counted once, no bidi overrides,
    no control characters) before its length is checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Message"))
        kwargs.setdefault("max_length", MAX_BODY_CHARS)
        kwargs.setdefault("widget", forms.Textarea(attrs={"dir": "auto", "rows": 6}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return clean_text(super().to_python(value))


class MessageForm(forms.Form):
    body = BodyField(help_text=_("Markdown: **bold**, *italic*, lists and links."))


class NewConversationForm(forms.Form):
    recipients = forms.CharField(
        label=_("To"),
        max_length=2000,
        help_text=_("The display names of the people you write to, one per line."),
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 2, "autocomplete": "off"}),
    )
    subject = forms.CharField(
        label=_("Subject (optional)"),
        max_length=SUBJECT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    body = BodyField(
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, lists and links."),
    )

    def __init__(self, *args, sender, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender = sender

    def clean_recipients(self):
        """The people named, each one someone the sender may see. A name that is nobody
        the sender may write to gets the same answer whether the person does not exist or
        hides their membership, so that the form reveals no one."""
        people = people_visible_to(self.sender)

        def match(name: str):
            return people.filter(display_name_folded=fold(name)).first()

        def unknown(name: str) -> forms.ValidationError:
            return forms.ValidationError(NOT_CALLED % {"name": isolate(name)})

        too_many = forms.ValidationError(
            _("A conversation may have at most %(limit)s participants, you included.")
            % {"limit": num(MAX_PARTICIPANTS)}
        )
        found: dict[int, object] = {}
        lines = [line.strip() for line in self.cleaned_data["recipients"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_PARTICIPANTS:
            raise too_many
        for line in lines:
            person = match(line)
            if person is not None:
                found[person.pk] = person
                continue
            # "Name, Other name" on one line: then each part must be a name.
            parts = [part.strip() for part in NAME_SEPARATORS.split(line) if part.strip()]
            if len(parts) < 2:
                raise unknown(line)
            if len(found) + len(parts) > MAX_PARTICIPANTS:
                raise too_many
            for part in parts:
                person = match(part)
                if person is None:
                    raise unknown(part)
                found[person.pk] = person
        found.pop(self.sender.pk, None)
        if not found:
            raise forms.ValidationError(_("Name at least one other member to write to."))
        if len(found) + 1 > MAX_PARTICIPANTS:
            raise too_many
        return list(found.values())


class MuteForm(forms.Form):
    muted = forms.TypedChoiceField(
        choices=[("1", _("Mute")), ("0", _("Unmute"))], coerce=lambda value: value == "1"
    )
