"""Enrolment use cases: joining (open, by invitation, by application), the waitlist,
withdrawing and re-joining, a person's answers, capacity and pause.

Every state an enrolment can be in is reached through a function here, each in one
transaction with its event: ``enrol`` (active, applied or waitlisted), ``approve_application``
and ``decline_application``, ``promote`` (a waitlisted person gets a place) and
``withdraw_enrolment``. A place that frees up is given to the oldest waitlisted person of that
role in the same transaction that freed it.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec

from mentorkit.db import transaction
from mentorkit.db.values import as_json, as_utc
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.notifications.services import notify
from mentorkit.profiles.vocabulary import tag_index
from mentorkit.programs import schemas, services
from mentorkit.programs.enrolment_schemas import DECLINE_REASONS, Answer, EnrolmentDetail, EnrolmentJoin
from mentorkit.programs.labels import role_label
from mentorkit.programs.question_services import program_questions
from mentorkit.programs.questions import Question, check_answers
from mentorkit.programs.tables import Enrolment, EnrolmentAnswer, Program, ProgramQuestion
from mentorkit.runtime import current_runtime

LIVE_STATES = ("active", "applied", "waitlisted")
CAPACITY_MAX = 50


def enrolment_from_row(row: dict[str, Any]) -> schemas.Enrolment:
    """The public view of an enrolment row joined with its person's name and e-mail."""
    return schemas.Enrolment(
        id=row["id"], program_id=row["program"], user_id=row["user"], display_name=row["display_name"],
        email=row["email"], role=row["role"], state=row["state"],
        created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        capacity=row.get("capacity"), paused=bool(row.get("paused", False)),
    )


async def read_enrolments(where: Any, *, limit: int | None = None, offset: int = 0) -> list[schemas.Enrolment]:
    """Enrolments matching ``where`` with their people, oldest first, one page."""
    query = (
        Enrolment.select(
            *Enrolment.all_columns(),
            Enrolment.user.display_name.as_alias("display_name"),
            Enrolment.user.email.as_alias("email"),
        )
        .where(where)
        .order_by(Enrolment.id)
    )
    return [enrolment_from_row(row) for row in await services.page_of(query, limit, offset)]


async def _one(enrolment_id: int) -> schemas.Enrolment:
    return (await read_enrolments(Enrolment.id == enrolment_id))[0]


async def _row(program_id: int, enrolment_id: int) -> dict[str, Any]:
    row = await Enrolment.select(
        *Enrolment.all_columns(), Enrolment.user.email.as_alias("email"),
    ).where((Enrolment.id == enrolment_id) & (Enrolment.program == program_id)).first()
    if row is None:
        raise NotFound("no such enrolment")
    return dict(row)


async def _holder_or_coordinator(program_id: int, enrolment_id: int, actor: services.Actor) -> dict[str, Any]:
    """The enrolment row if the actor holds it or coordinates the program; 404 otherwise
    (someone else's enrolment is private)."""
    row = await _row(program_id, enrolment_id)
    if row["user"] != actor.id:
        try:
            await services.require_coordinator(program_id, actor)
        except PermissionDenied:
            raise NotFound("no such enrolment") from None
    return row


def role_limits(program_row: dict[str, Any]) -> dict[str, int]:
    """The program's limit of active enrolments per role (roles without one left out)."""
    limits = as_json(program_row.get("role_limits")) or {}
    return {role: int(v) for role, v in limits.items() if isinstance(v, int) and not isinstance(v, bool)}


async def active_count(program_id: int, role: str) -> int:
    """How many active enrolments the role has in the program (what its limit counts)."""
    return int(await Enrolment.count().where(
        (Enrolment.program == program_id) & (Enrolment.role == role) & (Enrolment.state == "active")))


async def _lock_program(program_id: int) -> None:
    """Serialise enrolments of one program on PostgreSQL (a row lock through a no-op update),
    so two people cannot take the last place together; SQLite serialises writes already."""
    await Program.update({Program.default_capacity: Program.default_capacity}).where(Program.id == program_id)


