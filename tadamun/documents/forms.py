"""Forms validate what people type; documents.services checks the files and decides."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tadamun.documents.models import Document
from tadamun.documents.services import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX

AUTO = "auto"


def _blank(label=""):
    return [("", label)]


def file_help() -> str:
    return gettext(
        "PDF, office documents, text, spreadsheets, archives or images, up to %(limit)s "
        "(images up to %(image_limit)s). Images are re-encoded: their hidden metadata, such as "
        "the GPS position where a photo was taken, is removed. Web pages and programs are "
        "refused."
    ) % {
        "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        "image_limit": filesizeformat(settings.IMAGE_MAX_BYTES),
    }


class DetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        strip=True,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        strip=True,
        help_text=_("What the document is about. Markdown: *italic*, **bold**, links, lists."),
        widget=forms.Textarea(attrs={"dir": "auto", "rows": 6}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Document.Category.choices)
    audience = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Document.Audience.choices,
        initial=Document.Audience.MEMBERS,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the title and description"),
        choices=[
            (AUTO, _("Recognise it from the text")),
            ("ar", _("Arabic")),
            ("en", _("English")),
        ],
        initial=AUTO,
    )

    def __init__(self, *args, workgroup=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workgroup is not None:
            # A workgroup's documents are read by whoever may read the workgroup.
            del self.fields["audience"]

    def details(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        data.pop("note", None)
        if data.get("language") == AUTO:
            data["language"] = ""
        return data


class UploadForm(DetailsForm):
    file = forms.FileField(label=_("File"), allow_empty_file=False)
    field_order = ["file", "title", "description", "category", "audience", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()


class EditForm(DetailsForm):
    pass


class VersionForm(forms.Form):
    file = forms.FileField(label=_("New file"), allow_empty_file=False)
    note = forms.CharField(
        label=_("What changed (optional)"),
        max_length=NOTE_MAX,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()


class LibraryFilterForm(forms.Form):
    """The library's filters: a GET form, so every filtered page has a URL."""

    q = forms.CharField(
        label=_("Search titles and descriptions"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(attrs={"dir": "auto"}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=_blank(_("All categories")) + list(Document.Category.choices),
    )
    language = forms.ChoiceField(
        label=_("Readable in"),
        required=False,
        choices=[*_blank(_("Any language")), ("ar", _("Arabic")), ("en", _("English"))],
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].widget = forms.HiddenInput()
