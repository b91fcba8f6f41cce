"""Settings: defaults, a TOML file, environment variables and secret files, in that order;
every bad input is one line that names the setting, the value, where it came from and what
is expected."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import msgspec
import pytest

from mentorkit.errors import ConfigurationError
from mentorkit.settings import Settings, ensure_secret_key, load_settings


class HelloSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A plugin's settings section, as a plugin would register it."""

    greeting: str = "Hello"
    times: int = 1


PLUGINS = {"hello": HelloSettings}


@pytest.fixture(autouse=True)
def _no_settings_file_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ./mentorkit.toml is read when present: run every test where there is none.
    monkeypatch.chdir(tmp_path)


def toml(tmp_path: Path, text: str, name: str = "mentorkit.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(**kwargs: Any) -> str:
    """The message of the ConfigurationError that loading these settings raises; one line."""
    kwargs.setdefault("env", {})
    kwargs.setdefault("plugin_structs", PLUGINS)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(**kwargs)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


# --------------------------------------------------------------------------- sources


def test_defaults_need_no_configuration() -> None:
    settings = load_settings(env={})
    assert settings.database_url == "sqlite:///data/mentorkit.sqlite"
    assert (settings.host, settings.port, settings.engine) == ("127.0.0.1", 8000, "sqlite")
    assert settings.plugins == {}


def test_file_then_environment_then_command_line(tmp_path: Path) -> None:
    path = toml(tmp_path, 'site_name = "From file"\nport = 9000\nhost = "0.0.0.0"\n', "site.toml")
    settings = load_settings(config_file=path, env={"MENTORKIT_PORT": "9100"},
                             overrides={"host": "::1", "port": None})
    assert (settings.site_name, settings.port, settings.host) == ("From file", 9100, "::1")


def test_settings_file_from_the_environment_and_from_the_working_directory(tmp_path: Path) -> None:
    elsewhere = toml(tmp_path, 'site_name = "Named"\n', "elsewhere.toml")
    assert load_settings(env={"MENTORKIT_CONFIG": str(elsewhere)}).site_name == "Named"
    toml(tmp_path, 'site_name = "Found here"\n')
    assert load_settings(env={}).site_name == "Found here"


def test_environment_values_are_converted_to_their_types() -> None:
    settings = load_settings(env={"MENTORKIT_DEBUG": "true", "MENTORKIT_WORKER_POLL_SECONDS": "0.5",
                                  "MENTORKIT_DATABASE_URL": "postgresql://u@db:5432/mk"})
    assert (settings.debug, settings.worker_poll_seconds, settings.engine) == (True, 0.5, "postgres")


def test_process_variables_are_not_settings() -> None:
    env = {"MENTORKIT_LOAD_PLUGINS": "x", "MENTORKIT_DISABLE_PLUGINS": "y", "MENTORKIT_STRICT_PLUGINS": "1",
           "MENTORKIT_TRACE_PLUGINS": "1", "MENTORKIT_TEST_DATABASE_URL": "postgresql://x@y/z"}
    assert load_settings(env=env).database_url.startswith("sqlite:///")


def test_secret_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret_key"
    secret.write_text("k" * 40 + "\n")
    settings = load_settings(env={"MENTORKIT_SECRET_KEY_FILE": str(secret)})
    assert settings.secret_key == "k" * 40


def test_secret_file_that_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    assert error_of(env={"MENTORKIT_SECRET_KEY_FILE": str(missing)}) == (
        f"MENTORKIT_SECRET_KEY_FILE: cannot read {missing}: No such file or directory")


def test_generated_secret_key_is_kept_private_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path / "data"))
    key = ensure_secret_key(settings)
    path = tmp_path / "data" / "secret_key"
    assert len(key) >= 32 and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_secret_key(Settings(data_dir=str(tmp_path / "data"))) == key


def test_weak_secret_key_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="'secret_key' is too weak"):
        ensure_secret_key(Settings(secret_key="change-me"))


# --------------------------------------------------------------------------- plugin sections


def test_plugin_section_from_file_and_environment(tmp_path: Path) -> None:
    path = toml(tmp_path, '[plugins.hello]\ngreeting = "Hoi"\ntimes = 2\n')
    settings = load_settings(plugin_structs=PLUGINS, config_file=path,
                             env={"MENTORKIT_PLUGINS__HELLO__TIMES": "3"})
    assert settings.plugin("hello") == HelloSettings(greeting="Hoi", times=3)


def test_plugin_section_defaults_when_absent() -> None:
    assert load_settings(plugin_structs=PLUGINS, env={}).plugin("hello") == HelloSettings()


def test_unknown_plugin_section(tmp_path: Path) -> None:
    path = toml(tmp_path, "[plugins.helo]\ngreeting = 'Hoi'\n")
    assert error_of(config_file=path) == (
        f"unknown setting 'plugins.helo' in {path} (no loaded plugin declares settings under that name); "
        "did you mean 'plugins.hello'?")


def test_unknown_plugin_setting_suggests_the_close_name() -> None:
    message = error_of(env={"MENTORKIT_PLUGINS__HELLO__GRETING": "Hoi"})
    assert message == ("unknown setting 'plugins.hello.greting' in MENTORKIT_PLUGINS__HELLO__GRETING; "
                       "did you mean 'plugins.hello.greeting'?")


def test_mistyped_plugin_setting_names_value_source_and_expectation() -> None:
    assert error_of(env={"MENTORKIT_PLUGINS__HELLO__TIMES": "many"}) == (
        "setting 'plugins.hello.times' = 'many' (from MENTORKIT_PLUGINS__HELLO__TIMES): expected a whole number")


