"""Reading relationships: the fixed statements behind every relationship list, and who the
caller is to a relationship (a member, or a coordinator who may see it).

Kept apart from the use cases (``lifecycle``, ``services``) so both can read without
importing each other.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from mentorkit.db.reads import fetch
from mentorkit.db.values import as_date, as_utc
from mentorkit.errors import NotFound
from mentorkit.programs.services import Actor, require_coordinator, staff_role
from mentorkit.relationships import schemas

# Relationship lists are read on nearly every page (home, program, relationship): one fixed
# statement (relationships with their session counts, one row per member) instead of three
# built by Piccolo's query builder, whose cost for joins through foreign keys exceeds the cost
# of running them. ``{where}`` is one of the filters below.
_RELATIONSHIPS = """
    SELECT r.id AS id, r.program AS program, r.program_name AS program_name, r.format AS format,
           r.state AS state, r.source AS source, r.created_at AS created_at, r.ended_at AS ended_at,
           r.accept_by AS accept_by, r.resume_on AS resume_on, r.rematch_of AS rematch_of,
           r.requested_by AS requested_by, r.session_count AS session_count, r.last_session_at AS last_session_at,
           m."user" AS member_user, m.role AS member_role, m.accepted_at AS member_accepted_at,
           m.enrolment AS member_enrolment,
           u.display_name AS member_name
    FROM (
        SELECT r.id, r.program, p.name AS program_name, r.format, r.state, r.source, r.created_at, r.ended_at,
               r.accept_by, r.resume_on, r.rematch_of, r.requested_by,
               (SELECT COUNT(*) FROM mentorkit_mentoring_session s WHERE s.relationship = r.id) AS session_count,
               (SELECT MAX(s.held_at) FROM mentorkit_mentoring_session s WHERE s.relationship = r.id)
                   AS last_session_at
        FROM mentorkit_relationship r JOIN mentorkit_program p ON p.id = r.program
        WHERE {where}
    ) r
    LEFT JOIN mentorkit_relationship_member m ON m.relationship = r.id
    LEFT JOIN mentorkit_user u ON u.id = m."user"
    ORDER BY r.id, m.id
"""
# The statement for each filter, built once rather than on every request; the ``_PAGE``
# variants select one page of relationships (members stay whole: the limit is inside).
_PAGE = " ORDER BY r.id LIMIT {} OFFSET {}"
# A draft (proposed) is for coordinators until it is published: not on its members' lists.
_BY_MEMBER_WHERE = ("r.state <> 'proposed' AND "
                    'r.id IN (SELECT relationship FROM mentorkit_relationship_member WHERE "user" = {})')
BY_ID = _RELATIONSHIPS.replace("{where}", "r.id = {}")
BY_MEMBER = _RELATIONSHIPS.replace("{where}", _BY_MEMBER_WHERE)
BY_MEMBER_PAGE = _RELATIONSHIPS.replace("{where}", _BY_MEMBER_WHERE + _PAGE)
BY_PROGRAM = _RELATIONSHIPS.replace("{where}", "r.program = {}")
BY_PROGRAM_PAGE = _RELATIONSHIPS.replace("{where}", "r.program = {}" + _PAGE)
# Re-matches: the relationships that followed one; and one's predecessor with them.
FOLLOWERS = _RELATIONSHIPS.replace("{where}", "r.rematch_of = {}")
LINKED = _RELATIONSHIPS.replace("{where}", "r.id = {} OR r.rematch_of = {}")


async def relationships_of(statement: str, *values: int) -> list[schemas.Relationship]:
    """The relationships one of the statements above selects, each with its members."""
    relationships: list[schemas.Relationship] = []
    for row in await fetch(statement, *values):
        if not relationships or relationships[-1].id != row["id"]:
            relationships.append(schemas.Relationship(
                id=row["id"],
                program_id=row["program"],
                program_name=row["program_name"],
                format=row["format"],
                state=row["state"],
                source=row["source"],
                members=[],
                created_at=cast(dt.datetime, as_utc(row["created_at"])),
                ended_at=as_utc(row["ended_at"]),
                session_count=int(row["session_count"]),
                last_session_at=as_utc(row["last_session_at"]),
                accept_by=as_utc(row["accept_by"]),
                resume_on=as_date(row["resume_on"]),
                rematch_of=row["rematch_of"],
                requested_by=row["requested_by"],
            ))
        if row["member_user"] is not None:
            relationships[-1].members.append(schemas.Member(
                user_id=row["member_user"], display_name=row["member_name"], role=row["member_role"],
                accepted_at=as_utc(row["member_accepted_at"]), enrolment_id=row["member_enrolment"]))
    return relationships


async def _paged(statement: str, paged_statement: str, value: int, limit: int | None,
                 offset: int) -> list[schemas.Relationship]:
    """One statement for the whole list, or for one page of it."""
    if limit is None and not offset:
        return await relationships_of(statement, value)
    # SQLite's LIMIT -1 and PostgreSQL's LIMIT ALL differ; 2^31-1 means "no limit" on both.
    return await relationships_of(paged_statement, value, 2**31 - 1 if limit is None else limit, offset)


async def relationship_by_id(relationship_id: int) -> schemas.Relationship:
    """One relationship with its members; ``NotFound`` when there is none."""
    found = await relationships_of(BY_ID, relationship_id)
    if not found:
        raise NotFound("no such relationship")
    return found[0]


async def viewer_of(relationship: schemas.Relationship, actor: Actor) -> str:
    """ "member", or "coordinator" (program coordinator or site admin); NotFound for anyone else,
    and for the members of a draft, which nobody is told about until it is published."""
    if any(m.user_id == actor.id for m in relationship.members) and relationship.state != "proposed":
        return "member"
    if actor.is_admin or await staff_role(relationship.program_id, actor.id) == "coordinator":
        return "coordinator"
    # Other people's relationships are not acknowledged to exist.
    raise NotFound("no such relationship")


async def my_relationships(actor: Actor, *, limit: int | None = None,
                           offset: int = 0) -> list[schemas.Relationship]:
    """Relationships the actor is a member of, oldest first, with their members (one
    statement; ``limit`` and ``offset`` select one page)."""
    if actor.id is None:  # the system actor is nobody's partner
        return []
    return await _paged(BY_MEMBER, BY_MEMBER_PAGE, actor.id, limit, offset)


async def program_relationships(program_id: int, actor: Actor, *, limit: int | None = None,
                                offset: int = 0) -> list[schemas.Relationship]:
    """Every relationship of a program with state, members and session counts (coordinators
    and site admins: observers read aggregates only), oldest first (one statement; ``limit``
    and ``offset`` select one page)."""
    await require_coordinator(program_id, actor)
    return await _paged(BY_PROGRAM, BY_PROGRAM_PAGE, program_id, limit, offset)
