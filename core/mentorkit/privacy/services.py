"""A person's data rights: export everything stored about them, or erase it (admins only).

Both go through the plugin hooks, so core (the built-in ``mentorkit.builtin.data_rights``) and
every installed plugin answer for their own tables. See ``docs/data-rights.md``.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from mentorkit.accounts.tables import User
from mentorkit.db import transaction
from mentorkit.errors import MentorkitError, NotFound, PermissionDenied
from mentorkit.events import EventRecord, emit, utcnow
from mentorkit.privacy.core_data import lock_out, pseudonymous_email
from mentorkit.runtime import current_runtime

EXPORT_FORMAT = "mentorkit-export/1"


class Actor(Protocol):
    """Who asks for an erasure (the signed-in ``CurrentUser``)."""

    @property
    def id(self) -> int: ...

    @property
    def is_admin(self) -> bool: ...


class ErasureIncomplete(MentorkitError):
    """A step of an erasure failed; the account is locked, and running the erasure again finishes it."""


async def find_user_id(email: str) -> int:
    """The id of the account with this e-mail address (also ``erased-<id>@invalid``)."""
    from mentorkit.accounts.services import normalise_email

    row = await User.select(User.id).where(User.email == normalise_email(email)).first()
    if row is None:
        raise NotFound(f"no account has the e-mail address {email!r}")
    return int(row["id"])


async def _require_user(user_id: int) -> None:
    if not await User.exists().where(User.id == user_id):
        raise NotFound(f"no account has the id {user_id}")


async def export_user(user_id: int) -> dict[str, Any]:
    """Everything Mentorkit and its plugins store about the person, as JSON-ready data.

    ``data`` is keyed by plugin name; the core's tables are under
    ``mentorkit.builtin.data_rights``. Times are ISO 8601 strings in UTC.
    """
    await _require_user(user_id)
    data = await current_runtime().hooks.export_user_data(user_id)
    out: dict[str, Any] = msgspec.to_builtins({
        "format": EXPORT_FORMAT, "user_id": user_id, "exported_at": utcnow(), "data": data,
    })
    return out


async def erase_user(user_id: int, actor: Actor | None) -> dict[str, Any]:
    """Erase the person's data in core and every plugin; re-runnable and safe to repeat after a failure.

    ``actor`` is the site admin asking (None: the operator at the command line). First the
    account is locked (no sign-in, no session, no token), then every plugin's
    ``erase_user_data`` runs (core's pseudonymises the account), then ``user.erased`` is
    emitted once. If a step fails the account stays locked and running this again finishes.
    """
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only site admins erase accounts")
    await _require_user(user_id)
    runtime = current_runtime()
    await lock_out(user_id)
    try:
        await runtime.hooks.erase_user_data(user_id)
    except Exception as exc:
        # Plugins run in no set order: the core may or may not have pseudonymised the address yet.
        row = await User.select(User.email).where(User.id == user_id).first()
        current = row["email"] if row else pseudonymous_email(user_id)
        raise ErasureIncomplete(
            f"the erasure of account {user_id} is incomplete ({type(exc).__name__}: {exc}); the account is "
            f"locked; run the erasure again (the account's address is now {current})"
        ) from exc
    async with transaction():
        done = await EventRecord.exists().where(
            (EventRecord.type == "user.erased") & (EventRecord.subject == f"user:{user_id}"))
        if not done:
            await emit("user.erased", f"user:{user_id}", {}, actor_id=actor.id if actor else None)
    row = await User.select(User.email, User.display_name).where(User.id == user_id).first()
    return {"user_id": user_id, "email": row["email"] if row else None,
            "display_name": row["display_name"] if row else None, "already_erased": done,
            "plugins": sorted(runtime.hooks.data_subjects())}
