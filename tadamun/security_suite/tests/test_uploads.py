"""Issue 7, uploads: 50 photos carrying their GPS position → none left once uploaded (checked
with exiftool, Debian package `libimage-exiftool-perl`); about 60 hostile files → none served
in a way a browser would run.

Every file goes through every real upload path (see upload_paths.py): post images and post
files on the social site, the documents library (new document and new version), an
organisation's logo, a petition's paper evidence, and an attachment to a workgroup list's mail.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from PIL import Image

from tadamun.security_suite.tests.hostile_files import HOSTILE_FILES, refusal_messages
from tadamun.security_suite.tests.photos import (
    PHOTO_COUNT,
    exiftool,
    exiftool_path,
    leaks,
    make_photo,
    raw_leaks,
)
from tadamun.security_suite.tests.upload_paths import FILE_PATHS, IMAGE_PATHS, UploadPaths

pytestmark = pytest.mark.django_db

# What a browser renders as a page or runs, when it is served inline.
ACTIVE_TYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "application/javascript",
    "text/javascript",
    "application/ecmascript",
    "text/ecmascript",
    "application/x-shockwave-flash",
    "text/xsl",
    "multipart/x-mixed-replace",
    "message/rfc822",
    "application/pdf",  # rendered inline by the browser's viewer, which runs PDF JavaScript
}
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp"}
BIDI_AND_CONTROLS = re.compile(r"[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """Rate limits and cached state in a per-process cache, empty for each test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "security-suite-uploads",
        }
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_template_capture(monkeypatch):
    """Django's test client copies every template context it renders; hundreds of upload
    pages make that the larger part of the run, and these tests read only the responses."""
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *args, **kw: None)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def paths(db):
    return UploadPaths()


