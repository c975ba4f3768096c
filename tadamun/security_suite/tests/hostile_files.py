"""About sixty files a hostile sender would try: pages and scripts under every name, SVG with
script, polyglots, programs, archives, lying names and lying content types, hidden direction
characters, path parts, NUL bytes and very long names. Each is (name, bytes, content type the
browser or mail client claims)."""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zipfile
from dataclasses import dataclass

from django import forms
from django.utils import translation
from PIL import Image

from tadamun.core import uploads


@dataclass(frozen=True)
class Hostile:
    label: str
    name: str
    data: bytes
    content_type: str


PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
XHTML = (
    b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
    b"<script>alert(1)</script></body></html>"
)
SVG_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script></svg>"
)
SVG_ONLOAD = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="5"/></svg>'
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
PDF_JS = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"3 0 obj<</S/JavaScript/JS(app.alert('pdf'))>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def _image(image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, image_format, **options)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_gz() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in {"index.html": PAGE, "../../escape.sh": b"#!/bin/sh\nid\n"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _gifar() -> bytes:
    return _image("GIF") + _zip({"META-INF/MANIFEST.MF": b"Main-Class: Evil\n"})


def _jpeg_with_html_comment() -> bytes:
    return _image("JPEG", comment=PAGE)


def _png_with_script_chunk() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", PAGE.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _docx_with_xxe() -> bytes:
    return _zip({"[Content_Types].xml": XXE, "word/document.xml": XXE})


EML = (
    b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/html\r\n\r\n" + PAGE
)
EML_PLAIN = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nJust text.\r\n"
MHT = (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
    b"Content-Type: text/html\r\n\r\n" + PAGE + b"\r\n--b--\r\n"
)

