"""``mentorkit.db.pg_pool.LeanPool`` against a real PostgreSQL server.

The server is ``MENTORKIT_TEST_DATABASE_URL`` when that is a ``postgresql://`` URL, else
``postgresql://postgres@127.0.0.1:5432/postgres``. The tests run in a scratch database of
their own (created and dropped here) and skip when no server answers, unless
``MENTORKIT_REQUIRE_POSTGRES=1`` (then a missing server fails them, like the rest of the suite).

Each test's pool connects with its own ``application_name``, so the server's own count of
its connections (``pg_stat_activity``) can be checked against ``pool.size``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

from mentorkit.db.pg_pool import LeanPool
from mentorkit.testing.database import run_sync

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REQUIRE_POSTGRES = os.environ.get("MENTORKIT_REQUIRE_POSTGRES") == "1"
WAIT = 5.0  # seconds: the longest any condition below may take to come true


def server_url() -> str:
    url = os.environ.get("MENTORKIT_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql://") else DEFAULT_SERVER_URL


def with_database(url: str, name: str, **params: str) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query), *params.items()])
    return urlunsplit(parts._replace(path=f"/{name}", query=query))


async def _execute(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url, timeout=WAIT)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    """A scratch database on the server, dropped when the module's tests are done."""
    server = server_url()
    admin = with_database(server, "postgres")
    name = f"mk_pool_{uuid.uuid4().hex[:12]}"
    try:
        run_sync(lambda: _execute(admin, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.CannotConnectNowError) as exc:  # TimeoutError and refused connections are OSErrors
        message = f"no PostgreSQL server answers at {server.split('@')[-1]}: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required (MENTORKIT_REQUIRE_POSTGRES=1) but {message}")
        pytest.skip(message)
    try:
        yield with_database(server, name)
    finally:
        run_sync(lambda: _execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class PG:
    """A test's view of the server: the pool DSN, its backends as the server sees them, pools."""

    dsn: str  # the scratch database, with this test's application name
    app_name: str
    admin: asyncpg.Connection  # a separate connection, outside any pool
    pools: list[LeanPool] = field(default_factory=list)

    def pool(self, *, min_size: int = 0, max_size: int = 5) -> LeanPool:
        pool = LeanPool(self.dsn, min_size=min_size, max_size=max_size)
        self.pools.append(pool)
        return pool

    async def start(self, *, min_size: int = 0, max_size: int = 5) -> LeanPool:
        return await self.pool(min_size=min_size, max_size=max_size).start()

    async def backends(self, *, gone: tuple[int, ...] = ()) -> int:
        """Connections of this test's pools that the server has open in the scratch database.

        ``gone``: server pids of connections the client closed; their backends may take a moment
        to exit on a busy machine, so they are not counted.
        """
        return int(
            await self.admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1"
                " AND pid <> ALL($2::int[])",
                self.app_name,
                list(gone),
            )
        )

    async def kill(self, connection: asyncpg.Connection) -> None:
        """Terminate the connection's backend server-side; wait until the client sees it closed."""
        assert await self.admin.fetchval("SELECT pg_terminate_backend($1)", connection.get_server_pid())
        await eventually(connection.is_closed)

    async def wait_for_backends(self, expected: int) -> None:
        """Wait until the server counts ``expected`` connections (a dropped one's backend exits
        a moment after the client lets go of it)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT
        while (count := await self.backends()) != expected:
            if loop.time() > deadline:
                pytest.fail(f"the server still counts {count} connections, not {expected}")
            await asyncio.sleep(0.005)


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` is true; fail after ``WAIT`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not condition():
        if loop.time() > deadline:
            pytest.fail(f"condition still false after {WAIT}s: {condition}")
        await asyncio.sleep(0.005)


def acquiring(pool: LeanPool) -> asyncio.Task[asyncpg.Connection]:
    """A task that acquires a connection (and keeps it)."""

    async def acquire() -> asyncpg.Connection:
        return await pool.acquire()

    return asyncio.create_task(acquire())


async def settle() -> None:
    """Let every ready task run until it next waits (a few loop turns, no real time)."""
    for _ in range(10):
        await asyncio.sleep(0)


@pytest.fixture
async def pg(scratch_url: str) -> AsyncIterator[PG]:
    app_name = f"mk_pool_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(scratch_url, timeout=WAIT)
    state = PG(
        dsn=with_database(scratch_url, urlsplit(scratch_url).path[1:], application_name=app_name),
        app_name=app_name,
        admin=admin,
    )
    try:
        yield state
    finally:
        for pool in state.pools:
            await pool.close()
        # Whatever a failed test left lent out: end it server-side so nothing outlives the test.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", app_name
        )
        await admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- sizes and start


@pytest.mark.parametrize(("min_size", "max_size"), [(-1, 5), (3, 2), (0, 0), (1, 0)])
def test_invalid_sizes_raise_value_error(min_size: int, max_size: int) -> None:
    with pytest.raises(ValueError, match="pool sizes"):
        LeanPool("postgresql://unused@127.0.0.1:1/unused", min_size=min_size, max_size=max_size)


def test_valid_edge_sizes_are_accepted() -> None:
    """``min_size`` may be 0 or equal to ``max_size``; building a pool opens nothing."""
    assert LeanPool("postgresql://unused@127.0.0.1:1/unused", min_size=0, max_size=1).size == 0
    assert LeanPool("postgresql://unused@127.0.0.1:1/unused", min_size=3, max_size=3).max_size == 3


async def test_start_against_an_unreachable_server_raises_and_leaves_nothing_open() -> None:
    pool = LeanPool(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres", min_size=2, max_size=4)
    with pytest.raises(OSError):
        await pool.start()
    assert (pool.size, pool.idle) == (0, 0)
    with pytest.raises(asyncpg.InterfaceError, match="closed"):
        await pool.acquire()  # a failed start leaves the pool closed, not half-open


@pytest.mark.postgres
async def test_start_opens_min_size_connections(pg: PG) -> None:
    pool = await pg.start(min_size=3, max_size=5)
    assert (pool.size, pool.idle) == (3, 3)
    assert await pg.backends() == 3
    empty = await pg.start(min_size=0, max_size=5)
    assert (empty.size, empty.idle) == (0, 0)
    assert await pg.backends() == 3


@pytest.mark.postgres
async def test_a_start_that_fails_part_way_closes_the_connections_it_opened(
    pg: PG, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = asyncpg.connect
    opened: list[asyncpg.Connection] = []

    async def connect_twice_then_refuse(*args: Any, **kwargs: Any) -> asyncpg.Connection:
        if len(opened) == 2:
            raise ConnectionRefusedError("the server went away")
        opened.append(await real_connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(asyncpg, "connect", connect_twice_then_refuse)
    pool = pg.pool(min_size=3, max_size=5)
    with pytest.raises(ConnectionRefusedError):
        await pool.start()
    assert (pool.size, pool.idle) == (0, 0)
    assert len(opened) == 2
    assert all(connection.is_closed() for connection in opened)
    await pg.wait_for_backends(0)


# --------------------------------------------------------------------------- acquire and release


@pytest.mark.postgres
async def test_await_acquire_and_release(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=2)
    first = await pool.acquire()
    assert (pool.size, pool.idle) == (1, 0)
    assert await first.fetchval("SELECT 1 + 1") == 2
    second = await pool.acquire()  # nothing idle, room for one more: opens it
    assert second is not first
    assert (pool.size, pool.idle) == (2, 0)
    assert await pg.backends() == 2
    await pool.release(first)
    assert (pool.size, pool.idle) == (2, 1)
    assert await pool.acquire() is first  # the idle one is lent again rather than a new one opened
    await pool.release(first)
    await pool.release(second)
    assert (pool.size, pool.idle) == (2, 2)
    assert not first.is_closed() and not second.is_closed()
    assert await pg.backends() == 2


@pytest.mark.postgres
async def test_async_with_acquire_returns_the_connection(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=2)
    async with pool.acquire() as connection:
        assert (pool.size, pool.idle) == (1, 0)
        assert await connection.fetchval("SELECT 41 + 1") == 42
    assert (pool.size, pool.idle) == (1, 1)
    with pytest.raises(ZeroDivisionError):
        async with pool.acquire() as again:
            assert again is connection
            raise ZeroDivisionError
    assert (pool.size, pool.idle) == (1, 1)  # an error outside a transaction keeps the connection
    assert not connection.is_closed()
    async with pool.acquire() as third:
        assert third is connection
    assert await pg.backends() == 1


@pytest.mark.postgres
async def test_async_with_a_transaction_rolled_back_keeps_the_connection(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    with pytest.raises(ZeroDivisionError):
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("CREATE TEMP TABLE scratch (x int)")
            raise ZeroDivisionError
    assert not connection.is_in_transaction()
    assert (pool.size, pool.idle) == (1, 1)
    async with pool.acquire() as again:
        assert again is connection
        assert await again.fetchval("SELECT to_regclass('pg_temp.scratch') IS NULL")  # rolled back


# --------------------------------------------------------------------------- concurrency


@pytest.mark.postgres
async def test_many_tasks_never_open_more_than_max_size(pg: PG) -> None:
    max_size, tasks = 4, 40
    pool = await pg.start(min_size=1, max_size=max_size)
    gate, saturated = asyncio.Event(), asyncio.Event()
    in_use: set[int] = set()
    peak_in_use = peak_size = 0
    pids: set[int] = set()

    async def work(i: int) -> int:
        nonlocal peak_in_use, peak_size
        async with pool.acquire() as connection:
            assert id(connection) not in in_use, "one connection lent to two tasks at once"
            in_use.add(id(connection))
            peak_in_use, peak_size = max(peak_in_use, len(in_use)), max(peak_size, pool.size)
            if len(in_use) == max_size:
                saturated.set()
            pids.add(await connection.fetchval("SELECT pg_backend_pid()"))
            await gate.wait()
            in_use.discard(id(connection))
            return i

    running = [asyncio.create_task(work(i)) for i in range(tasks)]
    await asyncio.wait_for(saturated.wait(), WAIT)
    await settle()
    # max_size tasks hold a connection; all the others wait for one.
    assert (pool.size, pool.idle) == (max_size, 0)
    assert await pg.backends() == max_size
    assert sum(task.done() for task in running) == 0
    gate.set()
    assert sorted(await asyncio.wait_for(asyncio.gather(*running), WAIT)) == list(range(tasks))
    assert peak_in_use == peak_size == max_size
    assert len(pids) <= max_size
    assert (pool.size, pool.idle) == (max_size, max_size)
    assert await pg.backends() == max_size


@pytest.mark.postgres
async def test_churn_of_short_queries_stays_within_max_size(pg: PG) -> None:
    """Many short acquire/query/release cycles, watched from the server side as they run."""
    max_size = 3
    pool = await pg.start(min_size=0, max_size=max_size)
    sizes: list[int] = []
    seen_by_server: list[int] = []
    done = asyncio.Event()

    async def work(i: int) -> int:
        for _ in range(5):
            async with pool.acquire() as connection:
                sizes.append(pool.size)
                assert await connection.fetchval("SELECT $1::int", i) == i
        return i

    async def watch() -> None:
        while not done.is_set():
            seen_by_server.append(await pg.backends())
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    try:
        results = await asyncio.wait_for(asyncio.gather(*(work(i) for i in range(60))), 2 * WAIT)
    finally:
        done.set()
        await watcher
    assert sorted(results) == list(range(60))
    assert len(sizes) == 300
    assert max(sizes) == max_size
    assert seen_by_server and max(seen_by_server) <= max_size
    assert pool.size == pool.idle <= max_size
    assert await pg.backends() == pool.size


# --------------------------------------------------------------------------- waiters


@pytest.mark.postgres
async def test_waiters_are_served_first_come_first_served(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    holder = await pool.acquire()
    order: list[str] = []

    async def wait_turn(name: str) -> None:
        async with pool.acquire() as connection:
            order.append(name)
            await connection.fetchval("SELECT 1")

    waiting = []
    for name in ["first", "second", "third", "fourth", "fifth"]:
        waiting.append(asyncio.create_task(wait_turn(name)))
        await settle()  # each is queued before the next arrives
    assert order == []
    await pool.release(holder)
    waiting.append(asyncio.create_task(wait_turn("latecomer")))  # arrives as the connection comes back
    await asyncio.wait_for(asyncio.gather(*waiting), WAIT)
    assert order == ["first", "second", "third", "fourth", "fifth", "latecomer"]
    assert (pool.size, pool.idle) == (1, 1)


@pytest.mark.postgres
async def test_a_waiter_cancelled_while_waiting_does_not_lose_a_connection(pg: PG) -> None:
    pool = await pg.start(min_size=0, max_size=2)
    held = [await pool.acquire(), await pool.acquire()]
    cancelled = acquiring(pool)
    behind = acquiring(pool)
    await settle()
    assert not cancelled.done() and not behind.done()
    cancelled.cancel()
    await settle()
    assert cancelled.cancelled()
    await pool.release(held[0])
    served = await asyncio.wait_for(behind, WAIT)  # the cancelled waiter is skipped
    assert served is held[0]
    await pool.release(held[1])
    await pool.release(served)
    assert (pool.size, pool.idle) == (2, 2)
    both = [await pool.acquire(), await pool.acquire()]
    assert {id(c) for c in both} == {id(c) for c in held}  # no third connection was needed
    assert [await c.fetchval("SELECT 1") for c in both] == [1, 1]
    assert await pg.backends() == 2


@pytest.mark.postgres
async def test_a_waiter_cancelled_just_after_being_handed_a_connection_gives_it_back(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    holder = await pool.acquire()
    waiter = acquiring(pool)
    await settle()
    await pool.release(holder)  # handed to the waiter, which has not run yet...
    waiter.cancel()  # ...and is cancelled in the same instant
    await settle()
    assert waiter.cancelled()
    assert (pool.size, pool.idle) == (1, 1)
    assert await pool.acquire() is holder
    assert await pg.backends() == 1


# --------------------------------------------------------------------------- connections that come back unusable


async def _terminate(pg: PG, connection: asyncpg.Connection) -> None:
    connection.terminate()


async def _kill_server_side(pg: PG, connection: asyncpg.Connection) -> None:
    await pg.kill(connection)


async def _leave_in_transaction(pg: PG, connection: asyncpg.Connection) -> None:
    await connection.execute("BEGIN")
    await connection.execute("CREATE TEMP TABLE left_behind (x int)")
    assert connection.is_in_transaction()


SPOIL = pytest.mark.parametrize(
    "spoil", [_terminate, _kill_server_side, _leave_in_transaction], ids=["terminated", "killed", "in-transaction"]
)


@pytest.mark.postgres
@SPOIL
async def test_an_unusable_connection_is_not_lent_again(
    pg: PG, spoil: Callable[[PG, asyncpg.Connection], Awaitable[None]]
) -> None:
    pool = await pg.start(min_size=2, max_size=2)
    spoilt = await pool.acquire()
    await spoil(pg, spoilt)
    await pool.release(spoilt)
    assert spoilt.is_closed()  # dropped (and closed if it was still open)
    assert (pool.size, pool.idle) == (1, 1)
    await pg.wait_for_backends(1)
    first, second = await pool.acquire(), await pool.acquire()  # the idle one, then a replacement
    assert spoilt not in (first, second)
    assert pool.size == 2
    for connection in (first, second):
        assert not connection.is_in_transaction()
        assert await connection.fetchval("SELECT to_regclass('pg_temp.left_behind') IS NULL")
    await pg.wait_for_backends(2)


@pytest.mark.postgres
@SPOIL
async def test_a_waiter_gets_a_replacement_for_an_unusable_connection(
    pg: PG, spoil: Callable[[PG, asyncpg.Connection], Awaitable[None]]
) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    spoilt = await pool.acquire()
    waiter = acquiring(pool)
    await settle()
    assert not waiter.done()
    await spoil(pg, spoilt)
    await pool.release(spoilt)
    replacement = await asyncio.wait_for(waiter, WAIT)
    assert replacement is not spoilt and spoilt.is_closed()
    assert not replacement.is_in_transaction()
    assert await replacement.fetchval("SELECT 1") == 1
    assert (pool.size, pool.idle) == (1, 0)
    await pg.wait_for_backends(1)
    await pool.release(replacement)
    assert (pool.size, pool.idle) == (1, 1)


@pytest.mark.postgres
async def test_a_waiter_cancelled_while_its_replacement_opens_leaves_it_idle(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    spoilt = await pool.acquire()
    waiter = acquiring(pool)
    await settle()
    spoilt.terminate()
    await pool.release(spoilt)  # starts opening a replacement for the waiter
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert waiter.cancelled()
    await eventually(lambda: pool.idle == 1)  # the replacement, once open, is kept for the next one
    assert pool.size == 1
    connection = await pool.acquire()
    assert connection is not spoilt
    assert await connection.fetchval("SELECT 1") == 1
    await pg.wait_for_backends(1)


@pytest.mark.postgres
async def test_a_replacement_that_cannot_connect_fails_the_waiter_and_frees_its_place(
    pg: PG, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    spoilt = await pool.acquire()
    waiter = acquiring(pool)
    await settle()
    real_connect = asyncpg.connect

    async def refuse(*args: Any, **kwargs: Any) -> asyncpg.Connection:
        raise ConnectionRefusedError("the server went away")

    monkeypatch.setattr(asyncpg, "connect", refuse)
    spoilt.terminate()
    await pool.release(spoilt)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.wait_for(waiter, WAIT)
    assert (pool.size, pool.idle) == (0, 0)
    monkeypatch.setattr(asyncpg, "connect", real_connect)  # the server is back
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT 1") == 1
        assert pool.size == 1


@pytest.mark.postgres
async def test_a_replacement_for_a_waiter_counts_against_max_size_at_once(pg: PG) -> None:
    pool = await pg.start(min_size=0, max_size=1)
    spoilt = await pool.acquire()
    waiter = acquiring(pool)
    await settle()
    assert not waiter.done()
    # A task that is already ready when the dead connection comes back (another request, or the
    # releasing handler's next query: Piccolo acquires afresh for every query outside a transaction)
    # asks for a connection before the replacement's task has started.
    newcomer = acquiring(pool)
    spoilt_pid = spoilt.get_server_pid()
    spoilt.terminate()
    await pool.release(spoilt)  # a replacement is on its way to the waiter: the one place is taken
    served = await asyncio.wait_for(waiter, WAIT)
    await settle()
    try:
        assert not newcomer.done(), "an acquire overtook the waiter and opened a connection beyond max_size"
        assert pool.size <= pool.max_size
        assert await pg.backends(gone=(spoilt_pid,)) <= pool.max_size
        await pool.release(served)
        assert await asyncio.wait_for(newcomer, WAIT) is served  # the newcomer is served next, by the same one
    finally:
        newcomer.cancel()
        await asyncio.gather(newcomer, return_exceptions=True)


# --------------------------------------------------------------------------- close


@pytest.mark.postgres
async def test_close_closes_idle_connections_and_later_releases(pg: PG) -> None:
    pool = await pg.start(min_size=3, max_size=3)
    idle = [await pool.acquire(), await pool.acquire()]
    lent = await pool.acquire()
    for connection in idle:
        await pool.release(connection)
    assert (pool.size, pool.idle) == (3, 2)
    await pool.close()
    assert all(connection.is_closed() for connection in idle)
    assert not lent.is_closed()  # still in use: closed when it comes back, not under its user
    assert await lent.fetchval("SELECT 1") == 1
    assert (pool.size, pool.idle) == (1, 0)
    with pytest.raises(asyncpg.InterfaceError, match="closed"):
        await pool.acquire()
    await pool.release(lent)
    assert lent.is_closed()
    assert (pool.size, pool.idle) == (0, 0)
    await pg.wait_for_backends(0)


@pytest.mark.postgres
async def test_close_fails_waiters(pg: PG) -> None:
    pool = await pg.start(min_size=1, max_size=1)
    holder = await pool.acquire()
    waiters = [acquiring(pool) for _ in range(3)]
    await settle()
    assert not any(w.done() for w in waiters)
    await pool.close()
    results = await asyncio.wait_for(asyncio.gather(*waiters, return_exceptions=True), WAIT)
    assert all(isinstance(r, asyncpg.InterfaceError) and "closed" in str(r) for r in results), results
    await pool.release(holder)
    assert holder.is_closed()
    assert (pool.size, pool.idle) == (0, 0)
    await pg.wait_for_backends(0)


# --------------------------------------------------------------------------- through the engine


@pytest.mark.postgres
async def test_the_engine_pool_is_a_lean_pool_and_transactions_return_their_connection(pg: PG) -> None:
    from mentorkit.db import Database, transaction
    from mentorkit.db.engines import MentorkitPostgresEngine
    from mentorkit.hooks import Hooks
    from mentorkit.plugins import create_plugin_manager

    class Boom(Exception):
        pass

    database = Database(pg.dsn, Hooks(create_plugin_manager({})).piccolo_apps()).activate()
    await database.open()
    try:
        engine = database.engine
        assert isinstance(engine, MentorkitPostgresEngine)
        pool = engine.pool
        assert isinstance(pool, LeanPool)
        size = pool.size
        assert size >= 1 and pool.idle == size  # the engine's min_size, all idle

        connections = []
        for outcome in ("commit", "rollback"):
            with pytest.raises(Boom) if outcome == "rollback" else contextlib.nullcontext():
                async with transaction():
                    current = engine.current_transaction.get()
                    assert current is not None
                    connection = current.connection
                    connections.append(connection)
                    assert connection.is_in_transaction()
                    assert (pool.size, pool.idle) == (size, size - 1)  # lent from the pool, not opened beside it
                    rows = await engine.fetch("SELECT pg_backend_pid() AS pid", [])
                    assert [row["pid"] for row in rows] == [connection.get_server_pid()]  # ran in the transaction
                    if outcome == "rollback":
                        raise Boom
            assert (pool.size, pool.idle) == (size, size)
            assert not connection.is_closed() and not connection.is_in_transaction()
        lent = [await pool.acquire() for _ in range(pool.idle)]
        assert all(any(c is other for other in lent) for c in connections)  # back in the pool, still open
        for connection in lent:
            await pool.release(connection)
        await pg.wait_for_backends(size)
    finally:
        await database.close()
    assert (pool.size, pool.idle) == (0, 0)
    await pg.wait_for_backends(0)


@pytest.mark.postgres
async def test_releasing_a_connection_twice_is_refused_and_it_is_lent_once(pg: PG) -> None:
    pool = await pg.start(min_size=0, max_size=2)
    connection = await pool.acquire()
    await pool.release(connection)
    with pytest.raises(asyncpg.InterfaceError, match="released twice"):
        await pool.release(connection)
    assert (pool.size, pool.idle) == (1, 1)
    first = await pool.acquire()
    second = await pool.acquire()
    assert first is not second
    await pool.release(first)
    await pool.release(second)
