"""Text out of uploaded files: what can be read is, anything broken or hostile gives no text
and no exception, and the work is bounded."""

import io
import time
import zipfile

import pytest

from tadamun.search import extract
from tadamun.search.tests.helpers import DOCX_TYPE, ODT_TYPE, docx_bytes, odt_bytes, pdf_bytes


def text_of(data: bytes, name: str, content_type: str = "") -> str:
    return extract.extract_text(io.BytesIO(data), filename=name, content_type=content_type)


def test_pdf():
    assert text_of(pdf_bytes("First line", "Second (line)"), "a.pdf") == "First line\nSecond (line)"


def test_docx_and_odt_keep_paragraphs_and_decode_entities():
    assert text_of(docx_bytes("حقوق العمال", "A & B <c>"), "a.docx") == "حقوق العمال\nA & B <c>"
    assert text_of(odt_bytes("سطر", "line"), "x.bin", ODT_TYPE) == "سطر\nline"


def test_the_type_comes_from_the_content_type_or_the_name():
    data = docx_bytes("Words")
    assert text_of(data, "no-extension", DOCX_TYPE) == "Words"
    assert text_of(data, "file.docx") == "Words"
    assert text_of(data, "photo.png", "image/png") == ""


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "broken.pdf"),
        (b"", "empty.pdf"),
        (b"PK\x03\x04 not a zip", "broken.docx"),
        (b"", "empty.odt"),
        (b"\xff\xfe\x00\x00", "weird.txt"),
    ],
)
def test_broken_files_give_no_error(data, name):
    assert isinstance(text_of(data, name), str)


def test_a_zip_without_the_text_part():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("other.xml", "<x/>")
    assert text_of(out.getvalue(), "a.docx") == ""


def test_a_zip_bomb_is_read_only_up_to_the_limit(monkeypatch):
    monkeypatch.setattr(extract, "MAX_XML_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:p><w:t>" + "A" * 5_000_000 + "</w:t></w:p>")
    assert len(out.getvalue()) < 50_000
    assert len(text_of(out.getvalue(), "bomb.docx")) < 1000


def test_unclosed_tags_do_not_take_quadratic_time():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<" * 2_000_000)
    started = time.monotonic()
    assert text_of(out.getvalue(), "a.docx") == "<" * extract.MAX_CHARS
    assert time.monotonic() - started < 5


def test_text_is_capped_and_cleaned():
    data = ("word\x00\x07 " * 100_000).encode()
    text = text_of(data, "long.txt")
    assert len(text) <= extract.MAX_CHARS
    assert "\x00" not in text
    assert "\x07" not in text
