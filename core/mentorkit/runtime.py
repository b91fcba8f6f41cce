"""The runtime of one process: settings, plugins, database and worker, built in one place.

The web app, the CLI and the test fixtures all call ``build_runtime``; nothing of this exists
until then. Services reach the active runtime with ``current_runtime()``, the same way
Piccolo's tables reach the active database.

Public for plugins (docs/plugins.md, "Runtime outside a request"): ``running()`` for code that
runs outside a request (``on_event``, scheduled jobs, scripts), ``with_runtime`` for click
commands, and ``current_runtime()``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from mentorkit.contracts import JourneyTemplate, MatchCriterion, MatchingStrategy, NotificationChannel, ProgramFormat
from mentorkit.db.database import Database
from mentorkit.events.worker import EventWorker, WorkerPolicy
from mentorkit.hooks import Hooks
from mentorkit.plugins import MentorkitPluginManager, create_plugin_manager
from mentorkit.settings import Settings, load_settings

log = logging.getLogger("mentorkit")

_current: Runtime | None = None


@dataclass
class Runtime:
    """Everything a Mentorkit process needs, resolved once at start-up."""

    settings: Settings
    pm: MentorkitPluginManager
    hooks: Hooks
    database: Database
    event_types: dict[str, str]
    formats: dict[str, ProgramFormat]
    strategies: dict[str, MatchingStrategy]
    channels: dict[str, NotificationChannel]
    # Journey templates by key, then version.
    journeys: dict[str, dict[int, JourneyTemplate]] = field(default_factory=dict)
    # Matching criteria (register_match_criteria) by key, for scoring strategies.
    match_criteria: dict[str, MatchCriterion] = field(default_factory=dict)
    worker: EventWorker | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def activate(self) -> Runtime:
        """Make this the runtime of the process (and its database the active one)."""
        global _current
        self.database.activate()
        _current = self
        return self

    def make_worker(self, name: str | None = None) -> EventWorker:
        """A worker with the configured retry policy."""
        s = self.settings
        policy = WorkerPolicy(max_attempts=s.worker_max_attempts, backoff_seconds=s.worker_backoff_seconds,
                              poll_seconds=s.worker_poll_seconds, lease_seconds=s.worker_lease_seconds)
        return EventWorker(self.hooks.deliver_event, policy, name=name)


def current_runtime() -> Runtime:
    """The runtime of this process: its ``settings`` (``settings.plugin("<name>")`` for a
    plugin's section), ``database``, ``formats``, ``strategies`` and ``channels``.

    Set inside the web app, the worker (so in ``on_event``) and a command run with
    ``with_runtime``; anywhere else, use ``running()``.
    """
    if _current is None:
        raise RuntimeError("Mentorkit is not started: use mentorkit.runtime.running() or with_runtime")
    return _current


def _runtime_for_this_process() -> Runtime:
    """The running ``mentorkit`` command's runtime (built once per command, from its
    ``--config`` and the environment), else the active one, else one built from the settings
    file and environment."""
    import click

    from mentorkit.cli import CliState

    context = click.get_current_context(silent=True)
    state = context.find_object(CliState) if context is not None else None
    if context is not None and state is not None:
        runtime = context.meta.get("mentorkit.runtime")
        if runtime is None:
            runtime = context.meta["mentorkit.runtime"] = state.runtime()
        return runtime.activate()
    return _current if _current is not None else build_runtime()


@asynccontextmanager
async def running() -> AsyncIterator[Runtime]:
    """The runtime with its database open, for code outside a request.

    In the web app and the worker (``on_event``, scheduled jobs) this is the process's runtime,
    already open, and it stays open afterwards. Elsewhere (a command, a script) the runtime is
    built from the settings file and environment, its database opened for the block and
    closed after it::

        async with running() as runtime:
            greeting = runtime.settings.plugin("hello").greeting
            count = await Greeting.count()
    """
    runtime = _runtime_for_this_process()
    if runtime.database.is_open:
        yield runtime
        return
    await runtime.database.open()
    try:
        yield runtime
    finally:
        await runtime.database.close()


P = ParamSpec("P")
R = TypeVar("R")


def with_runtime(command: Callable[P, Awaitable[R]]) -> Callable[P, R]:
    """Run an async click command inside ``running()``: settings from the ``mentorkit``
    command's ``--config`` and environment, the database open while it runs::

        @click.command()
        @click.argument("name")
        @with_runtime
        async def greet(name: str) -> None:
            settings = current_runtime().settings.plugin("hello")
            ...
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        async def inside() -> R:
            async with running():
                return await command(*args, **kwargs)

        return asyncio.run(inside())

    return run


def complete_plugin_settings(settings: Settings, hooks: Hooks) -> Settings:
    """Give every plugin with declared settings its defaults where none were loaded."""
    for name, struct in hooks.settings_structs().items():
        if not isinstance(settings.plugins.get(name), struct):
            import msgspec

            settings.plugins[name] = msgspec.convert(settings.plugins.get(name) or {}, struct, strict=False)
    return settings


def build_runtime(
    settings: Settings | None = None,
    *,
    env: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    pm: MentorkitPluginManager | None = None,
    extra_plugins: Iterable[tuple[str, object]] = (),
) -> Runtime:
    """Load plugins, settings and the database registry, and activate the result."""
    pm = pm or create_plugin_manager(env, extra_plugins=extra_plugins)
    hooks = Hooks(pm)
    if settings is None:
        settings = load_settings(plugin_structs=hooks.settings_structs(), config_file=config_file,
                                 env=env, overrides=overrides)
    else:
        complete_plugin_settings(settings, hooks)
    database = Database(settings.database_url, hooks.piccolo_apps(), pool_size=settings.database_pool_size)
    runtime = Runtime(
        settings=settings, pm=pm, hooks=hooks, database=database,
        event_types=hooks.event_types(), formats=hooks.program_formats(),
        strategies=hooks.matching_strategies(), channels=hooks.notification_channels(),
        journeys=hooks.journey_templates(), match_criteria=hooks.match_criteria(),
    )
    return runtime.activate()
