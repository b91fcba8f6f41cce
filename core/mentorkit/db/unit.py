"""Units of work: a write transaction plus what must happen only after it commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from mentorkit.db.database import active_database

_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("mentorkit_after_commit", default=None)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction on the active database; nested calls join the outer one.

    Callbacks registered with ``after_commit`` run once the outermost transaction commits,
    and never if it rolls back.
    """
    if _after_commit.get() is not None:
        async with active_database().transaction():
            yield
        return
    callbacks: list[Callable[[], None]] = []
    token = _after_commit.set(callbacks)
    try:
        async with active_database().transaction():
            yield
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        callback()


def in_transaction() -> bool:
    """True inside a transaction on the active database."""
    return active_database().engine.current_transaction.get() is not None


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the current transaction commits (at once outside one)."""
    callbacks = _after_commit.get()
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)
