"""A throwaway plugin that fills every page slot (tests/test_page_panels.py, the browser test).

Its panel shows the slot, what the page is about, a value that must be escaped and one the
plugin marked safe. The hook is async, so the core must await it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from markupsafe import Markup

from mentorkit import hookimpl
from mentorkit.web import Panel, redirect, render_page


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


@get("/p/slotdemo/", opt={"policy": "signed_in"}, include_in_schema=False)
async def demo_page(request: Request[Any, Any, Any]) -> Template:
    """A full plugin page, as docs/plugins.md shows it."""
    return render_page(request, "slotdemo/page.html", shown="a plugin page")


@post("/p/slotdemo/", opt={"policy": "signed_in"}, include_in_schema=False)
async def demo_post(request: Request[Any, Any, Any]) -> Redirect:
    """A form post answered with a redirect and a message for the next page."""
    return redirect("/p/slotdemo/", flash="Saved by the plugin.")


class DemoPage:
    """A full plugin page through ``render_page``, a form post answered with ``redirect``, and
    ``extra_template_vars`` that try to replace a core variable."""

    @hookimpl
    def register_routes(self, register: Any) -> None:
        register(demo_page)
        register(demo_post)

    @hookimpl
    def extra_nav_items(self, request: Any) -> list[dict[str, str]]:
        return [{"label": "Slot demo", "href": "/p/slotdemo/"}]

    @hookimpl
    def extra_template_vars(self, request: Any, template: str) -> dict[str, Any]:
        return {"current_user": None, "demo_note": f"extra for {template}"}
