"""Loading plugins: a broken one is reported and skipped, a misspelt hook is refused in one line,
and the process variables choose, and trace, what is loaded.

Two tiny distributions from ``tests/fixtures`` are pip-installed into one temporary target:
``mentorkit-broken`` raises on import, ``mentorkit-misspelt`` implements ``on_evnt``. Each test
disables the one it is not about, which is also the way out that the error messages suggest.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.errors import PluginError
from mentorkit.hooks import Hooks
from mentorkit.plugins import BUILTIN_PLUGINS, create_plugin_manager
from tests.plugin_install import MENTORKIT, importable, install_fixture_plugins, run_mentorkit

WORKSPACE_PLUGINS = (
    "group_mentoring", "matching_smart", "notifications_email", "reverse_mentoring",
)


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mentorkit-broken and mentorkit-misspelt, built and pip-installed into one target dir."""
    return install_fixture_plugins(["mentorkit-broken", "mentorkit-misspelt"], tmp_path_factory.mktemp("bad-plugins"))


mentorkit = run_mentorkit


def assert_one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one line on stderr, starting with 'Error:'."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


# --------------------------------------------------------------------------- a broken import


def test_broken_plugin_is_reported_and_skipped(bad_site: Path, tmp_path: Path) -> None:
    result = mentorkit(bad_site, tmp_path, "plugins", "--json",
                       MENTORKIT_DISABLE_PLUGINS="misspelt")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [failure] = report["failed"]
    assert failure["name"] == "broken" and failure["distribution"] == "mentorkit-broken"
    assert failure["error"] == (
        "RuntimeError: mentorkit_broken cannot start: this fixture is broken on purpose")
    assert {p["name"] for p in report["plugins"]} >= {*BUILTIN_PLUGINS, *WORKSPACE_PLUGINS}
    assert "misspelt" in report["disabled"]

    table = mentorkit(bad_site, tmp_path, "plugins", MENTORKIT_DISABLE_PLUGINS="misspelt")
    assert "FAILED broken (mentorkit-broken): RuntimeError" in table.stdout


def test_the_rest_works_while_a_plugin_is_broken(bad_site: Path, tmp_path: Path) -> None:
    result = mentorkit(bad_site, tmp_path, "migrate", MENTORKIT_DISABLE_PLUGINS="misspelt")
    assert result.returncode == 0, result.stderr
    assert "the database is up to date" in result.stdout
    # The failure is logged for the operator, with what went wrong.
    assert "plugin 'broken' (distribution mentorkit-broken) failed to load" in result.stderr


def test_strict_plugins_stops_at_a_broken_plugin(bad_site: Path, tmp_path: Path) -> None:
    result = mentorkit(bad_site, tmp_path, "migrate", MENTORKIT_DISABLE_PLUGINS="misspelt",
                       MENTORKIT_STRICT_PLUGINS="1")
    line = assert_one_clear_line(result)
    assert "plugin 'broken' (distribution mentorkit-broken) failed to load" in line
    assert "broken on purpose" in line


@pytest.fixture
def bad_plugins_importable(bad_site: Path) -> Iterator[None]:
    """The fixture distributions on ``sys.path`` for one test."""
    with importable(bad_site, "mentorkit_broken", "mentorkit_misspelt"):
        yield


def test_app_answers_and_reports_a_broken_plugin(
    mentorkit_settings: Any, bad_plugins_importable: None
) -> None:
    # mentorkit_settings comes first: its database is made before the fixtures are importable.
    from litestar.testing import TestClient

    from mentorkit.runtime import build_runtime
    from mentorkit.testing.auth import create_user, sign_in
    from mentorkit.testing.pytest_plugin import MentorkitTestClient
    from mentorkit.web.app import create_app

    class Client(MentorkitTestClient, TestClient):  # type: ignore[misc]
        pass

    pm = create_plugin_manager({"MENTORKIT_DISABLE_PLUGINS": "misspelt"})
    app = create_app(runtime=build_runtime(mentorkit_settings, pm=pm), run_worker=False)
    with Client(app) as client:
        assert client.get("/health/live").json() == {"status": "ok"}
        create_user(client, "admin@example.org", is_admin=True)
        sign_in(client, "admin@example.org")
        report = client.get("/-/plugins.json").json()
    failed = [(f["name"], f["distribution"]) for f in report["failed"]]
    assert failed == [("broken", "mentorkit-broken")]
    assert "RuntimeError" in report["failed"][0]["error"]
    assert "broken" not in {p["name"] for p in report["plugins"]}


# --------------------------------------------------------------------------- a misspelt hook


@pytest.mark.parametrize("command", [("plugins",), ("migrate",)])
def test_misspelt_hook_is_one_clear_line(
    bad_site: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = mentorkit(bad_site, tmp_path, *command, MENTORKIT_DISABLE_PLUGINS="broken")
    line = assert_one_clear_line(result)
    assert "plugin 'misspelt' implements 'on_evnt'" in line
    assert "did you mean 'on_event'?" in line
    assert "MENTORKIT_DISABLE_PLUGINS=misspelt" in line


def test_disabling_the_misspelt_plugin_is_the_way_out(bad_site: Path, tmp_path: Path) -> None:
    result = mentorkit(bad_site, tmp_path, "plugins", "--json",
                       MENTORKIT_DISABLE_PLUGINS="broken,misspelt")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)["disabled"]) >= {"broken", "misspelt"}


class Misspelt:
    @hookimpl
    def register_program_fromats(self, register: Any) -> None:
        """Meant register_program_formats."""


