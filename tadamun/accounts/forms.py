"""Forms about people, and the name field every app uses for a name a person types.

`NameField` / `validate_person_name` refuse, with a message, what would let a name disturb the
page or impersonate someone: bidi controls and invisible characters (U+202A–202E, U+2066–2069,
zero-width marks), markup brackets and control characters. Nothing is silently removed: a
person sees why their name was refused.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tadamun.accounts import selectors
from tadamun.accounts.models import SecurityPolicy, User
from tadamun.core.models import AuditEvent
from tadamun.core.text import clean_name
from tadamun.core.validators import validate_name

# One rule for every name typed on the site (kept under this name for the forms here).
validate_person_name = validate_name


def validate_display_name_available(value: str, *, exclude: User | None = None) -> None:
    if selectors.display_name_taken(value, exclude_pk=exclude.pk if exclude else None):
        raise ValidationError(
            _("This name is too close to another member's name. Please choose another."),
            code="taken",
        )


class NameField(forms.CharField):
    """A person's or organisation's name: validated as above, stored as `clean_name` gives
    it (NFC, single spaces). Length is checked on what will be stored."""

    default_validators = [validate_person_name]

    def __init__(self, *, max_length: int = 150, **kwargs):
        kwargs.setdefault("strip", True)
        super().__init__(max_length=max_length, **kwargs)
        self.widget.attrs.setdefault("dir", "auto")

    def to_python(self, value):
        value = super().to_python(value)
        return unicodedata.normalize("NFC", value) if value else value

    def clean(self, value):
        value = super().clean(value)
        return clean_name(value) if value else value


class ProfileForm(forms.Form):
    legal_name = NameField(
        label=_("Full name"),
        max_length=User._meta.get_field("legal_name").max_length,
        help_text=_("Seen only by coordinators when you choose a display name."),
    )
    display_name = NameField(
        label=_("Display name"),
        max_length=User._meta.get_field("display_name").max_length,
        help_text=_("The name other members see. It may be a pseudonym."),
    )
    bio = forms.CharField(
        label=_("About me"),
        required=False,
        max_length=User._meta.get_field("bio").max_length,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=User._meta.get_field("preferred_language").choices
    )
    hide_membership = forms.BooleanField(
        label=_("Hide my membership"),
        required=False,
        help_text=_(
            "Only coordinators will see that you belong to the network or to an organisation."
        ),
    )

    def __init__(self, *args, person: User, **kwargs):
        self.person = person
        kwargs.setdefault(
            "initial",
            {
                "legal_name": person.legal_name,
                "display_name": person.display_name,
                "bio": person.bio,
                "preferred_language": person.preferred_language,
                "hide_membership": person.hide_membership,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_display_name(self):
        name = self.cleaned_data["display_name"]
        validate_display_name_available(name, exclude=self.person)
        return name


class RolesForm(forms.Form):
    is_coordinator = forms.BooleanField(label=_("Coordinator"), required=False)
    is_translator = forms.BooleanField(label=_("Translator"), required=False)
    status = forms.ChoiceField(
        label=_("Standing"),
        choices=[
            (User.Status.MEMBER, User.Status.MEMBER.label),
            (User.Status.SUSPENDED, User.Status.SUSPENDED.label),
        ],
    )

    def __init__(self, *args, person: User, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "is_coordinator": person.is_coordinator,
                "is_translator": person.is_translator,
                "status": person.status,
            },
        )
        super().__init__(*args, **kwargs)


class SecurityPolicyForm(forms.Form):
    require_mfa_for_coordinators = forms.BooleanField(
        label=_("Coordinators must use a second factor"), required=False
    )
    require_mfa_for_org_admins = forms.BooleanField(
        label=_("Organisation administrators must use a second factor"), required=False
    )

    def __init__(self, *args, policy: SecurityPolicy, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "require_mfa_for_coordinators": policy.require_mfa_for_coordinators,
                "require_mfa_for_org_admins": policy.require_mfa_for_org_admins,
            },
        )
        super().__init__(*args, **kwargs)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *AuditEvent.Action.choices],
    )
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"dir": "auto", "type": "search"}),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
