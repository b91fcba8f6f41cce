"""The testing kit (``mentorkit.testing``) from a plugin author's side: factories, signing in
without forms, settings overrides with plugin sections, and the CLI under click's CliRunner."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from click.testing import CliRunner

from mentorkit.testing import sign_in_as


class GreeterSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    greeting: str = "Hello"
    repeat: int = 1


class Greeter:
    """A throwaway plugin with a settings section and a command that reads it."""

    from mentorkit import hookimpl

    @hookimpl
    def register_settings(self, register: Any) -> None:
        register(GreeterSettings)

    @hookimpl
    def register_commands(self, cli: Any) -> None:
        import click

        @click.command("greet")
        @click.argument("name")
        @click.pass_obj
        def greet(state: Any, name: str) -> None:
            """Greet someone with the configured greeting."""
            settings = state.runtime().settings.plugin("greeter")
            click.echo(" ".join([f"{settings.greeting}, {name}!"] * settings.repeat))

        cli.add_command(greet)


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("greeter", Greeter())]


def test_the_mentorkit_command_runs_under_clicks_cli_runner() -> None:
    from mentorkit.cli import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert "migrate" in result.output


def test_plugin_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                   mentorkit_plugin_manager: Any, request: Any) -> None:
    monkeypatch.setenv("MENTORKIT_PLUGINS__GREETER__GREETING", "Kia ora")
    settings = request.getfixturevalue("mentorkit_settings")
    assert settings.plugin("greeter").greeting == "Kia ora"


@pytest.mark.parametrize("mentorkit_settings_overrides",
                         [{"site_name": "Test Site", "plugins": {"greeter": {"repeat": 2}}}])
def test_settings_overrides_reach_core_and_plugin_sections(mentorkit_settings_overrides: Any,
                                                           mentorkit_settings: Any) -> None:
    assert mentorkit_settings.site_name == "Test Site"
    assert mentorkit_settings.plugin("greeter").repeat == 2
    assert mentorkit_settings.plugin("greeter").greeting == "Hello"  # the default stays


@pytest.mark.parametrize("mentorkit_settings_overrides", [{"plugins": {"greeter": {"repeat": "often"}}}])
def test_a_wrong_plugin_override_is_refused(mentorkit_settings_overrides: Any, request: Any) -> None:
    with pytest.raises(msgspec.ValidationError):
        request.getfixturevalue("mentorkit_settings")


@pytest.mark.parametrize("mentorkit_settings_overrides", [{"plugins": {"greeter": {"greeting": "Hoi"}}}])
def test_plugin_commands_run_in_process_on_the_test_settings(mentorkit_settings_overrides: Any,
                                                             mentorkit_cli: Any) -> None:
    result = mentorkit_cli("greet", "Ada")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Hoi, Ada!"


def test_the_cli_sees_the_test_database(mentorkit_cli: Any, mentorkit_client: Any, mentorkit_factory: Any) -> None:
    mentorkit_factory.user("Ada", admin=True)
    result = mentorkit_cli("migrate", "--check")
    assert result.exit_code == 0, result.output
    # The client's runtime is active again: the app still works after the command.
    assert mentorkit_client.get("/health/ready").status_code == 200


def test_factories_make_programs_in_a_chosen_state_and_a_signed_in_client(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    mentor, mentee = mentorkit_factory.user("Mo Mentor"), mentorkit_factory.user("Mia Mentee")
    program = mentorkit_factory.program(state="running", name="Spring cohort")
    assert program.state == "running" and program.format == "one_to_one"
    pair = [mentorkit_factory.enrol(program, mentor, "mentor"), mentorkit_factory.enrol(program, mentee, "mentee")]
    relationship = mentorkit_factory.pair(program, pair)
    assert {m.display_name for m in relationship.members} == {"Mo Mentor", "Mia Mentee"}

    sign_in_as(mentorkit_client, mentee)
    assert mentorkit_client.get("/api/v1/me").json()["display_name"] == "Mia Mentee"
    # Unsafe requests pass the CSRF check too (the header is set), as JSON or as a form.
    logged = mentorkit_client.post(f"/api/v1/relationships/{relationship.id}/sessions", json={
        "held_at": relationship.created_at.isoformat(), "duration_minutes": 30, "title": "First talk"})
    assert logged.status_code == 201, logged.text
    sign_in_as(mentorkit_client, mentor)
    assert mentorkit_client.get("/api/v1/me").json()["display_name"] == "Mo Mentor"


def test_a_draft_program_and_a_site_admin(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    admin = mentorkit_factory.user(admin=True)
    assert admin.is_admin
    draft = mentorkit_factory.program(state="draft")
    sign_in_as(mentorkit_client, mentorkit_factory.user())
    assert mentorkit_client.get(f"/api/v1/programs/{draft.id}").status_code == 404
    sign_in_as(mentorkit_client, admin)
    assert mentorkit_client.get(f"/api/v1/programs/{draft.id}").status_code == 200
