"""Fixed read-only SQL on hot paths, straight to the driver.

Piccolo's query builder costs more than the small indexed reads that every request makes
(building a select with a join takes longer than running it), and even ``Table.raw`` goes
through query objects, a placeholder compiler and a result pass on every call. The session
lookup, the access policies and the home page's lists therefore use ``fetch``: SQL written
once with Piccolo's ``{}`` placeholders, compiled once per engine, run on the engine's own
read path (SQLite's reader connection on the event loop; a PostgreSQL pool connection), or on
the transaction's connection inside a transaction so a read sees the transaction's writes.

Rows are mappings (``row["column"]``): dicts on SQLite, ``asyncpg.Record`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mentorkit.db.database import active_database

Row = Mapping[str, Any]

_compiled: dict[tuple[str, str], str] = {}


def compile_placeholders(sql: str, engine_type: str) -> str:
    """``{}`` placeholders as the driver's: ``$1, $2, ...`` for asyncpg, ``?`` for sqlite3."""
    key = (sql, engine_type)
    if (done := _compiled.get(key)) is None:
        parts = sql.split("{}")
        if engine_type == "postgres":
            done = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        else:
            done = "?".join(parts)
        _compiled[key] = done
    return done


async def fetch(sql: str, *args: Any) -> Sequence[Row]:
    """The rows of a read-only statement with ``{}`` placeholders, one per ``args`` item."""
    engine = active_database().engine
    return await engine.fetch(compile_placeholders(sql, engine.engine_type), args)
