"""The app under benchmark: Mentorkit as configured by the environment, plus one write route.

Run from the repository root (settings come from ``MENTORKIT_*`` variables, as in production):

    MENTORKIT_DATABASE_URL=sqlite:///data/bench.sqlite \\
        .venv/bin/uvicorn --factory bench.bench_app:create_bench_app --port 8001

``POST /api/v1/p/bench/writes`` records one event (``bench.write``) in a write transaction,
exactly as a domain service records a change, and answers 201. The plugin also subscribes to
events, so every write adds a delivery row and the in-process worker (on unless
``MENTORKIT_WORKER_IN_PROCESS=false``) delivers it while the writes keep coming.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Litestar, post

from mentorkit import hookimpl
from mentorkit.db import transaction
from mentorkit.events import Event, emit
from mentorkit.runtime import build_runtime
from mentorkit.web.app import create_app

EVENT_TYPE = "bench.write"


class WriteRequest(msgspec.Struct):
    """One benchmark write: which run it belongs to and its number in the run."""

    run: str
    n: int


@post("/api/v1/p/bench/writes", status_code=201, opt={"policy": "public"}, exclude_from_csrf=True)
async def write(data: WriteRequest) -> dict[str, Any]:
    """Record one ``bench.write`` event in its own write transaction."""
    async with transaction():
        event = await emit(EVENT_TYPE, f"bench:{data.run}:{data.n}", {"n": data.n})
    return {"event": event.id}


class BenchPlugin:
    """A throwaway plugin: the event type, the write route and a subscriber that does nothing."""

    @hookimpl
    def register_event_types(self, register: Callable[..., None]) -> None:
        register(EVENT_TYPE, "a benchmark write (bench/concurrent_writes.py)")

    @hookimpl
    def register_routes(self, register: Callable[..., None]) -> None:
        register(write)

    @hookimpl
    def on_event(self, event: Event) -> None:
        # Subscribing makes each write cost what a real one does: an event and a delivery row,
        # then the worker's claim and completion competing with the requests for the database.
        return None


def create_bench_app() -> Litestar:
    """Uvicorn factory: the app from ``MENTORKIT_*`` settings with the bench plugin added."""
    return create_app(runtime=build_runtime(extra_plugins=[("bench", BenchPlugin())]))
