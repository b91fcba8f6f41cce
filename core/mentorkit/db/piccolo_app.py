"""The core's Piccolo app: every core table, with the migrations shipped in ``piccolo_migrations``.

Each bounded context keeps its tables in its own ``tables.py``; they are collected here so the
core has one migration history.
"""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig, table_finder

TABLE_MODULES = [
    "mentorkit.events.tables",
    "mentorkit.accounts.tables",
    "mentorkit.programs.tables",
    "mentorkit.relationships.tables",
    "mentorkit.journeys.tables",
    "mentorkit.goals.tables",
    "mentorkit.profiles.tables",
    "mentorkit.imports.tables",
    "mentorkit.matching.tables",
]

APP_CONFIG = AppConfig(
    app_name="mentorkit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
