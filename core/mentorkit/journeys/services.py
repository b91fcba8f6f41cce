"""Journey use cases: start a relationship's journey, read it, complete milestones and tasks,
and move a program's running journeys to a new version of their template.

* A program's template is the one it names (``Program.journey_template``), else its format's
  (``ProgramFormat.journey``), else the core's 1:1 journey; a relationship gets the highest
  registered version when it starts, composed by ``journey_for_relationship`` if a plugin
  answers, copied into its own rows.
* Each milestone has two timers: ``journey.milestone_due`` on its due day and
  ``journey.milestone_overdue`` the day after; completing a milestone removes them, reopening
  it sets them again.
* Members tick tasks and complete milestones (plugins may refuse: ``milestone_completion``);
  members and coordinators read the journey.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from mentorkit.contracts import JourneyTemplate, MilestoneSpec
from mentorkit.db import transaction
from mentorkit.db.bulk import insert_rows
from mentorkit.db.values import as_date, as_json
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import Timer, emit, emit_many, schedule, utcnow
from mentorkit.journeys import schemas
from mentorkit.journeys.tables import Journey, JourneyMilestone, JourneyTask
from mentorkit.programs.services import Actor, require_coordinator
from mentorkit.relationships.reads import relationship_by_id, viewer_of
from mentorkit.relationships.schemas import Relationship as RelationshipModel
from mentorkit.relationships.tables import Relationship
from mentorkit.runtime import current_runtime

DEFAULT_TEMPLATE = "one_to_one"
DUE_EVENT = "journey.milestone_due"
OVERDUE_EVENT = "journey.milestone_overdue"
# A milestone due within this many days is "due" rather than "upcoming".
DUE_SOON = dt.timedelta(days=7)
# Where the members still work on their journey.
CHANGING_STATES = ("active", "paused")


# --------------------------------------------------------------------------- templates


def template_key_of(program: dict[str, Any]) -> str:
    """The key of the journey template a program uses."""
    if program.get("journey_template"):
        return str(program["journey_template"])
    fmt = current_runtime().formats.get(program["format"])
    return fmt.journey if fmt is not None and fmt.journey else DEFAULT_TEMPLATE


def template(key: str, version: int | None = None) -> JourneyTemplate:
    """A registered template: ``version``, or the highest. ``ValidationFailed`` on ``version``
    when that version does not exist, ``NotFound`` when no template has the key."""
    versions = current_runtime().journeys.get(key)
    if not versions:
        raise NotFound(f"no journey template '{key}' is installed")
    if version is None:
        return versions[max(versions)]
    if version not in versions:
        raise ValidationFailed({"version": f"version {version} of the journey “{versions[max(versions)].label}” "
                                           f"does not exist (versions: {', '.join(map(str, sorted(versions)))})"})
    return versions[version]


def _timers(journey_id: int, key: str, due_on: dt.date) -> list[tuple[str, dt.datetime, str]]:
    """The milestone's two timers: (key, when, event type)."""
    due = dt.datetime.combine(due_on, dt.time(), tzinfo=dt.UTC)
    prefix = f"journey:{journey_id}:{key}"
    return [(f"{prefix}:due:{due_on.isoformat()}", due, DUE_EVENT),
            (f"{prefix}:overdue:{due_on.isoformat()}", due + dt.timedelta(days=1), OVERDUE_EVENT)]


async def _schedule(journey_id: int, relationship_id: int, key: str, due_on: dt.date) -> None:
    for timer_key, when, type_ in _timers(journey_id, key, due_on):
        await schedule(timer_key, when, type_, f"relationship:{relationship_id}",
                       {"relationship_id": relationship_id, "milestone_key": key, "due_on": due_on.isoformat()})


