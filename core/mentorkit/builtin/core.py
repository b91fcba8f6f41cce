"""The core plugin: core tables, core routes, core event types."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit.hookspecs import hookimpl


@hookimpl(trylast=True)
def register_piccolo_apps(register: Callable[..., None]) -> None:
    register("mentorkit.db.piccolo_app")


@hookimpl(trylast=True)
def register_routes(register: Callable[..., None]) -> None:
    from mentorkit.web.system import system_routes

    for handler in system_routes():
        register(handler)
