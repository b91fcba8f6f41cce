"""Small horizontal bar charts drawn on the server as SVG: no JavaScript, no library.

``bar_chart`` works out the geometry; the template macro ``chart`` in
``programs/_charts.html`` draws it as an ``<svg>`` with a ``<title>`` per bar (a tooltip,
"Mentees, active: 12"). The SVG is hidden from screen readers because the same figures are
listed as text under it. Colours come from the stylesheet's classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
BAR_WIDTH = 240
VALUE_ROOM = 50


def bar_chart(title: str, bars: Sequence[tuple[str, int]]) -> dict[str, Any] | None:
    """The chart of ``bars`` ((label, count) pairs) for the ``chart`` macro; None without bars."""
    if not bars:
        return None
    biggest = max(count for _, count in bars) or 1
    step = BAR_HEIGHT + GAP
    return {
        "title": title,
        "width": LABEL_WIDTH + BAR_WIDTH + VALUE_ROOM,
        "height": len(bars) * step,
        "bars": [
            {
                "label": label,
                "count": count,
                "y": n * step,
                "text_y": n * step + BAR_HEIGHT - 6,
                "x": LABEL_WIDTH,
                "length": max(round(BAR_WIDTH * count / biggest), 1),
                "height": BAR_HEIGHT,
            }
            for n, (label, count) in enumerate(bars)
        ],
    }
