"""What plugins receive: an immutable ``Event``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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


# Tests move time through ``mentorkit.testing.clock`` (expiries, due dates, timers): every
# reader of the time goes through ``utcnow``, so they all move together.
_clock: Callable[[], dt.datetime] | None = None


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC (the only kind of time Mentorkit stores)."""
    return _clock() if _clock is not None else dt.datetime.now(dt.UTC)


def set_clock(clock: Callable[[], dt.datetime] | None) -> None:
    """Make ``utcnow`` read ``clock`` (``None``: the real time again). For tests and tools that
    replay time; a running site never calls it."""
    global _clock
    _clock = clock