def fetch(client, url: str):
    """The response and its whole body (reading a streamed body to its end closes the file,
    as a WSGI server would)."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def media_path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


# ---------------------------------------------------------------------------------- GPS


def test_no_uploaded_photo_keeps_where_it_was_taken(paths):
    if exiftool_path() is None:
        pytest.fail(
            "exiftool is not installed, and the GPS check needs it: "
            "apt-get install libimage-exiftool-perl (Debian)"
        )
    photos = [make_photo(number) for number in range(PHOTO_COUNT)]
    stored: list[tuple[str, str, str]] = []  # (path, photo name, storage path)
    refused: Counter = Counter()
    served_problems: list[str] = []
    served = 0
    for path_name in IMAGE_PATHS:
        upload = getattr(paths, path_name)
        for photo in photos:
            outcome = upload(photo.name, photo.data, photo.content_type)
            if not outcome.stored:
                refused[outcome.path] += 1
                # Only a format the site does not keep may be refused; a JPEG refused would
                # mean a broken path that proves nothing.
                assert photo.format == "TIFF", (outcome.path, photo.name, outcome.status)
                assert outcome.status == 400, (outcome.path, photo.name, outcome.status)
                continue
            stored_bytes = {media_path(name).read_bytes() for name in outcome.stored}
            stored += [(outcome.path, photo.name, name) for name in outcome.stored]
            assert outcome.served or outcome.served_by_web_server, (outcome.path, photo.name)
            for url in outcome.served:
                response, body = fetch(paths.client_for(outcome), url)
                served += 1
                assert response.status_code == 200, (outcome.path, url)
                if body not in stored_bytes:
                    served_problems.append(f"{outcome.path} {url}: not the stored bytes")
                if raw_leaks(body):
                    served_problems.append(f"{outcome.path} {url}: {raw_leaks(body)}")
    found = exiftool([str(media_path(name).resolve()) for _path, _photo, name in stored])
    left: dict[str, set[str]] = defaultdict(set)  # path → photos with something left
    details: list[str] = []
    for path, photo, name in stored:
        tags = found[str(media_path(name).resolve())]
        problems = leaks(tags) + [
            f"bytes:{word}" for word in raw_leaks(media_path(name).read_bytes())
        ]
        if problems:
            left[path].add(photo)
            details.append(f"{path}: {photo} → {name}: {', '.join(problems[:6])}")
    photos_with_location = {photo for names in left.values() for photo in names}
    print(
        f"\nGPS: {PHOTO_COUNT} photos uploaded through {len(IMAGE_PATHS)} paths, "
        f"{len(photos_with_location)} with location left "
        f"({len(stored)} stored files read with exiftool, {served} served copies compared, "
        f"refused: {dict(refused) or 'none'})"
    )
    for path, names in sorted(left.items()):
        print(f"  LEFT in {path}: {len(names)} photos, e.g. {sorted(names)[:3]}")
    assert not details, "location or camera data left:\n" + "\n".join(details[:20])
    assert not served_problems, "\n".join(served_problems[:20])
    assert stored, "no path stored any photo: the test proves nothing"


# ----------------------------------------------------------------------- hostile files

# Never served at all, inline or as a download: a browser would render or run them.
NEVER_TYPES = ACTIVE_TYPES - {"application/pdf", "message/rfc822"}
# Stored names that a web server pointed at MEDIA_ROOT would execute or render.
RISKY_STORED = {"html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "php", "phtml",
                "cgi", "pl", "asp", "aspx", "jsp", "hta", "htaccess", "mht", "mhtml"}  # fmt: skip


def download_name(disposition: str) -> str:
    """The file name a browser would save under, from Content-Disposition."""
    extended = re.search(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", disposition, re.IGNORECASE)
    if extended:
        return unquote(extended.group(2).strip(), encoding=extended.group(1) or "utf-8")
    quoted = re.search(r'filename\s*=\s*"((?:[^"\\]|\\.)*)"', disposition, re.IGNORECASE)
    if quoted:
        return re.sub(r"\\(.)", r"\1", quoted.group(1))
    bare = re.search(r"filename\s*=\s*([^;]+)", disposition, re.IGNORECASE)
    return bare.group(1).strip() if bare else ""


def serving_problems(outcome, url: str, response, body: bytes) -> list[str]:
    """Why the way `url` serves a stored file would let a browser render or run it."""
    problems = []
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    disposition = response.get("Content-Disposition", "")
    if content_type in NEVER_TYPES or not content_type:
        problems.append(f"Content-Type {content_type!r}")
    if response.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    policy = response.get("Content-Security-Policy", "")
    if "sandbox" not in policy or "default-src 'none'" not in policy:
        problems.append(f"no sandboxing Content-Security-Policy ({policy!r})")
    if disposition.lower().startswith("attachment"):
        name = download_name(disposition)
        if not name:
            problems.append(f"no file name in {disposition!r}")
        if BIDI_AND_CONTROLS.search(name):
            bad = sorted({f"U+{ord(ch):04X}" for ch in BIDI_AND_CONTROLS.findall(name)})
            problems.append(f"download name {name!r} carries {', '.join(bad)}")
        if "/" in name or "\\" in name or name in {".", ".."}:
            problems.append(f"download name {name!r} has path parts")
        if len(name) > 255:
            problems.append(f"download name of {len(name)} characters")
        return problems
    # Inline: only an image the site re-encoded itself, on a path that shows images.
    if not outcome.inline_images or content_type not in INLINE_IMAGE_TYPES:
        problems.append(f"served inline as {content_type!r} ({disposition or 'no disposition'})")
        return problems
    try:
        with Image.open(BytesIO(body)) as image:
            image_format = image.format
            image.verify()
    except Exception as error:  # any failure: not a clean image
        problems.append(f"inline {content_type} that Pillow cannot read: {error}")
        return problems
    if f"image/{image_format.lower()}" != content_type:
        problems.append(f"inline {content_type} that is {image_format}")
    if re.search(rb"<\s*(script|html|svg|\?php)", body, re.IGNORECASE):
        problems.append("inline image still carries markup")
    return problems


def stored_problems(outcome) -> list[str]:
    problems = []
    for name in outcome.stored:
        base = name.rsplit("/", 1)[-1]
        extension = base.rsplit(".", 1)[-1].lower() if "." in base else ""
        if base.startswith(".") or extension in RISKY_STORED:
            problems.append(f"stored on disk as {name!r}")
    if outcome.served_by_web_server:
        # Logos are linked by MEDIA_URL: they must be images the site wrote itself.
        for name in outcome.stored:
            data = media_path(name).read_bytes()
            try:
                with Image.open(BytesIO(data)) as image:
                    image_format = image.format
            except Exception:
                problems.append(f"{name}: stored logo is not an image")
                continue
            if image_format not in {"PNG", "JPEG", "WEBP"} or re.search(
                rb"<\s*(script|html|svg|\?php)", data, re.IGNORECASE
            ):
                problems.append(f"{name}: stored logo is {image_format} with markup")
    elif outcome.stored and not outcome.served:
        problems.append(f"stored {outcome.stored} but no page serves it")
    return problems


def test_no_hostile_file_is_served_in_a_way_a_browser_would_run(paths):
    messages = {language: refusal_messages(language) for language in ("en", "ar")}
    refused = stored_downloads = stored_images = tried = 0
    arabic_refusals = 0
    holes: list[str] = []
    for index, hostile in enumerate(HOSTILE_FILES):
        language = "ar" if index % 4 == 3 else "en"
        for path_name in FILE_PATHS:
            outcome = getattr(paths, path_name)(
                hostile.name, hostile.data, hostile.content_type, language
            )
            tried += 1
            where = f"{hostile.label} → {outcome.path} ({language})"
            if not outcome.stored:
                refused += 1
                if outcome.path == "list mail attachment":
                    # The post says, in Arabic and English, which attachment was removed.
                    noted = all(
                        note in outcome.text
                        for note in ("[attachment removed:", "[تمت إزالة المرفق:")
                    )
                    if not noted and hostile.data:  # an empty part goes without a note
                        holes.append(f"{where}: dropped without a note: {outcome.text!r}")
                    continue
                if outcome.status != 400:
                    holes.append(f"{where}: nothing stored, yet status {outcome.status}")
                if not any(pattern.search(outcome.text) for pattern in messages[language]):
                    holes.append(f"{where}: refused without a clear message in {language}")
                elif language == "ar":
                    arabic_refusals += 1
                continue
            problems = stored_problems(outcome)
            inline = False
            for url in outcome.served:
                response, body = fetch(paths.client_for(outcome), url)
                problems += [f"{url}: {problem}" for problem in serving_problems(
                    outcome, url, response, body
                )]  # fmt: skip
                inline = inline or not response.get("Content-Disposition", "").startswith(
                    "attachment"
                )
            if inline or outcome.served_by_web_server:
                stored_images += 1
            else:
                stored_downloads += 1
            holes += [f"{where}: {problem}" for problem in problems]
    paths_count = len(FILE_PATHS)
    print(
        f"\nHostile files: {len(HOSTILE_FILES)} tried × {paths_count} paths: {refused} refused, "
        f"{stored_downloads} stored as downloads, {stored_images} stored as re-encoded images, "
        f"{len(holes)} served in a way a browser would run or otherwise unsafe "
        f"({arabic_refusals} refusals checked in Arabic)"
    )
    for hole in holes:
        print(f"  HOLE: {hole}")
    assert tried == len(HOSTILE_FILES) * paths_count
    # Every kind of outcome is exercised: refusals (some in Arabic) and stored downloads.
    assert refused
    assert arabic_refusals
    assert stored_downloads
    assert not holes, f"{len(holes)} unsafe outcomes:\n" + "\n".join(holes)
