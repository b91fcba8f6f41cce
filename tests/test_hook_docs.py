"""The hook reference in docs/plugin-hooks.md is generated from hookspecs.py and kept in step
(datasette's test_docs pattern): regenerate with ``python -m mentorkit.hookdocs``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mentorkit import hookdocs
from mentorkit.plugins import MentorkitPluginManager

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "plugin-hooks.md"
REGENERATE = "python -m mentorkit.hookdocs > docs/plugin-hooks.md"


def test_committed_reference_matches_the_hookspecs() -> None:
    assert REFERENCE.read_text() == hookdocs.render(), f"the hook reference is stale: run {REGENERATE}"


def test_every_hookspec_has_a_docstring() -> None:
    assert hookdocs.undocumented() == []


def test_every_hook_of_the_plugin_manager_is_documented() -> None:
    documented = {hook.name for hook in hookdocs.collect()}
    declared = {name for name in vars(MentorkitPluginManager().hook) if not name.startswith("_")}
    assert documented == declared


def test_hooks_are_grouped_by_the_banners_of_hookspecs() -> None:
    sections = {hook.name: hook.section for hook in hookdocs.collect()}
    assert sections["register_settings"] == "register"
    assert sections["on_event"] == "events"
    assert sections["shutdown"] == "lifecycle"


def test_a_hookspec_without_docstring_is_reported() -> None:
    source = (
        "# ---------------------------------------------------------------- demo\n"
        "@hookspec\n"
        "def documented(x: int) -> None:\n"
        '    """Says what it does."""\n'
        "@hookspec\n"
        "def silent(x: int) -> None:\n"
        "    pass\n"
    )
    hooks = hookdocs.collect(source)
    assert [(h.section, h.signature) for h in hooks] == [
        ("demo", "documented(x: int) -> None"), ("demo", "silent(x: int) -> None")]
    assert hookdocs.undocumented(hooks) == ["silent"]
    assert "*(undocumented)*" in hookdocs.render(hooks)


def test_module_prints_the_reference() -> None:
    result = subprocess.run([sys.executable, "-m", "mentorkit.hookdocs"], capture_output=True,
                            text=True, check=True)
    assert result.stdout == hookdocs.render()
