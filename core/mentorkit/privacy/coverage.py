"""Which tables hold personal data, and which plugin handles each one.

A table holds personal data when it has a foreign key to ``mentorkit_user``, a column named
like a person's identity (``email``, ``user_id``, ``actor_id``), or is listed in
``PERSONAL_TABLES``. Each such table must be *covered*: named in the ``PERSONAL_DATA_TABLES``
attribute of a plugin that implements both ``export_user_data`` and ``erase_user_data``, or
listed, with its reason, in ``NOT_PERSONAL``. ``tests/test_data_rights.py`` walks every table
of every registered Piccolo app and fails for a table that is neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from piccolo.conf.apps import AppRegistry
from piccolo.table import Table

from mentorkit.hooks import Hooks
from mentorkit.plugins import MentorkitPluginManager

USER_TABLE = "mentorkit_user"
# The attribute a plugin (module or object) sets to the names of the tables it handles.
COVERS_ATTRIBUTE = "PERSONAL_DATA_TABLES"
# Column names that identify a person without a foreign key.
PERSONAL_COLUMNS = frozenset({"email", "user_id", "actor_id"})
# Tables that hold personal data although no column says so by name or foreign key.
PERSONAL_TABLES: dict[str, str] = {
    "mentorkit_user": "the accounts themselves",
    "mentorkit_rate_limit": "per-account bucket keys contain the e-mail address",
}
# Tables the rules above flag that hold no personal data. Shrink-only; give the reason.
NOT_PERSONAL: dict[str, str] = {}


def all_tables(registry: AppRegistry) -> list[type[Table]]:
    """Every table of every registered Piccolo app."""
    return [table for config in registry.app_configs.values() for table in config.table_classes]


def why_personal(table: type[Table]) -> str | None:
    """Why the table holds personal data, or None when nothing says it does."""
    name = table._meta.tablename
    if name in PERSONAL_TABLES:
        return PERSONAL_TABLES[name]
    for fk in table._meta.foreign_key_columns:
        if fk._foreign_key_meta.resolved_references._meta.tablename == USER_TABLE:
            return f"{fk._meta.name} references {USER_TABLE}"
    for column in table._meta.columns:
        if column._meta.name in PERSONAL_COLUMNS:
            return f"column {column._meta.name}"
    return None


def personal_tables(registry: AppRegistry) -> dict[str, str]:
    """Table name -> why it holds personal data, for every registered table that does."""
    out = {}
    for table in all_tables(registry):
        reason = why_personal(table)
        if reason is not None:
            out[table._meta.tablename] = reason
    return out


def declared_tables(plugin: Any) -> tuple[str, ...]:
    """The table names a plugin says it handles (``PERSONAL_DATA_TABLES``; none if unset)."""
    value = getattr(plugin, COVERS_ATTRIBUTE, ())
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"{COVERS_ATTRIBUTE} must be a tuple of table names, not {value!r}")
    return tuple(value)


def covered_tables(pm: MentorkitPluginManager) -> dict[str, str]:
    """Table name -> plugin, for tables declared by plugins that implement both data-rights hooks."""
    subjects = Hooks(pm).data_subjects()
    out: dict[str, str] = {}
    for name, plugin in pm.list_name_plugin():
        if name in subjects:
            for table in declared_tables(plugin):
                out[table] = name
    return out


def incomplete_declarations(pm: MentorkitPluginManager) -> dict[str, tuple[str, ...]]:
    """Plugins that declare tables but lack ``export_user_data`` or ``erase_user_data``."""
    subjects = Hooks(pm).data_subjects()
    return {name: declared_tables(plugin) for name, plugin in pm.list_name_plugin()
            if declared_tables(plugin) and name not in subjects}


def uncovered_tables(registry: AppRegistry, pm: MentorkitPluginManager) -> dict[str, str]:
    """Personal tables nobody handles and nobody has declared not personal: table -> why personal."""
    covered = covered_tables(pm)
    return {name: reason for name, reason in sorted(personal_tables(registry).items())
            if name not in covered and name not in NOT_PERSONAL}
