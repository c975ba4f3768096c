"""The map of Iraq's governorates and the country table (tadamun/petitions/maps.py)."""

import json
import re
from collections import Counter
from xml.etree import ElementTree

import pytest
from django.utils import translation

from tadamun.organisations.models import GOVERNORATE_NAMES_AR, Governorate
from tadamun.petitions import maps

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 (our own output, not untrusted XML)


def fills(svg: str) -> dict[str, str]:
    return {
        path.get("data-governorate"): path.get("fill")
        for path in parse(svg).iter(f"{SVG}path")
        if path.get("data-governorate")
    }


def test_every_governorate_is_drawn_once_kurdistan_region_included():
    svg = maps.iraq_map({}, title="Signatures")
    drawn = [
        path.get("data-governorate")
        for path in parse(svg).iter(f"{SVG}path")
        if path.get("data-governorate")
    ]
    assert sorted(drawn) == sorted(Governorate.values)
    assert len(drawn) == 19
    assert {"erbil", "sulaymaniyah", "duhok", "halabja"} <= set(drawn)


def test_shades_follow_the_counts():
    counts = {"baghdad": 400, "basra": 200, "erbil": 100, "najaf": 1}
    shade = fills(maps.iraq_map(counts, title="Signatures"))
    palette = list(maps.PALETTE)
    assert shade["baghdad"] == palette[-1]  # the most signatures: the darkest
    assert shade["anbar"] == palette[0]  # none
    order = ["anbar", "najaf", "erbil", "basra", "baghdad"]
    assert [palette.index(shade[code]) for code in order] == sorted(
        palette.index(shade[code]) for code in order
    )
    assert palette.index(shade["najaf"]) > 0  # one signature is not "none"


def test_few_signatures_use_fewer_darker_shades():
    shade = fills(maps.iraq_map({"basra": 1, "baghdad": 2}, title="Signatures"))
    assert shade["baghdad"] == maps.PALETTE[-1]
    assert shade["basra"] == maps.PALETTE[-2]
    assert maps.map_legend({"basra": 1, "baghdad": 2}) == [(0, "0"), (3, "1"), (4, "2")]


def test_no_signatures_at_all_draws_an_empty_map():
    shade = fills(maps.iraq_map({}, title="Signatures"))
    assert set(shade.values()) == {maps.PALETTE[0]}
    assert maps.map_legend({}) == [(0, "0")]


def test_hostile_title_and_keys_are_escaped_or_ignored():
    svg = maps.iraq_map(
        {"basra": 3, '"><script>alert(1)</script>': 9, "baghdad": "4"},
        title='<script>alert("x")</script>',
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)  # still well-formed
    assert fills(svg)["baghdad"] == maps.PALETTE[-1]  # "4" counted as the number 4


def test_a_count_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match="invalid literal"):
        maps.iraq_map({"basra": "<b>1</b>"}, title="Signatures")


def test_accessible_title_description_and_hover_titles():
    svg = maps.iraq_map({"basra": 12}, title="Signatures by governorate", map_id="m1")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "m1-title m1-desc"
    assert root.find(f"{SVG}title").get("id") == "m1-title"
    description = root.find(f"{SVG}desc")
    assert description.get("id") == "m1-desc"
    assert description.text.startswith("Basra: 12; ")
    for name in (label for _code, label in Governorate.choices):
        assert f"{name}: " in description.text
    hover = {
        path.get("data-governorate"): path.find(f"{SVG}title").text
        for path in root.iter(f"{SVG}path")
    }
    assert hover["basra"] == "Basra: 12"
    assert hover["halabja"] == "Halabja: 0"


def test_arabic_description_lists_every_governorate_in_arabic_indic_digits():
    with translation.override("ar"):
        svg = maps.iraq_map({"basra": 1200, "halabja": 7}, title="التوقيعات")
    description = parse(svg).find(f"{SVG}desc").text
    assert description.startswith("البصرة: ١٬٢٠٠؛ حلبجة: ٧؛ ")
    for name in GOVERNORATE_NAMES_AR.values():
        assert f"{name}: " in description
    assert description.count("٠") >= 17  # the governorates without signatures
    assert not re.search(r"[0-9]", description)


def test_the_map_is_not_mirrored_in_arabic_but_the_legend_is():
    counts = {"basra": 50, "erbil": 5}
    with translation.override("en"):
        english = parse(maps.iraq_map(counts, title="x"))
    with translation.override("ar"):
        arabic = parse(maps.iraq_map(counts, title="x"))

    def shapes(root):
        return {p.get("data-governorate"): p.get("d") for p in root.iter(f"{SVG}path")}

    def legend_x(root):
        return [float(rect.get("x")) for rect in root.iter(f"{SVG}rect")]

    assert shapes(english) == shapes(arabic)
    assert legend_x(english) == sorted(legend_x(english))  # "0" first, on the left
    assert legend_x(arabic) == sorted(legend_x(arabic), reverse=True)  # "0" on the right


def test_the_svg_stays_small():
    counts = {code: 10_000 + index for index, code in enumerate(Governorate.values)}
    with translation.override("ar"):
        svg = maps.iraq_map(counts, title="التوقيعات حسب المحافظة")
    assert len(svg.encode()) < 15_000
    assert maps.iraq_map(counts, title="x", legend=False).count("<rect") == 0


def point_in(point, polygon) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_each_seat_lies_in_its_own_governorate_and_borders_are_shared():
    data = json.loads(maps.GEOMETRY_FILE.read_text(encoding="utf-8"))
    shapes = data["governorates"]
    assert set(shapes) == set(Governorate.values)
    outlines = {
        code: [data["nodes"][n] for n in shape["outline"]] for code, shape in shapes.items()
    }
    for code, shape in shapes.items():
        holders = [
            other for other, outline in outlines.items() if point_in(shape["capital"], outline)
        ]
        assert holders == [code]
    # A border is one line used by its two neighbours, so there are no gaps or overlaps.
    edges = Counter(
        frozenset(pair)
        for shape in shapes.values()
        for pair in zip(shape["outline"], shape["outline"][1:] + shape["outline"][:1], strict=True)
    )
    assert max(edges.values()) == 2


def test_country_rows_are_localised_and_sorted():
    counts = {"IQ": 40, "DE": 3, "SE": 3, "JO": 0, "XX": 1}
    with translation.override("en"):
        rows = maps.country_table_rows(counts)
    assert rows == [("Iraq", 40), ("Germany", 3), ("Sweden", 3), ("XX", 1)]
    with translation.override("ar"):
        assert maps.country_table_rows({"IQ": 2})[0].name == "العراق"


def test_governorate_rows_list_all_nineteen():
    with translation.override("en"):
        rows = maps.governorate_table_rows({"basra": 5})
    assert len(rows) == 19
    assert rows[0] == ("Basra", 5)
    assert {count for _name, count in rows[1:]} == {0}
