"""A goal's progress as a small line drawn on the server as SVG: no JavaScript, no library.

``progress_line`` is pure: from the baseline, the target and the values logged over time it
returns an ``<svg role="img">`` whose ``<title>`` names the goal's measure and whose
``<desc>`` says in words what the line shows (where it started, where it is, how far toward
the target), so screen readers read the same figures the eye sees. Colours come from the
stylesheet's classes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

WIDTH = 320
HEIGHT = 120
PAD = 12


def _number(value: float) -> str:
    return f"{value:g}"


def progress_share(baseline: float, target: float, value: float) -> float:
    """How far ``value`` is from the baseline toward the target: 0 at the baseline, 1 at the
    target (below 0 or above 1 when it went the other way or beyond)."""
    return (value - baseline) / (target - baseline) if target != baseline else 0.0


def describe(baseline: float, target: float, points: Sequence[tuple[dt.datetime, float]], unit: str = "") -> str:
    """The line's text alternative: the figures in one sentence."""
    unit_text = f" {unit}" if unit else ""
    start = f"From {_number(baseline)}{unit_text} toward {_number(target)}{unit_text}"
    if not points:
        return f"{start}: no progress logged yet."
    at, value = points[-1]
    share = round(100 * progress_share(baseline, target, value))
    count = f"{len(points)} update{'s' if len(points) != 1 else ''}"
    return (f"{start}: {count}, the latest {_number(value)}{unit_text} on {at:%Y-%m-%d}, "
            f"{share}% of the way.")


def progress_line(baseline: float, target: float, points: Sequence[tuple[dt.datetime, float]], *,
                  title: str, unit: str = "", start: dt.datetime | None = None, id_prefix: str = "goal") -> str:
    """The SVG of values over time (``points``: (when, value), oldest first) from the
    baseline (at ``start``, or the first point) toward the target, the target a dashed line.
    Every text in it is escaped; ``id_prefix`` keeps its ids unique on a page."""
    first = start or (points[0][0] if points else None)
    series = ([(first, baseline)] if first is not None else []) + list(points)
    low = min([baseline, target, *(v for _, v in points)])
    high = max([baseline, target, *(v for _, v in points)])
    span_y = (high - low) or 1.0
    times = [at.timestamp() for at, _ in series]
    t0, span_t = (times[0], (times[-1] - times[0]) or 1.0) if times else (0.0, 1.0)

    def x(at: float) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (at - t0) / span_t, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / span_y, 1)

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg class="goal-line" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(describe(baseline, target, points, unit))}</desc>',
        f'<line class="goal-line__target" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(target)}" y2="{y(target)}"></line>',
        f'<line class="goal-line__baseline" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(baseline)}" y2="{y(baseline)}">'
        "</line>",
    ]
    if len(series) > 1:
        coordinates = " ".join(f"{x(t)},{y(v)}" for t, (_, v) in zip(times, series, strict=True))
        parts.append(f'<polyline class="goal-line__values" points="{coordinates}"></polyline>')
    parts += [f'<circle class="goal-line__point" cx="{x(t)}" cy="{y(v)}" r="3"></circle>'
              for t, (_, v) in zip(times, series, strict=True)]
    parts.append("</svg>")
    return "".join(parts)
