"""Validation shared by every app that accepts a name (people, organisations, workgroups)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tadamun.core.text import has_bidi_controls


def validate_name(value: str) -> None:
    """Names are shown inside sentences everywhere: refuse what could reorder the text around
    them (bidi controls, U+202A–202E, U+2066–2069), hide characters, or look like markup."""
    if has_bidi_controls(value):
        raise ValidationError(
            _(
                "Names cannot contain invisible or text-direction characters. Please type the "
                "name again without them."
            ),
            code="bidi_control",
        )
    if "<" in value or ">" in value:
        raise ValidationError(_("Names cannot contain “<” or “>”."), code="markup")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cn"} for ch in value):
        raise ValidationError(
            _("Names cannot contain control or unassigned characters."), code="control"
        )
