from django import forms
from django.utils.translation import gettext_lazy as _

from tadamun.core.templatetags.bidi import pick
from tadamun.workgroups.models import Workgroup


class LockdownForm(forms.Form):
    SITE = "site"

    scope = forms.ChoiceField(label=_("What to lock down"))
    reason = forms.CharField(
        label=_("Reason (seen only by coordinators)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand: its members are signed out at once, it is hidden and its mail stops "
            "until the lockdown is lifted."
        ),
        error_messages={"required": _("Tick the box to confirm the lockdown.")},
    )

    def __init__(self, *args, workgroups, **kwargs):
        super().__init__(*args, **kwargs)
        self.workgroups = {str(w.pk): w for w in workgroups}
        self.fields["scope"].choices = [
            (self.SITE, _("The whole site")),
            *((pk, pick(w, "name")) for pk, w in self.workgroups.items()),
        ]

    def target(self) -> Workgroup | None:
        scope = self.cleaned_data["scope"]
        return None if scope == self.SITE else self.workgroups[scope]
