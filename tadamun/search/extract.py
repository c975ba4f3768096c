"""The text of uploaded files, for the search index: PDF (pypdf), DOCX and ODT (the XML inside
their zip container), plain text and CSV.

Files are untrusted: a broken or hostile file gives whatever text could be read before the
problem, or none, and never an exception. Work is bounded — pages, seconds, bytes read out of
the zip (a "zip bomb" stops at the limit), characters kept.
"""

from __future__ import annotations

import html
import logging
import re
import time
import zipfile
from typing import IO

logger = logging.getLogger(__name__)

MAX_CHARS = 200_000
MAX_PDF_PAGES = 500
MAX_SECONDS = 30.0
# Bytes read from the XML part of a DOCX/ODT (uncompressed): far more than MAX_CHARS of text.
MAX_XML_BYTES = 20 * 1024 * 1024
MAX_PLAIN_BYTES = 2 * 1024 * 1024

PDF_TYPES = {"application/pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ODT_TYPES = {"application/vnd.oasis.opendocument.text"}
PLAIN_TYPES = {"text/plain", "text/csv"}

# Paragraph and line ends become line breaks, tabs spaces; every other tag goes.
_DOCX_BREAKS = re.compile(r"</w:p>|<w:br\b[^<>]*/>|<w:cr\b[^<>]*/>")
_DOCX_SPACES = re.compile(r"<w:tab\b[^<>]*/>")
_ODT_BREAKS = re.compile(r"</text:p>|</text:h>|<text:line-break\b[^<>]*/>")
_ODT_SPACES = re.compile(r"<text:(?:s|tab)\b[^<>]*/>")
_TAGS = re.compile(r"<[^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def kind_of_file(filename: str, content_type: str) -> str | None:
    """ "pdf", "docx", "odt", "plain", or None for files whose text is not extracted."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if content_type in PDF_TYPES or extension == "pdf":
        return "pdf"
    if content_type in DOCX_TYPES or extension == "docx":
        return "docx"
    if content_type in ODT_TYPES or extension == "odt":
        return "odt"
    if content_type in PLAIN_TYPES or extension in {"txt", "csv", "md"}:
        return "plain"
    return None


def extract_text(stream: IO[bytes], *, filename: str = "", content_type: str = "") -> str:
    """The text of the file open as `stream` ("" when its kind is not supported or it cannot
    be read), at most MAX_CHARS characters."""
    kind = kind_of_file(filename, content_type)
    if kind is None:
        return ""
    try:
        if kind == "pdf":
            text = _pdf_text(stream)
        elif kind == "docx":
            text = _zipped_xml_text(stream, "word/document.xml", _DOCX_BREAKS, _DOCX_SPACES)
        elif kind == "odt":
            text = _zipped_xml_text(stream, "content.xml", _ODT_BREAKS, _ODT_SPACES)
        else:
            text = stream.read(MAX_PLAIN_BYTES).decode("utf-8", errors="replace")
    except Exception as problem:  # a hostile or broken file must never break indexing
        logger.info("search: no text could be read from %r (%r)", filename, problem)
        return ""
    return _tidy(text)


def extract_field_file(field_file, *, filename: str = "", content_type: str = "") -> str:
    """extract_text() of a stored file (a FieldFile); "" when it is missing."""
    if kind_of_file(filename or field_file.name, content_type) is None:
        return ""
    try:
        field_file.open("rb")
    except Exception as problem:
        logger.info("search: stored file %r could not be opened (%r)", field_file.name, problem)
        return ""
    try:
        return extract_text(
            field_file, filename=filename or field_file.name, content_type=content_type
        )
    finally:
        field_file.close()


def _tidy(text: str) -> str:
    text = _CONTROL.sub(" ", text.replace("\x00", ""))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_CHARS]


def _pdf_text(stream: IO[bytes]) -> str:
    from pypdf import PdfReader

    started = time.monotonic()
    reader = PdfReader(stream, strict=False)
    parts: list[str] = []
    length = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or length >= MAX_CHARS:
            break
        if time.monotonic() - started > MAX_SECONDS:
            logger.info("search: PDF text extraction stopped after %s pages (time)", number)
            break
        try:
            text = page.extract_text() or ""
        except Exception as problem:  # one broken page: keep the others
            logger.info("search: PDF page %s unreadable (%r)", number, problem)
            continue
        parts.append(text)
        length += len(text)
    return "\n".join(parts)


def _zipped_xml_text(stream: IO[bytes], member: str, breaks: re.Pattern, spaces: re.Pattern):
    with zipfile.ZipFile(stream) as archive, archive.open(member) as part:
        data = part.read(MAX_XML_BYTES)
    xml = data.decode("utf-8", errors="replace")
    xml = spaces.sub(" ", breaks.sub("\n", xml))
    # Entities (&amp; &#1575; …) decoded after the tags are gone, so that an escaped "<" in
    # the text is not taken for a tag.
    return html.unescape(_TAGS.sub("", xml))
