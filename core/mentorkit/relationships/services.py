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
from typing import Any, cast

from mentorkit.contracts import PairingContext
from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_utc
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.programs.services import (
    OPEN_STATES,
    Actor,
    format_of,
    page_of,
    program_from_row,
    require_coordinator,
    staff_role,
)
from mentorkit.programs.tables import Enrolment, Program
from mentorkit.relationships import schemas
from mentorkit.relationships.tables import (
    MentoringSession,
    Relationship,
    RelationshipMember,
    RelationshipTransition,
    SessionPrivateNote,
)
from mentorkit.runtime import current_runtime

# Which state may follow which: the one place that says so (see ``transition_relationship``).
RELATIONSHIP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "active": ("paused", "completed", "ended_early"),
    "paused": ("active", "completed", "ended_early"),
    "completed": (),
    "ended_early": (),
}
OPEN_RELATIONSHIP_STATES = ("active", "paused")
# Manual pairing proposes and activates in one step; later flows (acceptance) start here too.
CREATED_FROM = "proposed"
# A logged session has been held; a day of slack covers time-zone slips.
FUTURE_TOLERANCE = dt.timedelta(days=1)
# A session may be logged from the day the relationship began, in whatever time zone its
# members are (the pairing is often recorded after the first meeting).
START_TOLERANCE = dt.timedelta(days=1)
# No session predates this: older dates are typing mistakes (and year 1 cannot even be
# moved to UTC from a zone east of it).
EARLIEST_SESSION = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _open_key(program_id: int, user_ids: list[int]) -> str:
    return f"{program_id}:" + ",".join(str(u) for u in sorted(user_ids))


# --------------------------------------------------------------------------- reading


