"""The event worker: delivers events to plugins and fires due timers.

Guarantees:

* **At least once.** A delivery is claimed with a lease. If the worker dies mid-delivery, the
  lease runs out and another (or the restarted) worker claims it again.
* **In order per subject and subscriber.** A delivery is claimable only when no earlier
  delivery of the same subject to the same plugin is still pending or running.
* **Retries with exponential backoff**, then a ``dead`` state that admins can see and retry.
* **Several workers.** On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``; on SQLite the
  claim is one ``UPDATE ... RETURNING`` under the engine's write lock.
* **Never in a request.** The web process runs the worker as a background task, woken after
  each commit that emitted events and by a poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mentorkit.db.unit import transaction
from mentorkit.events.emit import database_engine, emit
from mentorkit.events.model import Event, utcnow
from mentorkit.events.tables import Delivery, EventRecord, Timer

log = logging.getLogger("mentorkit.worker")

_ELIGIBLE = """
    SELECT d.id FROM mentorkit_delivery d
    WHERE ((d.status = 'pending' AND d.next_attempt_at <= {{}})
           OR (d.status = 'running' AND d.lease_until < {{}}))
      AND NOT EXISTS (
        SELECT 1 FROM mentorkit_delivery e
        WHERE e.subscriber = d.subscriber AND e.subject = d.subject AND e.id < d.id
          AND e.status IN ('pending', 'running'))
    ORDER BY d.id LIMIT {{}} {lock}
"""

_CLAIM = """
    UPDATE mentorkit_delivery
    SET status = 'running', attempts = attempts + 1, lease_until = {{}}, worker = {{}}
    WHERE id IN (""" + _ELIGIBLE + """)
    RETURNING id, event, subscriber, attempts
"""

_FIRE_TIMERS = """
    UPDATE mentorkit_timer SET fired_at = {{}}
    WHERE fired_at IS NULL AND id IN (
        SELECT id FROM mentorkit_timer WHERE fired_at IS NULL AND due_at <= {{}}
        ORDER BY due_at LIMIT {{}} {lock})
    RETURNING id, key, type, subject, actor_id, payload
