"""Files people upload: images re-encoded so that only their pixels survive, other files
checked against what they claim to be, and everything served back as a download.

- `reencode_image()` decodes with Pillow, refuses decompression bombs, applies the EXIF
  orientation and writes a fresh file from raw pixels: EXIF (GPS position, camera serial), XMP,
  IPTC, ICC, comments and anything appended to the file are gone. SVG is not an image here.
- `check_file()` refuses web pages, scripts and programs whatever their name says, files whose
  name claims a type their bytes do not have (a "photo.jpg" that is HTML, a "report.pdf" that is
  not a PDF), names with bidi overrides, and files over the size limit.
- `download_response()` is how every stored file goes back out: as an attachment, with
  `nosniff`, a sandboxing Content-Security-Policy and no caching by shared caches.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tadamun.core.text import has_bidi_controls

MAX_PIXELS = 40_000_000
# What each readable format is re-encoded as: camera formats (TIFF, MPO — a JPEG with a second
# picture —, AVIF) become a plain JPEG or WebP built from their pixels like every other image.
OUTPUT_FORMATS = {
    "JPEG": "JPEG",
    "PNG": "PNG",
    "WEBP": "WEBP",
    "GIF": "PNG",
    "TIFF": "JPEG",
    "MPO": "JPEG",
    "AVIF": "WEBP",
}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

NOT_AN_IMAGE = _("This file is not an image we can read. Upload a PNG, JPEG, WebP or GIF file.")
TOO_LARGE = _("The file is too large: the limit is %(limit)s.")

# Types a browser would run or render as a page, and programs: never accepted.
REFUSED_EXTENSIONS = {
    "html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "xml", "xsl", "xslt", "js", "mjs",
    "hta", "exe", "msi", "bat", "cmd", "com", "scr", "ps1", "vbs", "vbe", "jse", "wsf", "jar",
    "sh", "php", "phtml", "asp", "aspx", "jsp", "swf", "lnk", "reg", "dll", "apk", "app",
}  # fmt: skip
# Treated as pictures: re-encoded from their pixels, or refused when Pillow cannot read them
# (HEIC/HEIF here) — never kept byte for byte with their location metadata.
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "heic", "heif", "avif"}
# What the first bytes must be for a file whose name claims one of these types.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "ppt": (b"\xd0\xcf\x11\xe0",),
    "rtf": (b"{\\rtf",),
}
KNOWN_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "rtf": "application/rtf",
    "zip": "application/zip",
    "txt": "text/plain",
    "csv": "text/csv",
    "mp3": "audio/mpeg",
    "mp4": "video/mp4",
}
# Markup that makes a browser (or an old one that sniffs) treat bytes as a page or a script.
ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|\?xml)\b",
    re.IGNORECASE,
)


def _too_large(max_bytes: int) -> ValidationError:
    return ValidationError(TOO_LARGE, code="too_large", params={"limit": filesizeformat(max_bytes)})


def read_limited(upload, max_bytes: int) -> bytes:
    """The upload's bytes, or ValidationError if it is larger than `max_bytes`."""
    if upload.size is not None and upload.size > max_bytes:
        raise _too_large(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


@dataclass(frozen=True)
class CleanImage:
    file: ContentFile
    width: int
    height: int
    content_type: str


def reencode_image(upload, *, max_bytes: int, max_side: int = 1600) -> CleanImage:
    """A fresh PNG/JPEG/WebP of at most `max_side` pixels a side made from `upload`'s pixels
    only, or ValidationError with a message for the person uploading."""
    data = read_limited(upload, max_bytes)
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in OUTPUT_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="format")
            width, height = probe.size
            if width * height > MAX_PIXELS:
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
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            # A new image built from raw pixels carries no `info` (EXIF, XMP, ICC, comments).
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(NOT_AN_IMAGE, code="invalid") from None

    output = BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 85}}
    clean.save(output, format=output_format, **options.get(output_format, {}))
    name = f"{uuid.uuid4().hex}.{EXTENSIONS[output_format]}"
    return CleanImage(
        file=ContentFile(output.getvalue(), name=name),
        width=clean.width,
        height=clean.height,
        content_type=CONTENT_TYPES[output_format],
    )


def safe_filename(name: str, *, default: str = "file") -> str:
    """A file name fit to show and to put in Content-Disposition: no directories, no control
    or bidi characters (a name like "invoice<U+202E>fdp.exe" is refused earlier), at most 120
    characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().strip(".") or default
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[: 120 - len(ext) - 1] + "." + ext
    return name[:120]


def extension_of(name: str) -> str:
    _stem, dot, ext = (name or "").rpartition(".")
    return ext.lower() if dot else ""


@dataclass(frozen=True)
class CheckedFile:
    file: ContentFile
    filename: str  # safe, as the uploader named it
    content_type: str  # decided from the bytes, never from the browser's claim
    size: int
    is_image: bool


def check_file(
    upload,
    *,
    max_bytes: int,
    image_max_bytes: int | None = None,
    image_max_side: int = 1600,
) -> CheckedFile:
    """Accept an attachment or document: images are re-encoded (see `reencode_image`), other
    files kept byte for byte once they pass the checks in the module docstring."""
    raw_name = getattr(upload, "name", "") or ""
    if has_bidi_controls(raw_name):
        raise ValidationError(
            _("The file name contains hidden direction characters. Rename the file and try again."),
            code="bidi_name",
        )
    filename = safe_filename(raw_name)
    extension = extension_of(filename)
    if extension in REFUSED_EXTENSIONS:
        raise ValidationError(
            _("Files of this kind (.%(extension)s) cannot be shared here."),
            code="refused_type",
            params={"extension": extension},
        )
    claimed = (getattr(upload, "content_type", "") or "").lower()
    if extension in IMAGE_EXTENSIONS or (claimed.startswith("image/") and not extension):
        image = reencode_image(
            upload, max_bytes=image_max_bytes or max_bytes, max_side=image_max_side
        )
        stem = filename.rpartition(".")[0] or "image"
        new_name = f"{stem}.{extension_of(image.file.name)}"
        return CheckedFile(
            file=image.file,
            filename=safe_filename(new_name),
            content_type=image.content_type,
            size=image.file.size,
            is_image=True,
        )
    data = read_limited(upload, max_bytes)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    signatures = SIGNATURES.get(extension)
    if signatures and not data.startswith(signatures):
        raise ValidationError(
            _("This file is not the .%(extension)s file its name says it is."),
            code="lying_type",
            params={"extension": extension},
        )
    if extension not in {"pdf", "zip", *SIGNATURES} and ACTIVE_MARKUP.search(data[:4096]):
        raise ValidationError(
            _("This file contains a web page or a script and cannot be shared here."),
            code="active_content",
        )
    stored = ContentFile(data, name=f"{uuid.uuid4().hex}.{extension or 'bin'}")
    return CheckedFile(
        file=stored,
        filename=filename,
        content_type=KNOWN_TYPES.get(extension, "application/octet-stream"),
        size=len(data),
        is_image=False,
    )


def download_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Serve a stored file as a download that no browser renders or runs."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(filename),
        content_type=content_type
        if content_type in KNOWN_TYPES.values()
        else ("application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def image_response(field_file, *, content_type: str, private: bool = True) -> FileResponse:
    """Serve a re-encoded image inline (it is only pixels we wrote ourselves)."""
    if content_type not in CONTENT_TYPES.values():
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600" if private else "public, max-age=86400"
    return response
