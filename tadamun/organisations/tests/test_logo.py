from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from tadamun.organisations.images import reencode_logo
from tadamun.organisations.models import Organisation
from tadamun.organisations.tests.factories import MembershipFactory, OrganisationFactory

GPS = ExifTags.IFD.GPSInfo


def jpeg_with_gps(size=(1600, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Serial 12345"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 18.0, 44.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (44.0, 21.0, 58.0)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"taken at the union office")
    return buffer.getvalue()


def upload(data: bytes, name="logo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_sample_really_carries_gps():
    with Image.open(BytesIO(jpeg_with_gps())) as image:
        assert image.getexif().get_ifd(GPS)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_reencoding_strips_exif_gps_and_comments_and_resizes():
    result = reencode_logo(upload(jpeg_with_gps()))
    data = result.read()
    assert b"Exif" not in data
    assert b"PhoneMaker" not in data
    assert b"union office" not in data
    with Image.open(BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 512
        assert image.size == (512, 384)
        assert not image.getexif()
        assert "exif" not in image.info
        assert "comment" not in image.info
    assert result.name.endswith(".jpg")
    assert "logo" not in result.name  # the uploader's file name is not kept


def test_transparent_png_stays_png_with_alpha():
    buffer = BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 0, 0)).save(buffer, format="PNG")
    result = reencode_logo(upload(buffer.getvalue(), "x.png", "image/png"))
    with Image.open(result) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (100, 50))


def test_appended_payload_is_dropped():
    data = jpeg_with_gps((40, 40)) + b"<?php system($_GET['c']); ?>"
    result = reencode_logo(upload(data)).read()
    assert b"<?php" not in result


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4 not an image", "logo.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.svg"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "logo.jpg"),
        (b"", "empty.png"),
    ],
)
def test_non_images_are_refused_with_a_clear_message(data, name):
    with pytest.raises(ValidationError) as caught:
        reencode_logo(upload(data, name))
    assert "not an image we can read" in caught.value.messages[0]


def test_unsupported_image_format_is_refused():
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    with pytest.raises(ValidationError):
        reencode_logo(upload(buffer.getvalue(), "x.bmp"))


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr("tadamun.core.uploads.MAX_PIXELS", 100)
    buffer = BytesIO()
    Image.new("RGB", (11, 10)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as caught:
        reencode_logo(upload(buffer.getvalue(), "x.png"))
    assert "too many pixels" in caught.value.messages[0]


def test_too_many_bytes_is_refused(settings):
    settings.LOGO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        reencode_logo(upload(jpeg_with_gps()))
    assert "too large" in caught.value.messages[0]


@pytest.mark.django_db
class TestLogoUpload:
    def post(self, client, organisation, logo):
        admin = MembershipFactory(organisation=organisation, role="admin").user
        client.force_login(admin)
        return client.post(
            reverse("organisations:organisation_edit", args=[organisation.slug]),
            {
                "name_ar": organisation.name_ar,
                "name_en": organisation.name_en,
                "kind": organisation.kind,
                "scope": "iraqi",
                "country": "IQ",
                "governorate": "basra",
                "logo": logo,
            },
        )

    def test_uploaded_logo_is_stored_without_gps(self, client):
        organisation = OrganisationFactory()
        response = self.post(client, organisation, upload(jpeg_with_gps()))
        assert response.status_code == 302
        organisation.refresh_from_db()
        with organisation.logo.open("rb") as stored:
            data = stored.read()
        assert b"Exif" not in data
        with Image.open(BytesIO(data)) as image:
            assert not image.getexif().get_ifd(GPS)
            assert max(image.size) <= 512

    def test_non_image_upload_shows_the_message_and_changes_nothing(self, client):
        organisation = OrganisationFactory()
        response = self.post(client, organisation, upload(b"MZ\x90\x00 executable", "logo.png"))
        assert response.status_code == 400
        assert "not an image we can read" in response.content.decode()
        assert not Organisation.objects.get(pk=organisation.pk).logo
