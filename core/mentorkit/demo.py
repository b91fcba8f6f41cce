"""The demo site (filled in by the accounts and programs features)."""

from __future__ import annotations

from typing import Any


async def fill_demo_site(runtime: Any) -> list[str]:
    """Create demo data if the site is empty; return lines telling how to log in."""
    return [f"Demo site ready at {runtime.settings.base_url}"]
