"""mentorkit-notifications-email: settings of the email notification channel.

The channel that sends mail over SMTP comes in a later issue; until then this plugin only
declares its ``[plugins.notifications_email]`` settings, and notifications go to the built-in
in-app channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import msgspec

from mentorkit import hookimpl


class EmailSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Where and how mail is sent. Keep the password in a file:
    ``MENTORKIT_PLUGINS__NOTIFICATIONS_EMAIL__PASSWORD_FILE=/run/secrets/smtp``."""

    smtp_host: str = "localhost"
    smtp_port: int = 25
    # "none" for a local relay, "starttls" (usually port 587) or "tls" (usually port 465).
    security: Literal["none", "starttls", "tls"] = "none"
    username: str = ""
    password: str = ""
    sender: str = "Mentorkit <mentorkit@localhost>"
    reply_to: str = ""
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not 0 < self.smtp_port < 65536:
            raise msgspec.ValidationError("expected a port between 1 and 65535 - at `$.smtp_port`")


@hookimpl
def register_settings(register: Callable[..., None]) -> None:
    register(EmailSettings)