async def _unschedule(journey_id: int, key: str | None = None) -> None:
    """Remove the timers of a journey (of one milestone, or all) that have not fired."""
    prefix = f"journey:{journey_id}:{key}:" if key else f"journey:{journey_id}:"
    # ("_" in a key is LIKE's any-character: it still matches itself, and the journey id and
    # the colons around it keep prefixes apart.)
    await Timer.delete().where(Timer.key.like(prefix + "%") & Timer.fired_at.is_null())


async def _unschedule_all(relationship_ids: Sequence[int]) -> None:
    """Remove every journey timer of these relationships that has not fired (one statement)."""
    await Timer.delete().where(Timer.subject.is_in([f"relationship:{r}" for r in relationship_ids])
                               & Timer.key.like("journey:%") & Timer.fired_at.is_null())


def _milestone_rows(journey_id: int, started_on: dt.date, specs: Sequence[MilestoneSpec],
                    skip: set[str] = frozenset()) -> list[dict[str, Any]]:  # type: ignore[assignment]
    return [{  # the keys are the table's column names (db.bulk.insert_rows)
        "journey": journey_id, "key": spec.key, "milestone_ref": f"{journey_id}:{spec.key}", "title": spec.title,
        "description": spec.description, "position": index, "due_on": started_on + dt.timedelta(days=spec.due_days),
        "agenda": json.dumps(list(spec.agenda)),
        "resources": json.dumps([{"title": title, "url": url} for title, url in spec.resources]),
        "surveys": json.dumps(list(spec.surveys)), "completed_at": None, "completed_by": None,
    } for index, spec in enumerate(specs) if spec.key not in skip]


async def _insert_milestones(rows: list[dict[str, Any]], specs_by_ref: dict[str, MilestoneSpec]) -> None:
    """Insert milestones and their tasks (two multi-row statements)."""
    ids = dict((ref, milestone_id) for milestone_id, ref in await insert_rows(JourneyMilestone, rows,
                                                                                returning="milestone_ref"))
    await insert_rows(JourneyTask, [
        {"milestone": ids[ref], "position": n, "title": title, "done_at": None, "done_by": None}
        for ref, spec in specs_by_ref.items() for n, title in enumerate(spec.tasks)])


async def start_journey(relationship: RelationshipModel, program: dict[str, Any], started_on: dt.date) -> int | None:
    """Give a starting relationship its journey (inside the caller's transaction); nothing when
    it has one, or when its program's template is not installed. Emits ``journey.started``."""
    if await Journey.exists().where(Journey.relationship == relationship.id):
        return None
    try:
        chosen = template(template_key_of(program))
    except NotFound:
        return None
    chosen = current_runtime().hooks.journey_for_relationship(relationship, chosen)
    rows = await Journey.insert(Journey(relationship=relationship.id, template_key=chosen.key, version=chosen.version,
                                        label=chosen.label, started_on=started_on)).returning(Journey.id)
    journey_id = rows[0]["id"]
    milestones = _milestone_rows(journey_id, started_on, chosen.milestones)
    await _insert_milestones(milestones, {f"{journey_id}:{s.key}": s for s in chosen.milestones})
    for row in milestones:
        await _schedule(journey_id, relationship.id, row["key"], row["due_on"])
    await emit("journey.started", f"relationship:{relationship.id}",
               {"program_id": relationship.program_id, "template": chosen.key, "version": chosen.version},
               actor_id=None)
    return int(journey_id)


# --------------------------------------------------------------------------- reading


def _status(row: dict[str, Any], today: dt.date) -> str:
    if row["completed_at"] is not None:
        return "done"
    due_on = _date(row["due_on"])
    if due_on < today:
        return "overdue"
    return "due" if due_on - today <= DUE_SOON else "upcoming"


def _date(value: Any) -> dt.date:
    return as_date(value) or dt.date.min


async def _journey_row(relationship_id: int) -> dict[str, Any] | None:
    row = await Journey.select().where(Journey.relationship == relationship_id).first()
    return dict(row) if row else None


