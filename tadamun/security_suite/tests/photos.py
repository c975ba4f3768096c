"""Photos that tell where they were taken, and exiftool to say what is left in a file.

Every photo carries an EXIF GPS position (latitude, longitude, altitude, time), the camera's
make, model and serial number, the time it was taken, an orientation, an XMP packet naming the
place, an ICC profile and a comment with a street address: everything a phone writes and a
person at risk must not publish by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from io import BytesIO

from PIL import ExifTags, Image, ImageCms, ImageDraw, TiffImagePlugin
from PIL.PngImagePlugin import PngInfo

ADDRESS = "Al-Rasheed Street 14, Baghdad"
CITY = "Baghdad"
CAMERA_MAKE = "PhoneMaker"
CAMERA_MODEL = "Pocket 9 Pro"
SERIAL = "SN-4242-CAMERA"
XMP = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
    photoshop:City="{CITY}"
    photoshop:State="Baghdad Governorate"
    photoshop:Country="Iraq"
    Iptc4xmpCore:Location="{ADDRESS}"
    exif:GPSLatitude="33,18.7N"
    exif:GPSLongitude="44,21.9E"/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()

# Formats the site may receive from a phone or a scanner, with their file extension and the
# type a browser announces. TIFF is read by Pillow but not among the formats the site keeps.
FORMATS = [("JPEG", "jpg", "image/jpeg")] * 36 + [
    *[("PNG", "png", "image/png")] * 6,
    *[("WEBP", "webp", "image/webp")] * 4,
    *[("TIFF", "tif", "image/tiff")] * 4,
]
PHOTO_COUNT = len(FORMATS)  # 50

# What exiftool must never find in a stored or served file.
CAMERA_TAGS = {
    "Make", "Model", "SerialNumber", "BodySerialNumber", "CameraSerialNumber",
    "InternalSerialNumber", "LensSerialNumber", "OwnerName", "UniqueCameraModel",
}  # fmt: skip
LOCATION_WORDS = ("gps", "city", "state", "country", "location", "sublocation", "province")


@dataclass(frozen=True)
class Photo:
    name: str
    data: bytes
    content_type: str
    format: str


def _icc_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _exif(number: int) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    exif[ExifTags.Base.Model] = CAMERA_MODEL
    exif[ExifTags.Base.Orientation] = number % 8 + 1  # 1…8: every rotation and mirroring
    exif[ExifTags.Base.Software] = "PhoneOS 17.2"
    exif[ExifTags.Base.DateTime] = "2026:03:08 10:15:00"
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2026:03:08 10:15:00"
    details[ExifTags.Base.BodySerialNumber] = SERIAL
    details[ExifTags.Base.CameraOwnerName] = "Zainab Kareem"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 18.0, 44.0 + number / 100)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (44.0, 21.0, 58.0 + number / 100)
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x00"
    gps[ExifTags.GPS.GPSAltitude] = 34.5
    gps[ExifTags.GPS.GPSTimeStamp] = (7.0, 15.0, 0.0)
    gps[ExifTags.GPS.GPSDateStamp] = "2026:03:08"
    return exif


def make_photo(number: int) -> Photo:
    """Photo `number` (0…49): a small picture whose format follows FORMATS."""
    image_format, extension, content_type = FORMATS[number]
    size = (96 + number % 5 * 8, 72 + number % 3 * 8)
    image = Image.new("RGB", size, (20 + number * 4, 120, 200 - number * 3))
    ImageDraw.Draw(image).rectangle((4, 4, 30, 20), fill=(250, 250, 250))  # shows a rotation
    exif = _exif(number)
    buffer = BytesIO()
    if image_format == "JPEG":
        image.save(
            buffer,
            "JPEG",
            exif=exif,
            xmp=XMP,
            icc_profile=_icc_profile(),
            comment=f"Taken at {ADDRESS}".encode(),
            quality=90,
        )
    elif image_format == "PNG":
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        info.add_text("Comment", f"Taken at {ADDRESS}")
        image.save(buffer, "PNG", exif=exif, pnginfo=info, icc_profile=_icc_profile())
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", exif=exif, xmp=XMP, icc_profile=_icc_profile(), quality=90)
    else:
        # Pillow's TIFF writer takes the tags, the GPS directory included, as one directory.
        tags = TiffImagePlugin.ImageFileDirectory_v2()
        tags[ExifTags.Base.Make] = CAMERA_MAKE
        tags[ExifTags.Base.Model] = CAMERA_MODEL
        tags[ExifTags.Base.Orientation] = number % 8 + 1
        tags[ExifTags.Base.ImageDescription] = f"Taken at {ADDRESS}"
        tags[ExifTags.IFD.GPSInfo] = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
        tags[700] = XMP  # the XMP packet's own TIFF tag
        image.save(buffer, "TIFF", tiffinfo=tags, icc_profile=_icc_profile())
    return Photo(
        name=f"IMG_{4000 + number}.{extension}",
        data=buffer.getvalue(),
        content_type=content_type,
        format=image_format,
    )


def exiftool_path() -> str | None:
    return shutil.which("exiftool")


def exiftool(paths: list[str]) -> dict[str, dict]:
    """exiftool's JSON (-j), every tag (-a) with its specific group (-G1), for many files in
    one run; keyed by the path given."""
    if not paths:
        return {}
    result = subprocess.run(
        [exiftool_path() or "exiftool", "-j", "-G1", "-a", "-m", *paths],
        capture_output=True,
        check=False,
        timeout=120,
    )
    if not result.stdout.strip():
        raise AssertionError(f"exiftool gave no output: {result.stderr.decode(errors='replace')}")
    return {os.path.abspath(entry["SourceFile"]): entry for entry in json.loads(result.stdout)}


def leaks(tags: dict) -> list[str]:
    """What in exiftool's answer for one file tells where, when or with what it was taken."""
    found = []
    for key, value in tags.items():
        group, _sep, tag = key.rpartition(":")
        if group in {"", "System", "ExifTool"}:  # our own temporary path, exiftool's version
            continue
        text = str(value)
        if (
            tag.startswith("GPS")
            or group == "GPS"
            or tag in CAMERA_TAGS
            or (group.startswith("XMP") and any(word in tag.lower() for word in LOCATION_WORDS))
            or tag in {"DateTimeOriginal", "CreateDate"}
            or ADDRESS in text
            or SERIAL in text
            or CAMERA_MAKE in text
        ):
            found.append(f"{key}={text[:60]}")
    return found


def raw_leaks(data: bytes) -> list[str]:
    """The same, read straight from the bytes: what a careless parser would still find."""
    return [
        word.decode()
        for word in (ADDRESS.encode(), SERIAL.encode(), CAMERA_MAKE.encode(), b"photoshop:City")
        if word in data
    ]
