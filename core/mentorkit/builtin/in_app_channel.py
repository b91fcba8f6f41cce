"""The built-in in-app channel: messages are kept for the recipient and written to the log."""

from __future__ import annotations

import logging
from collections.abc import Callable

from mentorkit.contracts import Message, NotificationChannel
from mentorkit.hookspecs import hookimpl

log = logging.getLogger("mentorkit.notifications")


async def send_in_app(message: Message) -> None:
    """Log the message; the inbox that shows it to the recipient reads the same record."""
    log.info("notification for user %s: %s", message.recipient_id, message.subject)


IN_APP = NotificationChannel(key="in_app", label="In-app and log", send=send_in_app)


@hookimpl(trylast=True)
def register_notification_channels(register: Callable[..., None]) -> None:
    register(IN_APP)
