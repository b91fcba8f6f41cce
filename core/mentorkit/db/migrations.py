"""Applying, checking and creating migrations for every registered Piccolo app."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from mentorkit.db.database import Database
from mentorkit.errors import MentorkitError


class MigrationFailed(MentorkitError):
    """A migration could not be applied."""


@dataclass(frozen=True)
class PendingMigration:
    """A migration shipped by an app but not applied to the database yet."""

    app: str
    migration_id: str


async def applied_migrations(database: Database) -> set[tuple[str, str]]:
    """(app, migration id) pairs recorded as applied."""
    if not await Migration.table_exists():
        return set()
    rows = await Migration.select(Migration.app_name, Migration.name)
    return {(row["app_name"], row["name"]) for row in rows}


async def pending_migrations(database: Database) -> list[PendingMigration]:
    """Migrations shipped by the installed apps that the database has not applied."""
    manager = BaseMigrationManager()
    done = await applied_migrations(database)
    pending: list[PendingMigration] = []
    for app_name in manager.get_sorted_app_names():
        config = database.registry.get_app_config(app_name)
        assert config is not None
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        pending.extend(PendingMigration(app_name, mid) for mid in sorted(modules) if (app_name, mid) not in done)
    return pending


async def migrate(database: Database, *, quiet: bool = True) -> list[PendingMigration]:
    """Apply every pending migration, app by app in dependency order; return what was applied."""
    todo = await pending_migrations(database)
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise MigrationFailed(f"migration failed: {result.message}\n{out.getvalue()[-2000:]}")
    return todo


async def missing_migrations(database: Database) -> dict[str, int]:
    """Apps whose tables differ from their migrations, with the number of changes needed."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    out: dict[str, int] = {}
    for app_name, config in database.registry.app_configs.items():
        with contextlib.redirect_stdout(io.StringIO()):
            statements = await AutoMigrationManager().get_alter_statements(app_config=config)
        count = sum(len(s.statements) for s in statements)
        if count:
            out[app_name] = count
    return out


async def make_migration(database: Database, app_name: str, description: str = "") -> str | None:
    """Write an auto migration for ``app_name`` into its folder; None when nothing changed."""
    from piccolo.apps.migrations.commands.new import NoChanges, _create_new_migration

    config = database.registry.get_app_config(app_name)
    if config is None:
        raise MentorkitError(f"no Piccolo app named {app_name!r}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            meta = await _create_new_migration(app_config=config, auto=True, description=description)
    except NoChanges:
        return None
    return str(meta.migration_path)
