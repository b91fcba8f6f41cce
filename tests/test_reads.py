"""``mentorkit.db.reads``: fixed SQL compiled once per engine and run straight on the driver.

The database tests run on the suite's engine (SQLite, or PostgreSQL when
``MENTORKIT_TEST_DATABASE_URL`` is set), both with the database opened as the app's lifespan
opens it (SQLite's reader connection, PostgreSQL's pool) and without (a CLI process).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiosqlite
import pytest

from mentorkit.accounts.tables import User
from mentorkit.db import Database, transaction
from mentorkit.db.engines import MentorkitSQLiteEngine
from mentorkit.db.reads import compile_placeholders, fetch

BY_EMAIL = 'SELECT id AS id, email AS email, display_name AS "user.display_name" FROM mentorkit_user WHERE email = {}'


class Boom(Exception):
    """Raised inside a transaction to roll it back."""


# --------------------------------------------------------------------------- placeholders


def test_postgres_placeholders_are_numbered_in_order() -> None:
    """Each ``{}`` becomes the next ``$n``, including at the very start and end of the SQL."""
    assert compile_placeholders("a = {} AND b = {}", "postgres") == "a = $1 AND b = $2"
    assert compile_placeholders("{} < x AND x < {}", "postgres") == "$1 < x AND x < $2"


def test_postgres_placeholders_go_past_nine() -> None:
    """The eleventh placeholder is ``$11``, not ``$1`` followed by a digit."""
    sql = ", ".join(["{}"] * 11)
    assert compile_placeholders(sql, "postgres") == ", ".join(f"${n}" for n in range(1, 12))


def test_sqlite_placeholders_are_question_marks() -> None:
    """Each ``{}`` becomes ``?`` for sqlite3."""
    assert compile_placeholders("a = {} AND b = {}", "sqlite") == "a = ? AND b = ?"
    assert compile_placeholders("{}", "sqlite") == "?"


def test_sql_without_placeholders_is_unchanged() -> None:
    """A statement without parameters is passed through as written, on both engines."""
    sql = "SELECT 1 AS one"
    assert compile_placeholders(sql, "postgres") == sql
    assert compile_placeholders(sql, "sqlite") == sql


def test_the_compiled_cache_is_per_engine() -> None:
    """The same SQL compiled for one engine and then the other gets each engine's form."""
    sql = "SELECT x FROM t WHERE y = {} -- cache per engine"
    assert compile_placeholders(sql, "postgres") == "SELECT x FROM t WHERE y = $1 -- cache per engine"
    assert compile_placeholders(sql, "sqlite") == "SELECT x FROM t WHERE y = ? -- cache per engine"
    assert compile_placeholders(sql, "postgres") == "SELECT x FROM t WHERE y = $1 -- cache per engine"


# --------------------------------------------------------------------------- fetch


@pytest.fixture(params=["lifespan", "no-lifespan"])
async def database(
    request: pytest.FixtureRequest, mentorkit_runtime_factory: Callable[[], Any]
) -> AsyncIterator[Database]:
    """The test's migrated database, opened as the app's lifespan does, or never opened."""
    runtime = mentorkit_runtime_factory()
    db: Database = runtime.database
    if request.param == "lifespan":
        await db.open()
    try:
        yield db
    finally:
        await db.close()


def long_lived_read_path(db: Database) -> object | None:
    """SQLite's reader connection or PostgreSQL's pool (``None`` when the database is not open)."""
    engine = db.engine
    return engine.reader if isinstance(engine, MentorkitSQLiteEngine) else engine.pool


async def add_user(email: str, name: str = "Ada") -> int:
    rows = await User.insert(User(email=email, display_name=name, password_hash="!")).returning(User.id)
    return int(rows[0]["id"])


async def fetch_elsewhere(sql: str, *args: Any) -> Any:
    """``fetch`` from a task that is not in the caller's transaction (a concurrent request)."""
    return await asyncio.create_task(fetch(sql, *args), context=contextvars.Context())


def test_the_database_fixture_opens_what_it_says(database: Database, request: pytest.FixtureRequest) -> None:
    """The two modes really differ: only the lifespan one has a reader connection or a pool."""
    opened = "[lifespan]" in request.node.name
    assert (long_lived_read_path(database) is not None) is opened