async def _has_place(program_row: dict[str, Any], role: str) -> bool:
    limit = role_limits(program_row).get(role)
    return limit is None or await active_count(program_row["id"], role) < limit


async def waitlist_place(program_id: int, role: str, enrolment_id: int) -> int:
    """The enrolment's place in its role's waitlist (1: next to get a place)."""
    return int(await Enrolment.count().where(
        (Enrolment.program == program_id) & (Enrolment.role == role) & (Enrolment.state == "waitlisted")
        & (Enrolment.id <= enrolment_id)))


async def _tell(row: dict[str, Any], program_row: dict[str, Any], what: str, subject: str, body: str) -> None:
    """An in-app notification to the enrolled person (the e-mail channel picks it up too)."""
    await notify(key=f"enrolment:{row['id']}:{what}:{utcnow().timestamp()}", email=row["email"], subject=subject,
                 body=body, user_id=row["user"], link=f"/programs/{program_row['id']}/enrolments/{row['id']}")


def _payload(row: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"enrolment_id": row["id"], "user_id": row["user"], "role": row["role"], **more}


# --------------------------------------------------------------------------- joining


async def join_refusal(program_row: dict[str, Any], role: str, actor: services.Actor) -> str | None:
    """Why the actor may not join with ``role`` (a closed program, an earlier withdrawal
    without re-joining, the format's or a plugin's eligibility rule), or None."""
    if not services.enrolment_is_open(program_row):
        return f"the program is {program_row['state']}; it is not open for enrolment"
    previous = await Enrolment.select(Enrolment.state).where(
        (Enrolment.program == program_row["id"]) & (Enrolment.user == actor.id) & (Enrolment.role == role)
    ).order_by(Enrolment.id, ascending=False).first()
    label = role_label(program_row["format"], role)
    if previous and previous["state"] in LIVE_STATES:
        said = {"active": "are already enrolled", "applied": "have already applied",
                "waitlisted": "are already on the waitlist"}
        return f"you {said[previous['state']]} as {label} in this program"
    if previous and previous["state"] == "withdrawn" and not program_row["allow_rejoin"]:
        return "you withdrew from this program, and it does not allow joining again"
    from mentorkit.api.people import get_person

    # Their own person: themselves, with their e-mail address (what eligibility rules read).
    # (services.Actor is the structural protocol; the domain API names its concrete actors.)
    person = await get_person(cast(int, actor.id), actor)  # type: ignore[arg-type]
    program = services.program_from_row(program_row)
    if refusal := await services.format_of(program_row).eligibility_refusal(program, person, role):
        return refusal
    refusals = await current_runtime().hooks.enrolment_eligibility_refusals(program, person, role)
    return "; ".join(refusals) or None


def _answer_problems(problems: dict[str, str]) -> dict[str, str]:
    return {f"answers.{key}": message for key, message in problems.items()}


async def _checked_answers(questions: list[Question], role: str, raw: dict[str, Any]) -> dict[str, Any]:
    tags = await tag_index() if any(q.kind == "tags" for q in questions) else None
    values, problems = check_answers(questions, role, raw, tags)
    if problems:
        raise ValidationFailed(_answer_problems(problems))
    return values


async def _store_answers(enrolment_id: int, questions: list[Question], values: dict[str, Any],
                         keys: set[str]) -> None:
    """Replace the answers to the questions in ``keys`` by ``values`` (absent: not answered)."""
    by_key = {q.key: q for q in questions}
    ids = [by_key[k].id for k in keys if k in by_key]
    if ids:
        await EnrolmentAnswer.delete().where(
            (EnrolmentAnswer.enrolment == enrolment_id) & EnrolmentAnswer.question.is_in(ids))
    rows = [EnrolmentAnswer(enrolment=enrolment_id, question=by_key[k].id, answer_key=f"{enrolment_id}:{by_key[k].id}",
                            value=msgspec.json.encode(v).decode(), updated_at=utcnow())
            for k, v in values.items() if k in keys]
    if rows:
        await EnrolmentAnswer.insert(*rows)


