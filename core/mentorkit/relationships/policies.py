"""Relationship access policies, registered by name when the relationship routes are imported.

Other people's relationships, sessions and notes answer 404, so ids reveal nothing. The
program's coordinators (and site admins) may see a relationship's state and when sessions
happened; only members log sessions or open one. Services check again for what they return.
"""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from mentorkit.db.reads import fetch
from mentorkit.policy import Connection, register_policy, require_user

# Members of a draft (proposed) relationship are not told about it until it is published.
_RELATIONSHIP_ACCESS = """
    SELECT m.role AS member_role, s.role AS staff_role
    FROM mentorkit_relationship r
    LEFT JOIN mentorkit_relationship_member m ON m.relationship = r.id AND m."user" = {} AND r.state <> 'proposed'
    LEFT JOIN mentorkit_program_staff s ON s.program = r.program AND s."user" = {}
    WHERE r.id = {}
"""

_SESSION_ACCESS = """
    SELECT m.role AS member_role
    FROM mentorkit_mentoring_session ms
    JOIN mentorkit_relationship_member m ON m.relationship = ms.relationship AND m."user" = {}
    WHERE ms.id = {} AND ms.relationship = {}
"""


# Self-matching: the caller's active enrolment in the role that picks (the matching mode).
_SELF_MATCHER = """
    SELECT p.state AS state, s.role AS staff_role, e.id AS enrolment
    FROM mentorkit_program p
    LEFT JOIN mentorkit_program_staff s ON s.program = p.id AND s."user" = {}
    LEFT JOIN mentorkit_enrolment e ON e.program = p.id AND e."user" = {} AND e.state = 'active'
                                       AND e.role = p.matching_mode
    WHERE p.id = {}
"""


async def _relationship_access(connection: Connection) -> tuple[Any, str | None, str | None]:
    user = require_user(connection)
    rows = await fetch(
        _RELATIONSHIP_ACCESS, user.id, user.id, int(connection.path_params["relationship_id"])
    )
    if not rows:
        raise NotFoundException("no such relationship")
    return user, rows[0]["member_role"], rows[0]["staff_role"]


async def relationship_viewer(connection: Connection) -> None:
    """A member, a coordinator of the relationship's program, or a site admin."""
    user, member_role, staff_role = await _relationship_access(connection)
    if member_role is None and staff_role != "coordinator" and not user.is_admin:
        raise NotFoundException("no such relationship")


async def relationship_member(connection: Connection) -> None:
    """A member of the relationship (coordinators who can see it get 403, others 404)."""
    user, member_role, staff_role = await _relationship_access(connection)
    if member_role is None:
        if staff_role == "coordinator" or user.is_admin:
            raise PermissionDeniedException("only the members of a relationship may do this")
        raise NotFoundException("no such relationship")


async def relationship_coordinator(connection: Connection) -> None:
    """A coordinator of the relationship's program or a site admin (members get 403: they
    know it exists; others 404)."""
    user, member_role, staff_role = await _relationship_access(connection)
    if staff_role != "coordinator" and not user.is_admin:
        if member_role is not None:
            raise PermissionDeniedException("only the program's coordinators may do this")
        raise NotFoundException("no such relationship")


async def program_self_matcher(connection: Connection) -> None:
    """A participant of the program in the role that picks its matches (mentee-led: mentees;
    mentor-led: mentors); 404 when the program is unknown or a draft they do not staff, 403
    for everyone else (coordinators too: they pair people on the program's page)."""
    user = require_user(connection)
    rows = await fetch(_SELF_MATCHER, user.id, user.id, int(connection.path_params["program_id"]))
    if not rows or (rows[0]["state"] == "draft" and rows[0]["staff_role"] is None and not user.is_admin):
        raise NotFoundException("no such program")
    if rows[0]["enrolment"] is None:
        raise PermissionDeniedException("only participants who choose their own matches in this program may do this")


async def session_member(connection: Connection) -> None:
    """A member of the relationship the session belongs to; 404 for everybody else."""
    user = require_user(connection)
    rows = await fetch(
        _SESSION_ACCESS,
        user.id,
        int(connection.path_params["session_id"]),
        int(connection.path_params["relationship_id"]),
    )
    if not rows:
        raise NotFoundException("no such session")


POLICIES = {
    "relationship_viewer": relationship_viewer,
    "relationship_member": relationship_member,
    "relationship_coordinator": relationship_coordinator,
    "session_member": session_member,
    "program_self_matcher": program_self_matcher,
}

for _name, _check in POLICIES.items():
    register_policy(_name, _check)
