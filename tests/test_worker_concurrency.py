"""Several workers on one stream: each event delivered once, in order per subject; timers once.

In one process the workers run side by side under ``asyncio.gather`` (on PostgreSQL their
claims overlap on separate connections, which is what ``FOR UPDATE SKIP LOCKED`` is for); in
the multi-process test two real worker subprocesses share the stream.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.db import transaction
from mentorkit.events import Delivery, EventRecord, Timer, emit, schedule
from mentorkit.events.model import Event, utcnow
from mentorkit.events.worker import EventWorker, WorkerPolicy
from tests.worker_processes import WorkerProcesses

EVENT_TYPE = "sharetest.happened"
TIMER_TYPE = "sharetest.due"
SUBJECTS = tuple(f"relationship:{n}" for n in range(12))
EVENTS_PER_SUBJECT = 5
DEADLINE_SECONDS = 60.0


class Collector:
    """Plugin ``share``: records what it receives, yielding to the loop so workers interleave."""

    def __init__(self) -> None:
        self.seen: list[Event] = []

    @hookimpl
    def register_event_types(self, register: Any) -> None:
        register(EVENT_TYPE, "an event of the concurrency test")
        register(TIMER_TYPE, "a timer of the concurrency test came due")

    @hookimpl
    async def on_event(self, event: Event) -> None:
        if event.type in (EVENT_TYPE, TIMER_TYPE):
            self.seen.append(event)
            await asyncio.sleep(0.002)


@pytest.fixture
def collector(mentorkit_plugins: list[tuple[str, object]]) -> Collector:
    plugin = Collector()
    mentorkit_plugins.append(("share", plugin))
    return plugin


async def emit_stream(events_per_subject: int = EVENTS_PER_SUBJECT) -> dict[str, list[str]]:
    """Emit events round-robin over the subjects; return each subject's keys in emit order."""
    emitted: dict[str, list[str]] = {subject: [] for subject in SUBJECTS}
    async with transaction():
        for n in range(events_per_subject):
            for subject in SUBJECTS:
                event = await emit(EVENT_TYPE, subject, {"n": n})
                emitted[subject].append(event.key)
    return emitted


