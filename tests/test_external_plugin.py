"""A plugin that lives outside this repository, once pip-installed, works with no change to core.

``tests/fixtures/mentorkit-hello`` is copied to a temporary directory, built and installed with
pip into a temporary ``--target`` directory, and then used the way an operator would: through
the ``mentorkit`` command (in subprocesses whose ``PYTHONPATH`` holds the install) and through
the web app (in this process, with the install put on ``sys.path`` for the test).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mentorkit.testing import postgres_url_for_tests
from tests.plugin_install import importable, install_fixture_plugins, run_mentorkit


@pytest.fixture(scope="module")
def hello_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mentorkit-hello, built from a copy of the fixture and pip-installed into a target dir."""
    return install_fixture_plugins(["mentorkit-hello"], tmp_path_factory.mktemp("hello"))


mentorkit = run_mentorkit


# --------------------------------------------------------------------------- the command line


def test_installed_plugin_is_listed_with_its_distribution(hello_site: Path, tmp_path: Path) -> None:
    result = mentorkit(hello_site, tmp_path, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listed = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    hello = listed["hello"]
    assert hello["distribution"] == "mentorkit-hello"
    assert (hello["version"], hello["builtin"]) == ("0.1.0", False)
    assert {"register_settings", "register_piccolo_apps", "register_routes", "register_commands",
            "register_event_types", "on_event"} <= set(hello["hooks"])


def test_shipped_migration_creates_the_plugin_tables(hello_site: Path, tmp_path: Path) -> None:
    applied = mentorkit(hello_site, tmp_path, "migrate")
    assert applied.returncode == 0, applied.stderr
    lines = applied.stdout.splitlines()
    assert any(line.startswith("applied hello:") for line in lines), applied.stdout
    # --check compares the tables with the migrations: the shipped migration is complete.
    check = mentorkit(hello_site, tmp_path, "migrate", "--check")
    assert check.returncode == 0, check.stderr
    assert "migrations are up to date" in check.stdout


def test_plugin_command_reads_its_settings_section(hello_site: Path, tmp_path: Path) -> None:
    assert mentorkit(hello_site, tmp_path, "hello", "greet").stdout == "Hello, world!\n"

    from_env = mentorkit(hello_site, tmp_path, "hello", "greet", "Ada",
                         MENTORKIT_PLUGINS__HELLO__GREETING="Hoi")
    assert from_env.stdout == "Hoi, Ada!\n", from_env.stderr

    config = tmp_path / "site.toml"
    config.write_text('[plugins.hello]\ngreeting = "Kia ora"\naudience = "everyone"\n')
    from_file = mentorkit(hello_site, tmp_path, "--config", str(config), "hello", "greet")
    assert from_file.stdout == "Kia ora, everyone!\n", from_file.stderr

    # The environment wins over the file, field by field.
    both = mentorkit(hello_site, tmp_path, "--config", str(config), "hello", "greet",
                     MENTORKIT_PLUGINS__HELLO__GREETING="Salut")
    assert both.stdout == "Salut, everyone!\n", both.stderr


def test_plugin_command_reads_settings_and_the_database_through_with_runtime(
    hello_site: Path, tmp_path: Path
) -> None:
    assert mentorkit(hello_site, tmp_path, "migrate").returncode == 0
    counted = mentorkit(hello_site, tmp_path, "hello", "count", MENTORKIT_PLUGINS__HELLO__GREETING="Hoi")
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout == "0 greetings so far (hoi is the greeting)\n"


def test_plugin_setting_with_a_typo_is_one_clear_line(hello_site: Path, tmp_path: Path) -> None:
    result = mentorkit(hello_site, tmp_path, "hello", "greet",
                       MENTORKIT_PLUGINS__HELLO__GRETING="Hoi")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("Error:") and "plugins.hello.greeting" in result.stderr


# --------------------------------------------------------------------------- the web app


async def _drop_hello_tables(url: str) -> None:
    """PostgreSQL is shared by the whole test session: leave it as other tests expect it."""
    from mentorkit.db.database import Database

    database = Database(url, ["mentorkit.db.piccolo_app"]).activate()
    await database.open()
    try:
        await database.engine.run_ddl("DROP TABLE IF EXISTS hello_greeting, hello_received_event")
        await database.engine.run_ddl("DELETE FROM migration WHERE app_name = 'hello'")
    finally:
        await database.close()


@pytest.fixture
def hello_importable(hello_site: Path) -> Iterator[None]:
    """The installed plugin on ``sys.path`` for one test, as if pip had installed it here."""
    try:
        with importable(hello_site, "mentorkit_hello"):
            yield
    finally:
        url = postgres_url_for_tests()
        if url:
            asyncio.run(_drop_hello_tables(url))


@pytest.fixture
def mentorkit_plugin_manager(hello_importable: None, mentorkit_plugins: list[tuple[str, object]],
                             mentorkit_env: dict[str, str]) -> Any:
    """The installed plugins, found through their entry points once ``hello`` is importable."""
    from mentorkit.plugins import create_plugin_manager

    return create_plugin_manager(mentorkit_env, extra_plugins=mentorkit_plugins)


def test_running_app_serves_the_plugin(mentorkit_client: Any) -> None:
    from mentorkit.db.migrations import migrate, pending_migrations
    from mentorkit.testing.auth import create_user, sign_in

    runtime = mentorkit_client.app.state.runtime
    # Idempotent here (the fresh database already knows hello); kept so the test states it.
    mentorkit_client.run(migrate, runtime.database)
    assert mentorkit_client.run(pending_migrations, runtime.database) == []

    empty = mentorkit_client.get("/p/hello/", headers={"accept": "text/html"})
    assert empty.status_code == 200
    assert "<h1>Hello, world!</h1>" in empty.text
    assert "Nobody has said hello yet." in empty.text
    assert "/static/core/mentorkit.css" in empty.text  # extends core:base.html

    css = mentorkit_client.get("/static/p/hello/hello.css")
    assert css.status_code == 200 and ".hello-greetings" in css.text

    created = mentorkit_client.post("/api/v1/p/hello/greetings", json={"name": "Grace"})
    assert created.status_code == 201, created.text
    assert created.json()["message"] == "Hello, Grace!"
    listing = mentorkit_client.get("/api/v1/p/hello/greetings").json()
    assert [g["name"] for g in listing] == ["Grace"]
    assert "<li>Hello, Grace!</li>" in mentorkit_client.get("/p/hello/").text

    from mentorkit_hello.tables import ReceivedEvent

    async def received() -> list[dict[str, Any]]:
        return await ReceivedEvent.select(ReceivedEvent.type, ReceivedEvent.subject)

    assert mentorkit_client.run(received) == []  # delivered by the worker, never in the request
    assert mentorkit_client.drain_events() >= 1  # other plugins may subscribe too
    subject = f"hello_greeting:{created.json()['id']}"
    assert mentorkit_client.run(received) == [{"type": "hello.greeted", "subject": subject}]

    from mentorkit.events import Delivery

    async def hello_deliveries() -> list[dict[str, Any]]:
        return await Delivery.select(Delivery.status).where(Delivery.subscriber == "hello")

    assert mentorkit_client.run(hello_deliveries) == [{"status": "delivered"}]

    # Last: creating the admin is an event the plugin would receive too.
    create_user(mentorkit_client, "admin@example.org", is_admin=True)
    sign_in(mentorkit_client, "admin@example.org")
    # The plugin's page (render_page) shows the person signed in and the navigation.
    page = mentorkit_client.get("/p/hello/").text
    assert 'class="account-nav__user"' in page and 'href="/programs">Programs</a>' in page
    listed = mentorkit_client.get("/-/plugins.json").json()
    assert {"name": "hello", "distribution": "mentorkit-hello"}.items() <= next(
        p for p in listed["plugins"] if p["name"] == "hello").items()


def test_unsafe_input_to_the_plugin_api_is_refused(mentorkit_client: Any) -> None:
    refused = mentorkit_client.post("/api/v1/p/hello/greetings", json={"nmae": "Grace"})
    assert refused.status_code == 400
    assert mentorkit_client.get("/api/v1/p/hello/greetings").json() == []
