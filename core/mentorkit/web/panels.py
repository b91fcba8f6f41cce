"""Page slots: named regions of core pages that plugins fill with panels (``page_panels``).

A plugin returns ``Panel`` objects naming one of its templates; the core renders each through
the app's own environment (autoescape on, the same globals as every page), so a plugin never
hands the core raw HTML. A panel whose hook or template raises is logged and left out.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from markupsafe import Markup

from mentorkit.web.csrf import page_token
from mentorkit.web.pages import AnyRequest

log = logging.getLogger("mentorkit.plugins.panels")

# Every slot a core page offers, and where it is (docs/ui.md lists the same).
SLOTS = {
    "home": "the signed-in start page, after the person's relationships and enrolments",
    "program.participant": "a program's overview, after “Take part”, for everybody who may read it",
    "program.staff": "a program's overview, after “At a glance”, for its staff and site admins",
    "relationship": "a relationship's page, after its sessions and the log-a-session form",
    "account": "the account page, after the person's data",
    "admin": "the site administration page, after the people",
}


class Panel(msgspec.Struct, frozen=True, kw_only=True):
    """One panel a plugin shows in a page slot.

    ``template`` is a template of the plugin (``"<plugin>/panel.html"``), rendered with
    ``context`` plus ``current_user``, ``csrf_token``, ``request``, ``request_path``, ``slot``
    and ``subject`` (these win over ``context``). ``title`` is the panel's heading (none when
    empty). Panels of one slot are shown by ``order``, lowest first, then by plugin name.
    """

    title: str
    template: str
    context: dict[str, Any] = msgspec.field(default_factory=dict)
    order: int = 0


class ShownPanel(msgspec.Struct, frozen=True, kw_only=True):
    """A rendered panel, as core templates receive it (``ui.panels(panels)``)."""

    plugin: str
    title: str
    html: Markup


async def page_panels(request: AnyRequest, slot: str, subject: Any = None) -> list[ShownPanel]:
    """The rendered panels every plugin gives for ``slot`` of this page, in order."""
    if slot not in SLOTS:
        raise ValueError(f"no page slot {slot!r} (slots: {', '.join(SLOTS)})")
    runtime = request.app.state.runtime
    given = await runtime.hooks.page_panels(request, slot, subject)
    if not given:
        return []
    engine = request.app.template_engine
    if engine is None:
        raise RuntimeError("the app has no template engine")
    environment = engine.engine
    page = {
        "current_user": request.scope.get("user"),
        "csrf_token": page_token(request.scope),
        "request": request,
        "request_path": request.scope["path"],
        "slot": slot,
        "subject": subject,
    }
    shown = []
    for plugin, panel in sorted(given, key=lambda pair: (getattr(pair[1], "order", 0), pair[0])):
        if not isinstance(panel, Panel):
            log.error("plugin '%s' gave the page slot '%s' something that is not a Panel: %r", plugin, slot, panel)
            continue
        try:
            html = environment.get_template(panel.template).render({**panel.context, **page})
        except Exception:
            log.exception("plugin '%s' failed to render its panel %r for the page slot '%s'",
                          plugin, panel.template, slot)
            continue
        # Safe: the template was rendered by the autoescaping environment, values escaped.
        shown.append(ShownPanel(plugin=plugin, title=panel.title, html=Markup(html)))  # noqa: S704
    return shown
