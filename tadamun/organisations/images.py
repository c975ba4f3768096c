"""Logo uploads: decoded, checked and re-encoded, so that nothing the uploader sent survives
except the pixels. The re-encoding drops every metadata block (EXIF with GPS position and
camera serial, XMP, IPTC, comments, ICC profiles) and any payload appended to the file."""

import uuid
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

LOGO_MAX_SIDE = 512
# Refuse images whose decoded size would be huge (decompression bombs) before decoding them.
LOGO_MAX_PIXELS = 40_000_000
# What we accept → what we write. GIF becomes PNG (first frame only).
OUTPUT_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

NOT_AN_IMAGE = _("This file is not an image we can read. Upload a PNG, JPEG, WebP or GIF file.")


def reencode_logo(upload) -> ContentFile:
    """Return a fresh PNG/JPEG/WebP file of at most 512×512 pixels made from `upload`, or raise
    ValidationError with a message for the person uploading."""
    if upload.size > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: the limit is %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(settings.LOGO_MAX_BYTES)},
        )
    upload.seek(0)
    data = upload.read(settings.LOGO_MAX_BYTES + 1)
    if len(data) > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo is too large: the limit is %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(settings.LOGO_MAX_BYTES)},
        )
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in OUTPUT_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="format")
            width, height = probe.size
            if width * height > LOGO_MAX_PIXELS:
                raise ValidationError(
                    _("The image has too many pixels. Upload a smaller image."), code="pixels"
                )
            probe.verify()
        with Image.open(BytesIO(data)) as image:
            source_format = image.format
            image.seek(0)
            image.load()
            # Apply the EXIF orientation to the pixels before the EXIF block is dropped.
            image = ImageOps.exif_transpose(image)
            output_format = OUTPUT_FORMATS[source_format]
            has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
                image.mode == "P" and "transparency" in image.info
            )
            if output_format == "JPEG" or not has_alpha:
                image = image.convert("RGB")
            else:
                image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
            # A new image built from raw pixels carries no `info` (EXIF, XMP, ICC, comments).
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_AN_IMAGE, code="invalid") from None

    output = BytesIO()
    options = {"JPEG": {"quality": 88, "optimize": True}, "WEBP": {"quality": 88}}
    clean.save(output, format=output_format, **options.get(output_format, {}))
    name = f"{uuid.uuid4().hex}.{EXTENSIONS[output_format]}"
    return ContentFile(output.getvalue(), name=name)