async def get_journey(relationship_id: int, actor: Actor) -> schemas.JourneyView | None:
    """The relationship's journey (members and coordinators), or None when it has none yet
    (it starts with the relationship)."""
    relationship = await relationship_by_id(relationship_id)
    return await journey_view(relationship, await viewer_of(relationship, actor))


async def journey_view(relationship: RelationshipModel, viewer: str) -> schemas.JourneyView | None:
    """``get_journey`` for a relationship already read and a viewer already known ("member"
    or "coordinator"): the relationship page reads them once for every section."""
    relationship_id = relationship.id
    journey = await _journey_row(relationship_id)
    if journey is None:
        return None
    milestones = list(await JourneyMilestone.select(
        *JourneyMilestone.all_columns(), JourneyMilestone.completed_by.display_name.as_alias("completed_by_name"),
    ).where(JourneyMilestone.journey == journey["id"]).order_by(JourneyMilestone.due_on).order_by(
        JourneyMilestone.position))
    tasks = await JourneyTask.select(
        *JourneyTask.all_columns(), JourneyTask.done_by.display_name.as_alias("done_by_name"),
    ).where(JourneyTask.milestone.is_in([m["id"] for m in milestones] or [0])).order_by(JourneyTask.position)
    today = utcnow().date()
    out = [schemas.Milestone(
        key=m["key"], title=m["title"], description=m["description"], due_on=_date(m["due_on"]),
        status=_status(m, today),
        tasks=[schemas.Task(id=t["id"], title=t["title"], done_at=t["done_at"], done_by_name=t["done_by_name"])
               for t in tasks if t["milestone"] == m["id"]],
        agenda=list(as_json(m["agenda"]) or []),
        resources=[schemas.Resource(**r) for r in as_json(m["resources"]) or []],
        surveys=list(as_json(m["surveys"]) or []),
        completed_at=m["completed_at"], completed_by_name=m["completed_by_name"],
    ) for m in milestones]
    versions = current_runtime().journeys.get(journey["template_key"], {})
    return schemas.JourneyView(
        relationship_id=relationship_id, template_key=journey["template_key"], label=journey["label"],
        version=journey["version"], latest_version=max(versions) if versions else journey["version"],
        started_on=_date(journey["started_on"]), milestones=out,
        next_key=next((m.key for m in out if m.status != "done"), None),
        done=sum(1 for m in out if m.status == "done"), total=len(out),
        can_change=viewer == "member" and relationship.state in CHANGING_STATES,
    )


# --------------------------------------------------------------------------- changing


async def _member_journey(relationship_id: int, actor: Actor) -> tuple[RelationshipModel, dict[str, Any]]:
    relationship = await relationship_by_id(relationship_id)
    if await viewer_of(relationship, actor) != "member":
        raise PermissionDenied("only the members of a relationship work through its journey")
    if relationship.state not in CHANGING_STATES:
        raise ConflictError(f"the journey changes while the relationship is active or paused; it is "
                            f"{relationship.state.replace('_', ' ')}")
    journey = await _journey_row(relationship_id)
    if journey is None:
        raise NotFound("this relationship has no journey yet")
    return relationship, journey


async def _milestone(journey_id: int, key: str) -> dict[str, Any]:
    row = await JourneyMilestone.select().where(
        (JourneyMilestone.journey == journey_id) & (JourneyMilestone.key == key)).first()
    if row is None:
        raise NotFound("no such milestone in this journey")
    return dict(row)


