"""The application factory: ``create_app(settings)`` builds a Litestar app from a runtime."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins import InitPluginProtocol, PluginProtocol
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.router import Router
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from mentorkit.policy import enforce_policy
from mentorkit.runtime import Runtime, build_runtime
from mentorkit.settings import Settings, ensure_secret_key
from mentorkit.web.auth import auth_middleware
from mentorkit.web.csrf import csrf_middleware
from mentorkit.web.errors import EXCEPTION_HANDLERS
from mentorkit.web.limits import MAX_BODY_BYTES, LimitedRequest, form_limits_middleware, refuse_unusable_parameters
from mentorkit.web.openapi import CompleteJsonRenderPlugin
from mentorkit.web.pages import current_csrf_token
from mentorkit.web.security_headers import security_headers_hook
from mentorkit.web.templating import CORE_STATIC, make_environment


class MentorkitInitPlugin(InitPluginProtocol):
    """Wires the runtime into Litestar: routes, templates, static files, errors, lifespan."""

    def __init__(self, runtime: Runtime, *, run_worker: bool) -> None:
        self.runtime = runtime
        self.run_worker = run_worker

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        runtime = self.runtime.activate()
        await runtime.database.open()
        worker = runtime.make_worker() if self.run_worker else None
        runtime.worker = worker
        try:
            await runtime.hooks.startup(app)
            if worker is not None:
                worker.start()
            yield
        finally:
            try:
                if worker is not None:
                    await worker.stop()
                    runtime.worker = None
                await runtime.hooks.shutdown(app)
            finally:
                await runtime.database.close()

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        runtime = self.runtime
        hooks = runtime.hooks
        # One router for all plugin routes: Litestar rebuilds its routing trie after every
        # top-level registration, which for some sixty handlers is quadratic.
        app_config.route_handlers.append(_PluginRoutes(path="/", route_handlers=hooks.routes()))
        app_config.route_handlers.append(
            create_static_files_router(path="/static/core", directories=[CORE_STATIC], opt={"policy": "public"},
                                       include_in_schema=False, name="static-core")
        )
        for name, directory in hooks.static_dirs():
            app_config.route_handlers.append(
                create_static_files_router(path=f"/static/p/{name}", directories=[directory],
                                           opt={"policy": "public"}, include_in_schema=False,
                                           name=f"static-{name}")
            )
        site_templates = os.path.join(runtime.settings.data_dir, "templates")
        environment = make_environment(site_templates, [d for _, d in hooks.template_dirs()],
                                       debug=runtime.settings.debug)
        environment.globals.update(site_name=runtime.settings.site_name, current_csrf_token=current_csrf_token)
        app_config.template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))
        # Parameters that cannot name anything are refused before a policy looks them up.
        app_config.guards.extend([refuse_unusable_parameters, enforce_policy])
        app_config.exception_handlers.update(EXCEPTION_HANDLERS)
        app_config.lifespan.append(self.lifespan)
        app_config.state = State({"runtime": runtime, "settings": runtime.settings})
        return app_config


class _PluginRoutes(Router):
    """The router holding every plugin's routes, registered in the app as it is.

    Litestar deep-copies a router it registers (so one router can serve several apps); this
    one is built for one app, and its handlers are the same objects Litestar would register
    without copying had they been listed one by one. Copying them cost about a quarter of
    ``create_app``.
    """

    def __deepcopy__(self, memo: dict[int, object]) -> _PluginRoutes:
        return self


class MentorkitApp(Litestar):
    """Litestar without its Pydantic and attrs plugins.

    Litestar adds them whenever the libraries are importable; Pydantic is installed only
    because Piccolo depends on it, Mentorkit's schemas are msgspec Structs, and loading the
    plugin costs about a fifth of a second at every start (the issue's start-up budget is 0.6 s).
    """

    @staticmethod
    def _get_default_plugins(plugins: list[PluginProtocol]) -> list[PluginProtocol]:
        from litestar.plugins.core import MsgspecDIPlugin

        plugins.append(MsgspecDIPlugin())
        return plugins


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None,
               run_worker: bool | None = None) -> Litestar:
    """Build the web application for ``settings`` (loaded from the environment when omitted).

    The event worker runs inside the app unless ``settings.worker_in_process`` is false or
    ``run_worker=False``.
    """
    runtime = runtime or build_runtime(settings)
    settings = runtime.settings
    ensure_secret_key(settings)
    if run_worker is None:
        run_worker = settings.worker_in_process
    secure = settings.secure_cookies
    return MentorkitApp(
        plugins=[MentorkitInitPlugin(runtime, run_worker=run_worker)],
        # Form bodies within the limits (read once, before anything else), who is asking, then
        # the CSRF check (which exempts bearer-token calls).
        middleware=[form_limits_middleware, auth_middleware(secure), csrf_middleware(settings.secret_key, secure)],
        request_class=LimitedRequest,
        # Security headers on every answer, the router's own 404/405 included.
        before_send=[security_headers_hook(https=secure)],
        # Only the JSON document (the UI plugins load their assets from CDNs), with every error
        # response the server gives (web/openapi.py).
        openapi_config=OpenAPIConfig(
            title=settings.site_name + " API", version="1", path="/api/v1/schema",
            render_plugins=[CompleteJsonRenderPlugin()], create_examples=False,
            openapi_router=Router(path="/api/v1/schema", route_handlers=[], opt={"policy": "public"},
                                  include_in_schema=False),
        ),
        request_max_body_size=MAX_BODY_BYTES,
        # Unhandled errors are logged by our own handler (web/errors.py), always; Litestar's
        # own logging would also report every 401/403 as an "uncaught exception".
        logging_config=LoggingConfig(log_exceptions="debug",
                                     root={"level": settings.log_level, "handlers": ["queue_listener"]}),
        debug=settings.debug,
    )