def test_malformed_plugin_variable_name() -> None:
    assert error_of(env={"MENTORKIT_PLUGINS__HELLO": "x"}) == (
        "MENTORKIT_PLUGINS__HELLO: expected MENTORKIT_PLUGINS__<PLUGIN>__<SETTING>")


# --------------------------------------------------------------------------- bad input, one line each


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path, "port = \n", "broken.toml")
    message = error_of(config_file=path)
    assert message.startswith(f"settings file {path} is not valid TOML: ")
    assert "line 1" in message


def test_missing_settings_file_is_named(tmp_path: Path) -> None:
    assert error_of(config_file=tmp_path / "absent.toml") == (
        f"settings file {tmp_path / 'absent.toml'} does not exist")


def test_unknown_setting_in_the_environment_suggests_the_close_name() -> None:
    assert error_of(env={"MENTORKIT_PROT": "80"}) == (
        "unknown setting 'prot' in environment variable MENTORKIT_PROT; did you mean 'port'?")


def test_unknown_setting_in_the_file_suggests_the_close_name(tmp_path: Path) -> None:
    path = toml(tmp_path, 'site_nme = "x"\n')
    message = error_of(config_file=path)
    assert message.startswith(f"unknown setting 'site_nme' in {path}")
    assert message.endswith("did you mean 'site_name'?")


def test_unknown_setting_in_the_file_names_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path, 'site_nme = "x"\n', "site.toml")
    assert str(path) in error_of(config_file=path)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MENTORKIT_PORT": "eighty"},
         "setting 'port' = 'eighty' (from MENTORKIT_PORT): expected a whole number"),
        ({"MENTORKIT_DEBUG": "maybe"},
         "setting 'debug' = 'maybe' (from MENTORKIT_DEBUG): expected true or false"),
        ({"MENTORKIT_SIGN_UP": "closed"},
         "setting 'sign_up' = 'closed' (from MENTORKIT_SIGN_UP): expected one of 'invite', 'open'"),
        ({"MENTORKIT_WORKER_POLL_SECONDS": "soon"},
         "setting 'worker_poll_seconds' = 'soon' (from MENTORKIT_WORKER_POLL_SECONDS): expected a number"),
        ({"MENTORKIT_DATABASE_URL": "mysql://db/mk"},
         "setting 'database_url' = 'mysql://db/mk' (from MENTORKIT_DATABASE_URL): expected "
         "sqlite:///path/to/file.sqlite or postgresql://user@host:port/db"),
        ({"MENTORKIT_PORT": "70000"},
         "setting 'port' = '70000' (from MENTORKIT_PORT): expected a port between 1 and 65535"),
        ({"MENTORKIT_BASE_URL": "example.org"},
         "setting 'base_url' = 'example.org' (from MENTORKIT_BASE_URL): expected an absolute http(s) URL"),
        ({"MENTORKIT_DATABASE_POOL_SIZE": "0"},
         "setting 'database_pool_size' = '0' (from MENTORKIT_DATABASE_POOL_SIZE): expected a number of "
         "connections from 1 to 1000"),
        ({"MENTORKIT_SIGN_UP_ATTEMPTS_PER_IP_MINUTE": "0"},
         "setting 'sign_up_attempts_per_ip_minute' = '0' (from MENTORKIT_SIGN_UP_ATTEMPTS_PER_IP_MINUTE): "
         "expected a number of attempts of at least 1"),
    ],
)
def test_mistyped_value_names_setting_value_source_and_expectation(env: dict[str, str], expected: str) -> None:
    assert error_of(env=env) == expected


def test_mistyped_value_in_the_file_names_the_file(tmp_path: Path) -> None:
    path = toml(tmp_path, 'port = "eighty"\n', "site.toml")
    assert error_of(config_file=path) == f"setting 'port' = 'eighty' (from {path}): expected a whole number"


def test_mistyped_value_on_the_command_line() -> None:
    assert error_of(overrides={"port": 0}) == (
        "setting 'port' = 0 (from command line): expected a port between 1 and 65535")


def test_every_setting_is_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "configuration.md").read_text()
    missing = [name for name in Settings.__struct_fields__ if f"| `{name}` |" not in text]
    assert missing == [], f"add these settings to docs/configuration.md: {missing}"


def test_the_pool_size_reaches_the_postgresql_engine() -> None:
    from mentorkit.runtime import build_runtime

    env = {"MENTORKIT_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "MENTORKIT_DATABASE_POOL_SIZE": "3"}
    runtime = build_runtime(load_settings(env=env))
    assert runtime.database.engine.pool_size == 3
    assert load_settings(env={}).database_pool_size == 10



def test_every_variable_ci_exports_or_the_tests_read_is_a_setting_or_a_process_variable() -> None:
    # CI exports its steering variables for the whole run, so a CLI started inside a test
    # would refuse one that load_settings does not know (MENTORKIT_REQUIRE_BROWSER once did).
    import re

    from mentorkit.settings import PROCESS_VARIABLES

    root = Path(__file__).resolve().parents[1]
    steering = re.compile(r'export MENTORKIT_([A-Z_]+)=|environ(?:\.get)?[(\[]\s*"MENTORKIT_([A-Z_]+)"')
    sources = [root / ".ci" / "run", *sorted((root / "tests").rglob("*.py"))]
    named = {a or b for source in sources for a, b in steering.findall(source.read_text())}
    fields = {field.upper() for field in Settings.__struct_fields__}
    assert "REQUIRE_BROWSER" in named and "TEST_DATABASE_URL" in named
    assert named - fields - PROCESS_VARIABLES == set()
