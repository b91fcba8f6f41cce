"""CSV import and export pages and their API twins."""

from __future__ import annotations

from typing import Any


def import_routes() -> list[Any]:
    """Every import and export route (pages and API)."""
    return []
