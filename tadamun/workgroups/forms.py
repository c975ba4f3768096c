"""Forms validate what people type; workgroups.services decides and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tadamun.lists.models import MailingList, Subscription
from tadamun.workgroups.models import WorkgroupMembership
from tadamun.workgroups.services import MAX_BODY_CHARS, ModerationAction

SUBJECT_MAX = 300


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class ThreadForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        strip=True,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 10}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=MAX_BODY_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 6}),
    )
    # The post replied to; the thread's last post when absent.
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class SubscriptionForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How you receive this workgroup's messages"),
        choices=Subscription.Mode.choices,
        widget=forms.RadioSelect,
    )


class MuteForm(forms.Form):
    muted = forms.BooleanField(required=False)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(choices=ModerationAction.choices)
    reason = forms.CharField(
        label=_("Reason (sent to the sender when rejecting)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 2}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search this workgroup's archive"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(attrs={"dir": "auto"}),
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the network member to invite"),
        max_length=254,
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people

    def clean_email(self):
        email = self.cleaned_data["email"]
        person = (
            self.people.filter(email__iexact=email).first() if self.people is not None else None
        )
        if person is None:
            # The same answer for "no such person", "a hidden person" and "already in the
            # group", so that the form reveals nobody.
            raise forms.ValidationError(
                _("No network member you can invite has this address (or they are already in).")
            )
        self.person = person
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=WorkgroupMembership.Role.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])


class MailingListForm(forms.ModelForm):
    class Meta:
        model = MailingList
        fields = [
            "subject_prefix",
            "reply_to",
            "dmarc_mitigation",
            "dmarc_domains",
            "nonmember_action",
            "moderate_first_post",
            "emergency",
            "max_message_bytes",
            "max_attachment_bytes",
            "attachment_policy",
            "footer_languages",
            "held_expiry_days",
            "personalise",
            "recipients_per_transaction",
        ]
        widgets = {
            "subject_prefix": forms.TextInput(attrs={"dir": "auto"}),
            "dmarc_domains": forms.Textarea(attrs={"dir": "ltr", "rows": 4}),
            "footer_languages": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def clean_footer_languages(self):
        value = self.cleaned_data["footer_languages"]
        codes = [code.strip() for code in value.split(",") if code.strip()]
        if not codes or any(code not in {"ar", "en"} for code in codes):
            raise forms.ValidationError(_("Give ar, en or ar,en."))
        return ",".join(dict.fromkeys(codes))

    def clean_dmarc_domains(self):
        lines = [line.strip().lower() for line in self.cleaned_data["dmarc_domains"].splitlines()]
        return "\n".join(line for line in lines if line)

    def clean_recipients_per_transaction(self):
        value = self.cleaned_data["recipients_per_transaction"]
        if not 1 <= value <= 1000:
            raise forms.ValidationError(_("Between 1 and 1000."))
        return value

    def clean_held_expiry_days(self):
        value = self.cleaned_data["held_expiry_days"]
        if not 1 <= value <= 365:
            raise forms.ValidationError(_("Between 1 and 365 days."))
        return value
