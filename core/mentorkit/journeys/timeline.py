"""A journey drawn as a timeline on the server (SVG, no JavaScript): milestones placed by
their due day, filled when done, ringed in red when overdue, and a marker for today.

``timeline`` works out the geometry; the template macro in ``journeys/_timeline.html`` draws
it. The SVG is decoration (hidden from screen readers): the milestone list under it says the
same in text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

WIDTH = 640
MARGIN = 40
LINE_Y = 34
RADIUS = 9


def timeline(milestones: Sequence[Any], started_on: dt.date, today: dt.date) -> dict[str, Any] | None:
    """The geometry of a journey's timeline (``milestones``: ``journeys.schemas.Milestone``
    in order); None without milestones."""
    if not milestones:
        return None
    end = max(max(m.due_on for m in milestones), today)
    span = max((end - started_on).days, 1)

    def x(day: dt.date) -> int:
        offset = min(max((day - started_on).days, 0), span)
        return MARGIN + round((WIDTH - 2 * MARGIN) * offset / span)

    points = []
    for n, m in enumerate(milestones):
        # Labels alternate below and further below, so neighbours do not overlap.
        at = x(m.due_on)
        # Labels near an edge are anchored inside the drawing rather than centred past it.
        anchor = "start" if at < WIDTH * 0.15 else "end" if at > WIDTH * 0.85 else "middle"
        points.append({"x": at, "anchor": anchor, "status": m.status, "title": m.title, "due_on": m.due_on,
                       "label_y": LINE_Y + 28 + (n % 2) * 16, "short": m.title if len(m.title) <= 22
                       else m.title[:21] + "…"})
    return {
        "width": WIDTH, "height": LINE_Y + 70, "line_y": LINE_Y, "radius": RADIUS,
        "x1": MARGIN, "x2": WIDTH - MARGIN, "points": points,
        "today_x": x(today) if started_on <= today <= end else None,
        # The start's date is left out when "today" would be written over it.
        "started_on": started_on if not started_on <= today <= end or x(today) - MARGIN > 70 else None,
    }
