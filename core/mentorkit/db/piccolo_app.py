"""The core's Piccolo app: every core table, with the migrations shipped in ``db/migrations``."""

from __future__ import annotations

import os

from piccolo.conf.apps import AppConfig

from mentorkit.events.tables import Delivery, EventRecord, Timer

APP_CONFIG = AppConfig(
    app_name="mentorkit",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[EventRecord, Delivery, Timer],
    migration_dependencies=[],
    commands=[],
)
