"""Where signers come from: Iraq's governorates as a small map drawn on the server, and the
countries as table rows.

The map is an inline SVG (no tile service, no JavaScript, a few kilobytes) made from the
simplified outlines in data/iraq_governorates.json. Each governorate is shaded by its count in
a few steps of one colour and carries a <title> for hover; the whole map is one image for
screen readers (role="img") whose description lists every governorate and its count in the
reader's language. Geography is not text: the map is never mirrored in Arabic, only the legend
follows the reading direction.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import NamedTuple

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi
from django_countries import countries

from tadamun.core.templatetags.bidi import num
from tadamun.organisations.models import Governorate, governorate_name

GEOMETRY_FILE = Path(__file__).parent / "data" / "iraq_governorates.json"

SCALE = 50  # SVG units per degree of latitude
PAD = 4
LEGEND_HEIGHT = 34
SWATCH = 14
# No signatures (index 0), then light to dark: tints of the site's accent (--accent: #0b5c55).
# The colours are SVG attributes, so the map is right in a PDF and without the stylesheet; the
# classes (map-step-0 … map-step-4, the index here) let CSS restyle them.
PALETTE = ("#eef1f0", "#cfe5e1", "#8cc2b9", "#3f8f84", "#0b5c55")
BORDER = "#ffffff"
OUTLINE = "#6b7479"


class Geometry(NamedTuple):
    width: int
    height: int  # of the map, without the legend
    paths: dict[str, str]  # governorate code → SVG path data


class Row(NamedTuple):
    name: str
    count: int


@cache
def geometry() -> Geometry:
    """The outlines projected once per process: longitude scaled by the cosine of the middle
    latitude (an equirectangular projection is fine for a country this size)."""
    data = json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))
    nodes = data["nodes"]
    longitudes = [lon for lon, _lat in nodes.values()]
    latitudes = [lat for _lon, lat in nodes.values()]
    west, east = min(longitudes), max(longitudes)
    south, north = min(latitudes), max(latitudes)
    squeeze = math.cos(math.radians((north + south) / 2))

    def point(name: str) -> str:
        lon, lat = nodes[name]
        x = (lon - west) * squeeze * SCALE + PAD
        y = (north - lat) * SCALE + PAD
        return f"{x:.0f} {y:.0f}"

    paths = {
        code: "M" + "L".join(point(name) for name in shape["outline"]) + "Z"
        for code, shape in data["governorates"].items()
    }
    width = math.ceil((east - west) * squeeze * SCALE + 2 * PAD)
    height = math.ceil((north - south) * SCALE + 2 * PAD)
    return Geometry(width, height, paths)


class Shades(NamedTuple):
    bounds: list[int]  # the highest count of each shade in use, lightest first
    first: int  # the index in PALETTE of the lightest shade in use

    def of(self, count: int) -> int:
        """The index in PALETTE for `count`: 0 for none."""
        if count <= 0:
            return 0
        step = next(index for index, bound in enumerate(self.bounds) if count <= bound)
        return self.first + step


def shades(highest: int) -> Shades:
    """The range 1…highest cut into up to four equal parts; with small counts fewer (1…2
    makes two shades, not four), and then the darkest colours are used."""
    steps = len(PALETTE) - 1
    if highest <= 0:
        return Shades([], len(PALETTE))
    bounds = sorted({math.ceil(highest * step / steps) for step in range(1, steps + 1)})
    return Shades(bounds, len(PALETTE) - len(bounds))


def map_legend(counts_by_governorate: dict[str, int]) -> list[tuple[int, str]]:
    """(index in PALETTE, localised range) for each shade in use, "0" first: for a legend
    drawn outside the map (the PDF, whose SVG text knows no bidirectional layout)."""
    scale = shades(max(_count(counts_by_governorate, code) for code in Governorate.values))
    legend = [(0, num(0))]
    low = 1
    for index, bound in enumerate(scale.bounds):
        legend.append(
            (scale.first + index, num(low) if low == bound else f"{num(low)}–{num(bound)}")
        )
        low = bound + 1
    return legend


def _count(counts_by_governorate: dict[str, int], code: str) -> int:
    return max(int(counts_by_governorate.get(code, 0) or 0), 0)


def _legend(legend: list[tuple[int, str]], width: int, top: int) -> SafeString:
    """A row of swatches with their ranges, from the reading direction's start: in Arabic
    "0" is on the right and the darkest on the left."""
    rtl = get_language_bidi()
    slot = (width - 2 * PAD) / len(legend)
    items = []
    for position, (shade, label) in enumerate(legend):
        if rtl:
            edge = width - PAD - position * slot
            swatch_x, text_x, anchor = edge - SWATCH, edge - SWATCH - 5, "end"
        else:
            edge = PAD + position * slot
            swatch_x, text_x, anchor = edge, edge + SWATCH + 5, "start"
        items.append(
            format_html(
                '<rect class="map-step-{}" x="{}" y="{}" width="{}" height="{}" fill="{}" '
                'stroke="{}" stroke-width="0.5"></rect>'
                '<text x="{}" y="{}" text-anchor="{}">{}</text>',
                shade,
                f"{swatch_x:.0f}",
                top,
                SWATCH,
                SWATCH,
                PALETTE[shade],
                OUTLINE,
                f"{text_x:.0f}",
                top + SWATCH - 2,
                anchor,
                label,
            )
        )
    return SafeString("".join(items))  # nosec B703


def iraq_map(
    counts_by_governorate: dict[str, int],
    *,
    title: str,
    map_id: str = "iraq-map",
    legend: bool = True,
) -> SafeString:
    """An <svg> of Iraq's governorates shaded by `counts_by_governorate` (code → count, e.g.
    `tally.counts(petition).by_governorate`); unknown codes are ignored. `map_id` must be
    unique on the page (it names the title and description for aria-labelledby). Without
    `legend`, the caller shows `map_legend()` itself."""
    shape = geometry()
    counts = {code: _count(counts_by_governorate, code) for code in Governorate.values}
    scale = shades(max(counts.values()))
    names = {code: governorate_name(code) for code in Governorate.values}

    areas = []
    for code in Governorate.values:
        shade = scale.of(counts[code])
        label = f"{names[code]}: {num(counts[code])}"
        areas.append((shade, code, shape.paths[code], PALETTE[shade], label))
    ordered = sorted(Governorate.values, key=lambda code: (-counts[code], names[code]))
    separator = "؛ " if get_language_bidi() else "; "
    description = separator.join(f"{names[code]}: {num(counts[code])}" for code in ordered)

    height = shape.height + (LEGEND_HEIGHT if legend else 0)
    drawn_legend = (
        format_html(
            '<g class="map-legend" font-size="12">{}</g>',
            _legend(map_legend(counts), shape.width, shape.height + 12),
        )
        if legend
        else ""
    )
    return format_html(
        '<svg class="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" direction="ltr" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        '<g class="map-areas" stroke="{border}" stroke-width="1" stroke-linejoin="round">'
        "{areas}</g>{legend}</svg>",
        width=shape.width,
        height=height,
        id=map_id,
        title=title,
        description=description,
        border=BORDER,
        areas=format_html_join(
            "",
            '<path class="map-area map-step-{}" data-governorate="{}" d="{}" fill="{}">'
            "<title>{}</title></path>",
            areas,
        ),
        legend=drawn_legend,
    )


def country_table_rows(counts_by_country: dict[str, int]) -> list[Row]:
    """(country's name in the active language, count), most signatures first; codes that
    django-countries does not know are shown as they are."""
    rows = [
        Row(str(countries.name(code)) or str(code), int(count))
        for code, count in counts_by_country.items()
        if int(count) > 0
    ]
    return sorted(rows, key=lambda row: (-row.count, row.name))


def governorate_table_rows(counts_by_governorate: dict[str, int]) -> list[Row]:
    """All 19 governorates (those without signatures too), most signatures first."""
    rows = [
        Row(governorate_name(code), max(int(counts_by_governorate.get(code, 0) or 0), 0))
        for code in Governorate.values
    ]
    return sorted(rows, key=lambda row: (-row.count, row.name))
