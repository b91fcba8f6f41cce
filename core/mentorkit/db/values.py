"""Values read with hand-written SQL, made the same on both engines."""

from __future__ import annotations

import datetime as dt
import json
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


def as_json(value: Any, default: Any = None) -> Any:
    """A JSON column's value as Python: the drivers hand JSON back as text (or, read without
    Piccolo's converters, already decoded); NULL and empty text are ``default``."""
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


def as_date(value: Any) -> dt.date | None:
    """A date column's value as a ``date`` (SQLite returns text, PostgreSQL dates), or None."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
