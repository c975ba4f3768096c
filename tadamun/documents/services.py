"""Writes about documents: add one (with its first file), change its details, add a version,
delete it. Each checks permission through documents.selectors and every file through
core.uploads.check_file, whoever calls it."""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tadamun.core.text import clean_text
from tadamun.core.uploads import check_file
from tadamun.documents import selectors
from tadamun.documents.models import Document, DocumentVersion
from tadamun.translations.detect import detect_language
from tadamun.workgroups.models import Workgroup

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
NOTE_MAX = 300
# Documents are library material (posters, scanned pages): images keep more pixels than in
# posts, still re-encoded from their pixels only.
IMAGE_MAX_SIDE = 4096
LANGUAGES = {code for code, _name in settings.LANGUAGES}
NOT_ALLOWED = _("You may not do this.")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _clean_details(
    *, title: str, description: str, category: str, language: str
) -> tuple[dict, dict]:
    errors: dict[str, list] = {}
    title = _one_line(title)
    description = clean_text(description)
    if not title:
        errors["title"] = [_("Give the document a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The title is too long (300 characters at most).")]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("The description is too long.")]
    if category not in Document.Category.values:
        errors["category"] = [_("Choose a category.")]
    if language and language not in LANGUAGES:
        errors["language"] = [_("Choose Arabic or English.")]
    cleaned = {
        "title": title,
        "description": description,
        "category": category,
        "language": language or detect_language(title, description),
    }
    return cleaned, errors


def _clean_audience(audience: str, workgroup: Workgroup | None, errors: dict) -> str:
    if workgroup is not None:
        # A workgroup's library is read by whoever may read the workgroup, nobody else.
        return Document.Audience.MEMBERS
    if audience not in Document.Audience.values:
        errors["audience"] = [_("Choose who may read the document.")]
    return audience


def _checked_file(upload, errors: dict):
    if upload is None:
        errors["file"] = [_("Choose a file to upload.")]
        return None
    try:
        return check_file(
            upload,
            max_bytes=settings.DOCUMENT_MAX_BYTES,
            image_max_bytes=settings.IMAGE_MAX_BYTES,
            image_max_side=IMAGE_MAX_SIDE,
        )
    except ValidationError as error:
        errors["file"] = error.messages
        return None


def _clean_note(note: str, errors: dict) -> str:
    note = _one_line(note or "")
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is too long (300 characters at most).")]
    return note


def _store_version(*, document: Document, checked, by, note: str) -> DocumentVersion:
    data = checked.file.read()
    checked.file.seek(0)
    version = DocumentVersion(
        document=document,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
        note=note,
    )
    version.file.save(checked.file.name, checked.file, save=False)
    try:
        version.save()
    except Exception:
        version.file.storage.delete(version.file.name)
        raise
    return version


def document_create(
    *,
    by,
    upload,
    title: str,
    category: str,
    description: str = "",
    audience: str = Document.Audience.MEMBERS,
    language: str = "",
    workgroup: Workgroup | None = None,
    note: str = "",
) -> Document:
    """Add a document to the network's library (`workgroup` None) or to a workgroup's, with its
    first file. Members of the workgroup are told (after commit) of a new workgroup document.

    The file is checked (and an image re-encoded) before the transaction starts, so that the
    database is not held while a large file is read."""
    _require(selectors.can_upload(by, workgroup))
    cleaned, errors = _clean_details(
        title=title, description=description, category=category, language=language
    )
    audience = _clean_audience(audience, workgroup, errors)
    note = _clean_note(note, errors)
    checked = _checked_file(upload, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = Document.objects.create(
            **cleaned, audience=audience, workgroup=workgroup, uploaded_by=by
        )
        _store_version(document=document, checked=checked, by=by, note=note)
        if workgroup is not None:
            from tadamun.documents.tasks import notify_new_document

            transaction.on_commit(lambda: notify_new_document.enqueue(document_pk=document.pk))
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    by,
    title: str,
    category: str,
    description: str = "",
    audience: str = Document.Audience.MEMBERS,
    language: str = "",
) -> Document:
    """Change a document's details (its files are changed by adding a version)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require(selectors.can_manage(by, document))
    cleaned, errors = _clean_details(
        title=title, description=description, category=category, language=language
    )
    audience = _clean_audience(audience, document.workgroup, errors)
    if errors:
        raise ValidationError(errors)
    for field, value in cleaned.items():
        setattr(document, field, value)
    document.audience = audience
    document.save()
    return document


def version_add(*, document: Document, by, upload, note: str = "") -> DocumentVersion:
    """A new file for the document: it becomes the current one; earlier ones stay listed and
    downloadable. The file is checked before the transaction starts (see document_create)."""
    _require(selectors.can_manage(by, document))
    errors: dict[str, list] = {}
    note = _clean_note(note, errors)
    checked = _checked_file(upload, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document.pk).first()
        # Asked again under the lock: the document may have been deleted or hidden meanwhile.
        _require(document is not None and selectors.can_manage(by, document))
        version = _store_version(document=document, checked=checked, by=by, note=note)
        document.save(update_fields=["updated"])
    return version


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    """Delete the document for good: its rows (versions, translations, translation requests)
    and every stored file. The files go once the deletion is committed, so that a failed
    deletion leaves a document whose files are all still there."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _require(selectors.can_manage(by, document))
    files = [(version.file.storage, version.file.name) for version in document.versions.all()]
    document.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
