"""Printable petitions, made with WeasyPrint (HTML and CSS to PDF through Pango and HarfBuzz,
so Arabic is joined and laid out right to left like on the site).

- `signature_sheet_pdf(petition)`: an A4 sheet to collect signatures on paper, Arabic and
  English, with numbered rows; the Arabic columns read from the right.
- `delivery_pdf(petition)`: what is handed to the petition's addressees: the text in both
  languages, the organisations behind it, the counts (total, by governorate with a map, by
  country) and the names of the confirmed signers who chose to be named — never an e-mail
  address.

Fonts are the site's own (tadamun/static/fonts, WOFF2), named by file:// URL in the PDF's
stylesheet, so a PDF looks the same on every server whatever fonts the system has. WeasyPrint
could read the WOFF2 files itself, but unpacks them again for every PDF; `_font_bytes()` unpacks
each once per process with fontTools (and brotli), which WeasyPrint already depends on.

Nothing else is fetched: petition texts are written by people, and a renderer that follows
their links or images would let them make the server fetch any address. Only the font files
are allowed through `_LocalFontsOnly`.

Known limit (WeasyPrint issue #2841, open in 70.0): Noto Sans Arabic draws a dotted letter as
a shared skeleton plus a shared dots glyph, and WeasyPrint's ToUnicode map keeps one letter
per glyph, so text *copied* out of the PDF can swap letters that share a glyph (ت read as ة).
What is printed and shown is right; copy and search inside the PDF may not be. The PDF's
title (document metadata) is exact, and the delivery PDF carries the petition's titles and
texts as an attached UTF-8 file, petition.txt.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from fontTools.ttLib import woff2
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from tadamun.core.markdown import render_markdown
from tadamun.core.templatetags.bidi import num, pick
from tadamun.organisations.models import Governorate, governorate_name
from tadamun.petitions.maps import PALETTE, iraq_map, map_legend
from tadamun.petitions.models import Petition, Signature
from tadamun.petitions.tally import counts

logger = logging.getLogger(__name__)

# (family, weight, file under the static folder)
FONTS = (
    ("Noto Sans Arabic", 400, "fonts/noto-sans-arabic-arabic-400-normal.woff2"),
    ("Noto Sans Arabic", 700, "fonts/noto-sans-arabic-arabic-700-normal.woff2"),
    ("Noto Sans", 400, "fonts/noto-sans-latin-400-normal.woff2"),
    ("Noto Sans", 700, "fonts/noto-sans-latin-700-normal.woff2"),
)
SHEET_ROWS = 15

# The words of the printed pages. Both documents carry both languages whatever the reader's,
# so each is looked up in Arabic and in English (`_in_both`).
SHEET_WORDS = {
    "sheet": _("Signature sheet"),
    "consent": _(
        "By signing I support this petition. My name and my governorate or country are counted "
        "and may be handed to the people it addresses; my e-mail address or phone number is "
        "only used to check the signatures and is never published."
    ),
    "news": _("Tick “News” if you agree:"),
    "number": _("No."),
    "name": _("Full name"),
    "contact": _("E-mail or phone"),
    "place": _("Governorate or country"),
    "news_column": _("News"),
    "signature": _("Signature"),
    "online": _("Sign online:"),
}
DELIVERY_WORDS = {
    "petition": _("Petition"),
    "addressed_to": _("Addressed to"),
    "date": _("Date"),
    "signatures": _("Signatures"),
    "online": _("Confirmed online"),
    "paper": _("On paper"),
    "leads": _("Lead organisations"),
    "partners": _("Partner organisations"),
    "text": _("Text of the petition"),
    "by_governorate": _("Signatures by governorate"),
    "by_country": _("Signatures by country"),
    "governorate": _("Governorate"),
    "country": _("Country"),
    "names": _("Names of the signers"),
    "address": _("The petition online:"),
}


def _in_both(words: dict, first: str = "ar") -> dict[str, dict[str, str]]:
    """{key: {"ar": …, "en": …, "first": …, "second": …}} for a dict of lazily translated
    words; "first" is the one in the language `first`."""
    result: dict[str, dict[str, str]] = {key: {} for key in words}
    for language in ("ar", "en"):
        with translation.override(language):
            for key, text in words.items():
                result[key][language] = str(text)
    for texts in result.values():
        texts["first"] = texts[first]
        texts["second"] = texts["en" if first == "ar" else "ar"]
    return result


@cache
def _font_bytes(path: str) -> bytes:
    """The font as plain OpenType, unpacked from WOFF2 once per process (WeasyPrint would
    otherwise unpack every font again, in Python, for every PDF: about a second each)."""
    data = Path(path).read_bytes()
    if data[:4] == b"wOF2":
        unpacked = io.BytesIO()
        woff2.decompress(io.BytesIO(data), unpacked)
        data = unpacked.getvalue()
    return data


class _LocalFontsOnly(URLFetcher):
    """Gives WeasyPrint our font files (by their file:// URL) and refuses everything else."""

    def __init__(self, fonts: dict[str, str]):
        super().__init__(allowed_protocols=("file",))
        self.fonts = fonts  # URL → path

    def fetch(self, url, headers=None):
        if url not in self.fonts:
            raise ValueError(f"not fetched for a PDF: {url[:200]}")
        return URLFetcherResponse(url, body=_font_bytes(self.fonts[url]))


def _font_faces() -> list[dict]:
    faces = []
    for family, weight, name in FONTS:
        path = finders.find(name)
        if not path:
            logger.warning("PDF font %s not found; the system's fonts will be used", name)
            continue
        faces.append({"family": family, "weight": weight, "url": Path(path).as_uri(), "path": path})
    return faces


@cache
def _fetcher(fonts: tuple[tuple[str, str], ...]) -> _LocalFontsOnly:
    # One per process: making a URLFetcher loads the system's certificates (0.2 s).
    return _LocalFontsOnly(dict(fonts))


def _render(template: str, context: dict, *, attachments: dict[str, str] | None = None) -> bytes:
    """`attachments`: file name → text, embedded in the PDF as UTF-8 files."""
    faces = _font_faces()
    fetcher = _fetcher(tuple((face["url"], face["path"]) for face in faces))
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string("petitions/pdf/pdf.css", {"faces": faces, "palette": PALETTE}),
        font_config=font_config,
        url_fetcher=fetcher,
    )
    html = HTML(string=render_to_string(template, context), url_fetcher=fetcher)
    files = [
        Attachment(string=text.encode(), name=name, url_fetcher=fetcher)
        for name, text in (attachments or {}).items()
    ]
    return html.write_pdf(stylesheets=[stylesheet], font_config=font_config, attachments=files)