async def complete_milestone(relationship_id: int, key: str, actor: Actor) -> schemas.JourneyView:
    """A member marks a milestone complete; plugins may refuse (``milestone_completion``).
    Its due and overdue timers are removed. Emits ``journey.milestone_completed``."""
    async with transaction():
        relationship, journey = await _member_journey(relationship_id, actor)
        row = await _milestone(journey["id"], key)
        if row["completed_at"] is not None:
            raise ConflictError(f"“{row['title']}” was completed on {row['completed_at']:%Y-%m-%d}")
        view = await get_journey(relationship_id, actor)
        milestone = next(m for m in view.milestones if m.key == key) if view else None
        refusals = await current_runtime().hooks.milestone_completion_refusals(relationship, milestone, actor)
        if refusals:
            raise ConflictError("refused: " + "; ".join(refusals))
        await JourneyMilestone.update({JourneyMilestone.completed_at: utcnow(),
                                       JourneyMilestone.completed_by: actor.id}).where(
            JourneyMilestone.id == row["id"])
        await _unschedule(journey["id"], key)
        await emit("journey.milestone_completed", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "milestone_key": key, "version": journey["version"]},
                   actor_id=actor.id)
    return await _view(relationship_id, actor)


async def reopen_milestone(relationship_id: int, key: str, actor: Actor) -> schemas.JourneyView:
    """Undo a completion (a member): the milestone is open again, with its timers when its
    day has not passed. Emits ``journey.milestone_reopened``."""
    async with transaction():
        relationship, journey = await _member_journey(relationship_id, actor)
        row = await _milestone(journey["id"], key)
        if row["completed_at"] is None:
            raise ConflictError(f"“{row['title']}” is not completed")
        await JourneyMilestone.update({JourneyMilestone.completed_at: None, JourneyMilestone.completed_by: None}).where(
            JourneyMilestone.id == row["id"])
        await _schedule(journey["id"], relationship_id, key, _date(row["due_on"]))
        await emit("journey.milestone_reopened", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "milestone_key": key}, actor_id=actor.id)
    return await _view(relationship_id, actor)


async def set_task(relationship_id: int, task_id: int, done: bool, actor: Actor) -> schemas.JourneyView:
    """A member ticks (or unticks) a task of the journey. Emits ``journey.task_changed``."""
    async with transaction():
        relationship, journey = await _member_journey(relationship_id, actor)
        row = await JourneyTask.select(JourneyTask.id, JourneyTask.done_at).where(
            (JourneyTask.id == task_id) & JourneyTask.milestone.is_in(
                JourneyMilestone.select(JourneyMilestone.id).where(JourneyMilestone.journey == journey["id"]))).first()
        if row is None:
            raise NotFound("no such task in this journey")
        if (row["done_at"] is not None) != done:
            await JourneyTask.update({JourneyTask.done_at: utcnow() if done else None,
                                      JourneyTask.done_by: actor.id if done else None}).where(JourneyTask.id == task_id)
            await emit("journey.task_changed", f"relationship:{relationship_id}",
                       {"program_id": relationship.program_id, "task_id": task_id, "done": done}, actor_id=actor.id)
    return await _view(relationship_id, actor)


async def _view(relationship_id: int, actor: Actor) -> schemas.JourneyView:
    view = await get_journey(relationship_id, actor)
    if view is None:  # pragma: no cover - callers checked that it exists
        raise NotFound("this relationship has no journey yet")
    return view


# --------------------------------------------------------------------------- programs


async def program_journey(program_id: int, actor: Actor) -> schemas.ProgramJourney:
    """A program's journey template, its versions, and how many running relationships follow
    each version (coordinators, site admins)."""
    program = await require_coordinator(program_id, actor)
    key = template_key_of(program)
    latest = template(key)
    rows = await Journey.select(Journey.version).where(Journey.relationship.is_in(_running(program_id)) & (
        Journey.template_key == key))
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["version"]] = counts.get(row["version"], 0) + 1
    return schemas.ProgramJourney(
        template_key=key, label=latest.label, latest_version=latest.version,
        versions=sorted(current_runtime().journeys[key]), milestones=[m.title for m in latest.milestones],
        running=[schemas.VersionCount(version=v, relationships=n) for v, n in sorted(counts.items())])


def _running(program_id: int) -> Any:
    return Relationship.select(Relationship.id).where(
        (Relationship.program == program_id) & Relationship.state.is_in(list(CHANGING_STATES)))


