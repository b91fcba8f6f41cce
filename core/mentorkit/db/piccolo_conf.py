"""Piccolo's configuration module (``PICCOLO_CONF=mentorkit.db.piccolo_conf``).

``DB`` and ``APP_REGISTRY`` are looked up on demand from the active ``Database``, so nothing is
decided at import time and tests can switch databases.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from mentorkit.db.database import active_database

    if name == "DB":
        return active_database().engine
    if name == "APP_REGISTRY":
        return active_database().registry
    raise AttributeError(name)