class WrongArgument:
    @hookimpl
    def on_event(self, evnt: Any) -> None:
        """The hook exists, but it has no argument called 'evnt'."""


def test_misspelt_hook_of_a_throwaway_plugin_is_refused() -> None:
    with pytest.raises(PluginError) as caught:
        create_plugin_manager({}, extra_plugins=[("typo", Misspelt())], entry_points=False)
    assert str(caught.value) == (
        "plugin 'typo' implements 'register_program_fromats', which is not a Mentorkit hook; "
        "did you mean 'register_program_formats'? "
        "(start without it: MENTORKIT_DISABLE_PLUGINS=typo)"
    )


def test_hook_argument_that_does_not_exist_is_refused() -> None:
    with pytest.raises(PluginError, match=r"(?s)plugin 'wrong' cannot be registered: .*'evnt'"):
        create_plugin_manager({}, extra_plugins=[("wrong", WrongArgument())], entry_points=False)


def test_hook_argument_that_does_not_exist_is_one_line() -> None:
    with pytest.raises(PluginError) as caught:
        create_plugin_manager({}, extra_plugins=[("wrong", WrongArgument())], entry_points=False)
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- choosing and tracing


def loaded_names(pm: Any) -> set[str]:
    return {p.name for p in pm.report.loaded}


def test_all_workspace_plugins_load_by_default() -> None:
    pm = create_plugin_manager({})
    assert loaded_names(pm) >= {*BUILTIN_PLUGINS, *WORKSPACE_PLUGINS}
    dists = {p.name: p.distribution for p in pm.report.loaded}
    assert dists["matching_smart"] == "mentorkit-matching-smart"


def test_disable_plugins_skips_the_named_ones() -> None:
    pm = create_plugin_manager({"MENTORKIT_DISABLE_PLUGINS": " matching_smart, group_mentoring "})
    assert not loaded_names(pm) & {"matching_smart", "group_mentoring"}
    assert {"reverse_mentoring", "notifications_email"} <= loaded_names(pm)
    assert {"matching_smart", "group_mentoring"} <= set(pm.report.disabled)
    assert pm.get_plugin("matching_smart") is None


def test_disable_plugins_can_turn_off_a_builtin() -> None:
    pm = create_plugin_manager({"MENTORKIT_DISABLE_PLUGINS": "mentorkit.builtin.manual_matching"})
    assert "manual" not in Hooks(pm).matching_strategies()
    assert pm.report.disabled == ["mentorkit.builtin.manual_matching"]


def test_load_plugins_loads_only_the_named_ones() -> None:
    pm = create_plugin_manager({"MENTORKIT_LOAD_PLUGINS": "reverse_mentoring"})
    assert loaded_names(pm) == {*BUILTIN_PLUGINS, "reverse_mentoring"}
    assert set(pm.report.disabled) >= {"group_mentoring", "matching_smart", "notifications_email"}


def test_load_plugins_through_the_command_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")}
    result = subprocess.run([MENTORKIT, "plugins", "--json"], cwd=tmp_path, capture_output=True,
                            text=True, env={**env, "MENTORKIT_LOAD_PLUGINS": "group_mentoring"},
                            check=False)
    assert result.returncode == 0, result.stderr
    names = {p["name"] for p in json.loads(result.stdout)["plugins"] if not p["builtin"]}
    assert names == {"group_mentoring"}


def test_trace_plugins_logs_hook_calls(caplog: pytest.LogCaptureFixture) -> None:
    pm = create_plugin_manager({"MENTORKIT_TRACE_PLUGINS": "1"}, entry_points=False)
    with caplog.at_level(logging.INFO, logger="mentorkit.plugins.trace"):
        pm.hook.register_program_formats(register=lambda item: None)
    assert any("register_program_formats" in r.getMessage() for r in caplog.records)


def test_no_tracing_without_the_variable(caplog: pytest.LogCaptureFixture) -> None:
    pm = create_plugin_manager({}, entry_points=False)
    with caplog.at_level(logging.INFO, logger="mentorkit.plugins.trace"):
        pm.hook.register_program_formats(register=lambda item: None)
    assert not [r for r in caplog.records if r.name == "mentorkit.plugins.trace"]


def test_trace_plugins_logs_the_calls_the_core_makes(caplog: pytest.LogCaptureFixture) -> None:
    pm = create_plugin_manager({"MENTORKIT_TRACE_PLUGINS": "1"}, entry_points=False)
    with caplog.at_level(logging.INFO, logger="mentorkit.plugins.trace"):
        Hooks(pm).program_formats()
    assert any("register_program_formats" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- built-in plugins


def test_builtin_plugins_are_registered_and_marked_trylast() -> None:
    pm = create_plugin_manager({}, entry_points=False)
    builtins = [p for p in pm.report.loaded if p.builtin]
    assert [p.name for p in builtins] == list(BUILTIN_PLUGINS)
    for name in BUILTIN_PLUGINS:
        plugin = pm.get_plugin(name)
        impls = [impl for caller in pm.get_hookcallers(plugin) or []
                 for impl in caller.get_hookimpls() if impl.plugin is plugin]
        assert all(impl.trylast for impl in impls), f"{name} has a hook not marked trylast"


def test_builtins_register_the_core_defaults() -> None:
    hooks = Hooks(create_plugin_manager({}, entry_points=False))
    assert "one_to_one" in hooks.program_formats()
    assert "manual" in hooks.matching_strategies()
    assert "in_app" in hooks.notification_channels()
    assert hooks.piccolo_apps()[0] == "mentorkit.db.piccolo_app"
