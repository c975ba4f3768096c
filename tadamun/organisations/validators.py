import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tadamun.core.text import has_bidi_controls


def validate_name(value: str) -> None:
    """Names of people and organisations are shown inside sentences everywhere: refuse what
    could reorder the text around them or look like markup."""
    if has_bidi_controls(value):
        raise ValidationError(
            _(
                "Names may not contain invisible direction or zero-width characters "
                "(such as U+202E, right-to-left override). Please retype the name."
            ),
            code="bidi_controls",
        )
    if "<" in value or ">" in value:
        raise ValidationError(_("Names may not contain the characters < or >."), code="markup")
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise ValidationError(_("Names may not contain control characters."), code="control")
