"""A worker killed in the middle of delivering events: after a restart every event arrives.

The worker runs in a real subprocess and is killed with SIGKILL, twice: once after its plugin
applied an event but before the delivery was recorded (only an idempotency key saves the
plugin from applying it twice), and once after the event was received but before it was
applied (only redelivery gets it applied at all). A third process finishes the stream.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.db import transaction
from mentorkit.events import Delivery, emit
from mentorkit.events.model import Event
from tests.worker_processes import WorkerProcesses

EVENT_TYPE = "crashtest.happened"
SUBJECTS = ("pairing:1", "pairing:2", "pairing:3")
EVENTS_PER_SUBJECT = 10
DEADLINE_SECONDS = 60.0

# The worker process. Its plugin logs every receipt, then applies the event unless its key is
# already in the "applied" log (the idempotency check), fsyncing each line so a SIGKILL cannot
# lose it. ``--hang before:K`` / ``after:K`` makes the K-th receipt of this process stop (and
# say so in the "hung" log) before or after applying, so the test kills it at a known point.
WORKER_SCRIPT = '''
import asyncio
import os
import sys
from pathlib import Path

from mentorkit import hookimpl
from mentorkit.runtime import build_runtime
from mentorkit.settings import Settings

url, data_dir, log_dir, hang, event_type = sys.argv[1:6]
logs = Path(log_dir)
hang_point, _, hang_at = hang.partition(":")


def append(name, line):
    fd = os.open(logs / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def keys(name):
    path = logs / name
    return {line.split()[0] for line in path.read_text().splitlines()} if path.exists() else set()


class Idempotent:
    received = 0

    @hookimpl
    def register_event_types(self, register):
        register(event_type, "an event of the worker crash test")

    @hookimpl
    async def on_event(self, event):
        if event.type != event_type:
            return
        self.received += 1
        append("received", f"{event.key} {event.subject} {event.payload['n']} {os.getpid()}")
        await self.maybe_hang("before")
        await asyncio.sleep(0.01)
        if event.key in keys("applied"):
            append("skipped", event.key)
        else:
            append("applied", event.key)
        await self.maybe_hang("after")

    async def maybe_hang(self, point):
        if point == hang_point and self.received == int(hang_at):
            append("hung", f"{point} {os.getpid()}")
            await asyncio.sleep(3600)


async def main():
    settings = Settings(database_url=url, data_dir=data_dir, worker_lease_seconds=0.5,
                        worker_poll_seconds=0.05, worker_in_process=False)
    runtime = build_runtime(settings, extra_plugins=[("idem", Idempotent())])
    await runtime.database.open()
    try:
        await runtime.make_worker().run()
    finally:
        await runtime.database.close()


asyncio.run(main())
'''


class DeclaresCrashEvents:
    """The test process's side of plugin ``idem``: the event type and the subscription.

    Delivery happens only in the worker subprocess, where ``idem`` does the real work.
    """

    @hookimpl
    def register_event_types(self, register: Any) -> None:
        register(EVENT_TYPE, "an event of the worker crash test")

    @hookimpl
    def on_event(self, event: Event) -> None:
        if event.type == EVENT_TYPE:
            raise AssertionError("crash-test events are delivered by the worker subprocess only")


@pytest.fixture
def idem_plugin(mentorkit_plugins: list[tuple[str, object]]) -> DeclaresCrashEvents:
    plugin = DeclaresCrashEvents()
    mentorkit_plugins.append(("idem", plugin))
    return plugin


class CrashingWorkers(WorkerProcesses):
    """Workers whose plugin hangs at a chosen point, so a kill lands where the test wants."""

    def __init__(self, tmp_path: Path, settings: Any) -> None:
        super().__init__(tmp_path, settings, WORKER_SCRIPT, "crash_worker.py")

    def start(self, hang: str = "never:0") -> subprocess.Popen[bytes]:  # type: ignore[override]
        return super().start(hang, EVENT_TYPE)

    async def wait_until_hung(self, process: subprocess.Popen[bytes], count: int) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while len(self.log("hung")) < count:
            if process.poll() is not None:
                pytest.fail(f"worker exited early ({process.returncode}):\n{self.stderr()}")
            if time.monotonic() > deadline:
                pytest.fail(f"worker never reached its crash point:\n{self.stderr()}")
            await asyncio.sleep(0.02)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)



@pytest.fixture
def worker_processes(tmp_path: Path, mentorkit_settings: Any) -> Iterator[CrashingWorkers]:
    processes = CrashingWorkers(tmp_path, mentorkit_settings)
    try:
        yield processes
    finally:
        processes.stop_all()


async def undelivered() -> int:
    return int(await Delivery.count().where(
        (Delivery.subscriber == "idem") & (Delivery.status != "delivered")))


async def test_killed_worker_delivers_every_event_once_after_restart(
    idem_plugin: DeclaresCrashEvents, mentorkit_runtime: Any, worker_processes: CrashingWorkers,
) -> None:
    emitted: dict[str, list[str]] = {subject: [] for subject in SUBJECTS}
    async with transaction():
        for n in range(EVENTS_PER_SUBJECT):
            for subject in SUBJECTS:
                event = await emit(EVENT_TYPE, subject, {"n": n})
                emitted[subject].append(event.key)
    all_keys = [key for keys in emitted.values() for key in keys]

    # Crash 1: the plugin applied its 4th event, the delivery is not marked delivered yet.
    first = worker_processes.start(hang="after:4")
    await worker_processes.wait_until_hung(first, 1)
    worker_processes.kill(first)
    applied_before_restart = [line[0] for line in worker_processes.log("applied")]
    assert 0 < len(applied_before_restart) < len(all_keys)

    # Crash 2: the plugin received its 3rd event of this run but has not applied it.
    second = worker_processes.start(hang="before:3")
    await worker_processes.wait_until_hung(second, 2)
    worker_processes.kill(second)
    assert len(worker_processes.log("applied")) < len(all_keys)

    third = worker_processes.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while await undelivered():
        if third.poll() is not None:
            pytest.fail(f"worker exited early ({third.returncode}):\n{worker_processes.stderr()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{await undelivered()} deliveries still undelivered:\n"
                        f"{worker_processes.stderr()}")
        await asyncio.sleep(0.05)
    worker_processes.stop_all()

    received = [line[0] for line in worker_processes.log("received")]
    applied = [line[0] for line in worker_processes.log("applied")]
    skipped = [line[0] for line in worker_processes.log("skipped")]
    # Every event was applied exactly once, whatever the crashes did.
    assert sorted(applied) == sorted(all_keys)
    # The crash paths were really taken: the event applied just before crash 1 came again and
    # the idempotency check skipped it; the event cut short by crash 2 came again and applied.
    hung_after = applied_before_restart[-1]
    assert skipped == [hung_after]
    assert received.count(hung_after) == 2
    assert len(received) > len(all_keys)
    retried = await Delivery.select(Delivery.attempts).where(
        (Delivery.subscriber == "idem") & (Delivery.attempts >= 2))
    assert len(retried) >= 2
    # Per subject, events were first received in the order they were emitted.
    first_seen: dict[str, list[str]] = {subject: [] for subject in SUBJECTS}
    for key, subject, _n, _pid in worker_processes.log("received"):
        if key not in first_seen[subject]:
            first_seen[subject].append(key)
    assert first_seen == emitted
    # Three different processes did the work.
    assert len({line[3] for line in worker_processes.log("received")}) == 3