async def test_rows_are_read_by_column_name(database: Database) -> None:
    """A row answers ``row["column"]`` for plain and dotted aliases, ``in`` and ``get`` by name."""
    user_id = await add_user("ada@example.org", "Ada")
    await add_user("grace@example.org", "Grace")

    rows = await fetch(BY_EMAIL, "ada@example.org")

    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == user_id
    assert row["email"] == "ada@example.org"
    assert row["user.display_name"] == "Ada"
    assert "user.display_name" in row and "display_name" not in row
    assert row.get("user.display_name") == "Ada" and row.get("missing") is None
    assert dict(row) == {"id": user_id, "email": "ada@example.org", "user.display_name": "Ada"}


async def test_arguments_bind_to_placeholders_in_order(database: Database) -> None:
    """Several parameters of different types land on their own placeholders."""
    user_id = await add_user("ada@example.org", "Ada")
    sql = "SELECT email AS email FROM mentorkit_user WHERE id = {} AND display_name = {} AND email = {}"

    assert [r["email"] for r in await fetch(sql, user_id, "Ada", "ada@example.org")] == ["ada@example.org"]
    assert list(await fetch(sql, user_id, "ada@example.org", "Ada")) == []
    assert list(await fetch(sql, user_id + 1, "Ada", "ada@example.org")) == []


async def test_no_matching_row_is_an_empty_result(database: Database) -> None:
    """Nothing found is an empty sequence, not ``None`` or an error."""
    assert list(await fetch(BY_EMAIL, "nobody@example.org")) == []


async def test_a_fetch_sees_its_own_transactions_uncommitted_writes(database: Database) -> None:
    """Inside ``transaction()`` a read sees the rows written earlier in it, which nobody else
    sees until the commit."""
    async with transaction():
        user_id = await add_user("ada@example.org")
        rows = await fetch(BY_EMAIL, "ada@example.org")
        assert [r["id"] for r in rows] == [user_id]
        assert list(await fetch_elsewhere(BY_EMAIL, "ada@example.org")) == []
        async with transaction():  # a nested transaction joins the outer one
            assert [r["id"] for r in await fetch(BY_EMAIL, "ada@example.org")] == [user_id]

    assert [r["id"] for r in await fetch(BY_EMAIL, "ada@example.org")] == [user_id]
    assert [r["id"] for r in await fetch_elsewhere(BY_EMAIL, "ada@example.org")] == [user_id]


async def test_a_rolled_back_row_is_gone(database: Database) -> None:
    """A row seen inside a transaction that then raises is not there afterwards."""
    with pytest.raises(Boom):
        async with transaction():
            await add_user("ada@example.org")
            assert len(await fetch(BY_EMAIL, "ada@example.org")) == 1
            raise Boom

    assert list(await fetch(BY_EMAIL, "ada@example.org")) == []
    assert await User.count() == 0


async def test_a_fetch_after_a_rollback_still_sees_committed_rows(database: Database) -> None:
    """A rollback removes only its own writes; rows committed before stay readable."""
    await add_user("grace@example.org", "Grace")
    with pytest.raises(Boom):
        async with transaction():
            await add_user("ada@example.org")
            raise Boom

    rows = await fetch("SELECT email AS email FROM mentorkit_user ORDER BY email")
    assert [r["email"] for r in rows] == ["grace@example.org"]


async def test_reads_use_the_long_lived_connections_only_while_open(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the lifespan's connections open a read opens no new connection; without them it
    opens one of its own (and still answers)."""
    await add_user("ada@example.org")
    opened: list[str] = []
    engine = database.engine
    if isinstance(engine, MentorkitSQLiteEngine):
        real_connect = aiosqlite.connect

        def counting_connect(*args: Any, **kwargs: Any) -> Any:
            opened.append("sqlite")
            return real_connect(*args, **kwargs)

        monkeypatch.setattr(aiosqlite, "connect", counting_connect)
    else:
        real_new_connection = engine.get_new_connection

        async def counting_new_connection() -> Any:
            opened.append("postgres")
            return await real_new_connection()

        monkeypatch.setattr(engine, "get_new_connection", counting_new_connection)

    rows = await fetch(BY_EMAIL, "ada@example.org")

    assert [r["email"] for r in rows] == ["ada@example.org"]
    assert len(opened) == (0 if long_lived_read_path(database) is not None else 1)
