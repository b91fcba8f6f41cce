"""The matching pool of a program: what ``MatchingStrategy.propose`` receives (provisional).

A fixed number of reads (the access check, the active enrolments, the relationships with their
members), whatever the size of the program. The matching issue adds profiles and availability here.
"""

from __future__ import annotations

from mentorkit.contracts import MatchPool, PoolEnrolment, PoolMember, PoolProgram, PoolRelationship
from mentorkit.programs.services import Actor, require_coordinator
from mentorkit.programs.tables import Enrolment
from mentorkit.relationships.tables import RelationshipMember


async def match_pool(program_id: int, actor: Actor) -> MatchPool:
    """The program, its active enrolments and its relationships (its coordinators, admins)."""
    program = await require_coordinator(program_id, actor)
    enrolments = (
        await Enrolment.select(Enrolment.id, Enrolment.user, Enrolment.role,
                               Enrolment.user.display_name.as_alias("display_name"))
        .where((Enrolment.program == program_id) & (Enrolment.state == "active"))
        .order_by(Enrolment.id)
    )
    members = (
        await RelationshipMember.select(
            RelationshipMember.relationship, RelationshipMember.enrolment, RelationshipMember.user,
            RelationshipMember.role, RelationshipMember.relationship.state.as_alias("state"),
        )
        .where(RelationshipMember.relationship.program == program_id)
        .order_by(RelationshipMember.relationship, RelationshipMember.id)
    )
    relationships: dict[int, PoolRelationship] = {}
    for row in members:
        relationship = relationships.setdefault(
            row["relationship"], PoolRelationship(id=row["relationship"], state=row["state"], members=[]))
        relationship.members.append(PoolMember(enrolment_id=row["enrolment"], user_id=row["user"], role=row["role"]))
    return MatchPool(
        program=PoolProgram(id=program["id"], slug=program["slug"], name=program["name"], format=program["format"]),
        enrolments=[
            PoolEnrolment(id=row["id"], user_id=row["user"], display_name=row["display_name"], role=row["role"])
            for row in enrolments
        ],
        relationships=list(relationships.values()),
    )
