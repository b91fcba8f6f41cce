"""Piccolo engines tuned for Mentorkit, and the translation of driver errors into domain errors.

SQLite (the embedded default): Piccolo's stock engine opens a connection (and a thread) per
query and lets writers race for SQLite's single write lock, which shows up as "database is
locked" under concurrent requests. This engine instead

* serialises every write statement and transaction in-process with an ``asyncio.Lock`` and
  starts transactions with ``BEGIN IMMEDIATE``, so writers queue instead of failing;
* keeps two long-lived connections while the app runs, opened and closed by the app's lifespan:
  writes go through an aiosqlite connection (its own thread, so a busy database never blocks
  the event loop); reads outside transactions run directly on the event loop through a plain
  ``sqlite3`` connection. In WAL mode a read never waits for a writer, and a small indexed
  read takes tens of microseconds, less than handing it to a thread and back. Outside the
  lifespan (a CLI command) the engine falls back to short-lived connections, because
  aiosqlite's thread would otherwise keep the process alive;
* switches on WAL (readers never wait for the writer), a busy timeout for other processes,
  ``synchronous=NORMAL`` (durable in WAL mode) and foreign keys.

PostgreSQL: asyncpg with a lean pool of our own (pg_pool.py), started and stopped by the app's lifespan.

Both engines turn integrity errors into ``ConflictError`` so the web layer answers 409.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from mentorkit.errors import ConflictError

_READ_PREFIXES = ("SELECT", "WITH", "EXPLAIN")


def _is_read(query: str) -> bool:
    return query.lstrip().lstrip("(").upper().startswith(_READ_PREFIXES)


def conflict_from_sqlite(exc: sqlite3.IntegrityError) -> ConflictError:
    """A readable conflict from an SQLite integrity error."""
    text = str(exc)
    if match := re.search(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)", text):
        fields = [part.split(".")[-1] for part in match.group(1).split(", ")]
        error = ConflictError(f"{' and '.join(fields)} is already taken")
        error.fields = fields  # type: ignore[attr-defined]
        return error
    if "FOREIGN KEY" in text:
        return ConflictError("refers to something that does not exist, or is still referred to")
    if match := re.search(r"NOT NULL constraint failed: [\w]+\.(\w+)", text):
        return ConflictError(f"{match.group(1)} is required")
    return ConflictError(f"the change conflicts with stored data ({text})")


def conflict_from_asyncpg(exc: Exception) -> ConflictError:
    """A readable conflict from an asyncpg integrity error."""
    detail = getattr(exc, "detail", "") or ""
    sqlstate = getattr(exc, "sqlstate", "")
    if sqlstate == "23505":
        match = re.search(r"Key \(([^)]*)\)", detail)
        fields = [f.strip() for f in match.group(1).split(",")] if match else []
        error = ConflictError(f"{' and '.join(fields) or 'value'} is already taken")
        error.fields = fields  # type: ignore[attr-defined]
        return error
    if sqlstate == "23503":
        return ConflictError("refers to something that does not exist, or is still referred to")
    if sqlstate == "23502":
        return ConflictError(f"{getattr(exc, 'column_name', 'a value')} is required")
    return ConflictError(f"the change conflicts with stored data ({exc})")


class _SerialisedTransaction(SQLiteTransaction):
    """A transaction that holds the engine's write lock and reuses its writer connection."""

    engine: MentorkitSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        await self.engine.write_lock.acquire()
        try:
            self._own_connection = self.engine.writer is None
            self.connection = self.engine.writer or await self.engine.connect()
            await self.begin()
        except BaseException:
            self.engine.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    await self.rollback()
                    raise
        finally:
            if self._own_connection:
                await self.connection.close()
            self.engine.current_transaction.reset(self.context)
            self.engine.write_lock.release()
        return exception is None


