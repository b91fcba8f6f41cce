"""The typed facade over the plugin manager: the only code that calls hook implementations.

Registration hooks are called implementation by implementation so every registered object is
attributed to the plugin that registered it (for error messages, and so a plugin's settings
section is always its own name).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec
from pluggy import HookImpl

from mentorkit.contracts import (
    JourneyTemplate,
    MatchCriterion,
    MatchingStrategy,
    NotificationChannel,
    ProgramFormat,
    resolve,
)
from mentorkit.errors import PluginError
from mentorkit.plugins import MentorkitPluginManager, plugin_package_dir

if TYPE_CHECKING:
    import click
    from litestar import Litestar, Request
    from litestar.types import ControllerRouterHandler

    from mentorkit.events.model import Event


trace_log = logging.getLogger("mentorkit.plugins.trace")


class Hooks:
    """Typed calls into every loaded plugin."""

    def __init__(self, pm: MentorkitPluginManager) -> None:
        self.pm = pm

    def _impls(self, hook: str) -> list[HookImpl]:
        # pluggy keeps implementations in call order (last registered first); reverse so
        # built-ins come first in registries. No plugin may rely on this order.
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def _call(self, impl: HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        if self.pm.tracing:
            trace_log.info("%s.%s(%s)", impl.plugin_name, hook, ", ".join(sorted(kwargs)))
        return impl.function(**{k: kwargs[k] for k in impl.argnames})

    def _each(self, hook: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        for impl in self._impls(hook):
            yield impl.plugin_name, self._call(impl, hook, kwargs)

    def _collect(self, hook: str) -> list[tuple[str, Any]]:
        """Call a ``register_*`` hook with a per-plugin callback; return (plugin, item) pairs."""
        items: list[tuple[str, Any]] = []
        for impl in self._impls(hook):
            def register(item: Any, *rest: Any, _plugin: str = impl.plugin_name) -> None:
                items.append((_plugin, (item, *rest) if rest else item))
            self._call(impl, hook, {"register": register})
        return items

    @staticmethod
    def _keyed(kind: str, pairs: list[tuple[str, Any]], expected: type) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for plugin, item in pairs:
            if not isinstance(item, expected):
                raise PluginError(f"plugin '{plugin}' registered a {kind} that is not a {expected.__name__}: {item!r}")
            obj: Any = item
            if obj.key in out:
                raise PluginError(f"plugin '{plugin}' registered {kind} '{obj.key}', which is already registered")
            out[obj.key] = obj
        return out

    # ------------------------------------------------------------------ registration

    def settings_structs(self) -> dict[str, type[msgspec.Struct]]:
        """Each plugin's settings Struct, keyed by plugin name."""
        out: dict[str, type[msgspec.Struct]] = {}
        for plugin, struct in self._collect("register_settings"):
            if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
                raise PluginError(f"plugin '{plugin}' registered settings that are not a msgspec.Struct: {struct!r}")
            out[plugin] = struct
        return out

    def piccolo_apps(self) -> list[str]:
        """Dotted paths of every Piccolo app module (core's first)."""
        return [path for _, path in self._collect("register_piccolo_apps")]

    def routes(self) -> list[ControllerRouterHandler]:
        """Every route handler, controller and router contributed by plugins."""
        return [handler for _, handler in self._collect("register_routes")]

    def add_commands(self, cli: click.Group) -> None:
        """Let every plugin add its CLI commands."""
        for _ in self._each("register_commands", cli=cli):
            pass

    def event_types(self) -> dict[str, str]:
        """Declared event types and what each means."""
        out: dict[str, str] = {}
        for plugin, item in self._collect("register_event_types"):
            name, description = item if isinstance(item, tuple) else (item, "")
            if name in out:
                raise PluginError(f"plugin '{plugin}' declared event type '{name}', which is already declared")
            out[name] = description
        return out

    def program_formats(self) -> dict[str, ProgramFormat]:
        """Registered mentoring formats by key."""
        return self._keyed("program format", self._collect("register_program_formats"), ProgramFormat)

    def matching_strategies(self) -> dict[str, MatchingStrategy]:
        """Registered matching strategies by key."""
        return self._keyed("matching strategy", self._collect("register_matching_strategies"), MatchingStrategy)

    def match_criteria(self) -> dict[str, MatchCriterion]:
        """Registered matching criteria by key."""
        return self._keyed("matching criterion", self._collect("register_match_criteria"), MatchCriterion)

    def notification_channels(self) -> dict[str, NotificationChannel]:
        """Registered notification channels by key."""
        return self._keyed(
            "notification channel", self._collect("register_notification_channels"), NotificationChannel
        )

    def journey_templates(self) -> dict[str, dict[int, JourneyTemplate]]:
        """Registered journey templates: by key, then by version."""
        out: dict[str, dict[int, JourneyTemplate]] = {}
        for plugin, item in self._collect("register_journey_templates"):
            if not isinstance(item, JourneyTemplate):
                raise PluginError(f"plugin '{plugin}' registered a journey template that is not a "
                                  f"JourneyTemplate: {item!r}")
            versions = out.setdefault(item.key, {})
            if item.version in versions:
                raise PluginError(f"plugin '{plugin}' registered journey template '{item.key}' version "
                                  f"{item.version}, which is already registered")
            keys = [m.key for m in item.milestones]
            if len(set(keys)) != len(keys):
                raise PluginError(f"plugin '{plugin}': journey template '{item.key}' version {item.version} "
                                  "repeats a milestone key")
            versions[item.version] = item
        return out

    def journey_for_relationship(self, relationship: Any, template: JourneyTemplate) -> JourneyTemplate:
        """The journey a starting relationship gets: a plugin's composition, or ``template``."""
        for plugin, answer in self._each("journey_for_relationship", relationship=relationship, template=template):
            if answer is None:
                continue
            if not isinstance(answer, JourneyTemplate):
                raise PluginError(f"plugin '{plugin}' answered journey_for_relationship with {answer!r}, "
                                  "not a JourneyTemplate")
            return answer
        return template

    async def milestone_completion_refusals(self, relationship: Any, milestone: Any, actor: Any) -> list[str]:
        """Reasons plugins give to refuse completing a milestone."""
        answers = await self._answers("milestone_completion", relationship=relationship, milestone=milestone,
                                      actor=actor)
        return [reason for reason in answers if reason]

    # ------------------------------------------------------------------ domain decisions
    # A decision hook may be implemented with ``async def``: each answer is awaited when it is
    # awaitable, so sync and async implementations mix freely.

    async def _answers(self, hook: str, **kwargs: Any) -> list[Any]:
        return [await resolve(answer) for _, answer in self._each(hook, **kwargs)]

    async def validate_program(self, program: Any) -> list[str]:
        """Problems reported by any plugin about a program's configuration."""
        return [p for problems in await self._answers("validate_program", program=program) for p in (problems or [])]

    async def program_transition_refusals(self, program: Any, old: str, new: str, actor: Any) -> list[str]:
        """Reasons plugins give to refuse a program state change."""
        answers = await self._answers("program_transition", program=program, old=old, new=new, actor=actor)
        return [reason for reason in answers if reason]

    async def relationship_transition_refusals(self, relationship: Any, old: str, new: str, actor: Any) -> list[str]:
        """Reasons plugins give to refuse a relationship state change."""
        answers = await self._answers("relationship_transition", relationship=relationship, old=old, new=new,
                                      actor=actor)
        return [reason for reason in answers if reason]

    async def enrolment_questions(self, program: Any) -> list[tuple[str, Any]]:
        """Every plugin's enrolment questions for a program, as (plugin, question spec) pairs."""
        out: list[tuple[str, Any]] = []
        for plugin, answer in self._each("enrolment_questions", program=program):
            out.extend((plugin, spec) for spec in (await resolve(answer)) or [])
        return out

    async def enrolment_eligibility_refusals(self, program: Any, person: Any, role: str) -> list[str]:
        """Reasons plugins give to refuse someone enrolling with ``role``."""
        answers = await self._answers("enrolment_eligibility", program=program, person=person, role=role)
        return [reason for reason in answers if reason]

    # ------------------------------------------------------------------ events

    def event_subscribers(self) -> list[str]:
        """Names of the plugins that implement ``on_event``."""
        return [impl.plugin_name for impl in self._impls("on_event")]

    async def deliver_event(self, subscriber: str, event: Event) -> bool:
        """Deliver one event to one plugin; False when that plugin is not loaded now."""
        for impl in self._impls("on_event"):
            if impl.plugin_name == subscriber:
                await resolve(self._call(impl, "on_event", {"event": event}))
                return True
        return False

    # ------------------------------------------------------------------ web

    def nav_items(self, request: Request[Any, Any, Any]) -> list[dict[str, str]]:
        """Navigation entries added by plugins for this request."""
        return [item for _, items in self._each("extra_nav_items", request=request) for item in (items or [])]

    def template_vars(self, request: Request[Any, Any, Any], template: str) -> dict[str, Any]:
        """Extra template variables from plugins."""
        out: dict[str, Any] = {}
        for _, extra in self._each("extra_template_vars", request=request, template=template):
            out.update(extra or {})
        return out

    def _convention_dirs(self, sub: str) -> list[tuple[str, str]]:
        """(plugin name, directory) for plugins that ship a ``templates/`` or ``static/`` folder."""
        out = []
        for loaded in self.pm.report.loaded:
            if loaded.builtin:
                continue
            base = plugin_package_dir(self.pm, loaded.name)
            if base and os.path.isdir(os.path.join(base, sub)):
                out.append((loaded.name, os.path.join(base, sub)))
        return out

    def template_dirs(self) -> list[tuple[str, str]]:
        """Plugin template folders (templates live in ``templates/<plugin>/`` inside)."""
        return self._convention_dirs("templates")

    def static_dirs(self) -> list[tuple[str, str]]:
        """Plugin static folders, served at ``/static/p/<plugin>/``."""
        return self._convention_dirs("static")

    # ------------------------------------------------------------------ data rights

    async def export_user_data(self, user_id: int) -> dict[str, Any]:
        """Every plugin's export for one user, keyed by plugin name."""
        out: dict[str, Any] = {}
        for plugin, data in self._each("export_user_data", user_id=user_id):
            value = await resolve(data)
            if value is not None:
                out[plugin] = value
        return out

    async def erase_user_data(self, user_id: int) -> None:
        """Ask every plugin to erase what it holds about one user."""
        for _, result in self._each("erase_user_data", user_id=user_id):
            await resolve(result)

    def data_subjects(self) -> set[str]:
        """Plugins that implement both data-rights hooks."""
        exporters = {impl.plugin_name for impl in self._impls("export_user_data")}
        erasers = {impl.plugin_name for impl in self._impls("erase_user_data")}
        return exporters & erasers

    # ------------------------------------------------------------------ lifecycle

    async def startup(self, app: Litestar) -> None:
        """Run every plugin's start-up hook."""
        for _, result in self._each("startup", app=app):
            await resolve(result)

    async def shutdown(self, app: Litestar) -> None:
        """Run every plugin's shut-down hook (all of them, even if one fails)."""
        errors: list[BaseException] = []
        for impl in self._impls("shutdown"):
            try:
                await resolve(self._call(impl, "shutdown", {"app": app}))
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]


    # ------------------------------------------------------------------ page slots

    async def page_panels(self, request: Request[Any, Any, Any], slot: str, subject: Any) -> list[tuple[str, Any]]:
        """Every plugin's panels for one page slot, as (plugin, panel) pairs (awaited when a
        plugin returns an awaitable). A plugin that raises is logged and left out: one broken
        panel never breaks a core page."""
        out: list[tuple[str, Any]] = []
        for impl in self._impls("page_panels"):
            try:
                panels = await resolve(self._call(impl, "page_panels",
                                                   {"request": request, "slot": slot, "subject": subject}))
            except Exception:
                panel_log.exception("plugin '%s' failed to give its panels for the page slot '%s'",
                                    impl.plugin_name, slot)
                continue
            out.extend((impl.plugin_name, panel) for panel in panels or [])
        return out


panel_log = logging.getLogger("mentorkit.plugins.panels")
