"""Goal use cases: set, change, log progress on, suggest and answer SMART goals, and count them.

Privacy rules held here (and tested role by role):

* a goal's text is read by its owner; by the member who suggested it while it waits for the
  owner's answer; and by the relationship's members when its visibility is ``relationship``;
* nobody else reads it, ever: not the other member of a private or ``aggregate`` goal, not the
  program's coordinators or observers, not site admins, not the system actor;
* coordinators, observers and site admins get numbers only (``goal_aggregates``): goals of
  visibility ``relationship`` or ``aggregate`` by status; private goals are counted nowhere;
* events carry ids and statuses, never text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from msgspec import UNSET

from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.goals import schemas
from mentorkit.goals.tables import Goal, GoalProgress
from mentorkit.programs.services import Actor, require_staff
from mentorkit.relationships import schemas as relationship_schemas
from mentorkit.relationships.reads import relationship_by_id, viewer_of
from mentorkit.runtime import current_runtime

STATUS_LABELS = {
    "suggested": "suggested", "not_started": "not started", "on_track": "on track", "at_risk": "at risk",
    "achieved": "achieved", "dropped": "dropped",
}
VISIBILITY_LABELS = {
    "private": "Only its owner",
    "aggregate": "Only its owner; counted in the program's numbers",
    "relationship": "The members of this relationship",
}
# The states of a relationship in which goals are set, changed and worked on.
WORKING_STATES = ("active", "paused")
# The statuses counted in the program's numbers (a suggestion is not a goal yet).
COUNTED_STATUSES = ("not_started", "on_track", "at_risk", "achieved", "dropped")
_FIELDS = ("what", "metric", "baseline", "target", "unit", "why", "due_on", "milestone_key", "visibility")


def may_read(goal: Mapping[str, Any], actor_id: int | None, member_ids: Sequence[int]) -> bool:
    """Whether the person may read the goal (a row of ``Goal``): the rules above."""
    if actor_id is None:
        return False
    if goal["owner"] == actor_id:
        return True
    if goal["status"] == "suggested":
        return bool(goal["suggested_by"] == actor_id)
    return goal["visibility"] == "relationship" and actor_id in member_ids


def may_log_progress(goal: Mapping[str, Any], actor_id: int | None) -> bool:
    """The owner logs progress; the other members too when the goal is shared with them."""
    return goal["status"] != "suggested" and (goal["owner"] == actor_id or goal["visibility"] == "relationship")


def mentoring_role(relationship: relationship_schemas.Relationship) -> str:
    """The role whose members suggest goals: the format's first role (the mentor)."""
    fmt = current_runtime().formats.get(relationship.format)
    return fmt.roles[0].role if fmt is not None and fmt.roles else "mentor"


# --------------------------------------------------------------------------- rules


def _problems(values: dict[str, Any], today: dt.date, *, due_changed: bool = True) -> dict[str, str]:
    """What makes the goal not SMART (all at once), by field."""
    problems = {}
    for name in ("what", "metric"):
        if not str(values[name]).strip():
            problems[name] = "this field is required"
    if values["target"] is None:
        problems["target"] = "give the target: the number that says the goal is met"
    elif values["target"] == values["baseline"]:
        problems["target"] = f"must differ from the baseline ({values['baseline']:g}): it is what you work toward"
    if values["due_on"] is None:
        problems["due_on"] = "give the day the goal is due"
    elif due_changed and values["due_on"] < today:
        problems["due_on"] = f"must be today ({today.isoformat()}) or later"
    if values["status"] == "dropped" and not values["drop_reason"].strip():
        problems["drop_reason"] = "say in a few words why the goal is dropped"
    return problems


