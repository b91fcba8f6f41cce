"""The event stream: written with the change, delivered after it, in order, retried, dead-lettered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.db import transaction
from mentorkit.errors import MentorkitError
from mentorkit.events import Delivery, EventRecord, emit, emit_many, schedule
from mentorkit.events.model import Event, utcnow


class Recorder:
    """A throwaway plugin that declares test events and records what it receives."""

    def __init__(self, fail_times: int = 0) -> None:
        self.seen: list[Event] = []
        self.fail_times = fail_times

    @hookimpl
    def register_event_types(self, register: Any) -> None:
        register("test.happened", "something happened in a test")
        register("test.reminder", "a reminder came due")

    @hookimpl
    def on_event(self, event: Event) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise RuntimeError("plugin is having a bad day")
        self.seen.append(event)


@pytest.fixture
def recorder(mentorkit_plugins: list[tuple[str, object]]) -> Recorder:
    plugin = Recorder()
    mentorkit_plugins.append(("recorder", plugin))
    return plugin


@pytest.fixture
def flaky_recorder(mentorkit_plugins: list[tuple[str, object]]) -> Recorder:
    plugin = Recorder(fail_times=1)
    mentorkit_plugins.append(("recorder", plugin))
    return plugin


@pytest.fixture
def broken_recorder(mentorkit_plugins: list[tuple[str, object]]) -> Recorder:
    plugin = Recorder(fail_times=100)
    mentorkit_plugins.append(("recorder", plugin))
    return plugin


async def test_event_is_delivered_after_commit(recorder: Recorder, mentorkit_runtime: Any) -> None:
    async with transaction():
        await emit("test.happened", "thing:1", {"n": 1}, actor_id=None)
    worker = mentorkit_runtime.make_worker()
    # One delivery per subscribing plugin (the recorder and the built-in notification fan-out).
    assert await worker.drain() == len(mentorkit_runtime.hooks.event_subscribers()) >= 2
    assert [e.payload for e in recorder.seen] == [{"n": 1}]
    assert recorder.seen[0].occurred_at.tzinfo is not None
    status = await Delivery.select(Delivery.status).where(Delivery.subscriber == "recorder")
    assert status == [{"status": "delivered"}]


async def test_rolled_back_change_has_no_event(recorder: Recorder, mentorkit_runtime: Any) -> None:
    with pytest.raises(ZeroDivisionError):
        async with transaction():
            await emit("test.happened", "thing:1")
            1 / 0  # noqa: B018
    assert await EventRecord.count() == 0
    assert await mentorkit_runtime.make_worker().drain() == 0
    assert recorder.seen == []


async def test_emit_outside_a_transaction_is_refused(recorder: Recorder, mentorkit_runtime: Any) -> None:
    with pytest.raises(MentorkitError, match="inside the transaction"):
        await emit("test.happened", "thing:1")


async def test_undeclared_event_type_is_refused(recorder: Recorder, mentorkit_runtime: Any) -> None:
    with pytest.raises(MentorkitError, match="not declared"):
        async with transaction():
            await emit("test.nobody-declared-this", "thing:1")


async def test_many_events_at_once_are_delivered_like_single_ones(recorder: Recorder, mentorkit_runtime: Any) -> None:
    with pytest.raises(MentorkitError, match="inside the transaction"):
        await emit_many([("test.happened", "thing:1", {})])
    with pytest.raises(MentorkitError, match="not declared"):
        async with transaction():
            await emit_many([("test.happened", "thing:1", {}), ("test.nobody-declared-this", "thing:1", {})])
    assert await EventRecord.count() == 0
    async with transaction():
        written = await emit_many([("test.happened", f"thing:{n % 2}", {"n": n}) for n in range(6)], actor_id=None)
    assert written == 6
    await mentorkit_runtime.make_worker().drain()
    for subject, numbers in (("thing:0", [0, 2, 4]), ("thing:1", [1, 3, 5])):
        assert [e.payload["n"] for e in recorder.seen if e.subject == subject] == numbers


async def test_events_of_one_subject_arrive_in_order(recorder: Recorder, mentorkit_runtime: Any) -> None:
    async with transaction():
        for n in range(5):
            await emit("test.happened", "thing:a", {"n": n})
            await emit("test.happened", "thing:b", {"n": n})
    await mentorkit_runtime.make_worker().drain()
    for subject in ("thing:a", "thing:b"):
        assert [e.payload["n"] for e in recorder.seen if e.subject == subject] == [0, 1, 2, 3, 4]


async def test_failing_plugin_is_retried_with_backoff_and_order_is_kept(
    flaky_recorder: Recorder, mentorkit_runtime_factory: Any
) -> None:
    plugin = flaky_recorder
    runtime = mentorkit_runtime_factory()
    await runtime.database.open()
    try:
        async with transaction():
            await emit("test.happened", "thing:1", {"n": 1})
            await emit("test.happened", "thing:1", {"n": 2})
        worker = runtime.make_worker()
        await worker.drain()
        # The first failed; the second must wait behind it (order per subject).
        assert plugin.seen == []
        row = await Delivery.select().where(Delivery.status == "pending").order_by(Delivery.id).first()
        assert row is not None and row["attempts"] == 1 and "bad day" in row["last_error"]
        assert row["next_attempt_at"] > utcnow()
        # Time passes: make the retry due now.
        await Delivery.update({Delivery.next_attempt_at: utcnow() - dt.timedelta(seconds=1)}).where(
            Delivery.id == row["id"])
        await worker.drain()
        assert [e.payload["n"] for e in plugin.seen] == [1, 2]
    finally:
        await runtime.database.close()


async def test_delivery_is_dead_lettered_after_the_last_attempt(
    broken_recorder: Recorder, mentorkit_runtime_factory: Any
) -> None:
    plugin = broken_recorder
    runtime = mentorkit_runtime_factory()
    runtime.settings.worker_max_attempts = 3
    await runtime.database.open()
    try:
        async with transaction():
            await emit("test.happened", "thing:1")
        worker = runtime.make_worker()
        for _ in range(3):
            await Delivery.update({Delivery.next_attempt_at: utcnow()}).where(Delivery.status == "pending")
            await worker.drain()
        rows = await Delivery.select(Delivery.status, Delivery.attempts).where(Delivery.subscriber == "recorder")
        assert rows == [{"status": "dead", "attempts": 3}]
        from mentorkit.events.worker import retry_dead

        plugin.fail_times = 0
        assert await retry_dead() == 1
        await worker.drain()
        assert len(plugin.seen) == 1
    finally:
        await runtime.database.close()


async def test_timer_fires_once_and_scheduling_is_idempotent(recorder: Recorder, mentorkit_runtime: Any) -> None:
    due = utcnow() - dt.timedelta(seconds=1)
    assert await schedule("reminder:session:7", due, "test.reminder", "session:7", {"in": "1 day"}) is True
    assert await schedule("reminder:session:7", due, "test.reminder", "session:7") is False
    later = await schedule("reminder:session:8", utcnow() + dt.timedelta(hours=1), "test.reminder", "session:8")
    assert later is True
    first, second = mentorkit_runtime.make_worker(), mentorkit_runtime.make_worker()
    assert await first.fire_due_timers() == 1
    assert await second.fire_due_timers() == 0
    await first.drain()
    assert [(e.type, e.subject, e.payload) for e in recorder.seen] == [
        ("test.reminder", "session:7", {"in": "1 day"})]
