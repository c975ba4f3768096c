"""Forms validate what people type and upload; social.services decides and writes.

Uploads are checked here, once, so that a refused file shows its message next to its field:
images are re-encoded from their pixels (core.uploads), other files checked against what they
claim to be.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tadamun.core.templatetags.bidi import pick
from tadamun.core.uploads import check_file, reencode_image
from tadamun.social.models import (
    ALT_TEXT_MAX,
    COMMENT_BODY_MAX,
    POST_BODY_MAX,
    TITLE_MAX,
    Post,
    Reaction,
)
from tadamun.social.services import (
    IMAGE_MAX_SIDE,
    IMAGE_SMALL_SIDE,
    MAX_ATTACHMENTS,
    MAX_IMAGES,
    NewImage,
)

LANGUAGE_CHOICES = [
    ("auto", _("Automatic")),
    ("ar", _("Arabic")),
    ("en", _("English")),
]
ME = "me"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _text_widget(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"dir": "auto", "rows": rows})


class PostTextForm(forms.Form):
    """Title, text and language: what an edit changes."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX,
        help_text=_("Needed for a statement; optional for a post."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=POST_BODY_MAX,
        help_text=_(
            "You can use Markdown, and mention someone with @ and their mention name "
            "(shown on their page), or an organisation with @ and its short name."
        ),
        widget=_text_widget(6),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=LANGUAGE_CHOICES, initial="auto"
    )


class ComposeForm(PostTextForm):
    """A new post or statement. Who may read it and whom it speaks for are chosen among what
    the author may do (social.selectors); images come in numbered slots, each with its
    description, so that the form works without JavaScript."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Post.Kind.choices,
        initial=Post.Kind.POST,
        help_text=_(
            "A statement is official: it is published once it exists in both Arabic and English."
        ),
    )
    audience = forms.ChoiceField(label=_("Who may read it"))
    speaking_as = forms.ChoiceField(label=_("Post as"))
    attachments = MultipleFileField(label=_("Files"), required=False)
    translation_title = forms.CharField(
        label=_("Title in the other language"),
        required=False,
        max_length=TITLE_MAX,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    translation_body = forms.CharField(
        label=_("Text in the other language"),
        required=False,
        max_length=POST_BODY_MAX,
        help_text=_(
            "For a statement: the same text in the other language, so that it can be "
            "published at once. Without it, the statement is kept as a draft."
        ),
        widget=_text_widget(4),
    )

    def __init__(self, *args, organisations=(), workgroups=(), audience_groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.workgroups = {str(w.pk): w for w in workgroups}
        self.audience_groups = {str(w.pk): w for w in audience_groups}
        self.fields["audience"].choices = [
            (Post.Audience.MEMBERS, _("Network members")),
            (Post.Audience.PUBLIC, _("Everyone, also people who are not signed in")),
            *(
                (f"workgroup:{pk}", _("Workgroup: %(name)s") % {"name": pick(group, "name")})
                for pk, group in self.audience_groups.items()
            ),
        ]
        self.fields["audience"].initial = Post.Audience.MEMBERS
        self.fields["attachments"].help_text = _(
            "Up to %(count)s files: PDF, office documents, text."
        ) % {"count": MAX_ATTACHMENTS}
        self.fields["speaking_as"].choices = [
            (ME, _("Myself")),
            *(
                (f"organisation:{pk}", pick(organisation, "name"))
                for pk, organisation in self.organisations.items()
            ),
            *(
                (f"workgroup:{pk}", _("Workgroup: %(name)s") % {"name": pick(group, "name")})
                for pk, group in self.workgroups.items()
            ),
        ]
        if len(self.fields["speaking_as"].choices) == 1:
            self.fields["speaking_as"].widget = forms.HiddenInput()
        self.fields["speaking_as"].initial = ME
        for number in range(1, MAX_IMAGES + 1):
            self.fields[f"image_{number}"] = forms.FileField(
                label=_("Image %(number)s") % {"number": number},
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
                ),
            )
            self.fields[f"alt_{number}"] = forms.CharField(
                label=_("Description of image %(number)s") % {"number": number},
                required=False,
                max_length=ALT_TEXT_MAX,
                help_text=_("What the image shows, for people who cannot see it."),
                widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
            )

    def image_slots(self):
        return [(self[f"image_{n}"], self[f"alt_{n}"]) for n in range(1, MAX_IMAGES + 1)]

    def clean_audience(self):
        value = self.cleaned_data["audience"]
        if value.startswith("workgroup:"):
            return Post.Audience.WORKGROUP, self.audience_groups[value.split(":", 1)[1]]
        return value, None

    def clean_speaking_as(self):
        value = self.cleaned_data.get("speaking_as") or ME
        kind, _sep, pk = value.partition(":")
        if kind == "organisation" and pk in self.organisations:
            return self.organisations[pk], None
        if kind == "workgroup" and pk in self.workgroups:
            return None, self.workgroups[pk]
        if value == ME:
            return None, None
        raise ValidationError(_("Choose one of the offered options."))

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("At most %(limit)s files per post.") % {"limit": MAX_ATTACHMENTS}
            )
        return [
            check_file(
                upload,
                max_bytes=settings.ATTACHMENT_MAX_BYTES,
                image_max_bytes=settings.IMAGE_MAX_BYTES,
            )
            for upload in files
        ]

    def clean(self):
        cleaned = super().clean()
        images = []
        for number in range(1, MAX_IMAGES + 1):
            upload = cleaned.get(f"image_{number}")
            if not upload:
                continue
            try:
                image = reencode_image(
                    upload, max_bytes=settings.IMAGE_MAX_BYTES, max_side=IMAGE_MAX_SIDE
                )
                small = reencode_image(
                    upload, max_bytes=settings.IMAGE_MAX_BYTES, max_side=IMAGE_SMALL_SIDE
                )
            except ValidationError as error:
                self.add_error(f"image_{number}", error)
                continue
            images.append(
                NewImage(image=image, small=small, alt_text=cleaned.get(f"alt_{number}") or "")
            )
        cleaned["images"] = images
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        audience, audience_workgroup = data["audience"]
        as_organisation, as_workgroup = data["speaking_as"]
        translation = None
        if data["kind"] == Post.Kind.STATEMENT:
            translation = {
                "title": data.get("translation_title", ""),
                "body": data.get("translation_body", ""),
            }
        return {
            "kind": data["kind"],
            "title": data.get("title", ""),
            "body": data["body"],
            "language": data["language"],
            "audience": audience,
            "audience_workgroup": audience_workgroup,
            "as_organisation": as_organisation,
            "as_workgroup": as_workgroup,
            "images": data["images"],
            "attachments": data.get("attachments", []),
            "translation": translation,
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_BODY_MAX,
        widget=_text_widget(3),
    )
    # The comment replied to; a new top-level comment when absent.
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_BODY_MAX,
        widget=_text_widget(4),
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class FeedFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Posts and statements")),
            (Post.Kind.POST, _("Posts only")),
            (Post.Kind.STATEMENT, _("Statements only")),
        ],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), ("ar", _("Arabic")), ("en", _("English"))],
    )
    before = forms.RegexField(regex=r"^\d{1,18}-\d{1,18}$", required=False, max_length=40)
