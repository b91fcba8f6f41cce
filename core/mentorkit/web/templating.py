"""One Jinja environment: site overrides, then plugins, then core; ``core:`` reaches core's."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import jinja2
from markupsafe import Markup

from mentorkit.accounts.time_zones import format_day, format_local, zone_of
from mentorkit.programs.labels import format_label, role_label, upper_first

CORE_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates")
CORE_STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")


def make_environment(site_dir: str | None, plugin_dirs: list[str], *, debug: bool = False) -> jinja2.Environment:
    """Build the environment. A plugin's ``{% extends "core:base.html" %}`` always gets core's
    base, even when a site overrides ``base.html``."""
    loaders: list[jinja2.BaseLoader] = []
    if site_dir and os.path.isdir(site_dir):
        loaders.append(jinja2.FileSystemLoader(site_dir))
    loaders.extend(jinja2.FileSystemLoader(d) for d in plugin_dirs)
    loaders.append(jinja2.FileSystemLoader(CORE_TEMPLATES))
    loaders.append(jinja2.PrefixLoader({"core": jinja2.FileSystemLoader(CORE_TEMPLATES)}, delimiter=":"))
    # autoescape is ours to set when we pass our own Environment (ASVS 1.2.1).
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file for changes on every render is for development only.
        auto_reload=debug,
    )
    environment.globals.update(forms=MacroLibrary(environment, "_forms.html"), ui=MacroLibrary(environment, "_ui.html"))
    environment.filters["local_time"] = local_time
    environment.filters["day"] = day
    # Roles and formats by their labels, never their keys (programs/labels.py).
    environment.globals.update(role_label=role_label, format_label=format_label)
    environment.filters["upper_first"] = upper_first
    return environment


@jinja2.pass_context
def local_time(context: jinja2.runtime.Context, moment: dt.datetime, style: str = "datetime") -> Markup:
    """``{{ session.held_at|local_time }}``: a stored (UTC) time in the viewer's own time zone,
    named; ``|local_time("date")`` for the day alone. The exact instant and the zone's full
    name are in the ``<time>`` element (``datetime`` and ``title``)."""
    zone = zone_of(context.get("current_user"))
    instant = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        instant.strftime("%Y-%m-%dT%H:%M:%SZ"), zone.key, format_local(moment, zone, style))


def day(value: dt.date) -> str:
    """``{{ milestone.due_on|day }}``: a calendar day (a due date, a resume date), which is
    the same day in every time zone: ``2 Dec 2026`` (plain text, so it also fits in hints and
    SVG labels)."""
    return format_day(value)


class MacroLibrary:
    """A macro file as a global of the environment: ``forms.field(...)``, ``ui.card(...)``.

    Every template can call the macros without ``{% import %}``. Jinja runs an import on every
    render (the module is cached, but finding out that it may use the cached one compares the
    page's globals with the file's, about a tenth of the home page's time for four imports).
    The file is loaded on first use, so a site's override of ``_ui.html`` counts, and again on
    every use while templates reload (``debug``).
    """

    def __init__(self, environment: jinja2.Environment, name: str) -> None:
        self._environment = environment
        self._name = name
        self._module: Any = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._environment.get_template(self._name).module
            if not self._environment.auto_reload:
                self._module = module
        return getattr(module, attribute)
