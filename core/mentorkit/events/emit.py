"""Writing events: in the caller's transaction, one delivery row per subscribing plugin."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from mentorkit.db.bulk import insert_rows
from mentorkit.db.database import active_database
from mentorkit.db.unit import after_commit, in_transaction
from mentorkit.errors import MentorkitError
from mentorkit.events.model import Event, utcnow
from mentorkit.events.tables import Delivery, EventRecord, Timer


class UnknownEventType(MentorkitError):
    """An event type nobody declared through ``register_event_types``."""


def _runtime() -> Any:
    from mentorkit.runtime import current_runtime

    return current_runtime()


async def emit(type: str, subject: str, payload: dict[str, Any] | None = None,
               actor_id: int | None = None) -> Event:
    """Record that something happened. Must run inside the transaction of the change.

    The worker delivers the event to every plugin's ``on_event`` after the commit; if the
    transaction rolls back, the event never existed.
    """
    runtime = _writing_events("emit()", [type])
    payload = payload or {}
    record = EventRecord(key=uuid.uuid4(), type=type, subject=subject, actor_id=actor_id,
                         payload=json.dumps(payload), occurred_at=utcnow())
    await record.save()
    subscribers = runtime.hooks.event_subscribers()
    if subscribers:
        await Delivery.insert(*[
            Delivery(event=record.id, subscriber=name, subject=subject, next_attempt_at=record.occurred_at)
            for name in subscribers
        ])
    if runtime.worker is not None:
        after_commit(runtime.worker.notify)
    return Event(id=record.id, key=str(record.key), type=type, subject=subject, actor_id=actor_id,
                 payload=payload, occurred_at=record.occurred_at)


async def emit_many(events: Sequence[tuple[str, str, dict[str, Any]]], actor_id: int | None = None) -> int:
    """``emit`` for many events of one change (a CSV import): each ``(type, subject,
    payload)`` becomes an event row and one delivery per subscribing plugin, written in a few
    multi-row statements in the caller's transaction (``mentorkit.db.bulk``), and the worker is
    woken after the commit. Returns how many events were written."""
    runtime = _writing_events("emit_many()", {type_ for type_, _, _ in events})
    now = utcnow()
    keys = [uuid.uuid4() for _ in events]
    subject_of = {str(key): subject for key, (_, subject, _) in zip(keys, events, strict=True)}
    ids = await insert_rows(EventRecord, [
        {"key": key, "type": type_, "subject": subject, "actor_id": actor_id, "payload": json.dumps(payload),
         "occurred_at": now}
        for key, (type_, subject, payload) in zip(keys, events, strict=True)
    ], returning="key")
    subscribers = runtime.hooks.event_subscribers()
    if subscribers:
        # Event ids ascend in the order written, so each subject's events keep their order.
        await insert_rows(Delivery, [
            {"event": event_id, "subscriber": name, "subject": subject_of[str(key)], "status": "pending",
             "attempts": 0, "next_attempt_at": now, "lease_until": None, "worker": None, "last_error": None,
             "delivered_at": None}
            for event_id, key in sorted(ids) for name in subscribers
        ])
    if runtime.worker is not None:
        after_commit(runtime.worker.notify)
    return len(ids)


def _writing_events(caller: str, types: Iterable[str]) -> Any:
    """The runtime, once it is sure events may be written now: inside a transaction, and of
    declared types only."""
    if not in_transaction():
        raise MentorkitError(f"{caller} must be called inside the transaction of the change it records")
    runtime = _runtime()
    if unknown := sorted(set(types) - set(runtime.event_types)):
        raise UnknownEventType(f"event type {', '.join(map(repr, unknown))} is not declared (register_event_types)")
    return runtime


async def schedule(key: str, due_at: dt.datetime, type: str, subject: str,
                   payload: dict[str, Any] | None = None, actor_id: int | None = None) -> bool:
    """Arrange for an event at ``due_at``; scheduling the same ``key`` again does nothing.

    Returns True when the timer was new. The scheduler fires each timer once, even when
    several workers tick at the same moment.
    """
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    if type not in _runtime().event_types:
        raise UnknownEventType(f"event type {type!r} is not declared (register_event_types)")
    rows = await Timer.insert(
        Timer(key=key, due_at=due_at, type=type, subject=subject, actor_id=actor_id,
              payload=json.dumps(payload or {}))
    ).on_conflict(target=Timer.key, action="DO NOTHING").returning(Timer.id)
    return bool(rows)


def database_engine() -> str:
    """``sqlite`` or ``postgres``: the claim queries differ slightly."""
    return active_database().engine_type
