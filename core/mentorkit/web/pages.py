"""Rendering pages: every template gets the same context (user, navigation, CSRF, flashes)."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote, unquote

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Redirect, Template

from mentorkit.web.csrf import page_token

# Handlers take the request untyped in its user/auth/state parameters.
AnyRequest = Request[Any, Any, Any]

FLASH_COOKIE = "mentorkit_flash"

# The CSRF token of the page being rendered, for macros imported without context
# (``current_csrf_token()`` in templates). Set in the request's own task, read while rendering.
_page_csrf_token: ContextVar[str] = ContextVar("mentorkit_page_csrf_token", default="")


def current_csrf_token() -> str:
    """The CSRF token of the request whose page is being rendered."""
    return _page_csrf_token.get()


def core_nav(user: Any) -> list[dict[str, str]]:
    """The core's navigation for this person."""
    if user is None:
        return []
    items = [
        {"label": "Home", "href": "/"},
        {"label": "Programs", "href": "/programs"},
        {"label": "Notifications", "href": "/notifications"},
    ]
    if user.is_admin:
        items.append({"label": "Admin", "href": "/admin"})
    return items


def active_nav_href(nav: list[dict[str, str]], path: str) -> str | None:
    """The nav item to mark as current: the longest href that is ``path`` or a parent of it."""
    best, best_length = None, -1
    for item in nav:
        href = item["href"].split("?")[0].split("#")[0]
        base = href.rstrip("/")
        # "/p/hello/" is also the current item on "/p/hello" (the router may drop the slash).
        same = path == href or (base and path.rstrip("/") == base)
        if (same or (base and path.startswith(base + "/"))) and len(href) > best_length:
            best, best_length = item["href"], len(href)
    return best


def _flashes(request: Request[Any, Any, Any]) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = json.loads(unquote(raw))
    except ValueError:
        return []
    return [{"level": str(i.get("level", "info")), "message": str(i.get("message", ""))}
            for i in items if isinstance(i, dict)][:5]


def render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """A full page: ``template`` with the layout's context and ``context`` on top.

    Public as ``mentorkit.web.render_page``. The layout's context is what every page gets
    (docs/ui.md): ``current_user``, ``nav_items`` (core's and plugins'), ``nav_active``,
    ``request_path``, ``csrf_token``, ``flashes`` (shown once, then cleared), then the
    variables of ``extra_template_vars``.
    """
    runtime = request.app.state.runtime
    user = request.scope.get("user")
    nav = core_nav(user) + runtime.hooks.nav_items(request)
    path = request.scope["path"]
    base = {
        "current_user": user,
        "nav_items": nav,
        "nav_active": active_nav_href(nav, path),
        "request_path": path,
        "csrf_token": page_token(request.scope),
        "flashes": _flashes(request),
    }
    _page_csrf_token.set(base["csrf_token"])
    # Plugins add variables; they never replace the page context core's templates rely on.
    for name, value in runtime.hooks.template_vars(request, template).items():
        base.setdefault(name, value)
    base.update(context)
    response = Template(template_name=template, context=base, status_code=status_code, media_type=MediaType.HTML)
    if base["flashes"]:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(to: str, *, flash: str | None = None, level: str = "success") -> Redirect:
    """A 303 redirect after a form post, optionally carrying a message to the next page."""
    response = Redirect(to, status_code=303)
    if flash:
        add_flash(response, flash, level)
    return response


def add_flash(response: Response[Any], message: str, level: str = "success") -> None:
    """Show ``message`` on the next page this browser renders."""
    response.set_cookie(FLASH_COOKIE, quote(json.dumps([{"level": level, "message": message}])),
                        httponly=True, samesite="lax", max_age=60, path="/")
