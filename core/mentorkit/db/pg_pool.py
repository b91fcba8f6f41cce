"""A lean pool of asyncpg connections for the PostgreSQL engine.

asyncpg's own pool spends about 20 µs of CPU to acquire and release a connection (a shield, a
timeout, a proxy object and a holder per acquire), as much as a small indexed query costs
itself, and a page makes up to five such queries. This pool keeps idle connections in a list
and hands released connections to waiters, first come first served. It does what Mentorkit
needs and no more:

* connections open on demand up to ``max_size`` (``min_size`` of them at start);
* a connection that is closed (the server went away) or still inside a transaction when it
  comes back is dropped, and a new one opens when somebody needs it; releasing a connection
  the pool did not lend (or twice) is an error, as in asyncpg's pool;
* nothing is reset on release: Mentorkit leaves no session state behind (no ``SET``,
  ``LISTEN`` or advisory locks, and every transaction ends before release);
* the object has the part of asyncpg's pool API that Piccolo uses: ``await pool.acquire()``,
  ``async with pool.acquire() as connection``, ``await pool.release(connection)`` and
  ``await pool.close()``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Generator
from typing import Any

import asyncpg


class LeanPool:
    """Idle connections in a list; waiters in a queue (see module docstring)."""

    def __init__(self, dsn: str, *, min_size: int = 2, max_size: int = 20) -> None:
        if not 0 <= min_size <= max_size or max_size < 1:
            raise ValueError(f"pool sizes must satisfy 0 <= min_size <= max_size >= 1, not {min_size}, {max_size}")
        self._dsn = dsn
        self._min_size = min_size
        self.max_size = max_size
        self._idle: list[asyncpg.Connection] = []
        self._waiters: deque[asyncio.Future[asyncpg.Connection]] = deque()
        self.size = 0  # connections open, being opened, or lent out
        self._lent: set[asyncpg.Connection] = set()
        self._closed = False

    async def start(self) -> LeanPool:
        """Open ``min_size`` connections (fails, opening none, when the server does not answer)."""
        try:
            for _ in range(self._min_size):
                connection = await self._connect()
                self._lent.discard(connection)
                self._idle.append(connection)
        except BaseException:
            await self.close()
            raise
        return self

    @property
    def idle(self) -> int:
        """Connections waiting to be used."""
        return len(self._idle)

    async def _connect(self) -> asyncpg.Connection:
        self.size += 1
        return await self._open()

    async def _open(self) -> asyncpg.Connection:
        """Open a connection whose place in ``size`` is already counted."""
        try:
            connection = await asyncpg.connect(self._dsn)
        except BaseException:
            self.size -= 1
            self._open_for_waiter()
            raise
        self._lent.add(connection)
        return connection

    def acquire(self) -> _Acquire:
        """A connection: ``await pool.acquire()`` (then ``release``) or ``async with pool.acquire()``."""
        return _Acquire(self)

    async def _take(self) -> asyncpg.Connection:
        if self._closed:
            raise asyncpg.InterfaceError("the connection pool is closed")
        if self._idle:
            connection = self._idle.pop()
            self._lent.add(connection)
            return connection
        if self.size < self.max_size:
            return await self._connect()
        waiter: asyncio.Future[asyncpg.Connection] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Handed a connection in the same instant as the cancellation: give it back.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._give_back(waiter.result())
            raise

    async def release(self, connection: asyncpg.Connection) -> None:
        """Give a connection back (to the longest waiter, else to the idle list)."""
        self._give_back(connection)

    def _give_back(self, connection: asyncpg.Connection) -> None:
        if connection not in self._lent:
            raise asyncpg.InterfaceError("this connection is not lent by the pool (released twice?)")
        if self._closed or connection.is_closed() or connection.is_in_transaction():
            # Broken, left mid-transaction, or the pool is closing: never lend it again.
            self._lent.discard(connection)
            self.size -= 1
            if not connection.is_closed():
                connection.terminate()
            self._open_for_waiter()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)  # still lent, now to the waiter
                return
        self._lent.discard(connection)
        self._idle.append(connection)

    def _open_for_waiter(self) -> None:
        """A connection was dropped: open a new one for the longest waiter, if any."""
        while self._waiters and self.size < self.max_size and not self._closed:
            waiter = self._waiters.popleft()
            if waiter.done():
                continue

            def hand_over(task: asyncio.Task[asyncpg.Connection], waiter: Any = waiter) -> None:
                if task.cancelled():
                    if not waiter.done():
                        waiter.cancel()
                elif (error := task.exception()) is not None:
                    if not waiter.done():
                        waiter.set_exception(error)
                elif waiter.done():
                    self._give_back(task.result())
                else:
                    waiter.set_result(task.result())

            # Counted now, not when the task first runs: until then an acquire would see a
            # free place and open a connection of its own, past max_size and ahead of the queue.
            self.size += 1
            asyncio.ensure_future(self._open()).add_done_callback(hand_over)
            return

    async def close(self) -> None:
        """Close idle connections; lent ones are closed when they come back; waiters fail."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the connection pool is closed"))
        idle, self._idle = self._idle, []
        self.size -= len(idle)
        for connection in idle:
            try:
                await connection.close(timeout=5)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                connection.terminate()


class _Acquire:
    """What ``LeanPool.acquire()`` returns: awaitable, or an async context manager."""

    __slots__ = ("_connection", "_pool")

    def __init__(self, pool: LeanPool) -> None:
        self._pool = pool
        self._connection: asyncpg.Connection | None = None

    def __await__(self) -> Generator[Any, None, asyncpg.Connection]:
        return self._pool._take().__await__()

    async def __aenter__(self) -> asyncpg.Connection:
        self._connection = await self._pool._take()
        return self._connection

    async def __aexit__(self, *exc_info: object) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool._give_back(connection)
