"""Values read with hand-written SQL, made the same on both engines."""

from __future__ import annotations

import datetime as dt
from typing import Any


def as_utc(value: Any) -> dt.datetime | None:
    """A stored time as an aware UTC datetime.

    SQLite hands back text for computed columns (``MAX(held_at)``) that Piccolo's converters
    never see; PostgreSQL hands back datetimes. Both become the same here.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