async def _milestone_problems(relationship_id: int, values: dict[str, Any]) -> dict[str, str]:
    """A goal links to a milestone of its relationship's journey, or to none."""
    from mentorkit.journeys.tables import JourneyMilestone

    key = values.get("milestone_key")
    if not key:
        values["milestone_key"] = None
        return {}
    keys = [row["key"] for row in await JourneyMilestone.select(JourneyMilestone.key).where(
        JourneyMilestone.journey.relationship == relationship_id)]
    if key not in keys:
        return {"milestone_key": "is not a milestone of this relationship's journey"
                                 + (f" ({', '.join(keys)})" if keys else "")}
    return {}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """One-line fields without surrounding white space."""
    return {k: v.strip() if isinstance(v, str) and k in ("what", "metric", "unit", "milestone_key") else v
            for k, v in values.items()}


async def _member_of(relationship_id: int, actor: Actor) -> relationship_schemas.Relationship:
    """The relationship when the actor is one of its members. Coordinators and site admins
    get ``PermissionDenied`` (they read goals in numbers only), anyone else ``NotFound``."""
    relationship = await relationship_by_id(relationship_id)
    if await viewer_of(relationship, actor) != "member":
        raise PermissionDenied("only the members of a relationship read and set its goals; "
                               "coordinators see goals in numbers only")
    return relationship


def _working(relationship: relationship_schemas.Relationship) -> None:
    if relationship.state not in WORKING_STATES:
        raise ConflictError("goals are set and worked on while the relationship is active or paused; it is "
                            + relationship.state.replace("_", " "))


async def _readable(relationship_id: int, goal_id: int, actor: Actor) -> tuple[
        relationship_schemas.Relationship, dict[str, Any]]:
    """The relationship and the goal's row when the actor may read it; ``NotFound`` otherwise
    (other people's goals are not acknowledged to exist)."""
    relationship = await relationship_by_id(relationship_id)
    row = await Goal.select().where((Goal.id == goal_id) & (Goal.relationship == relationship_id)).first()
    if row is None or not may_read(row, actor.id, [m.user_id for m in relationship.members]):
        raise NotFound("no such goal")
    return relationship, row


