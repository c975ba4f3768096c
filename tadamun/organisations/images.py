"""Logo uploads: decoded, checked and re-encoded, so that nothing the uploader sent survives
except the pixels. The re-encoding drops every metadata block (EXIF with GPS position and
camera serial, XMP, IPTC, comments, ICC profiles) and any payload appended to the file."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tadamun.core.uploads import reencode_image

LOGO_MAX_SIDE = 512


def reencode_logo(upload) -> ContentFile:
    """Return a fresh PNG/JPEG/WebP file of at most 512×512 pixels made from `upload`, or raise
    ValidationError with a message for the person uploading (see `core.uploads.reencode_image`,
    which does the work for every image on the site)."""
    if upload.size > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: the limit is %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(settings.LOGO_MAX_BYTES)},
        )
    try:
        return reencode_image(
            upload, max_bytes=settings.LOGO_MAX_BYTES, max_side=LOGO_MAX_SIDE
        ).file
    except ValidationError as error:
        if error.code == "too_large":
            raise ValidationError(
                _("The logo is too large: the limit is %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(settings.LOGO_MAX_BYTES)},
            ) from None
        raise
