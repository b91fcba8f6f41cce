"""The event stream: events (immutable), their deliveries to plugins, and timers."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class EventRecord(Table, tablename="mentorkit_event"):
    """One thing that happened. Written in the transaction of the change; never updated."""

    id: Serial  # added by Piccolo; declared for type checkers

    key = UUID(unique=True)
    type = Varchar(length=100, index=True)
    subject = Varchar(length=200, index=True)
    actor_id = Integer(null=True, default=None)
    payload = JSON(default="{}")
    occurred_at = Timestamptz(default=TimestamptzNow(), index=True)


class Delivery(Table, tablename="mentorkit_delivery"):
    """The delivery of one event to one subscribing plugin (its ``on_event``)."""

    id: Serial  # added by Piccolo; declared for type checkers

    event = ForeignKey(references=EventRecord, on_delete=OnDelete.cascade, index=True)
    subscriber = Varchar(length=100)
    subject = Varchar(length=200)
    # pending -> running -> delivered, or back to pending (retry), or dead after the last try.
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    lease_until = Timestamptz(null=True, default=None)
    worker = Varchar(length=100, null=True, default=None)
    last_error = Text(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)


class Timer(Table, tablename="mentorkit_timer"):
    """An event due at a time. ``key`` makes scheduling idempotent; ``fired_at`` firing."""

    id: Serial  # added by Piccolo; declared for type checkers

    key = Varchar(length=200, unique=True)
    due_at = Timestamptz(index=True)
    type = Varchar(length=100)
    subject = Varchar(length=200)
    actor_id = Integer(null=True, default=None)
    payload = JSON(default="{}")
    fired_at = Timestamptz(null=True, default=None, index=True)
