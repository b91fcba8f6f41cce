"""Fresh, migrated databases for tests: a copied SQLite template, or a truncated PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from mentorkit.db.database import Database
from mentorkit.db.migrations import migrate

T = TypeVar("T")


def run_sync(coro_fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a fresh loop in its own thread.

    Works whether or not the caller's thread already runs an event loop (Playwright's sync
    API keeps one running in the test's thread).
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro_fn()))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="mentorkit-test-db")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def postgres_url_for_tests() -> str | None:
    """The PostgreSQL URL to test against (``MENTORKIT_TEST_DATABASE_URL``), if any."""
    return os.environ.get("MENTORKIT_TEST_DATABASE_URL") or None


async def _migrate(url: str, apps: list[str]) -> None:
    database = Database(url, apps).activate()
    await database.open()
    try:
        await migrate(database)
    finally:
        await database.close()


async def _truncate(url: str, apps: list[str]) -> None:
    database = Database(url, apps).activate()
    await database.open()
    try:
        await migrate(database)  # tables a throwaway plugin added since the last test
        tables = [t._meta.tablename for c in database.registry.app_configs.values() for t in c.table_classes]
        if tables:
            await database.engine.run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    finally:
        await database.close()


class TestDatabases:
    """Hands out one fresh database per test, migrating a template once per session."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.postgres = postgres_url_for_tests()
        self._templates: dict[tuple[str, ...], Path] = {}

    def fresh(self, apps: list[str], target_dir: Path) -> str:
        """A migrated, empty database for the given Piccolo apps; returns its URL."""
        if self.postgres:
            run_sync(lambda: _truncate(self.postgres, apps))  # type: ignore[arg-type]
            return self.postgres
        key = tuple(apps)
        if key not in self._templates:
            template = self.workdir / f"template-{len(self._templates)}.sqlite"
            run_sync(lambda: _migrate(f"sqlite:///{template}", apps))
            self._templates[key] = template
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / "mentorkit.sqlite"
        shutil.copyfile(self._templates[key], target)
        return f"sqlite:///{target}"
