"""Pages of lists: every list read takes ``limit`` and ``offset`` and returns a ``Page``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import msgspec

from mentorkit.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 50
"""The page size when a caller gives none."""
MAX_LIMIT = 200
"""The largest page (and the most ids ``get_people`` takes at once)."""


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    """One page of a list, in the list's order.

    ``next_offset`` is the ``offset`` of the next page, or None on the last one.
    """

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


def check_page(limit: int, offset: int) -> None:
    """``ValidationFailed`` for a limit outside 1 to ``MAX_LIMIT`` or a negative offset."""
    problems = {}
    if not 1 <= limit <= MAX_LIMIT:
        problems["limit"] = f"must be from 1 to {MAX_LIMIT}"
    if offset < 0:
        problems["offset"] = "must be 0 or more"
    if problems:
        raise ValidationFailed(problems)


async def read_page(read: Callable[[int, int], Awaitable[list[T]]], limit: int, offset: int) -> Page[T]:
    """Call ``read(limit + 1, offset)`` (one row more tells whether a next page exists)."""
    check_page(limit, offset)
    rows = await read(limit + 1, offset)
    more = len(rows) > limit
    return Page(items=rows[:limit], limit=limit, offset=offset, next_offset=offset + limit if more else None)