def first_receipts(received: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Each subject's keys in the order they were first received."""
    out: dict[str, list[str]] = {subject: [] for subject in SUBJECTS}
    for key, subject in received:
        if key not in out[subject]:
            out[subject].append(key)
    return out


def small_batch_worker(runtime: Any, name: str) -> EventWorker:
    # Small batches so no single worker can claim the whole stream in one go.
    return EventWorker(runtime.hooks.deliver_event, WorkerPolicy(batch_size=4), name=name)


@pytest.mark.parametrize("worker_count", [2, 4])
async def test_concurrent_workers_deliver_each_event_once_in_subject_order(
    collector: Collector, mentorkit_runtime: Any, worker_count: int,
) -> None:
    emitted = await emit_stream()
    workers = [small_batch_worker(mentorkit_runtime, f"worker-{n}") for n in range(worker_count)]

    await asyncio.gather(*(worker.drain() for worker in workers))

    received = [(event.key, event.subject) for event in collector.seen]
    all_keys = sorted(key for keys in emitted.values() for key in keys)
    assert sorted(key for key, _ in received) == all_keys  # each exactly once
    assert first_receipts(received) == emitted
    rows = await Delivery.select(Delivery.status, Delivery.attempts, Delivery.worker).where(
        Delivery.subscriber == "share")
    assert {(row["status"], row["attempts"]) for row in rows} == {("delivered", 1)}
    # The stream really was shared, not drained by whichever worker came first. (A worker
    # that finds nothing claimable stops draining, so not every one of 4 need take part.)
    assert len({row["worker"] for row in rows}) >= 2


async def test_workers_ticking_at_the_same_moment_fire_each_due_timer_once(
    collector: Collector, mentorkit_runtime: Any,
) -> None:
    due = utcnow() - dt.timedelta(seconds=1)
    for n in range(20):
        await schedule(f"checkin:{n}", due, TIMER_TYPE, f"checkin:{n}", {"n": n})
    await schedule("checkin:later", utcnow() + dt.timedelta(hours=1), TIMER_TYPE, "checkin:later")
    workers = [small_batch_worker(mentorkit_runtime, f"ticker-{n}") for n in range(3)]

    async def tick_until_idle(worker: EventWorker) -> int:
        fired = 0
        while handled := await worker.fire_due_timers():
            fired += handled
        return fired

    fired = await asyncio.gather(*(tick_until_idle(worker) for worker in workers))

    assert sum(fired) == 20
    events = await EventRecord.select(EventRecord.subject).where(EventRecord.type == TIMER_TYPE)
    assert sorted(row["subject"] for row in events) == sorted(f"checkin:{n}" for n in range(20))
    assert await Timer.count().where(Timer.fired_at.is_null()) == 1  # the one not yet due
    await asyncio.gather(*(worker.drain() for worker in workers))
    subjects = sorted(event.subject for event in collector.seen)
    assert subjects == sorted(f"checkin:{n}" for n in range(20))


# --------------------------------------------------------------------------- processes

# A worker process for plugin ``share``: it opens the database, says "ready", waits for the
# test's "go" file (so both processes start on the stream together), then runs the worker
# loop. Each receipt is appended to one shared log with O_APPEND, a line per write.
WORKER_SCRIPT = '''
import asyncio
import os
import sys
from pathlib import Path

from mentorkit import hookimpl
from mentorkit.runtime import build_runtime
from mentorkit.settings import Settings

url, data_dir, log_dir, event_type, timer_type = sys.argv[1:6]
logs = Path(log_dir)


def append(name, line):
    fd = os.open(logs / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\\n").encode())
    finally:
        os.close(fd)


class Collector:
    @hookimpl
    def register_event_types(self, register):
        register(event_type, "an event of the concurrency test")
        register(timer_type, "a timer of the concurrency test came due")

    @hookimpl
    async def on_event(self, event):
        if event.type in (event_type, timer_type):
            append("received", f"{event.key} {event.subject} {event.type} {os.getpid()}")
            await asyncio.sleep(0.01)


async def main():
    settings = Settings(database_url=url, data_dir=data_dir, worker_lease_seconds=60,
                        worker_poll_seconds=0.05, worker_in_process=False)
    runtime = build_runtime(settings, extra_plugins=[("share", Collector())])
    await runtime.database.open()
    try:
        append("ready", str(os.getpid()))
        while not (logs / "go").exists():
            await asyncio.sleep(0.01)
        await runtime.make_worker().run()
    finally:
        await runtime.database.close()


asyncio.run(main())
'''


class SharingWorkers(WorkerProcesses):
    """Workers that share one event stream and record what each delivered."""

    def __init__(self, tmp_path: Path, settings: Any) -> None:
        super().__init__(tmp_path, settings, WORKER_SCRIPT, "share_worker.py")

    def start(self) -> subprocess.Popen[bytes]:  # type: ignore[override]
        return super().start(EVENT_TYPE, TIMER_TYPE)


@pytest.fixture
def worker_processes(tmp_path: Path, mentorkit_settings: Any) -> Iterator[SharingWorkers]:
    processes = SharingWorkers(tmp_path, mentorkit_settings)
    try:
        yield processes
    finally:
        processes.stop_all()


async def wait_for(condition: Any, processes: SharingWorkers, what: str) -> None:
    """Poll ``await condition()`` until true, failing at a deadline or if a worker died."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not await condition():
        processes.check_alive()
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting: {what}")
        await asyncio.sleep(0.05)


async def test_two_worker_processes_share_the_stream_without_double_delivery(
    collector: Collector, mentorkit_runtime: Any, worker_processes: SharingWorkers,
) -> None:
    # Valid on SQLite too (claims serialise on BEGIN IMMEDIATE across processes), but the
    # case that matters is several `mentorkit worker` processes on PostgreSQL.
    emitted = await emit_stream(events_per_subject=8)
    due = utcnow() - dt.timedelta(seconds=1)
    for n in range(10):
        await schedule(f"milestone:{n}", due, TIMER_TYPE, f"milestone:{n}")

    for _ in range(2):
        worker_processes.start()

    async def both_ready() -> bool:
        return len(worker_processes.log("ready")) == 2

    await wait_for(both_ready, worker_processes, "both worker processes ready")
    (worker_processes.logs / "go").touch()

    async def all_delivered() -> bool:
        left = await Delivery.count().where(
            (Delivery.subscriber == "share") & (Delivery.status != "delivered"))
        return left == 0 and not await Timer.exists().where(Timer.fired_at.is_null())

    await wait_for(all_delivered, worker_processes, "every delivery delivered")
    worker_processes.stop_all()

    received = worker_processes.log("received")
    events = [(key, subject) for key, subject, type_, _pid in received if type_ == EVENT_TYPE]
    all_keys = sorted(key for keys in emitted.values() for key in keys)
    assert sorted(key for key, _ in events) == all_keys  # no event twice, none missing
    assert first_receipts(events) == emitted
    timers = sorted(subject for _key, subject, type_, _pid in received if type_ == TIMER_TYPE)
    assert timers == sorted(f"milestone:{n}" for n in range(10))
    assert len({pid for *_rest, pid in received}) == 2  # both processes took part
    attempts = await Delivery.select(Delivery.attempts).where(Delivery.subscriber == "share")
    assert {row["attempts"] for row in attempts} == {1}
    assert collector.seen == []  # the test process itself delivered nothing


# --------------------------------------------------------------------------- slow deliveries
# A batch is leased when it is claimed but delivered item by item: an item whose lease ran out
# while an earlier one was slow may be taken over by another worker, and must then be left to
# it (the worker renews each item's lease just before delivering it).


class GatedCollector(Collector):
    """Like ``Collector``, but its first receipt of subject ``slow:1`` blocks on a gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.blocked = asyncio.Event()

    @hookimpl
    async def on_event(self, event: Event) -> None:
        first_slow = event.subject == "slow:1" and not any(e.subject == "slow:1" for e in self.seen)
        self.seen.append(event)
        if first_slow:
            self.blocked.set()
            await self.gate.wait()


@pytest.fixture
def gated_collector(mentorkit_plugins: list[tuple[str, object]]) -> GatedCollector:
    plugin = GatedCollector()
    mentorkit_plugins.append(("share", plugin))
    return plugin


async def test_a_worker_does_not_deliver_batch_items_whose_lease_another_worker_took(
    gated_collector: GatedCollector, mentorkit_runtime: Any,
) -> None:
    plugin, runtime = gated_collector, mentorkit_runtime
    async with transaction():
        await emit(EVENT_TYPE, "slow:1")
        await emit(EVENT_TYPE, "fast:1", {"n": 1})
        await emit(EVENT_TYPE, "fast:1", {"n": 2})
    policy = WorkerPolicy(lease_seconds=0.2)
    first = EventWorker(runtime.hooks.deliver_event, policy, name="first")
    second = EventWorker(runtime.hooks.deliver_event, policy, name="second")
    # `first` claims slow:1 and fast:1 #1 together, then blocks inside slow:1.
    first_round = asyncio.create_task(first.run_once())
    await asyncio.wait_for(plugin.blocked.wait(), timeout=DEADLINE_SECONDS)
    await asyncio.sleep(0.4)  # twice the lease: `first` is slow, not dead
    await second.drain()  # takes over both expired leases, delivers fast:1 #1 and #2
    plugin.gate.set()
    await asyncio.wait_for(first_round, timeout=DEADLINE_SECONDS)
    fast = [e.payload["n"] for e in plugin.seen if e.subject == "fast:1"]
    # `first` had not started fast:1 #1 when its lease ran out; it must not deliver it
    # again after `second` did (before the lease renewal it did, after #2: [1, 2, 1]).
    assert fast == [1, 2]
