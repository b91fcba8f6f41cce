"""The profile API under ``/api/v1``: the twins of the profile pages."""

from __future__ import annotations

from typing import Any


def profile_api_routes() -> list[Any]:
    """Every profile API route."""
    return []
