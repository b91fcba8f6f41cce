"""The app's route list, for tests that must cover every route (access and CSRF)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}


@dataclass(frozen=True)
class RouteCase:
    """One method on one path template, with the handler that serves it."""

    method: str
    path: str
    policy: str | None
    handler: Any

    @property
    def unsafe(self) -> bool:
        return self.method not in SAFE

    def url(self, params: dict[str, Any]) -> str:
        """The path with its parameters filled in (``{name:type}`` -> params[name])."""
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return str(params[name]) if name in params else "1"

        return re.sub(r"\{(\w+)(?::[^}]*)?\}", fill, self.path)


def route_cases(app: Litestar) -> list[RouteCase]:
    """Every (method, path) the app serves, except Litestar's automatic HEAD/OPTIONS."""
    cases = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                cases.append(RouteCase(method, route.path, handler.opt.get("policy"), handler))
    return sorted(cases, key=lambda c: (c.path, c.method))
