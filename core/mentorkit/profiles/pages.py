"""Profile pages: one's own profile, other people's (as far as each field's visibility allows),
the tag vocabulary for site admins."""

from __future__ import annotations

from typing import Any


def profile_page_routes() -> list[Any]:
    """Every profile page route."""
    return []