async def migrate_journeys(program_id: int, version: int, actor: Actor) -> schemas.MigrationReport:
    """Move the program's running journeys (active and paused relationships) to ``version`` of
    its template: completed milestones stay as they were, the others are replaced by the
    version's (due from each journey's start), with their timers. A fixed number of
    statements whatever the number of relationships. Emits ``journey.migrated`` per journey."""
    async with transaction():
        program = await require_coordinator(program_id, actor)
        target = template(template_key_of(program), version)
        journeys = list(await Journey.select(Journey.id, Journey.relationship, Journey.started_on).where(
            Journey.relationship.is_in(_running(program_id)) & (Journey.template_key == target.key)
            & (Journey.version != target.version)))
        if not journeys:
            return schemas.MigrationReport(version=version, moved=0, kept_completed=0)
        ids = [j["id"] for j in journeys]
        completed = await JourneyMilestone.select(JourneyMilestone.journey, JourneyMilestone.key).where(
            JourneyMilestone.journey.is_in(ids) & JourneyMilestone.completed_at.is_not_null())
        kept: dict[int, set[str]] = {}
        for row in completed:
            kept.setdefault(row["journey"], set()).add(row["key"])
        await JourneyMilestone.delete().where(JourneyMilestone.journey.is_in(ids)
                                              & JourneyMilestone.completed_at.is_null())
        await _unschedule_all([j["relationship"] for j in journeys])
        rows: list[dict[str, Any]] = []
        specs: dict[str, MilestoneSpec] = {}
        timers: list[dict[str, Any]] = []
        for journey in journeys:
            started_on = _date(journey["started_on"])
            new_rows = _milestone_rows(journey["id"], started_on, target.milestones, kept.get(journey["id"], set()))
            rows += new_rows
            for row in new_rows:
                specs[row["milestone_ref"]] = target.milestone(row["key"])  # type: ignore[assignment]
                for timer_key, when, type_ in _timers(journey["id"], row["key"], row["due_on"]):
                    timers.append({"key": timer_key, "due_at": when, "type": type_,
                                   "subject": f"relationship:{journey['relationship']}", "actor_id": None,
                                   "payload": json.dumps({"relationship_id": journey["relationship"],
                                                          "milestone_key": row["key"],
                                                          "due_on": row["due_on"].isoformat()}),
                                   "fired_at": None})
        await _insert_milestones(rows, specs)
        await insert_rows(Timer, timers)
        await Journey.update({Journey.version: target.version, Journey.label: target.label}).where(
            Journey.id.is_in(ids))
        await emit_many([("journey.migrated", f"relationship:{j['relationship']}",
                          {"program_id": program_id, "version": target.version,
                           "kept_completed": sorted(kept.get(j["id"], set()))}) for j in journeys],
                        actor_id=actor.id)
    return schemas.MigrationReport(version=version, moved=len(journeys),
                                   kept_completed=sum(len(k) for k in kept.values()))


async def shift_journey(relationship_id: int, started_on: dt.date) -> None:
    """Date a relationship's journey from ``started_on`` (its milestones and timers move with
    it): for relationships recorded after they began, such as the demo's."""
    journey = await _journey_row(relationship_id)
    if journey is None:
        return
    delta = started_on - _date(journey["started_on"])
    await _unschedule(journey["id"])
    await Journey.update({Journey.started_on: started_on}).where(Journey.id == journey["id"])
    for row in await JourneyMilestone.select(JourneyMilestone.id, JourneyMilestone.key, JourneyMilestone.due_on,
                                             JourneyMilestone.completed_at).where(
            JourneyMilestone.journey == journey["id"]):
        due_on = _date(row["due_on"]) + delta
        await JourneyMilestone.update({JourneyMilestone.due_on: due_on}).where(JourneyMilestone.id == row["id"])
        if row["completed_at"] is None:
            await _schedule(journey["id"], relationship_id, row["key"], due_on)