# Relationship lists are read on nearly every page (home, program, relationship): one fixed
# statement (relationships with their session counts, one row per member) instead of three
# built by Piccolo's query builder, whose cost for joins through foreign keys exceeds the cost
# of running them. ``{where}`` is one of the filters below.
_RELATIONSHIPS = """
    SELECT r.id AS id, r.program AS program, r.program_name AS program_name, r.format AS format,
           r.state AS state, r.source AS source, r.created_at AS created_at, r.ended_at AS ended_at,
           r.session_count AS session_count, r.last_session_at AS last_session_at,
           m."user" AS member_user, m.role AS member_role, u.display_name AS member_name
    FROM (
        SELECT r.id, r.program, p.name AS program_name, r.format, r.state, r.source, r.created_at, r.ended_at,
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
_BY_MEMBER_WHERE = 'r.id IN (SELECT relationship FROM mentorkit_relationship_member WHERE "user" = {})'
BY_ID = _RELATIONSHIPS.replace("{where}", "r.id = {}")
BY_MEMBER = _RELATIONSHIPS.replace("{where}", _BY_MEMBER_WHERE)
BY_MEMBER_PAGE = _RELATIONSHIPS.replace("{where}", _BY_MEMBER_WHERE + _PAGE)
BY_PROGRAM = _RELATIONSHIPS.replace("{where}", "r.program = {}")
BY_PROGRAM_PAGE = _RELATIONSHIPS.replace("{where}", "r.program = {}" + _PAGE)


async def _relationships(statement: str, *values: int) -> list[schemas.Relationship]:
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
            ))
        if row["member_user"] is not None:
            relationships[-1].members.append(
                schemas.Member(user_id=row["member_user"], display_name=row["member_name"], role=row["member_role"]))
    return relationships


async def _paged(statement: str, paged_statement: str, value: int, limit: int | None,
                 offset: int) -> list[schemas.Relationship]:
    """One statement for the whole list, or for one page of it."""
    if limit is None and not offset:
        return await _relationships(statement, value)
    # SQLite's LIMIT -1 and PostgreSQL's LIMIT ALL differ; 2^31-1 means "no limit" on both.
    return await _relationships(paged_statement, value, 2**31 - 1 if limit is None else limit, offset)


async def _relationship(relationship_id: int) -> schemas.Relationship:
    found = await _relationships(BY_ID, relationship_id)
    if not found:
        raise NotFound("no such relationship")
    return found[0]


async def _viewer(relationship: schemas.Relationship, actor: Actor) -> str:
    """ "member", or "coordinator" (program coordinator or site admin); NotFound for anyone else."""
    if any(m.user_id == actor.id for m in relationship.members):
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
    from mentorkit.programs.services import require_coordinator

    await require_coordinator(program_id, actor)
    return await _paged(BY_PROGRAM, BY_PROGRAM_PAGE, program_id, limit, offset)


async def relationship_view(relationship_id: int, actor: Actor) -> schemas.RelationshipView:
    """The relationship page: members see session titles, coordinators dates and durations."""
    relationship = await _relationship(relationship_id)
    viewer = await _viewer(relationship, actor)
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
                at=t["at"],
            )
            for t in transitions
        ],
        sessions=await list_sessions(relationship_id, actor, relationship=relationship, viewer=viewer),
        can_complete="completed" in RELATIONSHIP_TRANSITIONS.get(relationship.state, ()),
        can_end_early="ended_early" in RELATIONSHIP_TRANSITIONS.get(relationship.state, ()),
    )


# --------------------------------------------------------------------------- pairing


async def pair(
    program_id: int,
    enrolment_ids: list[int],
    actor: Actor,
    *,
    strategy: str = "manual",
    reason: str = "",
) -> schemas.Relationship:
    """Create an active relationship from enrolments of one program (coordinators, admins).

    The format checks the roles (and its ``validate_members``), the format's
    ``allow_transition`` and every plugin's ``relationship_transition`` may refuse, and the
    same people cannot hold two open relationships in one program. The format's
    ``on_relationship_created`` runs in the same transaction.
    """
    if len(set(enrolment_ids)) != len(enrolment_ids):
        raise ValidationFailed({"enrolment_ids": "lists an enrolment twice"})
    runtime = current_runtime()
    if strategy not in runtime.strategies:
        raise ValidationFailed({"strategy": f"{strategy!r} is not an installed matching strategy"})
    async with transaction():
        program = await require_coordinator(program_id, actor)
        if program["state"] not in OPEN_STATES:
            raise ConflictError(f"the program is {program['state']}; pair people while it is enrolling or running")
        fmt = format_of(program)
        rows = (
            await Enrolment.select()
            .where(
                Enrolment.id.is_in(enrolment_ids) & (Enrolment.program == program_id) & (Enrolment.state == "active")
            )
            .order_by(Enrolment.id)
        )
        if len(rows) != len(enrolment_ids):
            raise ValidationFailed({"enrolment_ids": "every enrolment must be an active enrolment of this program"})
        user_ids = [row["user"] for row in rows]
        if len(set(user_ids)) != len(user_ids):
            raise ValidationFailed({"enrolment_ids": "a person cannot be paired with themselves"})
        key = _open_key(program_id, user_ids)
        now = utcnow()
        names = {r["id"]: r["display_name"] for r in await _user_names(user_ids)}
        proposal = schemas.Relationship(
            id=0,
            program_id=program_id,
            program_name=program["name"],
            format=fmt.key,
            state=CREATED_FROM,
            source=strategy,
            created_at=now,
            ended_at=None,
            members=[
                schemas.Member(user_id=r["user"], display_name=names.get(r["user"], ""), role=r["role"]) for r in rows
            ],
        )
        context = PairingContext(program=program_from_row(program), relationship=proposal, actor=actor)
        if problems := await fmt.member_problems(proposal.members, context):
            raise ValidationFailed({"enrolment_ids": "; ".join(problems)})
        if await Relationship.exists().where(Relationship.open_key == key):
            raise ConflictError("these people already have an open relationship in this program")
        await _check_transition(proposal, CREATED_FROM, "active", actor)
        inserted = await Relationship.insert(
            Relationship(
                program=program_id,
                format=fmt.key,
                state="active",
                source=strategy,
                open_key=key,
                created_by=actor.id,
                created_at=now,
            )
        ).returning(Relationship.id)
        relationship_id = inserted[0]["id"]
        await RelationshipMember.insert(
            *[
                RelationshipMember(relationship=relationship_id, enrolment=r["id"], user=r["user"], role=r["role"])
                for r in rows
            ]
        )
        await RelationshipTransition.insert(
            RelationshipTransition(
                relationship=relationship_id,
                from_state=CREATED_FROM,
                to_state="active",
                actor=actor.id,
                reason=reason,
                at=now,
            )
        )
        await emit(
            "relationship.created",
            f"relationship:{relationship_id}",
            {
                "program_id": program_id,
                "format": fmt.key,
                "source": strategy,
                "members": [{"user_id": r["user"], "role": r["role"], "enrolment_id": r["id"]} for r in rows],
            },
            actor_id=actor.id,
        )
        created = await _relationship(relationship_id)
        await fmt.relationship_created(created, actor)
    return created


async def _user_names(user_ids: list[int]) -> list[dict[str, Any]]:
    from mentorkit.accounts.tables import User

    return list(await User.select(User.id, User.display_name).where(User.id.is_in(user_ids)))


# --------------------------------------------------------------------------- transitions


async def _check_transition(relationship: schemas.Relationship, old: str, new: str, actor: Actor) -> None:
    """Refuse (409) when the relationship's format or any plugin refuses the change.

    The format's own rule comes first; a format that is no longer installed has no rules, so
    its relationships can still be completed."""
    runtime = current_runtime()
    refusals = []
    fmt = runtime.formats.get(relationship.format)
    if fmt is not None and (reason := await fmt.transition_refusal(relationship, old, new, actor)):
        refusals.append(reason)
    refusals += await runtime.hooks.relationship_transition_refusals(relationship, old, new, actor)
    if refusals:
        raise ConflictError("refused: " + "; ".join(refusals))


async def transition_relationship(
    relationship_id: int, new: str, actor: Actor, reason: str = ""
) -> schemas.Relationship:
    """The one place relationship state changes: members, the program's coordinators and site
    admins may move it along ``RELATIONSHIP_TRANSITIONS``; plugins may refuse; every change is
    stored as a transition and emitted as ``relationship.state_changed``."""
    async with transaction():
        relationship = await _relationship(relationship_id)
        await _viewer(relationship, actor)
        old = relationship.state
        if new not in RELATIONSHIP_TRANSITIONS.get(old, ()):
            raise ConflictError(f"a relationship that is {old.replace('_', ' ')} cannot become {new.replace('_', ' ')}")
        await _check_transition(relationship, old, new, actor)
        now = utcnow()
        values: dict[Any, Any] = {Relationship.state: new}
        if new not in OPEN_RELATIONSHIP_STATES:
            values.update({Relationship.open_key: None, Relationship.ended_at: now})
        elif old not in OPEN_RELATIONSHIP_STATES:  # pragma: no cover - no way back from an end yet
            values[Relationship.open_key] = _open_key(
                relationship.program_id, [m.user_id for m in relationship.members]
            )
        changed = (
            await Relationship.update(values)
            .where((Relationship.id == relationship_id) & (Relationship.state == old))
            .returning(Relationship.id)
        )
        if not changed:
            raise ConflictError("the relationship changed meanwhile; reload and try again")
        await RelationshipTransition.insert(
            RelationshipTransition(
                relationship=relationship_id,
                from_state=old,
                to_state=new,
                actor=actor.id,
                reason=reason,
                at=now,
            )
        )
        await emit(
            "relationship.state_changed",
            f"relationship:{relationship_id}",
            {"program_id": relationship.program_id, "from": old, "to": new},
            actor_id=actor.id,
        )
    return await _relationship(relationship_id)


async def complete_relationship(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """Close a relationship as completed (a member, a coordinator of its program, an admin)."""
    return await transition_relationship(relationship_id, "completed", actor, reason)


async def end_relationship_early(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """End a relationship early, when it cannot go on (a member, a coordinator, an admin)."""
    return await transition_relationship(relationship_id, "ended_early", actor, reason)


# --------------------------------------------------------------------------- sessions


async def log_session(relationship_id: int, data: schemas.SessionCreate, actor: Actor) -> schemas.Session:
    """A member logs a meeting of an active relationship, with an optional private note."""
    if data.held_at < EARLIEST_SESSION:
        raise ValidationFailed({"held_at": f"must be in {EARLIEST_SESSION.year} or later"})
    held_at = data.held_at.astimezone(dt.UTC)
    if held_at > utcnow() + FUTURE_TOLERANCE:
        raise ValidationFailed({"held_at": "is in the future; log a session once it has been held"})
    async with transaction():
        relationship = await _relationship(relationship_id)
        if await _viewer(relationship, actor) != "member":
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
    relationship = relationship or await _relationship(relationship_id)
    viewer = viewer or await _viewer(relationship, actor)
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
    relationship = await _relationship(relationship_id)
    if await _viewer(relationship, actor) != "member":
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

