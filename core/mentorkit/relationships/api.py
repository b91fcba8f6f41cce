"""Routes (being written)."""

from __future__ import annotations

from typing import Any


def relationship_api_routes() -> list[Any]:
    """Route handlers of this module."""
    return []
