"""Program access policies, registered by name when the program routes are imported.

Each reads ids from the path and answers with one small query. Denials follow
``mentorkit.policy``: 401 for anonymous callers; 404 when the caller may not know the program
exists (a draft they do not staff); 403 when they know it exists but may not do this.
Services check again for every piece of data they return.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from mentorkit.db.reads import fetch
from mentorkit.policy import Connection, register_policy, require_user

_PROGRAM_ACCESS = """
    SELECT p.state AS state, s.role AS staff_role
    FROM mentorkit_program p
    LEFT JOIN mentorkit_program_staff s ON s.program = p.id AND s."user" = {}
    WHERE p.id = {}
"""

_ENROLMENT_ACCESS = """
    SELECT e."user" AS holder, s.role AS staff_role
    FROM mentorkit_enrolment e
    LEFT JOIN mentorkit_program_staff s ON s.program = e.program AND s."user" = {}
    WHERE e.id = {} AND e.program = {}
"""


async def _program_access(connection: Connection) -> tuple[Any, str | None]:
    """The caller and their staff role; 404 when the program is unknown or invisible to them."""
    user = require_user(connection)
    rows = await fetch(_PROGRAM_ACCESS, user.id, int(connection.path_params["program_id"]))
    if not rows or (rows[0]["state"] == "draft" and rows[0]["staff_role"] is None and not user.is_admin):
        raise NotFoundException("no such program")
    return user, rows[0]["staff_role"]


async def program_reader(connection: Connection) -> None:
    """Signed in, and the program is open to them (not a draft, or they staff it)."""
    await _program_access(connection)


async def program_staff(connection: Connection) -> None:
    """A coordinator or observer of the program, or a site admin."""
    user, role = await _program_access(connection)
    if role is None and not user.is_admin:
        raise PermissionDeniedException("only the program's coordinators and observers may see this")


async def program_coordinator(connection: Connection) -> None:
    """A coordinator of the program, or a site admin."""
    user, role = await _program_access(connection)
    if role != "coordinator" and not user.is_admin:
        raise PermissionDeniedException("only the program's coordinators may do this")


async def program_creator(connection: Connection) -> None:
    """A site admin; with ``program_creators = "coordinators"``, also anyone who coordinates
    at least one program."""
    from mentorkit.programs.services import may_create_programs

    user = require_user(connection)
    if not await may_create_programs(user):
        raise PermissionDeniedException("you may not create programs on this site")


async def program_duplicator(connection: Connection) -> None:
    """A coordinator of the program (or a site admin) who may also create programs."""
    await program_coordinator(connection)
    await program_creator(connection)


async def enrolment_holder(connection: Connection) -> None:
    """The enrolled person themselves, or a coordinator of the program (or a site admin)."""
    user = require_user(connection)
    rows = await fetch(
        _ENROLMENT_ACCESS,
        user.id,
        int(connection.path_params["enrolment_id"]),
        int(connection.path_params["program_id"]),
    )
    if not rows or not (rows[0]["holder"] == user.id or rows[0]["staff_role"] == "coordinator" or user.is_admin):
        raise NotFoundException("no such enrolment")


POLICIES = {
    "program_reader": program_reader,
    "program_staff": program_staff,
    "program_coordinator": program_coordinator,
    "program_creator": program_creator,
    "program_duplicator": program_duplicator,
    "enrolment_holder": enrolment_holder,
}

for _name, _check in POLICIES.items():
    register_policy(_name, _check)
