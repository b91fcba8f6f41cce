"""Bulk writes: multi-row INSERTs in chunks, on the caller's transaction.

Used where one change writes thousands of rows (the CSV import: 5,000 people are some 90,000
rows). Piccolo's ``Table.insert`` builds a Table instance per row; even ``Table.raw``, given
multi-row statements, spent more than half of the import compiling their thousands of
parameters (``bench/README.md``). Here each chunk is one statement, written with the driver's
placeholders and run on the caller's transaction connection, with every column given (no
reliance on database defaults) and ``RETURNING`` a unique column with the id, because neither
engine promises that ``RETURNING`` rows come back in ``VALUES`` order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.table import Table

from mentorkit.db.database import active_database
from mentorkit.db.reads import Row
from mentorkit.db.unit import in_transaction
from mentorkit.errors import MentorkitError

# Bound parameters per statement: well under SQLite's (32,766) and PostgreSQL's (32,767) limits.
MAX_PARAMETERS = 8_000


def placeholders(engine_type: str, count: int, start: int = 1) -> list[str]:
    """``count`` bound-parameter markers in the driver's style: ``$n`` for asyncpg, ``?`` for
    sqlite3. (Not ``db.reads.compile_placeholders``: it caches every statement it compiles,
    and each chunk size would be a statement of its own.)"""
    return [f"${n}" for n in range(start, start + count)] if engine_type == "postgres" else ["?"] * count


async def execute(sql: str, args: Sequence[Any]) -> Sequence[Row]:
    """Run one write statement, written with the driver's placeholders, on the current
    transaction's connection (inside a transaction the engine's ``fetch`` runs there)."""
    if not in_transaction():
        raise MentorkitError("bulk writes run inside the transaction of the change")
    return await active_database().engine.fetch(sql, args)


async def insert_rows(table: type[Table], rows: Sequence[dict[str, Any]], returning: str | None = None) -> list[Any]:
    """Insert ``rows`` (dicts with the same keys: column names) in chunks; with ``returning``,
    the ``(id, row[returning])`` of each inserted row (in no particular order)."""
    if not rows:
        return []
    engine_type = active_database().engine_type
    columns = list(rows[0])
    quoted = ", ".join(f'"{name}"' for name in columns)
    head = f"INSERT INTO {table._meta.tablename} ({quoted}) VALUES "
    tail = f' RETURNING id, "{returning}"' if returning else ""
    size = max(1, MAX_PARAMETERS // len(columns))
    returned: list[Any] = []
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        marks = placeholders(engine_type, len(chunk) * len(columns))
        values = ", ".join("(" + ", ".join(marks[n:n + len(columns)]) + ")" for n in range(0, len(marks), len(columns)))
        result = await execute(head + values + tail, [row[name] for row in chunk for name in columns])
        if returning:
            returned.extend((row["id"], row[returning]) for row in result)
    return returned