async def enrol(program_id: int, data: EnrolmentJoin, actor: services.Actor) -> schemas.Enrolment:
    """Join a program with a role, answering its questions.

    Open programs enrol at once; invitation programs need a valid link's token (each use
    counted once); application programs create an ``applied`` enrolment for a coordinator to
    review. A role at its limit puts the person on the waitlist. Emits ``enrolment.created``,
    ``enrolment.applied`` or ``enrolment.waitlisted``.
    """
    if actor.id is None:
        raise PermissionDenied("only a person can enrol (the system actor is nobody)")
    async with transaction():
        row, _ = await services._access(program_id, actor)
        fmt = services.format_of(row)
        if data.role not in fmt.role_keys():
            raise ValidationFailed({"role": f"must be one of: {', '.join(fmt.role_keys())}"})
        if refusal := await join_refusal(row, data.role, actor):
            raise ConflictError(refusal)
        questions = await program_questions(row)
        values = await _checked_answers(questions, data.role, dict(data.answers))
        invitation_id = None
        if row["enrolment_mode"] == "invitation" and data.invitation is None:
            raise ConflictError("this program is joined by invitation only: open the link you were sent")
        if data.invitation is not None:
            from mentorkit.programs.invitations import use_invitation

            invitation_id = await use_invitation(data.invitation, program_id, data.role)
        await _lock_program(program_id)
        if row["enrolment_mode"] == "application":
            state = "applied"
        else:
            state = "active" if await _has_place(row, data.role) else "waitlisted"
        inserted = await Enrolment.insert(Enrolment(
            program=program_id, user=actor.id, role=data.role, state=state, created_at=utcnow(),
            active_key=services._active_key(program_id, actor.id, data.role), invitation=invitation_id,
        )).returning(Enrolment.id)
        enrolment_id = inserted[0]["id"]
        await _store_answers(enrolment_id, questions, values, set(values))
        event = {"active": "enrolment.created", "applied": "enrolment.applied", "waitlisted": "enrolment.waitlisted"}
        new = await _row(program_id, enrolment_id)
        await emit(event[state], f"program:{program_id}", _payload(new, state=state), actor_id=actor.id)
        if state == "waitlisted":
            await _tell_waitlisted(new, row)
    return await _one(enrolment_id)


async def _tell_waitlisted(row: dict[str, Any], program_row: dict[str, Any]) -> None:
    place = await waitlist_place(program_row["id"], row["role"], row["id"])
    label = role_label(program_row["format"], row["role"])
    await _tell(row, program_row, "waitlisted", f"You are on the waitlist of {program_row['name']}",
                f"Every place for {label} is taken for now. You are number {place} in the queue; "
                "you will be told as soon as a place frees up.")


# --------------------------------------------------------------------------- decisions


