"""The database of this process: one URL, one engine, the Piccolo apps of every plugin.

Piccolo keeps its engine and app registry in a global configuration module (``PICCOLO_CONF``).
``Database.activate()`` points that module at this database and binds every table to its
engine, so tables, migrations and Piccolo's own tooling all agree. One database is active per
process at a time; tests activate a fresh one for each test.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.table import Table

from mentorkit.db.engines import Engine, MentorkitPostgresEngine, MentorkitSQLiteEngine
from mentorkit.errors import DatabaseUnavailable

PICCOLO_CONF_MODULE = "mentorkit.db.piccolo_conf"

_active: Database | None = None


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://...`` (with at most ``pool_size`` connections)."""
    if url.startswith("sqlite:///"):
        return MentorkitSQLiteEngine(path=url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        return MentorkitPostgresEngine(dsn=url, pool_size=pool_size)
    raise DatabaseUnavailable(f"database URL {redact(url)!r} is neither sqlite:/// nor postgresql://")


def _all_tables(base: type[Table] = Table) -> list[type[Table]]:
    out = []
    for sub in base.__subclasses__():
        out.append(sub)
        out.extend(_all_tables(sub))
    return out


class Database:
    """An engine plus the registry of Piccolo apps whose tables live in it."""

    def __init__(self, url: str, piccolo_apps: list[str], *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self.registry = AppRegistry(apps=piccolo_apps)
        self._check_table_prefixes()

    @property
    def engine_type(self) -> str:
        """``sqlite`` or ``postgres``."""
        return str(self.engine.engine_type)

    def _check_table_prefixes(self) -> None:
        from mentorkit.errors import PluginError

        for app_name, config in self.registry.app_configs.items():
            for table in config.table_classes:
                if not table._meta.tablename.startswith(f"{app_name}_"):
                    raise PluginError(
                        f"table {table._meta.tablename!r} of Piccolo app {app_name!r} must be named "
                        f"'{app_name}_...' (class {table.__name__}: Table, tablename=...)"
                    )

    def activate(self) -> Database:
        """Make this the database every table and Piccolo tool uses."""
        global _active
        _active = self
        os.environ["PICCOLO_CONF"] = PICCOLO_CONF_MODULE
        from piccolo.apps.migrations.tables import Migration

        tables: set[type[Table]] = {Migration, *_all_tables()}
        for table in tables:
            table._meta.db = self.engine
        return self

    async def open(self) -> None:
        """Open connections (the SQLite pair or the PostgreSQL pool) and check they work."""
        if isinstance(self.engine, MentorkitSQLiteEngine):
            path = Path(self.engine.path)
            if path.parent.exists() and not path.parent.is_dir():
                raise DatabaseUnavailable(f"cannot use {path}: {path.parent} is a file, not a directory")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(f"cannot create the data directory {path.parent}: {exc.strerror}") from None
        try:
            with warnings.catch_warnings():
                # Piccolo also warns about an unreachable server; our error says it once.
                warnings.simplefilter("ignore")
                await self.engine.open()
            await self.ping()
        except Exception as exc:
            await self.close()
            reason = str(exc).strip() or type(exc).__name__
            raise DatabaseUnavailable(f"cannot reach the database {redact(self.url)}: {reason}") from None

    @property
    def is_open(self) -> bool:
        """True between ``open()`` and ``close()``."""
        engine: Any = self.engine
        return (engine.writer if isinstance(engine, MentorkitSQLiteEngine) else engine.pool) is not None

    async def ping(self) -> None:
        """Run a trivial query (on the pool or reader when open); raises when the database does not answer."""
        await self.engine.fetch("SELECT 1", ())

    async def close(self) -> None:
        """Close every connection this database holds."""
        await self.engine.close()

    def transaction(self) -> Any:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite, serialised in-process)."""
        return self.engine.transaction()


def active_database() -> Database:
    """The database activated in this process."""
    if _active is None:
        raise RuntimeError("no database is active: build the app or call Database(...).activate()")
    return _active
