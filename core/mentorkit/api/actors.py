"""Who acts through the domain API: a signed-in person, or the system itself."""

from __future__ import annotations

from typing import Final

import msgspec

from mentorkit.accounts.model import CurrentUser


class SystemActor(msgspec.Struct, frozen=True, kw_only=True):
    """A plugin acting on its own (in ``on_event``, a scheduled job, a command).

    It has a site admin's reach (it may read every program and relationship and pair people)
    but is nobody: its ``id`` is None, so it is no member of any relationship, enrols nobody,
    logs no sessions and never reads a session's title, notes or anyone's private note. What
    it changes is recorded without a person (``actor_id`` None in events and histories).
    """

    id: None = None
    email: str = ""
    display_name: str = "Mentorkit"
    is_admin: bool = True
    time_zone: str = "UTC"


SYSTEM: Final = SystemActor()
"""The system actor: pass it where a function takes ``actor`` and no person is acting."""

Actor = CurrentUser | SystemActor
"""Every ``actor`` argument: the signed-in ``CurrentUser`` (``request.user`` in a route) or
``SYSTEM``."""
