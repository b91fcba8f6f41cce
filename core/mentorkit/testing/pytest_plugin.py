"""Pytest fixtures for Mentorkit and its plugins (see ``mentorkit.testing``).

Imports stay inside the fixtures: this module is loaded by every pytest run in an
environment where Mentorkit is installed.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (MENTORKIT_TEST_DATABASE_URL)")


@pytest.fixture(scope="session")
def mentorkit_test_databases(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The session's database factory (one migrated template per set of Piccolo apps)."""
    from mentorkit.testing.database import TestDatabases

    return TestDatabases(tmp_path_factory.mktemp("mentorkit-templates"))


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    """Throwaway plugins for this test: append ``(name, plugin)`` before the app is built."""
    return []


@pytest.fixture
def mentorkit_env() -> dict[str, str]:
    """Process variables for the plugin manager (e.g. ``MENTORKIT_DISABLE_PLUGINS``)."""
    return {k: v for k, v in os.environ.items() if k in {"MENTORKIT_LOAD_PLUGINS", "MENTORKIT_DISABLE_PLUGINS"}}


@pytest.fixture
def mentorkit_plugin_manager(mentorkit_plugins: list[tuple[str, object]], mentorkit_env: dict[str, str]) -> Any:
    """The plugin manager: installed plugins plus this test's throwaway ones."""
    from mentorkit.plugins import create_plugin_manager

    return create_plugin_manager(mentorkit_env, extra_plugins=mentorkit_plugins)


@pytest.fixture
def mentorkit_settings_overrides() -> dict[str, Any]:
    """Settings for this test, over the test defaults: override this fixture (or fill the
    dict) with ``{"site_name": "...", "plugins": {"<name>": {"<field>": value}}}``."""
    return {}


@pytest.fixture
def mentorkit_settings(mentorkit_plugin_manager: Any, mentorkit_test_databases: Any, tmp_path: Path,
                       mentorkit_settings_overrides: dict[str, Any]) -> Any:
    """Settings for a fresh, migrated database in a temporary data directory.

    Loaded the way a site loads them, so plugin sections are typed and validated: from
    ``MENTORKIT_PLUGINS__<NAME>__<FIELD>`` variables, then ``mentorkit_settings_overrides``.
    No settings file is read (a ``mentorkit.toml`` in the working directory stays out).
    """
    import msgspec

    from mentorkit.hooks import Hooks
    from mentorkit.settings import load_settings

    hooks = Hooks(mentorkit_plugin_manager)
    data_dir = tmp_path / "data"
    url = mentorkit_test_databases.fresh(hooks.piccolo_apps(), data_dir)
    no_file = tmp_path / "mentorkit-test.toml"
    no_file.write_text("")
    overrides = dict(mentorkit_settings_overrides)
    plugin_overrides = overrides.pop("plugins", {})
    # Cheap Argon2 parameters: tests hash many passwords; the code path is the same.
    defaults = dict(data_dir=str(data_dir), database_url=url, worker_in_process=False,
                    secret_key="test-secret-key-" + "x" * 32, base_url="http://testserver.local",
                    password_hash_memory_kib=1024, password_hash_iterations=1)
    structs = hooks.settings_structs()
    settings = load_settings(
        plugin_structs=structs, config_file=no_file, overrides={**defaults, **overrides},
        env={k: v for k, v in os.environ.items() if k.startswith("MENTORKIT_PLUGINS__")})
    for name, fields in plugin_overrides.items():
        if name not in structs:
            raise KeyError(f"mentorkit_settings_overrides: no loaded plugin declares settings named {name!r}")
        merged = {**msgspec.to_builtins(settings.plugins[name]), **fields}
        settings.plugins[name] = msgspec.convert(merged, structs[name], strict=False)
    return settings


