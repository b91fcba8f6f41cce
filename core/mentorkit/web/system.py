"""Operator routes: what is loaded, and whether this process is alive and ready."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler

from mentorkit.db.migrations import pending_migrations
from mentorkit.runtime import Runtime


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# Site admins only: names, versions and load errors tell an attacker what to try.
@get("/-/plugins.json", opt={"policy": "admin"}, tags=["system"], sync_to_thread=False)
def plugins_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Installed plugins: name, distribution, version, hooks; and those that failed to load (site admins)."""
    return _runtime(request).pm.report.as_dict()


@get("/health/live", opt={"policy": "public"}, tags=["system"], sync_to_thread=False)
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/health/ready", opt={"policy": "public"}, tags=["system"])
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """The database answers and every migration is applied (503 otherwise)."""
    runtime = _runtime(request)
    try:
        await runtime.database.ping()
        pending = await pending_migrations(runtime.database)
    except Exception as exc:
        return Response({"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"},
                        status_code=503)
    if pending:
        return Response({"status": "unavailable", "database": "ok",
                         "pending_migrations": [f"{m.app}:{m.migration_id}" for m in pending]},
                        status_code=503)
    return Response({"status": "ok", "database": "ok", "engine": runtime.database.engine_type})


def system_routes() -> list[HTTPRouteHandler]:
    """The core's operator routes."""
    return [plugins_json, live, ready]
