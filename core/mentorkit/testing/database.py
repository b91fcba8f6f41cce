"""Fresh, migrated databases for tests: a copied SQLite template, or a truncated PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from mentorkit.db.database import Database
from mentorkit.db.migrations import migrate


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
            asyncio.run(_truncate(self.postgres, apps))
            return self.postgres
        key = tuple(apps)
        if key not in self._templates:
            template = self.workdir / f"template-{len(self._templates)}.sqlite"
            asyncio.run(_migrate(f"sqlite:///{template}", apps))
            self._templates[key] = template
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / "mentorkit.sqlite"
        shutil.copyfile(self._templates[key], target)
        return f"sqlite:///{target}"