HOSTILE_FILES: list[Hostile] = [
    # Pages and markup, under their own names.
    Hostile("html", "page.html", PAGE, "text/html"),
    Hostile("htm", "page.htm", PAGE, "text/html"),
    Hostile("uppercase HTML", "PAGE.HTML", PAGE, "text/html"),
    Hostile("xhtml", "page.xhtml", XHTML, "application/xhtml+xml"),
    Hostile("shtml", "page.shtml", PAGE, "text/html"),
    Hostile("mht", "page.mht", MHT, "message/rfc822"),
    Hostile("svg with script", "drawing.svg", SVG_SCRIPT, "image/svg+xml"),
    Hostile("svg with onload", "logo.svg", SVG_ONLOAD, "image/svg+xml"),
    Hostile("svgz", "drawing.svgz", gzip.compress(SVG_SCRIPT), "image/svg+xml"),
    Hostile("xml with XXE", "data.xml", XXE, "text/xml"),
    Hostile("xsl", "style.xsl", XXE, "text/xsl"),
    Hostile("javascript", "app.js", b"alert(document.cookie)", "application/javascript"),
    Hostile("markdown with script", "notes.md", PAGE, "text/markdown"),
    Hostile("eml with html", "message.eml", EML, "message/rfc822"),
    # Pages and SVG dressed as something else.
    Hostile("svg named .png", "photo.png", SVG_SCRIPT, "image/png"),
    Hostile("svg named .jpg", "photo.jpg", SVG_ONLOAD, "image/jpeg"),
    Hostile("svg, no extension, image/svg+xml", "drawing", SVG_SCRIPT, "image/svg+xml"),
    Hostile("html named .jpg", "holiday.jpg", PAGE, "image/jpeg"),
    Hostile("html named .gif", "anim.gif", PAGE, "image/gif"),
    Hostile("html named .pdf", "report.pdf", PAGE, "application/pdf"),
    Hostile("html named .txt (type lie)", "notes.txt", PAGE, "text/plain"),
    Hostile("html named .csv", "table.csv", PAGE, "text/csv"),
    Hostile("html named .docx", "letter.docx", PAGE, "application/msword"),
    Hostile("html named .zip", "files.zip", PAGE, "application/zip"),
    Hostile("html, no extension", "README", PAGE, "text/html"),
    Hostile("html with BOM and spaces", "notes2.txt", b"\xef\xbb\xbf \n " + PAGE, "text/plain"),
    Hostile("html in UTF-16", "utf16.txt", PAGE.decode().encode("utf-16"), "text/plain"),
    Hostile("html after 5 KB", "padded.txt", b"x" * 5000 + PAGE, "text/plain"),
    Hostile("xxe named .txt", "data.txt", XXE, "text/plain"),
    Hostile("web.config", "web.config", XXE, "application/xml"),
    Hostile("double extension .jpg.html", "photo.jpg.html", PAGE, "image/jpeg"),
    Hostile("trailing dot", "page.html.", PAGE, "text/html"),
    Hostile("trailing space", "page.html ", PAGE, "text/html"),
    # Polyglots and images carrying payloads.
    Hostile("GIFAR", "cat.gif", _gifar(), "image/gif"),
    Hostile("GIFAR named .jar", "cat.jar", _gifar(), "application/java-archive"),
    Hostile("JPEG with HTML comment", "comment.jpg", _jpeg_with_html_comment(), "image/jpeg"),
    Hostile("JPEG + appended HTML", "tail.jpg", _image("JPEG") + PAGE, "image/jpeg"),
    Hostile("JPEG+HTML named .html", "poly.html", _image("JPEG") + PAGE, "text/html"),
    Hostile("PNG with script text chunk", "chunk.png", _png_with_script_chunk(), "image/png"),
    Hostile("PDF with JavaScript", "invoice.pdf", PDF_JS, "application/pdf"),
    Hostile("PDF + HTML polyglot", "poly.pdf", b"%PDF-1.4\n" + PAGE, "application/pdf"),
    # Programs.
    Hostile("exe", "setup.exe", EXE, "application/x-msdownload"),
    Hostile("exe claiming text", "setup2.exe", EXE, "text/plain"),
    Hostile("shell script", "run.sh", b"#!/bin/sh\nrm -rf ~\n", "application/x-sh"),
    Hostile("bat", "run.bat", b"@echo off\r\ndel /q *\r\n", "application/x-bat"),
    Hostile("powershell", "run.ps1", b"Remove-Item -Recurse ~", "text/plain"),
    Hostile("hta", "app.hta", PAGE, "application/hta"),
    Hostile("vbs", "app.vbs", b'MsgBox "x"', "text/vbscript"),
    Hostile("php", "shell.php", b"<?php system($_GET['c']); ?>", "application/x-php"),
    Hostile("php named .jpg", "shell.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg"),
    Hostile("double extension .pdf.exe", "report.pdf.exe", EXE, "application/pdf"),
    # Archives.
    Hostile("zip with html", "site.zip", _zip({"index.html": PAGE}), "application/zip"),
    Hostile("tar.gz with path escape", "site.tar.gz", _tar_gz(), "application/gzip"),
    Hostile(
        "zip bomb-ish (10 MB of zeros)",
        "zeros.zip",
        _zip({"zeros.bin": b"\x00" * 10_000_000}),
        "application/zip",
    ),
    Hostile(
        "nested zip",
        "nested.zip",
        _zip({"inner.zip": _zip({"a.html": PAGE})}),
        "application/zip",
    ),
    Hostile("docx with XXE", "letter2.docx", _docx_with_xxe(), "application/octet-stream"),
    # Names.
    Hostile("RTL override .exe", "invoice\u202efdp.exe", EXE, "application/octet-stream"),
    Hostile("RTL override .zip", "invoice\u202efdp.zip", _zip({"a.txt": b"a"}), "application/zip"),
    Hostile("RTL override .txt", "report\u202ecod.txt", b"Plain text.\n", "text/plain"),
    Hostile("bidi isolate", "scan\u2067fdp.csv\u2069", b"a,b\n1,2\n", "text/csv"),
    Hostile("path parts ../", "../../../etc/passwd", b"root:x:0:0\n", "text/plain"),
    Hostile("path parts ..\\", "..\\..\\windows\\evil.txt", b"text\n", "text/plain"),
    Hostile("NUL in name", "evil.txt\x00.jpg", b"text\n", "text/plain"),
    Hostile("very long name", "a" * 300 + ".txt", b"text\n", "text/plain"),
    Hostile("very long extension", "file." + "x" * 300, b"text\n", "text/plain"),
    Hostile(".htaccess", ".htaccess", b"AddType application/x-httpd-php .jpg\n", "text/plain"),
    Hostile("plain eml", "note.eml", EML_PLAIN, "message/rfc822"),
    Hostile("empty file", "empty.txt", b"", "text/plain"),
]


# --------------------------------------------------------------------- refusal messages

_DJANGO_FILE_MESSAGES = [
    *forms.FileField.default_error_messages.values(),
    forms.Field.default_error_messages["required"],
]
_SITE_MESSAGES = [
    uploads.NOT_AN_IMAGE,
    uploads.TOO_LARGE,
    "The image has too many pixels. Upload a smaller image.",
    "The file name contains hidden direction characters. Rename the file and try again.",
    "Files of this kind (.%(extension)s) cannot be shared here.",
    "The file is empty.",
    "This file is not the .%(extension)s file its name says it is.",
    "This file contains a web page or a script and cannot be shared here.",
    "The evidence is a PDF or an image (up to %(limit)s).",
    "The logo is too large: the limit is %(limit)s.",
]


def refusal_messages(language: str) -> list[re.Pattern]:
    """Every message the upload forms give when they refuse a file, in `language`, as
    patterns (their parameters — an extension, a size — match anything)."""
    from django.utils.translation import gettext

    patterns = []
    with translation.override(language):
        for message in [*_SITE_MESSAGES, *_DJANGO_FILE_MESSAGES]:
            text = gettext(str(message)) if isinstance(message, str) else str(message)
            parts = re.split(r"%\(\w+\)[sd]", text)
            patterns.append(re.compile(".{0,200}?".join(re.escape(part) for part in parts)))
    return patterns
