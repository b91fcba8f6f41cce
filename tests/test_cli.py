"""The ``mentorkit`` command: bad input gives one clear line and a non-zero exit, never a
traceback; ``--help`` works for every command, including those plugins add."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mentorkit.cli import build_cli
from mentorkit.plugins import create_plugin_manager

MENTORKIT = str(Path(sys.executable).parent / "mentorkit")
UNREACHABLE = "postgresql://mentor:s3cret-pw@127.0.0.1:1/mentorkit"


def mentorkit(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in ``cwd`` (a data directory of its own, no settings file)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")}
    base.update(MENTORKIT_DATA_DIR=str(cwd / "data"), **env)
    return subprocess.run([MENTORKIT, *args], cwd=cwd, env=base, capture_output=True, text=True,
                          check=False)


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line on stderr of a failed command (it starts with 'Error:')."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


# --------------------------------------------------------------------------- bad input


def test_malformed_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[server\nport = 80\n")
    line = error_line(mentorkit(tmp_path, "--config", str(config), "migrate"))
    assert line.startswith(f"Error: settings file {config} is not valid TOML")


def test_malformed_mentorkit_toml_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "mentorkit.toml").write_text("port = = 1\n")
    line = error_line(mentorkit(tmp_path, "migrate"))
    assert "settings file mentorkit.toml is not valid TOML" in line


def test_unknown_setting_in_the_environment(tmp_path: Path) -> None:
    line = error_line(mentorkit(tmp_path, "migrate", MENTORKIT_DATABSE_URL="sqlite:///x.sqlite"))
    assert line == ("Error: unknown setting 'databse_url' in environment variable "
                    "MENTORKIT_DATABSE_URL; did you mean 'database_url'?")


def test_unknown_setting_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('site_nme = "Mentoring at Example"\n')
    line = error_line(mentorkit(tmp_path, "--config", str(config), "migrate"))
    assert "'site_nme'" in line and "did you mean 'site_name'?" in line


def test_mistyped_value(tmp_path: Path) -> None:
    line = error_line(mentorkit(tmp_path, "serve", MENTORKIT_PORT="eighty"))
    assert line == "Error: setting 'port' = 'eighty' (from MENTORKIT_PORT): expected a whole number"


def test_mistyped_plugin_setting_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[plugins.notifications_email]\nsmtp_port = 'twenty-five'\n")
    line = error_line(mentorkit(tmp_path, "--config", str(config), "migrate"))
    assert line == (f"Error: setting 'plugins.notifications_email.smtp_port' = 'twenty-five' "
                    f"(from {config}): expected a whole number")


def test_secret_file_that_does_not_exist(tmp_path: Path) -> None:
    line = error_line(mentorkit(tmp_path, "migrate", MENTORKIT_SECRET_KEY_FILE=str(tmp_path / "nope")))
    assert line == f"Error: MENTORKIT_SECRET_KEY_FILE: cannot read {tmp_path / 'nope'}: No such file or directory"


def test_unreachable_postgresql_names_it_without_the_password(tmp_path: Path) -> None:
    result = mentorkit(tmp_path, "migrate", MENTORKIT_DATABASE_URL=UNREACHABLE)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "s3cret-pw" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot reach the database postgresql://mentor:***@127.0.0.1:1/mentorkit: ")


def test_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    error_line(mentorkit(tmp_path, "migrate", MENTORKIT_DATABASE_URL=UNREACHABLE))


def test_sqlite_file_in_a_directory_that_cannot_be_made(tmp_path: Path) -> None:
    # A regular file where a directory should be: unwritable even for root (CI runs as root).
    (tmp_path / "occupied").write_text("not a directory")
    url = f"sqlite:///{tmp_path / 'occupied' / 'db' / 'mentorkit.sqlite'}"
    line = error_line(mentorkit(tmp_path, "migrate", MENTORKIT_DATABASE_URL=url))
    assert line.startswith(f"Error: cannot create the data directory {tmp_path / 'occupied' / 'db'}")


def test_unknown_command_is_one_usage_error(tmp_path: Path) -> None:
    result = mentorkit(tmp_path, "migrat")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "No such command 'migrat'" in result.stderr


# --------------------------------------------------------------------------- help


def _walk(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths.extend(_walk(command, (*path, name)))
        else:
            paths.append((*path, name))
    return paths


CLI = build_cli(create_plugin_manager({}))
COMMAND_PATHS = _walk(CLI)


def test_every_core_command_is_walked() -> None:
    assert {("serve",), ("migrate",), ("makemigrations",), ("worker",), ("plugins",), ("events", "list"),
            ("events", "retry")} <= set(COMMAND_PATHS)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "mentorkit")
def test_help_works_for_every_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(CLI, [*path, "--help"], prog_name="mentorkit")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: mentorkit {' '.join(path)}".rstrip())
    command: click.Command = CLI
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help, f"'mentorkit {' '.join(path)}' has no help text"


def test_help_through_the_real_command(tmp_path: Path) -> None:
    result = mentorkit(tmp_path, "--help")
    assert result.returncode == 0, result.stderr
    for name in ("serve", "migrate", "makemigrations", "worker", "plugins", "events"):
        assert f"  {name}" in result.stdout


# --------------------------------------------------------------------------- demo data and API tokens for CI


def test_demo_without_serving_creates_the_data_and_exits(tmp_path: Path) -> None:
    result = mentorkit(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "Created 60 people" in result.stderr
    assert "mentee@demo.mentorkit.test" in result.stderr
    assert "serving" not in result.stderr


def test_token_create_prints_a_token_stored_only_hashed(tmp_path: Path) -> None:
    import sqlite3

    from mentorkit.accounts.tokens import hash_token

    assert mentorkit(tmp_path, "demo", "--no-serve").returncode == 0
    result = mentorkit(tmp_path, "token", "create", "Mentee@demo.mentorkit.test", "--name", "fuzzing")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert token.startswith("mk_")
    with sqlite3.connect(tmp_path / "data" / "mentorkit.sqlite") as db:
        rows = db.execute("SELECT t.name, u.email FROM mentorkit_api_token t JOIN mentorkit_user u ON u.id = t.user"
                          " WHERE t.token_hash = ?", (hash_token(token),)).fetchall()
    assert rows == [("fuzzing", "mentee@demo.mentorkit.test")]


def test_token_create_for_an_unknown_account_or_with_a_bad_name(tmp_path: Path) -> None:
    assert mentorkit(tmp_path, "migrate").returncode == 0
    line = error_line(mentorkit(tmp_path, "token", "create", "nobody@example.org"))
    assert line == "Error: no active account has the e-mail address 'nobody@example.org'"
    line = error_line(mentorkit(tmp_path, "token", "create", "nobody@example.org", "--name", ""))
    assert line.startswith("Error: cannot create the token:")
