"""The runtime of one process: settings, plugins, database and worker, built in one place.

The web app, the CLI and the test fixtures all call ``build_runtime``; nothing of this exists
until then. Services reach the active runtime with ``current_runtime()``, the same way
Piccolo's tables reach the active database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorkit.contracts import MatchingStrategy, NotificationChannel, ProgramFormat
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
    """The runtime built for this process."""
    if _current is None:
        raise RuntimeError("Mentorkit is not started: call build_runtime() or create_app() first")
    return _current


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
    )
    return runtime.activate()