class MentorkitSQLiteEngine(SQLiteEngine):
    """SQLite with serialised writes, long-lived connections and WAL (see module docstring)."""

    def __init__(self, path: str, busy_timeout: float = 30.0) -> None:
        super().__init__(path=path, timeout=busy_timeout)
        self.reader: sqlite3.Connection | None = None
        self.writer: aiosqlite.Connection | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    @property
    def write_lock(self) -> asyncio.Lock:
        """The in-process write lock, one per event loop (tests run several loops)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def connect(self) -> aiosqlite.Connection:
        """A new connection with Mentorkit's pragmas."""
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        # execute_fetchall finalises each statement; an open cursor would hold a lock.
        await connection.execute_fetchall("PRAGMA foreign_keys = 1")
        await connection.execute_fetchall("PRAGMA synchronous = NORMAL")
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.connect()

    async def open(self) -> None:
        """Open the long-lived reader and writer connections and switch on WAL."""
        if self.writer is not None:
            return
        writer = await self.connect()
        await writer.execute_fetchall("PRAGMA journal_mode = WAL")
        self.writer = writer
        reader = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        reader.row_factory = dict_factory
        reader.execute("PRAGMA foreign_keys = 1")
        self.reader = reader

    async def close(self) -> None:
        """Close the long-lived connections (a process with them open cannot exit)."""
        reader, self.reader = self.reader, None
        if reader is not None:
            reader.close()
        writer, self.writer = self.writer, None
        if writer is not None:
            await writer.close()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return _SerialisedTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        args = args or []
        if _is_read(query):
            if self.reader is not None:
                return self.reader.execute(query, args).fetchall()
            return await super()._run_in_new_connection(query, args, query_type, table)
        async with self.write_lock:
            if self.writer is not None:
                return await self.writer.execute_fetchall(query, args)
            return await super()._run_in_new_connection(query, args, query_type, table)

    async def _run_in_existing_connection(
        self, connection: Any, query: str, args: list[Any] | None = None,
        query_type: str = "generic", table: Any = None,
    ) -> Any:
        # Our connections already have foreign keys on; Piccolo would re-issue the PRAGMA
        # before every statement.
        return await connection.execute_fetchall(query, args or [])

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        try:
            return await super().run_querystring(querystring, in_pool)
        except sqlite3.IntegrityError as exc:
            raise conflict_from_sqlite(exc) from exc

    async def fetch(self, query: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """Rows of a compiled read (``?`` placeholders); see ``mentorkit.db.reads``."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return list(await transaction.connection.execute_fetchall(query, args))
        if self.reader is not None:
            return self.reader.execute(query, args).fetchall()
        return list(await super()._run_in_new_connection(query, list(args)))


class MentorkitPostgresEngine(PostgresEngine):
    """PostgreSQL through asyncpg, with integrity errors as ``ConflictError``."""

    def __init__(self, dsn: str, pool_size: int = 10) -> None:
        self.pool_size = pool_size
        # Piccolo's Engine.__init__ connects (synchronously) to check the server version and
        # create extensions; building an engine must not touch the network, so both wait for
        # open().
        self._opened = False
        super().__init__(config={"dsn": dsn}, log_queries=False)

    async def check_version(self) -> None:
        if self._opened:
            await super().check_version()

    async def prep_database(self) -> None:
        """Piccolo's extension check, on a pooled connection rather than a new one."""
        if not self._opened:
            return
        import asyncpg
        from piccolo.utils.warnings import Level, colored_warning

        for extension in self.extensions:
            try:
                await self._run_in_pool(f'CREATE EXTENSION IF NOT EXISTS "{extension}"')
            except asyncpg.exceptions.InsufficientPrivilegeError:
                colored_warning(f"=> Unable to create the {extension} extension; ask an administrator to run "
                                f'CREATE EXTENSION "{extension}";', level=Level.medium)

    async def open(self) -> None:
        """Start the connection pool (and do what Piccolo would have done at construction)."""
        if self.pool is None:
            from mentorkit.db.pg_pool import LeanPool

            # Our own pool rather than asyncpg's, whose acquire and release cost as much CPU as
            # a small query (see pg_pool.py). Piccolo only calls acquire, release and close.
            self.pool = cast(Any, await LeanPool(self.config["dsn"], min_size=1, max_size=self.pool_size).start())
            self._opened = True
            await self.prep_database()

    async def close(self) -> None:
        """Close the connection pool."""
        pool, self.pool = self.pool, None
        if pool is not None:
            await pool.close()

    async def fetch(self, query: str, args: Sequence[Any]) -> list[Any]:
        """Rows of a compiled read (``$n`` placeholders); see ``mentorkit.db.reads``."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return list(await transaction.connection.fetch(query, *args))
        if self.pool is not None:
            async with self.pool.acquire() as connection:
                return list(await connection.fetch(query, *args))
        return list(await self._run_in_new_connection(query, args))

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        import asyncpg

        try:
            return await super().run_querystring(querystring, in_pool)
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise conflict_from_asyncpg(exc) from exc


Engine = MentorkitSQLiteEngine | MentorkitPostgresEngine
