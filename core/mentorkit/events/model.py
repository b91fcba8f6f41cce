"""What plugins receive: an immutable ``Event``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Something that happened: ``type`` (e.g. ``relationship.created``), about ``subject``.

    ``subject`` names the thing it is about (``relationship:12``); events about one subject
    are delivered in the order they happened. ``key`` is unique and stable across retries:
    use it as an idempotency key.
    """

    id: int
    key: str
    type: str
    subject: str
    actor_id: int | None
    payload: dict[str, Any]
    occurred_at: dt.datetime


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC (the only kind of time Mentorkit stores)."""
    return dt.datetime.now(dt.UTC)
