"""One Jinja environment: site overrides, then plugins, then core; ``core:`` reaches core's."""

from __future__ import annotations

import os

import jinja2

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
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Checking every template file for changes on every render is for development only.
        auto_reload=debug,
    )

