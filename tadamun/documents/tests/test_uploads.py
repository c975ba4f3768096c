"""Hostile files through the real upload form: each refused with a clear message, nothing
stored; images stored re-encoded, without their EXIF (GPS) block."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tadamun.accounts.tests.factories import UserFactory
from tadamun.documents import services
from tadamun.documents.models import Document, DocumentVersion

from .conftest import make_document

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def upload(client, file, **extra):
    data = {
        "file": file,
        "title": "A document",
        "description": "",
        "category": "report",
        "audience": "members",
        "language": "auto",
        **extra,
    }
    return client.post(reverse("documents:upload"), data)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "documents"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[GPS_IFD] = {1: "N", 2: (33.0, 18.0, 0.0), 3: "E", 4: (44.0, 22.0, 0.0)}
    output = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="JPEG", exif=exif)
    data = output.getvalue()
    with Image.open(BytesIO(data)) as check:  # the test file really carries a GPS block
        assert check.getexif().get_ifd(GPS_IFD)
    return data


HOSTILE = {
    "web page": (
        SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>", "text/html"),
        "Files of this kind (.html) cannot be shared here.",
    ),
    "svg with a script": (
        SimpleUploadedFile(
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        "Files of this kind (.svg) cannot be shared here.",
    ),
    "a .pdf that is not a PDF": (
        SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        "This file is not the .pdf file its name says it is.",
    ),
    "a .jpg that is HTML": (
        SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        "This file is not an image we can read.",
    ),
    "a .txt that is HTML": (
        SimpleUploadedFile("notes.txt", b"<!doctype html><script>alert(1)</script>", "text/plain"),
        "This file contains a web page or a script and cannot be shared here.",
    ),
    # "invoice‮fdp.exe" shows as "invoiceexe.pdf": judged by its real extension.
    "a program named with a right-to-left override": (
        SimpleUploadedFile("invoice\u202efdp.exe", b"MZ\x90\x00", "application/pdf"),
        "Files of this kind (.exe) cannot be shared here.",
    ),
    "an empty file": (
        SimpleUploadedFile("empty.txt", b"", "text/plain"),
        "The submitted file is empty.",
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_uploads_are_refused_and_nothing_is_stored(client, settings, name):
    file, message = HOSTILE[name]
    client.force_login(UserFactory())
    response = upload(client, file)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_right_to_left_override_never_reaches_a_stored_name(client):
    client.force_login(UserFactory())
    response = upload(client, SimpleUploadedFile("notes\u202etxt.csv", b"a,b\n1,2\n", "text/csv"))
    assert response.status_code == 302
    assert DocumentVersion.objects.get().filename == "notestxt.csv"


def test_service_refuses_a_name_with_a_right_to_left_override(settings):
    # Django's upload parser already drops the character from web uploads; other callers of
    # the service (imports, e-mail) are refused by core.uploads.check_file.
    with pytest.raises(ValidationError) as caught:
        make_document_from(
            SimpleUploadedFile("invoice\u202efdp.txt", b"Pay now", "text/plain"), UserFactory()
        )
    assert "The file name contains hidden direction characters." in caught.value.messages[0]
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def make_document_from(file, person):
    return services.document_create(
        by=person, upload=file, title="Invoice", category="other", audience="members"
    )


def test_oversized_file_is_refused(client, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    client.force_login(UserFactory())
    response = upload(client, SimpleUploadedFile("big.txt", b"a" * 1001, "text/plain"))
    assert response.status_code == 400
    assert "The file is too large: the limit is 1000\xa0bytes." in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_oversized_image_is_refused_by_the_image_limit(client, settings):
    settings.IMAGE_MAX_BYTES = 100
    client.force_login(UserFactory())
    response = upload(client, SimpleUploadedFile("photo.jpg", photo_with_gps(), "image/jpeg"))
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not Document.objects.exists()


def test_hostile_new_version_is_refused_and_the_document_unchanged(client, settings):
    person = UserFactory()
    document = make_document(by=person)
    before = sorted(str(path) for path in stored_files(settings))
    client.force_login(person)
    response = client.post(
        reverse("documents:new_version", args=[document.pk]),
        {"file": SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")},
    )
    assert response.status_code == 400
    assert "cannot be shared here" in response.content.decode()
    assert document.versions.count() == 1
    assert sorted(str(path) for path in stored_files(settings)) == before


def test_image_is_stored_without_exif_or_gps(client, settings):
    client.force_login(UserFactory())
    response = upload(
        client, SimpleUploadedFile("Basra protest.jpg", photo_with_gps(), "image/jpeg")
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert version.content_type == "image/jpeg"
    assert version.filename == "Basra protest.jpg"
    with version.file.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (40, 30)
        exif = image.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(GPS_IFD)
        assert "exif" not in image.info
    assert version.size == version.file.size


def test_download_of_an_image_is_still_an_attachment(client):
    person = UserFactory()
    client.force_login(person)
    upload(client, SimpleUploadedFile("photo.png", photo_with_gps(), "image/png"))
    document = Document.objects.get()
    response = client.get(reverse("documents:download", args=[document.pk]))
    # The bytes were a JPEG whatever the name said: re-encoded and named for what they are.
    assert response["Content-Disposition"] == 'attachment; filename="photo.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(BytesIO(b"".join(response.streaming_content))) as image:
        assert image.format == "JPEG"