def _payload(row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    # Ids and statuses only: events reach every plugin.
    return {"goal_id": row["id"], "relationship_id": row["relationship"], "owner_id": row["owner"],
            "status": row["status"], "visibility": row["visibility"], **extra}


# --------------------------------------------------------------------------- reading


async def _goals(rows: Sequence[dict[str, Any]], relationship: relationship_schemas.Relationship) -> list[schemas.Goal]:
    """Goals with their progress, oldest update first (one more statement for all of them)."""
    ids = [row["id"] for row in rows]
    progress: dict[int, list[schemas.Progress]] = {goal_id: [] for goal_id in ids}
    if ids:
        for p in await GoalProgress.select().where(GoalProgress.goal.is_in(ids)).order_by(GoalProgress.logged_at) \
                .order_by(GoalProgress.id):
            progress[p["goal"]].append(schemas.Progress(
                id=p["id"], value=p["value"], note=p["note"], author_id=p["author"], logged_at=p["logged_at"]))
    names = {m.user_id: m.display_name for m in relationship.members}
    return [schemas.Goal(
        id=r["id"], relationship_id=r["relationship"], owner_id=r["owner"], owner_name=names.get(r["owner"], ""),
        suggested_by=r["suggested_by"], what=r["what"], metric=r["metric"], baseline=r["baseline"],
        target=r["target"], unit=r["unit"], why=r["why"], due_on=r["due_on"],
        milestone_key=r["milestone_key"], status=r["status"], visibility=r["visibility"],
        drop_reason=r["drop_reason"], created_at=r["created_at"], updated_at=r["updated_at"],
        progress=progress[r["id"]],
    ) for r in rows]


async def list_goals(relationship_id: int, actor: Actor) -> list[schemas.Goal]:
    """The relationship's goals the actor may read (members only), oldest first."""
    relationship = await _member_of(relationship_id, actor)
    rows = await Goal.select().where(Goal.relationship == relationship_id).order_by(Goal.id)
    members = [m.user_id for m in relationship.members]
    return await _goals([r for r in rows if may_read(r, actor.id, members)], relationship)


async def get_goal(relationship_id: int, goal_id: int, actor: Actor) -> schemas.Goal:
    """One goal the actor may read; ``NotFound`` for anyone else."""
    relationship, row = await _readable(relationship_id, goal_id, actor)
    return (await _goals([row], relationship))[0]


# --------------------------------------------------------------------------- changing


async def _insert(relationship: relationship_schemas.Relationship, data: schemas.GoalCreate, owner_id: int,
                  actor: Actor, status: str) -> dict[str, Any]:
    values = _clean({name: getattr(data, name) for name in _FIELDS} | {"status": status, "drop_reason": ""})
    if problems := _problems(values, utcnow().date()) | await _milestone_problems(relationship.id, values):
        raise ValidationFailed(problems)
    now = utcnow()
    rows = await Goal.insert(Goal(
        relationship=relationship.id, owner=owner_id, suggested_by=actor.id if status == "suggested" else None,
        created_at=now, updated_at=now, **values,
    )).returning(*Goal.all_columns())
    return dict(rows[0])


async def create_goal(relationship_id: int, data: schemas.GoalCreate, actor: Actor) -> schemas.Goal:
    """A member sets themselves a goal in an active or paused relationship. Emits
    ``goal.created``."""
    async with transaction():
        relationship = await _member_of(relationship_id, actor)
        _working(relationship)
        row = await _insert(relationship, data, actor.id, actor, "not_started")  # type: ignore[arg-type]
        await emit("goal.created", f"relationship:{relationship_id}", _payload(row), actor_id=actor.id)
    return await get_goal(relationship_id, row["id"], actor)


async def suggest_goal(relationship_id: int, data: schemas.GoalSuggest, actor: Actor) -> schemas.Goal:
    """A mentor (a member in the format's first role) suggests a goal for another member; it
    waits, ``suggested``, for the owner to accept or decline it. Emits ``goal.suggested``."""
    async with transaction():
        relationship = await _member_of(relationship_id, actor)
        _working(relationship)
        role = mentoring_role(relationship)
        if not any(m.user_id == actor.id and m.role == role for m in relationship.members):
            raise PermissionDenied("mentors suggest goals; set yourself a goal instead")
        others = [m.user_id for m in relationship.members if m.role != role]
        owner_id = data.owner_id
        if owner_id is None:
            if len(others) != 1:
                raise ValidationFailed({"owner_id": "say whom the goal is for"})
            owner_id = others[0]
        elif owner_id not in others:
            raise ValidationFailed({"owner_id": "must be a member of this relationship who is not a mentor"})
        create = schemas.GoalCreate(**{name: getattr(data, name) for name in _FIELDS})
        row = await _insert(relationship, create, owner_id, actor, "suggested")
        await emit("goal.suggested", f"relationship:{relationship_id}", _payload(row), actor_id=actor.id)
    return await get_goal(relationship_id, row["id"], actor)


async def answer_suggestion(relationship_id: int, goal_id: int, accept: bool, actor: Actor) -> schemas.Goal:
    """The owner accepts a suggested goal (it becomes theirs, ``not_started``) or declines it
    (it is deleted; the answer returns it once more with status ``declined``). Emits
    ``goal.suggestion_answered`` (``answer``: accepted or declined)."""
    async with transaction():
        relationship, row = await _readable(relationship_id, goal_id, actor)
        if row["owner"] != actor.id:
            raise PermissionDenied("the person a goal is suggested for answers the suggestion")
        if row["status"] != "suggested":
            raise ConflictError("this goal is not a suggestion waiting for an answer")
        answer = "accepted" if accept else "declined"
        if accept:
            await Goal.update({Goal.status: "not_started", Goal.updated_at: utcnow()}).where(Goal.id == goal_id)
        else:
            await Goal.delete().where(Goal.id == goal_id)
        status = "not_started" if accept else "declined"
        await emit("goal.suggestion_answered", f"relationship:{relationship_id}",
                   _payload({**row, "status": status}, answer=answer), actor_id=actor.id)
    if accept:
        return await get_goal(relationship_id, goal_id, actor)
    return (await _goals([{**row, "status": "declined"}], relationship))[0]


async def update_goal(relationship_id: int, goal_id: int, data: schemas.GoalUpdate, actor: Actor) -> schemas.Goal:
    """The owner changes a goal: its fields, status or visibility (only what is sent).
    Dropping needs ``drop_reason``; a new due date is not before today. Emits
    ``goal.updated`` (the names of the changed fields, never their values)."""
    async with transaction():
        relationship, row = await _readable(relationship_id, goal_id, actor)
        if row["owner"] != actor.id:
            raise PermissionDenied("only the goal's owner changes it")
        if row["status"] == "suggested":
            raise ConflictError("accept or decline the suggestion first")
        _working(relationship)
        given = {name: value for name in (*_FIELDS, "status", "drop_reason")
                 if (value := getattr(data, name)) is not UNSET}
        current = {name: row[name] for name in (*_FIELDS, "status", "drop_reason")}
        values = _clean({**current, **given})
        problems = _problems(values, utcnow().date(), due_changed=values["due_on"] != current["due_on"])
        if problems := problems | await _milestone_problems(relationship_id, values):
            raise ValidationFailed(problems)
        changed = sorted(name for name in values if values[name] != current[name])
        if changed:
            await Goal.update({**{getattr(Goal, name): values[name] for name in changed},
                               Goal.updated_at: utcnow()}).where(Goal.id == goal_id)
            await emit("goal.updated", f"relationship:{relationship_id}",
                       _payload({**row, **values}, fields=changed), actor_id=actor.id)
    return await get_goal(relationship_id, goal_id, actor)


async def log_progress(relationship_id: int, goal_id: int, data: schemas.ProgressCreate,
                       actor: Actor) -> schemas.Goal:
    """Log the measured value now, with a note: the owner, or any member when the goal is
    shared with the relationship. Emits ``goal.progress_logged``."""
    async with transaction():
        relationship, row = await _readable(relationship_id, goal_id, actor)
        if not may_log_progress(row, actor.id):
            if row["status"] == "suggested":
                raise ConflictError("progress is logged once the suggestion is accepted")
            raise PermissionDenied("only the goal's owner logs progress on it")
        _working(relationship)
        now = utcnow()
        rows = await GoalProgress.insert(GoalProgress(
            goal=goal_id, author=actor.id, value=data.value, note=data.note.strip(), logged_at=now,
        )).returning(GoalProgress.id)
        await Goal.update({Goal.updated_at: now}).where(Goal.id == goal_id)
        await emit("goal.progress_logged", f"relationship:{relationship_id}",
                   _payload(row, progress_id=rows[0]["id"]), actor_id=actor.id)
    return await get_goal(relationship_id, goal_id, actor)


# --------------------------------------------------------------------------- numbers

_GOAL_COUNTS = """
    SELECT g.status AS status, COUNT(*) AS n
    FROM mentorkit_goal g JOIN mentorkit_relationship r ON r.id = g.relationship
    WHERE r.program = {} AND g.visibility IN ('relationship', 'aggregate')
      AND g.status IN ('not_started', 'on_track', 'at_risk', 'achieved', 'dropped')
    GROUP BY g.status
"""


async def goal_aggregates(program_id: int, actor: Actor) -> schemas.GoalAggregates:
    """A program's goals in numbers (its coordinators and observers, site admins, the system
    actor): goals shared with the relationship or counted as ``aggregate``, by status, in one
    statement; never private goals, suggestions, owners or text."""
    await require_staff(program_id, actor)
    by_status = dict.fromkeys(COUNTED_STATUSES, 0)
    for row in await fetch(_GOAL_COUNTS, program_id):
        by_status[row["status"]] = int(row["n"])
    total = sum(by_status.values())
    achieved = by_status["achieved"]
    pursued = total - by_status["dropped"]
    return schemas.GoalAggregates(by_status=by_status, total=total, achieved=achieved,
                                  completion=round(achieved / pursued, 3) if pursued else 0.0)
