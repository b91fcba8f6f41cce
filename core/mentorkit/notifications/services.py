"""Notifications: written with the change that causes them, sent by the worker to every channel."""

from __future__ import annotations

import logging
from typing import Any

from mentorkit.accounts.tables import Notification, OneTimeToken
from mentorkit.accounts.tokens import derived_token
from mentorkit.contracts import Message
from mentorkit.events import Event, emit
from mentorkit.runtime import current_runtime

log = logging.getLogger("mentorkit.notifications")

LINK_PATHS = {"password_reset": "/reset/{token}", "invitation": "/signup?invite={token}"}


async def notify(*, key: str, email: str, subject: str, body: str, user_id: int | None = None,
                 link: str | None = None, secret_ref: str | None = None) -> None:
    """Queue a notification (inside the caller's transaction); the same ``key`` twice is one."""
    rows = await Notification.insert(
        Notification(key=key, user=user_id, email=email, subject=subject, body=body, link=link,
                     secret_ref=secret_ref)
    ).on_conflict(target=Notification.key, action="DO NOTHING").returning(Notification.id)
    if rows:
        await emit("notification.created", f"notification:{rows[0]['id']}", {"notification_id": rows[0]["id"]})


async def _secret_link(secret_ref: str) -> str | None:
    kind, _, raw_id = secret_ref.partition(":")
    if kind != "one_time_token" or not raw_id.isdigit():
        return None
    row = await OneTimeToken.select().where(OneTimeToken.id == int(raw_id)).first()
    if row is None or row["used_at"] is not None:
        return None
    settings = current_runtime().settings
    token = derived_token(settings.secret_key, row["purpose"], row["id"], row["nonce"])
    return settings.base_url + LINK_PATHS[row["purpose"]].format(token=token)


async def message_for(notification_id: int) -> Message | None:
    """The message a channel sends for a stored notification (links derived at send time)."""
    row = await Notification.select().where(Notification.id == notification_id).first()
    if row is None:
        return None
    link = row["link"]
    if row["secret_ref"]:
        link = await _secret_link(row["secret_ref"])
        if link is None:
            return None  # the token was used or withdrawn meanwhile: nothing left to send
    return Message(recipient_id=row["user"] or 0, recipient_email=row["email"], subject=row["subject"],
                   body=row["body"], key=row["key"], link=link)


async def deliver_notification(event: Event) -> None:
    """Send a queued notification through every registered channel (raise to retry)."""
    message = await message_for(int(event.payload["notification_id"]))
    if message is None:
        return
    for channel in current_runtime().channels.values():
        await channel.send(message)


async def inbox(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """A person's in-app notifications, newest first."""
    rows: list[dict[str, Any]] = await Notification.select(
        Notification.id, Notification.subject, Notification.body, Notification.link,
        Notification.created_at, Notification.read_at,
    ).where(Notification.user == user_id).order_by(Notification.id, ascending=False).limit(limit)
    return rows