def _petition_url(petition: Petition, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + petition.get_absolute_url()


def _texts(petition: Petition) -> dict:
    return {
        "text_ar": render_markdown(petition.text_ar),
        "text_en": render_markdown(petition.text_en),
    }


def signature_sheet_pdf(petition: Petition) -> bytes:
    """An A4 sheet (or more, for a long text) to sign on paper: both titles and texts, the
    consent line, SHEET_ROWS numbered rows, the petition's address and page numbers below."""
    context = {
        "petition": petition,
        "rows": range(1, SHEET_ROWS + 1),
        "url": _petition_url(petition, "ar"),
        "t": _in_both(SHEET_WORDS),
        **_texts(petition),
    }
    with translation.override("ar"):  # the sheet reads from the right, in Arabic digits
        return _render("petitions/pdf/signature_sheet.html", context)


def _named_signers(petition: Petition) -> list[str]:
    """Names of the confirmed signers who asked to be named, in signing order. A "name" that
    is an e-mail address (typed into the wrong field) is left out: it is not a name, and
    addresses are never handed over."""
    return list(
        petition.signatures.filter(
            state=Signature.State.CONFIRMED, show_name=True, anonymised=False
        )
        .exclude(name="")
        .exclude(name__contains="@")
        .order_by("confirmed_at", "pk")
        .values_list("name", flat=True)
    )


def _country_rows(by_country: dict[str, int]) -> list[tuple[int, str, str]]:
    """(count, Arabic name, English name), most signatures first."""
    rows = []
    for code, count in by_country.items():
        if count <= 0:
            continue
        with translation.override("ar"):
            arabic = str(countries.name(code) or code)
        with translation.override("en"):
            english = str(countries.name(code) or code)
        rows.append((count, arabic, english))
    return sorted(rows, key=lambda row: (-row[0], row[2]))


def _governorate_rows(by_governorate: dict[str, int]) -> list[tuple[int, str, str]]:
    """All 19 governorates: (count, Arabic name, English name), most signatures first."""
    rows = [
        (by_governorate.get(code, 0), governorate_name(code, "ar"), governorate_name(code, "en"))
        for code in Governorate.values
    ]
    return sorted(rows, key=lambda row: (-row[0], row[2]))


def _organisations(petition: Petition) -> dict:
    campaign = petition.campaign
    leads = list(campaign.lead_organisations.all())
    partners = {org.pk: org for org in campaign.partner_organisations.all()}
    for page in petition.partners.filter(active=True).select_related("organisation"):
        partners.setdefault(page.organisation_id, page.organisation)
    lead_ids = {org.pk for org in leads}

    def names(orgs):
        return [(pick(org, "name", "ar"), pick(org, "name", "en")) for org in orgs]

    return {
        "leads": names(leads),
        "partners": names(org for pk, org in partners.items() if pk not in lead_ids),
    }


def _plain_text(petition: Petition) -> str:
    """The titles and texts as typed, attached to the delivery PDF: text copied out of the
    PDF can have Arabic letters swapped (see the module's docstring), this file cannot."""
    return (
        "\n\n".join([petition.title_ar, petition.text_ar, petition.title_en, petition.text_en])
        + "\n"
    )


def _names_note(shown: int, total: int, first: str) -> dict[str, str]:
    note = {}
    for language in ("ar", "en"):
        with translation.override(language):
            note[language] = ngettext(
                "%(shown)s of %(total)s signers chose to be named here; the others are "
                "counted, not named.",
                "%(shown)s of %(total)s signers chose to be named here; the others are "
                "counted, not named.",
                shown,
            ) % {"shown": num(shown), "total": num(total)}
    return {"first": note[first], "second": note["en" if first == "ar" else "ar"]}


def delivery_pdf(petition: Petition, *, language: str | None = None) -> bytes:
    """The document handed to the petition's addressees. Both languages' texts are always in
    it; `language` ("ar" or "en", the active one by default) comes first and sets how
    numbers, dates and the map are written."""
    language = "en" if (language or translation.get_language() or "ar")[:2] == "en" else "ar"
    other = "en" if language == "ar" else "ar"
    tally = counts(petition, fresh=True)
    names = _named_signers(petition)
    with translation.override(language):
        context = {
            "petition": petition,
            "language": language,
            "other": other,
            "targets": list(petition.campaign.targets.all()),
            "counts": tally,
            "names": names,
            "country_rows": _country_rows(tally.by_country),
            "governorate_rows": _governorate_rows(tally.by_governorate),
            "map": iraq_map(
                tally.by_governorate,
                title=_("Signatures by governorate"),
                map_id="delivery-map",
                legend=False,
            ),
            "legend": map_legend(tally.by_governorate),
            "url": _petition_url(petition, language),
            "t": _in_both(DELIVERY_WORDS, language),
            "names_note": _names_note(len(names), tally.total, language),
            "today": timezone.localdate(),
            **_organisations(petition),
            **_texts(petition),
        }
        return _render(
            "petitions/pdf/delivery.html",
            context,
            attachments={"petition.txt": _plain_text(petition)},
        )
