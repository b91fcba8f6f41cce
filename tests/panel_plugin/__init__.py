"""A throwaway plugin that fills every page slot (tests/test_page_panels.py, the browser test).

Its panel shows the slot, what the page is about, a value that must be escaped and one the
plugin marked safe. The hook is async, so the core must await it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from mentorkit import hookimpl
from mentorkit.web import Panel


def about(subject: Any) -> str:
    """What the page is about, as the panel names it."""
    if subject is None:
        return "nothing"
    return f"{type(subject).__name__} {subject.id}"


class SlotDemo:
    """Fills every slot; ``slots`` limits which (all when None)."""

    def __init__(self, slots: set[str] | None = None) -> None:
        self.slots = slots

    @hookimpl
    async def page_panels(self, request: Any, slot: str, subject: Any) -> list[Panel] | None:
        if self.slots is not None and slot not in self.slots:
            return None
        return [Panel(title=f"Slot demo: {slot}", template="slotdemo/panel.html", context={
            "about": about(subject),
            "viewer": request.user.display_name,
            "unsafe": "<script>alert('x')</script>",
            "marked": Markup("<em>marked safe by the plugin</em>"),
        })]


class BrokenPanels:
    """A plugin whose hook raises for one slot and whose template breaks for another."""

    @hookimpl
    def page_panels(self, request: Any, slot: str, subject: Any) -> list[Panel]:
        if slot == "home":
            raise RuntimeError("the panel service is down")
        return [Panel(title="Broken", template="slotdemo/missing.html")]