@pytest.fixture
def mentorkit_runtime_factory(mentorkit_settings: Any, mentorkit_plugin_manager: Any) -> Callable[[], Any]:
    """Builds (and activates) a runtime from this test's settings and plugins."""
    from mentorkit.runtime import build_runtime

    return lambda: build_runtime(mentorkit_settings, pm=mentorkit_plugin_manager)


@pytest.fixture
def mentorkit_app(mentorkit_runtime_factory: Callable[[], Any]) -> Any:
    """The Litestar app for this test (worker off: drain events explicitly)."""
    from mentorkit.web.app import create_app

    return create_app(runtime=mentorkit_runtime_factory(), run_worker=False)


class MentorkitTestClient:
    """Mixin for the TestClient: run coroutines on the app's loop, drain the event stream."""

    blocking_portal: Any
    app: Any

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``await fn(*args)`` on the app's event loop (where its database lives)."""
        return self.blocking_portal.call(fn, *args)

    def drain_events(self) -> int:
        """Deliver every due event and timer now; return how many were handled."""
        runtime = self.app.state.runtime
        worker = runtime.make_worker(name="test-worker")
        return int(self.run(worker.drain))


@pytest.fixture
def mentorkit_client(mentorkit_app: Any) -> Iterator[Any]:
    """A test client that runs the app's lifespan (database open, plugins started)."""
    from litestar.testing import TestClient

    class Client(MentorkitTestClient, TestClient):  # type: ignore[misc]
        pass

    with Client(mentorkit_app, base_url="http://testserver.local") as client:
        yield client


@pytest.fixture
def mentorkit_admin_client(mentorkit_client: Any) -> Any:
    """``mentorkit_client`` signed in as a site admin (who may read ``/-/plugins.json``)."""
    from mentorkit.testing.auth import create_user, sign_in

    create_user(mentorkit_client, "site-admin@example.org", "Site Admin", is_admin=True)
    sign_in(mentorkit_client, "site-admin@example.org")
    return mentorkit_client


@pytest.fixture
async def mentorkit_runtime(mentorkit_runtime_factory: Callable[[], Any]) -> AsyncIterator[Any]:
    """For async service tests: the activated runtime with its database open."""
    runtime = mentorkit_runtime_factory()
    await runtime.database.open()
    try:
        yield runtime
    finally:
        await runtime.database.close()


@pytest.fixture
def mentorkit_factory(mentorkit_client: Any) -> Any:
    """Makes people, programs, enrolments and relationships on ``mentorkit_client``'s app
    (``mentorkit.testing.Factory``)."""
    from mentorkit.testing.factories import Factory

    return Factory(mentorkit_client)


@pytest.fixture
def mentorkit_cli(mentorkit_settings: Any, mentorkit_plugin_manager: Any) -> Callable[..., Any]:
    """Runs ``mentorkit`` commands in-process with click's ``CliRunner``, on this test's
    settings and database and with its plugins (throwaway ones included)::

        result = mentorkit_cli("hello", "greet", "Ada")
        assert result.exit_code == 0, result.output

    Returns click's ``Result`` (``exit_code``, ``output``, ``stdout``, ``stderr``). The
    runtime active before the call (a running ``mentorkit_client``'s) is active again after.
    """
    from click.testing import CliRunner

    from mentorkit import runtime as runtime_module
    from mentorkit.cli import build_cli

    def invoke(*args: str, input: str | None = None) -> Any:
        before = runtime_module._current
        try:
            return CliRunner().invoke(build_cli(mentorkit_plugin_manager, settings=mentorkit_settings),
                                      list(args), input=input, prog_name="mentorkit")
        finally:
            if before is not None:
                before.activate()

    return invoke


@pytest.fixture
def mentorkit_clock() -> Iterator[Any]:
    """A ``mentorkit.testing.clock.Clock`` installed for this test: time stands still at the
    test's start until ``advance(...)`` moves it (expiries, due dates, timers)."""
    from mentorkit.testing.clock import Clock

    clock = Clock().install()
    try:
        yield clock
    finally:
        clock.uninstall()
