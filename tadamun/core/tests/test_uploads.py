"""Uploads: images keep only their pixels, other files are what they say they are, and
nothing comes back out in a form a browser would render or run."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from tadamun.core.uploads import check_file, download_response, reencode_image, safe_filename

MB = 1024 * 1024


def jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (33.0, 18.0, 0.0), 3: "E", 4: (44.0, 22.0, 0.0)}  # GPS IFD
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_gps_and_all_metadata_are_gone():
    original = jpeg_with_gps()
    with Image.open(BytesIO(original)) as probe:
        assert probe.getexif().get_ifd(0x8825)  # the fixture really carries a position
    clean = reencode_image(upload("p.jpg", original, "image/jpeg"), max_bytes=MB)
    data = clean.file.read()
    with Image.open(BytesIO(data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info
        assert "comment" not in image.info
    assert b"CameraMaker" not in data
    assert b"secret comment" not in data


def test_large_images_resized_for_the_web():
    out = BytesIO()
    Image.new("RGB", (4000, 1000), (0, 0, 0)).save(out, format="PNG")
    clean = reencode_image(upload("wide.png", out.getvalue()), max_bytes=10 * MB, max_side=1600)
    assert (clean.width, clean.height) == (1600, 400)


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "refused_type"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "refused_type",
        ),
        ("tool.exe", b"MZ\x90\x00", "refused_type"),
        ("photo.jpg", b"<html><body onload=alert(1)>", "invalid"),
        ("report.pdf", b"<html><script>alert(1)</script>", "lying_type"),
        ("notes.docx", b"just text", "lying_type"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>", "active_content"),
        ("data.csv", b"a,b\n<svg onload=alert(1)>", "active_content"),
        ("invoice\u202efdp.exe", b"%PDF-1.4", "bidi_name"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_hostile_files_refused_with_a_reason(name, data, code):
    with pytest.raises(ValidationError) as refused:
        check_file(upload(name, data), max_bytes=MB)
    assert refused.value.code == code
    assert str(refused.value.messages[0])


def test_size_limit_has_a_clear_message():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_file(upload("big.txt", b"x" * (MB + 1)), max_bytes=MB)
    assert refused.value.code == "too_large"
    with translation.override("en"):
        assert refused.value.messages[0] == "The file is too large: the limit is 1.0\xa0MB."


def test_good_files_kept_byte_for_byte_with_type_from_their_bytes():
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF"
    checked = check_file(upload("../../etc/report.pdf", pdf, "text/html"), max_bytes=MB)
    assert checked.filename == "report.pdf"
    assert checked.content_type == "application/pdf"
    assert checked.file.read() == pdf
    image = check_file(upload("holiday.jpg", jpeg_with_gps(), "image/jpeg"), max_bytes=MB)
    assert image.is_image
    assert image.content_type == "image/jpeg"
    assert image.filename == "holiday.jpg"


def test_safe_filename():
    assert safe_filename("a/b\\c\x00d.txt") == "cd.txt"
    assert safe_filename("...") == "file"
    assert len(safe_filename("x" * 500 + ".pdf")) == 120


def test_download_response_is_always_a_download(tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("x.html", BytesIO(b"<script>alert(1)</script>"))
    response = download_response(storage.open(name), filename="x.html", content_type="text/html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    response.file_to_stream.close()