"""


def _sql(template: str) -> str:
    lock = "FOR UPDATE SKIP LOCKED" if database_engine() == "postgres" else ""
    return template.format(lock=lock)


def _payload(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


@dataclass(frozen=True)
class WorkerPolicy:
    """How hard the worker tries before dead-lettering a delivery."""

    max_attempts: int = 8
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 3600.0
    lease_seconds: float = 60.0
    batch_size: int = 50
    poll_seconds: float = 1.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """Delay before the next attempt: exponential, capped, with 10% jitter."""
        base = min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.max_backoff_seconds)
        return dt.timedelta(seconds=base * (1 + random.random() / 10))  # noqa: S311 - not security


class EventWorker:
    """Claims and delivers events, fires timers; run in-process or as ``mentorkit worker``."""

    def __init__(self, deliver: Callable[[str, Event], Any], policy: WorkerPolicy | None = None,
                 name: str | None = None) -> None:
        self.deliver = deliver
        self.policy = policy or WorkerPolicy()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def notify(self) -> None:
        """Wake the worker now (called after a commit that emitted events)."""
        self._wake.set()

    async def fire_due_timers(self) -> int:
        """Turn due timers into events, each exactly once; return how many fired."""
        now = utcnow()
        async with transaction():
            rows = await Timer.raw(_sql(_FIRE_TIMERS), now, now, self.policy.batch_size)
            for row in rows:
                await emit(row["type"], row["subject"], _payload(row["payload"]), row["actor_id"])
        return len(rows)

    async def claim(self) -> list[dict[str, Any]]:
        """Claim a batch of deliverable deliveries with a lease."""
        now = utcnow()
        lease = now + dt.timedelta(seconds=self.policy.lease_seconds)
        async with transaction():
            rows: list[dict[str, Any]] = await Delivery.raw(
                _sql(_CLAIM), lease, self.name, now, now, self.policy.batch_size
            )
        return rows

    async def _events(self, ids: list[int]) -> dict[int, Event]:
        records = await EventRecord.select().where(EventRecord.id.is_in(ids)) if ids else []
        return {
            r["id"]: Event(id=r["id"], key=str(r["key"]), type=r["type"], subject=r["subject"],
                           actor_id=r["actor_id"], payload=_payload(r["payload"]),
                           occurred_at=r["occurred_at"])
            for r in records
        }

    async def _finish(self, delivery_id: int, values: dict[Any, Any]) -> None:
        await Delivery.update(values).where(
            (Delivery.id == delivery_id) & (Delivery.worker == self.name) & (Delivery.status == "running")
        )

    async def _renew_lease(self, delivery_id: int) -> bool:
        """Extend the lease of a claimed delivery just before working on it.

        False when the lease ran out while earlier items of the batch were slow and another
        worker has claimed the delivery since: then it is theirs to deliver, not ours.
        """
        lease = utcnow() + dt.timedelta(seconds=self.policy.lease_seconds)
        rows = await Delivery.update({Delivery.lease_until: lease}).where(
            (Delivery.id == delivery_id) & (Delivery.worker == self.name) & (Delivery.status == "running")
        ).returning(Delivery.id)
        return bool(rows)

    async def deliver_one(self, row: dict[str, Any], event: Event) -> None:
        """Deliver one claimed delivery (if it is still ours) and record the outcome."""
        if not await self._renew_lease(row["id"]):
            log.info("delivery %s was taken over by another worker; skipping it", row["id"])
            return
        try:
            delivered = await self.deliver(row["subscriber"], event)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if row["attempts"] >= self.policy.max_attempts:
                log.error("event %s to %s dead after %s attempts: %s", event.id, row["subscriber"],
                          row["attempts"], error)
                await self._finish(row["id"], {Delivery.status: "dead", Delivery.last_error: error,
                                               Delivery.lease_until: None})
            else:
                log.warning("event %s to %s failed (attempt %s), will retry: %s", event.id,
                            row["subscriber"], row["attempts"], error)
                await self._finish(row["id"], {
                    Delivery.status: "pending", Delivery.last_error: error, Delivery.lease_until: None,
                    Delivery.next_attempt_at: utcnow() + self.policy.backoff(row["attempts"]),
                })
            return
        if delivered is False:
            # The subscribing plugin is not loaded in this process: park the delivery without
            # spending an attempt, so enabling the plugin again resumes its stream in order.
            await self._finish(row["id"], {
                Delivery.status: "pending", Delivery.attempts: row["attempts"] - 1,
                Delivery.lease_until: None, Delivery.next_attempt_at: utcnow() + dt.timedelta(minutes=10),
            })
            return
        await self._finish(row["id"], {Delivery.status: "delivered", Delivery.delivered_at: utcnow(),
                                       Delivery.lease_until: None, Delivery.last_error: None})

    async def run_once(self) -> int:
        """Fire due timers, then deliver one claimed batch; return how many were handled."""
        fired = await self.fire_due_timers()
        rows = await self.claim()
        events = await self._events(sorted({row["event"] for row in rows}))
        for row in rows:
            await self.deliver_one(row, events[row["event"]])
        return fired + len(rows)

    async def drain(self, max_rounds: int = 1000) -> int:
        """Deliver until nothing is deliverable now (tests and ``mentorkit worker --once``)."""
        total = 0
        for _ in range(max_rounds):
            handled = await self.run_once()
            total += handled
            if not handled:
                break
        return total

    async def run(self) -> None:
        """Work until stopped: drain, then sleep until notified or the poll interval passes."""
        while not self._stopping:
            # Clear before draining: a commit that lands during the drain must wake us again.
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event worker round failed; retrying after the poll interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.policy.poll_seconds)

    def start(self) -> None:
        """Run in the background of the current event loop."""
        self._stopping = False
        self._task = asyncio.create_task(self.run(), name="mentorkit-event-worker")

    async def stop(self) -> None:
        """Stop; a delivery cut short is claimed again when its lease runs out."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


async def retry_dead(delivery_ids: list[int] | None = None) -> int:
    """Put dead deliveries back in the queue (all of them, or the given ids)."""
    query = Delivery.update({Delivery.status: "pending", Delivery.attempts: 0,
                             Delivery.next_attempt_at: utcnow()}).where(Delivery.status == "dead")
    if delivery_ids:
        query = query.where(Delivery.id.is_in(delivery_ids))
    rows = await query.returning(Delivery.id)
    return len(rows)
