"""Building the plugin manager: built-in plugins first, then installed entry points one by one.

Nothing is loaded at import time: ``create_plugin_manager()`` is called by the app factory, the
CLI and the test fixtures, each with the environment it wants.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import logging
import os
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from mentorkit import hookspecs
from mentorkit.errors import PluginError

log = logging.getLogger("mentorkit.plugins")

ENTRY_POINT_GROUP = "mentorkit"

# Core features are plugins too, registered through the same hooks (marked trylast, so an
# installed plugin can always win). Names are dotted so they never clash with entry points.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "mentorkit.builtin.core",
    "mentorkit.builtin.accounts",
    "mentorkit.builtin.mentoring",
    "mentorkit.builtin.one_to_one",
    "mentorkit.builtin.manual_matching",
    "mentorkit.builtin.in_app_channel",
    "mentorkit.builtin.data_rights",
)


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin that is registered and active."""

    name: str
    distribution: str | None
    version: str | None
    module: str
    builtin: bool
    hooks: tuple[str, ...]


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded, and why (shown by ``mentorkit plugins``)."""

    name: str
    distribution: str | None
    error: str


@dataclass
class PluginReport:
    """What happened while loading plugins."""

    loaded: list[LoadedPlugin] = field(default_factory=list)
    failed: list[PluginFailure] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``/-/plugins.json``, ``mentorkit plugins --json``)."""
        return {
            "plugins": [{"name": p.name, "distribution": p.distribution, "version": p.version,
                         "builtin": p.builtin, "hooks": list(p.hooks)} for p in self.loaded],
            "failed": [{"name": f.name, "distribution": f.distribution, "error": f.error} for f in self.failed],
            "disabled": self.disabled,
        }


class MentorkitPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers what loading it went through."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.add_hookspecs(hookspecs)
        self.report = PluginReport()
        # MENTORKIT_TRACE_PLUGINS: the facade logs every call it makes to a plugin.
        self.tracing = False


def _names(value: str | None) -> set[str] | None:
    if value is None or not value.strip():
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _hook_names(plugin: object) -> tuple[str, ...]:
    return tuple(sorted(name for name in dir(plugin) if _is_hookimpl(plugin, name)))


def _is_hookimpl(plugin: object, name: str) -> bool:
    return hasattr(getattr(plugin, name, None), f"{hookspecs.PROJECT}_impl")


def _check_hook_names(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    """Refuse a plugin whose hook implementations name no Mentorkit hook (a misspelling)."""
    known = [n for n in dir(hookspecs) if callable(getattr(hookspecs, n)) and
             hasattr(getattr(hookspecs, n), f"{hookspecs.PROJECT}_spec")]
    for hook in _hook_names(plugin):
        if hook not in known:
            close = difflib.get_close_matches(hook, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise PluginError(
                f"plugin '{name}' implements '{hook}', which is not a Mentorkit hook{hint} "
                f"(start without it: MENTORKIT_DISABLE_PLUGINS={name})"
            )


def _register(
    pm: MentorkitPluginManager, plugin: object, name: str, dist: importlib.metadata.Distribution | None,
    builtin: bool,
) -> None:
    _check_hook_names(pm, name, plugin)
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        # pluggy's message spans several lines; keep the hook name and the argument problem.
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        hook = next((line.split("for hook ")[1].strip("'") for line in lines if "for hook " in line), "")
        detail = next((line for line in lines if line.startswith("Argument")), lines[-1] if lines else "")
        where = f" hook '{hook}':" if hook else ""
        raise PluginError(f"plugin '{name}' cannot be registered:{where} {detail}") from exc
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    pm.report.loaded.append(
        LoadedPlugin(
            name=name,
            distribution=dist.metadata["Name"] if dist else None,
            version=dist.version if dist else None,
            module=module,
            builtin=builtin,
            hooks=_hook_names(plugin),
        )
    )


def create_plugin_manager(
    env: Mapping[str, str] | None = None,
    *,
    extra_plugins: Iterable[tuple[str, object]] = (),
    entry_points: bool = True,
) -> MentorkitPluginManager:
    """Build a plugin manager: built-ins, then installed entry points, then ``extra_plugins``.

    ``env`` (default ``os.environ``) is read for ``MENTORKIT_LOAD_PLUGINS`` (only these
    entry points), ``MENTORKIT_DISABLE_PLUGINS`` (never these), ``MENTORKIT_STRICT_PLUGINS``
    (a plugin that fails to import stops start-up) and ``MENTORKIT_TRACE_PLUGINS`` (log every
    hook call). A plugin that raises on import is reported in ``pm.report.failed`` and
    skipped; a plugin that implements a hook that does not exist raises ``PluginError``.
    """
    env = os.environ if env is None else env
    only = _names(env.get("MENTORKIT_LOAD_PLUGINS"))
    disabled = _names(env.get("MENTORKIT_DISABLE_PLUGINS")) or set()
    strict = _flag(env.get("MENTORKIT_STRICT_PLUGINS"))

    pm = MentorkitPluginManager()
    for module_name in BUILTIN_PLUGINS:
        if module_name in disabled:
            pm.report.disabled.append(module_name)
            continue
        module = importlib.import_module(module_name)
        _register(pm, module, module_name, None, builtin=True)

    if entry_points:
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in disabled or (only is not None and ep.name not in only):
                pm.report.disabled.append(ep.name)
                continue
            if pm.has_plugin(ep.name):
                continue  # the same distribution seen twice on sys.path
            dist = ep.dist
            try:
                plugin = ep.load()
            except Exception as exc:
                failure = PluginFailure(
                    name=ep.name,
                    distribution=dist.metadata["Name"] if dist else None,
                    error=f"{type(exc).__name__}: {exc}",
                )
                if strict:
                    raise PluginError(
                        f"plugin '{failure.name}' (distribution {failure.distribution}) failed to "
                        f"load: {failure.error}"
                    ) from exc
                log.error("plugin %r (distribution %s) failed to load and is skipped: %s",
                          failure.name, failure.distribution, failure.error)
                log.debug("traceback of plugin %r:\n%s", failure.name, traceback.format_exc())
                pm.report.failed.append(failure)
                continue
            _register(pm, plugin, ep.name, dist, builtin=False)

    for name, plugin in extra_plugins:
        _register(pm, plugin, name, None, builtin=False)

    pm.check_pending()
    if _flag(env.get("MENTORKIT_TRACE_PLUGINS")):
        pm.tracing = True
        trace_log = logging.getLogger("mentorkit.plugins.trace")
        pm.trace.root.setwriter(lambda message: trace_log.info(message.rstrip()))
        pm.enable_tracing()
    return pm


def plugin_package_dir(pm: pluggy.PluginManager, name: str) -> str | None:
    """The directory of a plugin's package, where its ``templates/`` and ``static/`` live."""
    plugin: Any = pm.get_plugin(name)
    module = plugin if isinstance(plugin, ModuleType) else importlib.import_module(type(plugin).__module__)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    return os.path.dirname(file)
