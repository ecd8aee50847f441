"""SVG charts for the PDF reports, built as plain SVG text.

Plain SVG keeps every label as text, so WeasyPrint draws it with the embedded CJK
font and ``pdftotext`` (and a screen reader) can still read it; matplotlib would
either turn text into paths or need its own font set-up.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

FONT_FAMILY = "Noto Sans CJK SC, sans-serif"
BAR_COLOUR = "#b22222"
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#dddddd"


def bar_chart_svg(
    items: Sequence[tuple[str, int | float]],
    *,
    title: str = "",
    width: int = 640,
    bar_height: int = 18,
    gap: int = 6,
    label_width: int = 150,
) -> SafeString:
    """Return a horizontal bar chart as inline SVG: one labelled bar per item.

    Horizontal bars leave room for long Chinese labels (township names) without
    rotating text. Values are written at the end of each bar.
    """
    title_height = 28 if title else 0
    top = title_height + 4
    plot_width = width - label_width - 60
    maximum = max((value for _, value in items), default=0) or 1
    height = top + len(items) * (bar_height + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT_FAMILY}" font-size="12" role="img">'
    ]
    if title:
        parts.append(
            f'<text x="{width / 2:.0f}" y="18" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{TEXT_COLOUR}">{escape(title)}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" '
        f'y2="{height - 8}" stroke="{GRID_COLOUR}"/>'
    )
    for index, (label, value) in enumerate(items):
        y = top + index * (bar_height + gap)
        bar = plot_width * value / maximum
        text_y = y + bar_height * 0.75
        parts.append(
            f'<text x="{label_width - 6}" y="{text_y:.1f}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" '
            f'height="{bar_height}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{label_width + bar + 4:.1f}" y="{text_y:.1f}" '
            f'fill="{TEXT_COLOUR}">{escape(str(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every label is escaped above
