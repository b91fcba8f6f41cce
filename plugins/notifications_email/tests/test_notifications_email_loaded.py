"""The plugin is found through its entry point and declares its settings section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mentorkit.errors import ConfigurationError
from mentorkit.hooks import Hooks
from mentorkit.plugins import create_plugin_manager
from mentorkit.settings import load_settings
from mentorkit_notifications_email import EmailSettings


def test_notifications_email_is_loaded(mentorkit_admin_client: Any) -> None:
    listed = mentorkit_admin_client.get("/-/plugins.json").json()
    [plugin] = [p for p in listed["plugins"] if p["name"] == "notifications_email"]
    assert plugin["distribution"] == "mentorkit-notifications-email"
    assert plugin["hooks"] == ["register_settings"]
    settings = mentorkit_admin_client.app.state.runtime.settings
    assert settings.plugin("notifications_email") == EmailSettings()


def structs() -> dict[str, Any]:
    pm = create_plugin_manager({"MENTORKIT_LOAD_PLUGINS": "notifications_email"})
    return Hooks(pm).settings_structs()


def test_smtp_settings_from_file_and_password_from_a_secret_file(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('[plugins.notifications_email]\nsmtp_host = "smtp.example.org"\n'
                      'smtp_port = 587\nsecurity = "starttls"\nsender = "Mentoring <m@example.org>"\n')
    secret = tmp_path / "smtp_password"
    secret.write_text("hunter2-but-longer\n")
    settings = load_settings(plugin_structs=structs(), config_file=config, env={
        "MENTORKIT_PLUGINS__NOTIFICATIONS_EMAIL__PASSWORD_FILE": str(secret)})
    email = settings.plugin("notifications_email")
    assert (email.smtp_host, email.smtp_port, email.security) == ("smtp.example.org", 587, "starttls")
    assert email.password == "hunter2-but-longer"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SMTP_PORT", "0", "expected a port between 1 and 65535"),
        ("SECURITY", "ssl", "expected one of 'none', 'starttls', 'tls'"),
    ],
)
def test_bad_smtp_setting_is_one_clear_line(variable: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings(plugin_structs=structs(),
                      env={f"MENTORKIT_PLUGINS__NOTIFICATIONS_EMAIL__{variable}": value})
    message = str(caught.value)
    assert message.startswith(f"setting 'plugins.notifications_email.{variable.lower()}' = '{value}'")
    assert message.endswith(expected) and "\n" not in message
