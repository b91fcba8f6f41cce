"""Migrations: every one applies to an empty database on both engines, and a table changed
without a migration is caught (by ``missing_migrations`` and ``mentorkit migrate --check``)."""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner

from mentorkit import hookimpl
from mentorkit.cli import build_cli
from mentorkit.db.database import Database
from mentorkit.db.migrations import migrate, missing_migrations, pending_migrations
from mentorkit.hooks import Hooks
from mentorkit.plugins import create_plugin_manager
from tests.plugin_install import importable


def installed_apps() -> list[str]:
    return Hooks(create_plugin_manager({})).piccolo_apps()


async def assert_migrates_from_empty(url: str) -> None:
    database = Database(url, installed_apps()).activate()
    await database.open()
    try:
        assert await pending_migrations(database), "an empty database has nothing pending?"
        applied = await migrate(database)
        assert {m.app for m in applied} >= {"mentorkit"}
        assert await pending_migrations(database) == []
        assert await missing_migrations(database) == {}
        assert await migrate(database) == []  # applying again does nothing
    finally:
        await database.close()


async def test_every_migration_applies_to_a_new_sqlite_file(tmp_path: Path) -> None:
    await assert_migrates_from_empty(f"sqlite:///{tmp_path / 'new' / 'mentorkit.sqlite'}")


async def test_every_migration_applies_to_an_empty_postgresql_database(postgres_url: str) -> None:
    import asyncpg

    name = f"mk_migrations_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(postgres_url)
    server = urlunsplit(parts._replace(path="/postgres"))
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            await assert_migrates_from_empty(urlunsplit(parts._replace(path=f"/{name}")))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_fresh_test_database_matches_every_table(mentorkit_runtime: Any) -> None:
    database = mentorkit_runtime.database
    assert await pending_migrations(database) == []
    assert await missing_migrations(database) == {}


# --------------------------------------------------------------------------- drift

DRIFT_TABLES = '''
from piccolo.columns import Text, Varchar
from piccolo.table import Table


class Note(Table, tablename="drift_note"):
    title = Varchar(length=100)
    body = Text()  # added after the migration was written, and no migration for it
'''

DRIFT_APP = '''
import os

from piccolo.conf.apps import AppConfig

from drift_app.tables import Note

APP_CONFIG = AppConfig(
    app_name="drift",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Note],
    migration_dependencies=["mentorkit.db.piccolo_app"],
)
'''

DRIFT_MIGRATION = '''
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-01-01T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notes with a title"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="drift", description=DESCRIPTION)
    manager.add_table(class_name="Note", tablename="drift_note", schema=None, columns=None)
    manager.add_column(
        table_class_name="Note", tablename="drift_note", column_name="title",
        db_column_name="title", column_class_name="Varchar", column_class=Varchar,
        params={"length": 100, "default": "", "null": False, "primary_key": False,
                "unique": False, "index": False, "index_method": IndexMethod.btree,
                "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager
'''


class DriftPlugin:
    """A throwaway plugin whose table has a column its migration does not create."""

    @hookimpl
    def register_piccolo_apps(self, register: Callable[..., None]) -> None:
        register("drift_app.piccolo_app")


@pytest.fixture
def drift_app(tmp_path: Path) -> Iterator[None]:
    """The ``drift_app`` package, written to a temporary directory and importable."""
    package = tmp_path / "code" / "drift_app"
    (package / "piccolo_migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "tables.py").write_text(textwrap.dedent(DRIFT_TABLES))
    (package / "piccolo_app.py").write_text(textwrap.dedent(DRIFT_APP))
    (package / "piccolo_migrations" / "__init__.py").write_text("")
    (package / "piccolo_migrations" / "drift_2026_01_01t00_00_00_000000.py").write_text(DRIFT_MIGRATION)
    with importable(package.parent, "drift_app"):
        yield


async def test_table_changed_without_a_migration_is_detected(drift_app: None, tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'drift.sqlite'}",
                        [*installed_apps(), "drift_app.piccolo_app"]).activate()
    await database.open()
    try:
        await migrate(database)
        assert await pending_migrations(database) == []
        assert await missing_migrations(database) == {"drift": 1}
    finally:
        await database.close()


def test_migrate_check_fails_on_a_table_changed_without_a_migration(
    drift_app: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("MENTORKIT_DATABASE_URL", "MENTORKIT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MENTORKIT_DATA_DIR", str(tmp_path / "data"))
    cli = build_cli(create_plugin_manager({}, extra_plugins=[("drift", DriftPlugin())]))
    runner = CliRunner()

    applied = runner.invoke(cli, ["migrate"], prog_name="mentorkit")
    assert applied.exit_code == 0, applied.output
    assert "applied drift:2026-01-01T00:00:00:000000" in applied.output

    check = runner.invoke(cli, ["migrate", "--check"], prog_name="mentorkit")
    assert check.exit_code == 1
    assert "app 'drift': 1 table change(s) have no migration (run 'mentorkit makemigrations drift')" in (
        check.output)
    assert "Error: migrations are not up to date" in check.output
    assert "app 'mentorkit'" not in check.output
