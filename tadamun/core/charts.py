"""Small charts drawn on the server as inline SVG: no JavaScript, no third party, a few hundred
bytes, readable by screen readers (role="img" with a title and a description listing every
value), and laid out in the reading direction (in Arabic the oldest bar is on the right)."""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi

WIDTH, HEIGHT = 640, 220
TOP, BOTTOM = 28, 34  # room for the values above the bars and the labels below


def bar_chart(
    points: Sequence[tuple[str, str, int]], *, title: str, chart_id: str, value_text
) -> SafeString:
    """`points`: (short label, full label, value) in time order; the short label is drawn, the
    full one read out. `value_text(value) -> str` localises a number.

    Returns an <svg> element; the caller places it in a <figure>."""
    count = max(len(points), 1)
    slot = WIDTH / count
    bar_width = max(slot * 0.6, 2)
    highest = max((value for _short, _full, value in points), default=0) or 1
    usable = HEIGHT - TOP - BOTTOM
    rtl = get_language_bidi()
    bars = []
    for index, (label, _full, value) in enumerate(points):
        position = count - 1 - index if rtl else index
        x = position * slot + (slot - bar_width) / 2
        height = usable * value / highest
        y = TOP + usable - height
        centre = x + bar_width / 2
        bars.append(
            (
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_width:.1f}",
                f"{height:.1f}",
                f"{centre:.1f}",
                f"{y - 6:.1f}",
                value_text(value),
                f"{HEIGHT - BOTTOM + 18:.1f}",
                label,
            )
        )
    description = "; ".join(f"{full}: {value_text(value)}" for _short, full, value in points)
    body = format_html_join(
        "",
        '<g><rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
        (
            (x, y, w, h, cx, vy, value, cx, ly, label)
            for x, y, w, h, cx, vy, value, ly, label in bars
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line class="chart-axis" x1="0" x2="{}" y1="{}" y2="{}"></line>{}</svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        WIDTH,
        HEIGHT - BOTTOM,
        HEIGHT - BOTTOM,
        body,
    )
