"""1,000 concurrent writes through the running app, on SQLite and on PostgreSQL.

For each engine: migrate a database, start one uvicorn process serving ``bench/bench_app.py``
on a free loopback port, fire all requests at once (httpx, a bounded connection pool), then
print the errors (goal: 0), the elapsed time and the rate, and check that the database holds
exactly one event per successful request. Run from the repository root:

    .venv/bin/python bench/concurrent_writes.py [--requests 1000] [--connections 200]

PostgreSQL: ``MENTORKIT_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/mk_bench``, created if missing); skipped with a note
when no server answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/mk_bench"
PATH = "/api/v1/p/bench/writes"
START_DEADLINE_SECONDS = 60.0
DRAIN_DEADLINE_SECONDS = 120.0


@dataclass
class Result:
    """What one engine's run measured."""

    engine: str
    requests: int
    errors: int = 0
    elapsed: float = 0.0
    rows: int = 0
    delivered: int = 0
    drain_seconds: float | None = None
    error_texts: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def successes(self) -> int:
        return self.requests - self.errors


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(database_url: str, data_dir: str, worker: bool) -> dict[str, str]:
    """The environment without stray Mentorkit settings, plus this run's database."""
    keep = {"MENTORKIT_LOAD_PLUGINS", "MENTORKIT_DISABLE_PLUGINS"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_") or k in keep}
    env.update(MENTORKIT_DATABASE_URL=database_url, MENTORKIT_DATA_DIR=data_dir,
               MENTORKIT_LOG_LEVEL="WARNING", MENTORKIT_WORKER_IN_PROCESS=str(worker).lower())
    return env


async def ensure_postgres_database(url: str) -> str | None:
    """Create the bench database if missing; return why PostgreSQL is unusable, or None."""
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name == "test":
        return "refusing to benchmark in the database named 'test' (CI uses it)"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        connection = await asyncpg.connect(admin_url, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        return f"no PostgreSQL server at {parts.hostname}:{parts.port or 5432} ({exc})"
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return None


def migrate(env: dict[str, str]) -> None:
    """Apply every migration with the real command line."""
    done = subprocess.run([str(BIN / "mentorkit"), "migrate"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"mentorkit migrate failed:\n{done.stdout}{done.stderr}")


async def wait_until_live(client: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get("/health/live", timeout=2)).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not answer /health/live in time")


async def fire(base_url: str, server: subprocess.Popen[bytes], result: Result, connections: int,
               run: str) -> None:
    """All requests in flight at once over at most ``connections`` connections."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=300) as client:
        await wait_until_live(client, server)

        # All requests start at once, but wait their turn here rather than in httpx's pool:
        # its queue is scanned on every connection event, which made the client, not the
        # server, the bottleneck (8 s of client CPU for 1,000 queued requests).
        turn = asyncio.Semaphore(connections)

        async def one(n: int) -> str | None:
            try:
                async with turn:
                    response = await client.post(PATH, json={"run": run, "n": n})
            except httpx.HTTPError as exc:
                return f"{type(exc).__name__}: {exc}"
            if response.status_code >= 300:
                return f"HTTP {response.status_code}: {response.text[:200]}"
            return None

        started = time.perf_counter()
        outcomes = await asyncio.gather(*(one(n) for n in range(result.requests)))
        result.elapsed = time.perf_counter() - started
    errors = [text for text in outcomes if text is not None]
    result.errors = len(errors)
    result.error_texts = errors[:5]


EVENTS_SQL = "SELECT count(*) FROM mentorkit_event WHERE type = 'bench.write' AND subject LIKE {p}"
DELIVERED_SQL = ("SELECT count(*) FROM mentorkit_delivery WHERE subscriber = 'bench' "
                 "AND status = 'delivered' AND subject LIKE {p}")


def count_sqlite_rows(database_url: str, pattern: str) -> tuple[int, int]:
    """``count_rows`` for SQLite, on a read-only connection of its own."""
    uri = Path(database_url.removeprefix("sqlite:///")).resolve().as_uri() + "?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        return (db.execute(EVENTS_SQL.format(p="?"), [pattern]).fetchone()[0],
                db.execute(DELIVERED_SQL.format(p="?"), [pattern]).fetchone()[0])


async def count_rows(database_url: str, run: str) -> tuple[int, int]:
    """(events of this run, of which delivered), read straight from the database."""
    pattern = f"bench:{run}:%"
    if database_url.startswith("sqlite:///"):
        return await asyncio.to_thread(count_sqlite_rows, database_url, pattern)
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        return (await connection.fetchval(EVENTS_SQL.format(p="$1"), pattern),
                await connection.fetchval(DELIVERED_SQL.format(p="$1"), pattern))
    finally:
        await connection.close()


async def wait_for_worker(database_url: str, run: str, result: Result) -> None:
    """Let the in-process worker catch up; note how long after the last response it took."""
    started = time.perf_counter()
    deadline = started + DRAIN_DEADLINE_SECONDS
    while True:
        result.rows, result.delivered = await count_rows(database_url, run)
        if result.delivered >= result.rows:
            result.drain_seconds = time.perf_counter() - started
            return
        if time.perf_counter() > deadline:
            return
        await asyncio.sleep(0.2)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """One uvicorn process (one event loop) serving the bench app on 127.0.0.1:``port``."""
    return subprocess.Popen(
        [str(BIN / "uvicorn"), "--factory", "bench.bench_app:create_bench_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=REPO,
    )


def stop(server: subprocess.Popen[bytes]) -> None:
    """Ask uvicorn to shut down (its lifespan stops the worker and closes the database)."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


async def bench_engine(engine: str, database_url: str, data_dir: str, args: argparse.Namespace,
                       ) -> Result:
    """Migrate, serve, write, count, stop: one engine."""
    result = Result(engine=engine, requests=args.requests)
    env = server_env(database_url, data_dir, args.worker)
    migrate(env)
    port = free_port()
    server = start_server(env, port)
    try:
        run = uuid.uuid4().hex[:12]
        await fire(f"http://127.0.0.1:{port}", server, result, args.connections, run)
        if args.worker:
            await wait_for_worker(database_url, run, result)
        else:
            result.rows, result.delivered = await count_rows(database_url, run)
    finally:
        stop(server)
    if result.rows != result.successes:
        result.note = f"MISMATCH: {result.rows} rows for {result.successes} successful requests"
    return result


def print_table(results: list[Result]) -> None:
    header = (f"{'engine':<11}{'requests':>9}{'errors':>8}{'elapsed s':>11}{'writes/s':>10}"
              f"{'rows':>7}{'delivered':>11}{'worker caught up s':>20}")
    print(header)
    print("-" * len(header))
    for r in results:
        if r.note.startswith("skipped"):
            print(f"{r.engine:<11}{r.note}")
            continue
        rate = r.successes / r.elapsed if r.elapsed else 0.0
        drain = f"{r.drain_seconds:.1f}" if r.drain_seconds is not None else "-"
        print(f"{r.engine:<11}{r.requests:>9}{r.errors:>8}{r.elapsed:>11.2f}{rate:>10.0f}"
              f"{r.rows:>7}{r.delivered:>11}{drain:>20}")
        for text in r.error_texts:
            print(f"    error: {text}")
        if r.note:
            print(f"    {r.note}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--no-worker", dest="worker", action="store_false",
                        help="serve with worker_in_process=false (deliveries stay pending)")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="mentorkit-bench-") as tmp:
        if "sqlite" in engines:
            data_dir = str(Path(tmp) / "sqlite")
            url = f"sqlite:///{Path(data_dir) / 'mentorkit.sqlite'}"
            results.append(await bench_engine("sqlite", url, data_dir, args))
        if "postgres" in engines:
            url = os.environ.get("MENTORKIT_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
            problem = await ensure_postgres_database(url)
            if problem:
                results.append(Result(engine="postgres", requests=0, note=f"skipped: {problem}"))
            else:
                data_dir = str(Path(tmp) / "postgres")
                results.append(await bench_engine("postgres", url, data_dir, args))
    print(f"{args.requests} concurrent POST {PATH}, httpx with {args.connections} connections, "
          f"one uvicorn process, worker {'in process' if args.worker else 'off'}")
    print_table(results)
    failed = any(r.errors or r.note.startswith("MISMATCH") for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