async def _decide(program_id: int, enrolment_id: int, actor: services.Actor, expected: tuple[str, ...],
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    program_row = await services.require_coordinator(program_id, actor)
    row = await _row(program_id, enrolment_id)
    if row["state"] not in expected:
        raise ConflictError(f"this enrolment is {row['state']}; only {' or '.join(expected)} ones can be decided here")
    return program_row, row


async def approve_application(program_id: int, enrolment_id: int, actor: services.Actor) -> schemas.Enrolment:
    """Approve an application (coordinators, site admins): the person becomes active, or
    waitlisted when their role is full; they are told either way. Emits ``enrolment.approved``
    (and ``enrolment.waitlisted``)."""
    async with transaction():
        program_row, row = await _decide(program_id, enrolment_id, actor, ("applied",))
        await _lock_program(program_id)
        state = "active" if await _has_place(program_row, row["role"]) else "waitlisted"
        await Enrolment.update({Enrolment.state: state, Enrolment.decided_by: actor.id,
                                Enrolment.decided_at: utcnow()}).where(Enrolment.id == enrolment_id)
        await emit("enrolment.approved", f"program:{program_id}", _payload(row, state=state), actor_id=actor.id)
        if state == "waitlisted":
            await emit("enrolment.waitlisted", f"program:{program_id}", _payload(row), actor_id=actor.id)
            await _tell_waitlisted(row, program_row)
        else:
            await _tell(row, program_row, "approved", f"Your application to {program_row['name']} was approved",
                        f"Welcome! You take part as {role_label(program_row['format'], row['role'])}.")
    return await _one(enrolment_id)


def decline_reason(code: str, note: str) -> str:
    """The reason stored and told: the chosen reason's text, then the coordinator's words."""
    text = DECLINE_REASONS.get(code, DECLINE_REASONS["other"])
    return f"{text}: {note.strip()}" if note.strip() else text


async def decline_application(program_id: int, enrolment_id: int, code: str, note: str,
                              actor: services.Actor) -> schemas.Enrolment:
    """Decline an application or a waitlisted place with a reason (coordinators, site admins);
    the person is told with the reason. Emits ``enrolment.declined``."""
    if code not in DECLINE_REASONS:
        raise ValidationFailed({"reason": f"must be one of: {', '.join(DECLINE_REASONS)}"})
    reason = decline_reason(code, note)
    async with transaction():
        program_row, row = await _decide(program_id, enrolment_id, actor, ("applied", "waitlisted"))
        await Enrolment.update({Enrolment.state: "declined", Enrolment.active_key: None, Enrolment.ended_at: utcnow(),
                                Enrolment.decided_by: actor.id, Enrolment.decided_at: utcnow(),
                                Enrolment.decision_reason: reason}).where(Enrolment.id == enrolment_id)
        await emit("enrolment.declined", f"program:{program_id}", _payload(row, reason=reason), actor_id=actor.id)
        await _tell(row, program_row, "declined", f"Your application to {program_row['name']} was declined",
                    f"Reason: {reason}")
    return await _one(enrolment_id)


async def _promote(program_row: dict[str, Any], row: dict[str, Any], actor: services.Actor) -> None:
    await Enrolment.update({Enrolment.state: "active", Enrolment.decided_by: actor.id,
                            Enrolment.decided_at: utcnow()}).where(Enrolment.id == row["id"])
    await emit("enrolment.promoted", f"program:{program_row['id']}", _payload(row), actor_id=actor.id)
    await _tell(row, program_row, "promoted", f"You have a place in {program_row['name']}",
                f"A place freed up: you now take part as {role_label(program_row['format'], row['role'])}.")


async def promote(program_id: int, enrolment_id: int, actor: services.Actor) -> schemas.Enrolment:
    """Give a waitlisted person a place by hand, even beyond the role's limit (coordinators,
    site admins). Emits ``enrolment.promoted``; the person is told."""
    async with transaction():
        program_row, row = await _decide(program_id, enrolment_id, actor, ("waitlisted",))
        await _promote(program_row, row, actor)
    return await _one(enrolment_id)


async def _fill_place(program_id: int, role: str, actor: services.Actor) -> None:
    """After a place freed up: promote the oldest waitlisted person of the role if it has room."""
    program_row = await services._program_row(program_id)
    if not await _has_place(program_row, role):
        return
    waiting = await Enrolment.select(*Enrolment.all_columns(), Enrolment.user.email.as_alias("email")).where(
        (Enrolment.program == program_id) & (Enrolment.role == role) & (Enrolment.state == "waitlisted")
    ).order_by(Enrolment.id).first()
    if waiting is not None:
        await _promote(program_row, dict(waiting), actor)


# --------------------------------------------------------------------------- withdrawing


async def withdraw_enrolment(program_id: int, enrolment_id: int, actor: services.Actor) -> schemas.Enrolment:
    """Withdraw a live (active, applied or waitlisted) enrolment: the enrolled person, or a
    coordinator of the program. Refused while it is part of an open relationship. A place it
    frees goes to the oldest waitlisted person of the role. Emits ``enrolment.withdrawn``."""
    from mentorkit.relationships.tables import Relationship, RelationshipMember

    async with transaction():
        row = await _holder_or_coordinator(program_id, enrolment_id, actor)
        if row["state"] not in LIVE_STATES:
            raise ConflictError(f"this enrolment is already {row['state']}")
        open_relationships = RelationshipMember.select(RelationshipMember.relationship).where(
            RelationshipMember.enrolment == enrolment_id)
        if await Relationship.exists().where(
                Relationship.id.is_in(open_relationships)
                & Relationship.state.is_in(["proposed", "pending", "active", "paused"])):
            raise ConflictError("this enrolment is part of an open relationship (or a match waiting for an "
                                "answer); complete, end or decline it first")
        await _lock_program(program_id)
        await Enrolment.update({Enrolment.state: "withdrawn", Enrolment.active_key: None,
                                Enrolment.ended_at: utcnow()}).where(Enrolment.id == enrolment_id)
        await emit("enrolment.withdrawn", f"program:{program_id}", _payload(row), actor_id=actor.id)
        if row["state"] == "active":
            await _fill_place(program_id, row["role"], actor)
    return await _one(enrolment_id)


# --------------------------------------------------------------------------- reading


async def list_enrolments(program_id: int, actor: services.Actor, *, include_withdrawn: bool = False,
                          limit: int | None = None, offset: int = 0) -> list[schemas.Enrolment]:
    """Enrolments of a program (coordinators and site admins: observers read aggregates
    only), oldest first: active ones, or every one with ``include_withdrawn``."""
    await services.require_coordinator(program_id, actor)
    where: Any = Enrolment.program == program_id
    if not include_withdrawn:
        where = where & (Enrolment.state == "active")
    return await read_enrolments(where, limit=limit, offset=offset)


async def live_enrolments_of(program_id: int, actor: services.Actor) -> list[schemas.Enrolment]:
    """The actor's own live (active, applied, waitlisted) enrolments in the program."""
    if actor.id is None:
        return []
    return await read_enrolments((Enrolment.program == program_id) & (Enrolment.user == actor.id)
                                 & Enrolment.state.is_in(list(LIVE_STATES)))


async def list_applications(program_id: int, actor: services.Actor, *, limit: int | None = None,
                            offset: int = 0) -> list[schemas.Enrolment]:
    """Applications waiting for a decision, oldest first (coordinators, site admins)."""
    await services.require_coordinator(program_id, actor)
    return await read_enrolments((Enrolment.program == program_id) & (Enrolment.state == "applied"),
                                 limit=limit, offset=offset)


async def count_applications(program_id: int, actor: services.Actor) -> int:
    """How many applications wait for a decision."""
    await services.require_coordinator(program_id, actor)
    return int(await Enrolment.count().where((Enrolment.program == program_id) & (Enrolment.state == "applied")))


async def visible_answers(enrolment_id: int, viewer: services.Actor) -> list[Answer]:
    """The answers of an enrolment that ``viewer`` may read, in question order: all of them for
    the person, the program's coordinators, site admins and the system actor; for someone
    taking part in the program, those whose question lists their role in ``visible_roles``;
    none for anyone else."""
    enrolment = await Enrolment.select(Enrolment.program, Enrolment.user).where(Enrolment.id == enrolment_id).first()
    if enrolment is None:
        raise NotFound("no such enrolment")
    program_id = enrolment["program"]
    sees_all = viewer.is_admin or enrolment["user"] == viewer.id
    if not sees_all:
        sees_all = await services.staff_role(program_id, viewer.id) == "coordinator"
    my_roles: set[str] = set()
    if not sees_all and viewer.id is not None:
        my_roles = {r["role"] for r in await Enrolment.select(Enrolment.role).where(
            (Enrolment.program == program_id) & (Enrolment.user == viewer.id) & (Enrolment.state == "active"))}
        if not my_roles:
            return []
    rows = await EnrolmentAnswer.select(
        EnrolmentAnswer.value, EnrolmentAnswer.question.as_alias("question_id"),
        *EnrolmentAnswer.question.all_columns(exclude=[ProgramQuestion.id]),
    ).where(EnrolmentAnswer.enrolment == enrolment_id).order_by(EnrolmentAnswer.question.position).order_by(
        EnrolmentAnswer.question.id)
    out = []
    for row in rows:
        visible_to = as_json(row["question.visible_roles"]) or []
        if sees_all or my_roles & set(visible_to):
            out.append(Answer(question_id=row["question_id"], key=row["question.key"], label=row["question.label"],
                              kind=row["question.kind"], value=as_json(row["value"])))
    return out


async def get_enrolment(program_id: int, enrolment_id: int, actor: services.Actor) -> EnrolmentDetail:
    """A person's enrolment page: the person themselves, the program's coordinators and site
    admins (``NotFound`` for anyone else)."""
    row = await _holder_or_coordinator(program_id, enrolment_id, actor)
    program_row = await services._program_row(program_id)
    place = await waitlist_place(program_id, row["role"], enrolment_id) if row["state"] == "waitlisted" else None
    return EnrolmentDetail(
        enrolment=await _one(enrolment_id), program_name=program_row["name"],
        capacity=row["capacity"] or program_row["default_capacity"], paused=row["paused"],
        decided_at=as_utc(row["decided_at"]), decision_reason=row["decision_reason"],
        waitlist_place=place, answers=await visible_answers(enrolment_id, actor),
    )


# --------------------------------------------------------------------------- changing


async def update_enrolment(program_id: int, enrolment_id: int, actor: services.Actor, *,
                           capacity: int | None = None, paused: bool | None = None) -> EnrolmentDetail:
    """Change how many relationships the person takes at once (1 to 50) or pause/resume
    taking new ones: the person or a coordinator. Emits ``enrolment.updated``."""
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise ValidationFailed({"capacity": f"must be from 1 to {CAPACITY_MAX}"})
    async with transaction():
        row = await _holder_or_coordinator(program_id, enrolment_id, actor)
        if row["state"] not in LIVE_STATES:
            raise ConflictError(f"this enrolment is {row['state']}; it cannot change any more")
        program_row = await services._program_row(program_id)
        fmt = current_runtime().formats.get(program_row["format"])
        slot = next((s for s in fmt.roles if s.role == row["role"]), None) if fmt else None
        if slot is not None and not slot.takes_capacity and (capacity is not None or paused is not None):
            field = "capacity" if capacity is not None else "paused"
            raise ValidationFailed({field: f"{slot.plural} take one relationship at a time: capacity and pause "
                                           "are for the roles that take several"})
        changes: dict[Any, Any] = {}
        if capacity is not None and capacity != row["capacity"]:
            changes[Enrolment.capacity] = capacity
        if paused is not None and paused != row["paused"]:
            changes[Enrolment.paused] = paused
        if changes:
            await Enrolment.update(changes).where(Enrolment.id == enrolment_id)
            await emit("enrolment.updated", f"program:{program_id}",
                       {"enrolment_id": enrolment_id, "fields": sorted(c._meta.name for c in changes)},
                       actor_id=actor.id)
    return await get_enrolment(program_id, enrolment_id, actor)


async def update_answers(program_id: int, enrolment_id: int, answers: dict[str, Any],
                         actor: services.Actor) -> EnrolmentDetail:
    """Change answers (the person or a coordinator): the questions named get the new answer,
    the others keep theirs, and the whole set is checked as at joining. Emits
    ``enrolment.updated``."""
    async with transaction():
        row = await _holder_or_coordinator(program_id, enrolment_id, actor)
        if row["state"] not in LIVE_STATES:
            raise ConflictError(f"this enrolment is {row['state']}; its answers cannot change any more")
        program_row = await services._program_row(program_id)
        questions = await program_questions(program_row)
        by_id = {q.id: q for q in questions}
        stored = {by_id[r["question"]].key: as_json(r["value"]) for r in await EnrolmentAnswer.select(
            EnrolmentAnswer.question, EnrolmentAnswer.value).where(EnrolmentAnswer.enrolment == enrolment_id)
            if r["question"] in by_id and by_id[r["question"]].asks(row["role"])}
        values = await _checked_answers(questions, row["role"], {**stored, **answers})
        changed = {k for k in answers if values.get(k) != stored.get(k)}
        if changed:
            await _store_answers(enrolment_id, questions, values, changed)
            await emit("enrolment.updated", f"program:{program_id}",
                       {"enrolment_id": enrolment_id, "fields": ["answers"], "questions": sorted(changed)},
                       actor_id=actor.id)
    return await get_enrolment(program_id, enrolment_id, actor)
