"""The built-in in-app channel: messages stay in the recipient's inbox and go to the log.

Until an e-mail plugin is installed, the log is how an operator passes on a password-reset
or invitation link; install ``mentorkit-notifications-email`` to reach people directly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from mentorkit.contracts import Message, NotificationChannel
from mentorkit.events import Event
from mentorkit.hookspecs import hookimpl

log = logging.getLogger("mentorkit.notifications")


async def send_in_app(message: Message) -> None:
    """The inbox already holds the message; write it to the log for the operator."""
    log.info("notification to %s: %s%s", message.recipient_email, message.subject,
             f" - {message.link}" if message.link else "")


IN_APP = NotificationChannel(key="in_app", label="In-app and log", send=send_in_app)


@hookimpl(trylast=True)
def register_notification_channels(register: Callable[..., None]) -> None:
    register(IN_APP)


@hookimpl(trylast=True)
def register_event_types(register: Callable[..., None]) -> None:
    register("notification.created", "a notification was queued for a person")


@hookimpl(trylast=True)
def on_event(event: Event) -> Awaitable[None] | None:
    if event.type != "notification.created":
        return None
    from mentorkit.notifications.services import deliver_notification

    return deliver_notification(event)
