"""Goal access policies, registered by name when the goal routes are imported.

A goal answers 404 to everyone who may not read it (``services.may_read``): other people's
goals are not acknowledged to exist. Services check again for what they return.
"""

from __future__ import annotations

from litestar.exceptions import NotFoundException

from mentorkit.db.reads import fetch
from mentorkit.goals.services import may_read
from mentorkit.policy import Connection, register_policy, require_user

_GOAL_ACCESS = """
    SELECT g.owner AS owner, g.suggested_by AS suggested_by, g.status AS status, g.visibility AS visibility,
           m."user" AS member
    FROM mentorkit_goal g
    LEFT JOIN mentorkit_relationship_member m ON m.relationship = g.relationship AND m."user" = {}
    WHERE g.id = {} AND g.relationship = {}
"""


async def goal_reader(connection: Connection) -> None:
    """Someone who may read the goal: its owner, its suggester while it is a suggestion, the
    relationship's members when it is shared with them; 404 for everybody else."""
    user = require_user(connection)
    rows = await fetch(_GOAL_ACCESS, user.id, int(connection.path_params["goal_id"]),
                       int(connection.path_params["relationship_id"]))
    if not rows or not may_read(rows[0], user.id, [user.id] if rows[0]["member"] is not None else []):
        raise NotFoundException("no such goal")


POLICIES = {"goal_reader": goal_reader}

for _name, _check in POLICIES.items():
    register_policy(_name, _check)
