"""Relationship use cases: pair, change state, log sessions, read what the caller may read.

Privacy rules held here (and tested role by role):

* members see their relationship, its sessions with titles and shared notes, and their own
  private notes;
* the program's coordinators and site admins see the relationship's state and history and
  when sessions happened and for how long, never titles or notes;
* a private note is returned to its author and nobody else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mentorkit.db import transaction
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.programs.services import Actor, page_of
from mentorkit.programs.tables import Program
from mentorkit.relationships import schemas
from mentorkit.relationships.lifecycle import (
    CREATED_FROM,
    OPEN_RELATIONSHIP_STATES,
    REASON_LABELS,
    RELATIONSHIP_TRANSITIONS,
    actions_for,
    asked_members,
    complete_relationship,
    end_relationship_early,
    inquiries,
    pair,
    transition_relationship,
)
from mentorkit.relationships.reads import (
    FOLLOWERS,
    LINKED,
    my_relationships,
    program_relationships,
    relationship_by_id,
    relationships_of,
    viewer_of,
)
from mentorkit.relationships.tables import MentoringSession, Relationship, RelationshipTransition, SessionPrivateNote

# The lifecycle's and the reads' names, for callers that know them from here.
__all__ = [
    "CREATED_FROM", "OPEN_RELATIONSHIP_STATES", "RELATIONSHIP_TRANSITIONS", "complete_relationship",
    "end_relationship_early", "get_session", "list_sessions", "log_session", "my_relationships", "pair",
    "program_relationships", "relationship_view", "transition_relationship",
]

# A logged session has been held; a day of slack covers time-zone slips.
FUTURE_TOLERANCE = dt.timedelta(days=1)
# A session may be logged from the day the relationship began, in whatever time zone its
# members are (the pairing is often recorded after the first meeting).
START_TOLERANCE = dt.timedelta(days=1)
# No session predates this: older dates are typing mistakes (and year 1 cannot even be
# moved to UTC from a zone east of it).
EARLIEST_SESSION = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


async def relationship_view(relationship_id: int, actor: Actor) -> schemas.RelationshipView:
    """The relationship page: members see session titles, coordinators dates and durations."""
    relationship = await relationship_by_id(relationship_id)
    viewer = await viewer_of(relationship, actor)
    asked = await asked_members(relationship) if relationship.state == "pending" else []
    transitions = (
        await RelationshipTransition.select(
            *RelationshipTransition.all_columns(),
            RelationshipTransition.actor.display_name.as_alias("actor_name"),
        )
        .where(RelationshipTransition.relationship == relationship_id)
        .order_by(RelationshipTransition.id)
    )
    return schemas.RelationshipView(
        relationship=relationship,
        viewer=viewer,
        my_role=next((m.role for m in relationship.members if m.user_id == actor.id), None),
        transitions=[
            schemas.Transition(
                from_state=t["from_state"],
                to_state=t["to_state"],
                actor_id=t["actor"],
                actor_name=t["actor_name"],
                reason=t["reason"],
                reason_code=t["reason_code"],
                reason_label=REASON_LABELS.get(t["reason_code"], ""),
                at=t["at"],
            )
            for t in transitions
        ],
        sessions=await list_sessions(relationship_id, actor, relationship=relationship, viewer=viewer),
        can_complete="completed" in RELATIONSHIP_TRANSITIONS.get(relationship.state, ()),
        can_end_early="ended_early" in RELATIONSHIP_TRANSITIONS.get(relationship.state, ()),
        actions=await actions_for(relationship, viewer, actor, asked),
        asked=asked,
        inquiries=await inquiries(relationship_id),
        linked=await _linked(relationship, actor, viewer),
        request_message=await _request_message(relationship),
    )


async def _request_message(relationship: schemas.Relationship) -> str:
    """What the requester of a self-matched match wrote to the partner ("" for other matches)."""
    if relationship.requested_by is None:
        return ""
    row = await Relationship.select(Relationship.request_message).where(Relationship.id == relationship.id).first()
    return row["request_message"] if row else ""


async def _linked(relationship: schemas.Relationship, actor: Actor, viewer: str) -> list[schemas.LinkedRelationship]:
    """The relationships before and after this one through re-matches that the actor may know
    of: coordinators all, members those they were members of."""
    if relationship.rematch_of is None:
        others = await relationships_of(FOLLOWERS, relationship.id)
    else:
        others = await relationships_of(LINKED, relationship.rematch_of, relationship.id)
    linked = []
    for other in others:
        if other.id == relationship.id:
            continue
        if viewer != "coordinator" and not any(m.user_id == actor.id for m in other.members):
            continue
        linked.append(schemas.LinkedRelationship(
            id=other.id, state=other.state, members=other.members,
            direction="before" if other.id == relationship.rematch_of else "after"))
    return linked


# --------------------------------------------------------------------------- sessions


async def log_session(relationship_id: int, data: schemas.SessionCreate, actor: Actor) -> schemas.Session:
    """A member logs a meeting of an active relationship, with an optional private note."""
    if data.held_at < EARLIEST_SESSION:
        raise ValidationFailed({"held_at": f"must be in {EARLIEST_SESSION.year} or later"})
    held_at = data.held_at.astimezone(dt.UTC)
    if held_at > utcnow() + FUTURE_TOLERANCE:
        raise ValidationFailed({"held_at": "is in the future; log a session once it has been held"})
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        if await viewer_of(relationship, actor) != "member":
            raise PermissionDenied("only the members of a relationship log its sessions")
        if relationship.state != "active":
            raise ConflictError(
                f"sessions can be logged while the relationship is active; it is {relationship.state.replace('_', ' ')}"
            )
        if held_at < relationship.created_at - START_TOLERANCE:
            raise ValidationFailed({"held_at": "is before the relationship began "
                                               f"({relationship.created_at:%Y-%m-%d})"})
        if await Program.exists().where((Program.id == relationship.program_id) & (Program.state == "closed")):
            raise ConflictError("the program is closed; sessions can no longer be logged")
        rows = await MentoringSession.insert(
            MentoringSession(
                relationship=relationship_id,
                held_at=held_at,
                duration_minutes=data.duration_minutes,
                title=data.title.strip(),
                shared_notes=data.shared_notes,
                created_by=actor.id,
                created_at=utcnow(),
            )
        ).returning(MentoringSession.id)
        session_id = rows[0]["id"]
        if data.private_note.strip():
            await SessionPrivateNote.insert(
                SessionPrivateNote(session=session_id, author=actor.id, body=data.private_note)
            )
        # No titles or notes in the payload: events reach every plugin.
        await emit(
            "session.logged",
            f"relationship:{relationship_id}",
            {
                "session_id": session_id,
                "program_id": relationship.program_id,
                "held_at": held_at.isoformat(),
                "duration_minutes": data.duration_minutes,
            },
            actor_id=actor.id,
        )
    return await get_session(relationship_id, session_id, actor)


def _session(row: dict[str, Any], viewer: str, private_note: str | None) -> schemas.Session:
    member = viewer == "member"
    return schemas.Session(
        id=row["id"],
        relationship_id=row["relationship"],
        held_at=row["held_at"],
        duration_minutes=row["duration_minutes"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        title=row["title"] if member else None,
        shared_notes=row["shared_notes"] if member else None,
        private_note=private_note if member else None,
    )


async def _own_notes(session_ids: list[int], actor: Actor) -> dict[int, str]:
    if not session_ids or actor.id is None:
        return {}
    rows = await SessionPrivateNote.select(SessionPrivateNote.session, SessionPrivateNote.body).where(
        SessionPrivateNote.session.is_in(session_ids) & (SessionPrivateNote.author == actor.id)
    )
    return {row["session"]: row["body"] for row in rows}


async def list_sessions(
    relationship_id: int,
    actor: Actor,
    *,
    relationship: schemas.Relationship | None = None,
    viewer: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[schemas.Session]:
    """The relationship's sessions, newest first, as the actor may see them (with the actor's
    own private notes in one more statement; ``limit`` and ``offset`` select one page)."""
    relationship = relationship or await relationship_by_id(relationship_id)
    viewer = viewer or await viewer_of(relationship, actor)
    query = (
        MentoringSession.select()
        .where(MentoringSession.relationship == relationship_id)
        .order_by(MentoringSession.held_at, ascending=False)
        .order_by(MentoringSession.id, ascending=False)
    )
    rows = await page_of(query, limit, offset)
    notes = await _own_notes([r["id"] for r in rows], actor) if viewer == "member" else {}
    return [_session(row, viewer, notes.get(row["id"])) for row in rows]


async def get_session(relationship_id: int, session_id: int, actor: Actor) -> schemas.Session:
    """One session for a member: shared notes and the actor's own private note only."""
    relationship = await relationship_by_id(relationship_id)
    if await viewer_of(relationship, actor) != "member":
        raise NotFound("no such session")
    row = (
        await MentoringSession.select()
        .where((MentoringSession.id == session_id) & (MentoringSession.relationship == relationship_id))
        .first()
    )
    if row is None:
        raise NotFound("no such session")
    notes = await _own_notes([session_id], actor)
    return _session(row, "member", notes.get(session_id))

