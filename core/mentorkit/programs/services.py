"""Program use cases: create, edit, duplicate, change state, enrol, withdraw, appoint and
remove staff, read (observers: counts only).

Every function takes the ``actor`` (the signed-in ``CurrentUser``) and checks again what the
route's policy already checked, so a service never hands data to someone who may not see it.
Formats and matching strategies come from the runtime's registries (filled through public
hooks); plugins are asked through ``runtime.hooks`` before anything changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol, cast

import msgspec
from msgspec import UNSET

from mentorkit.accounts.tables import User
from mentorkit.contracts import ProgramFormat
from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_date, as_json, as_utc
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.programs import design, schemas
from mentorkit.programs.labels import format_label
from mentorkit.programs.questions import CHOICE_KINDS
from mentorkit.programs.tables import Enrolment, Program, ProgramQuestion, ProgramStaff
from mentorkit.runtime import current_runtime

# Which state may follow which. The one place that says so (see ``change_program_state``).
# enrolling -> running skips matching (rolling intake, small programs); matching -> enrolling
# reopens enrolment; archived -> closed restores an archived program (the undo path).
PROGRAM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("enrolling", "closed"),
    "enrolling": ("matching", "running", "closed"),
    "matching": ("running", "enrolling", "closed"),
    "running": ("closed",),
    "closed": ("archived",),
    "archived": ("closed",),
}
# The live states: coordinators may pair people, and every signed-in person sees the program
# in the list. Who may enrol when: ``enrolment_is_open``.
OPEN_STATES = ("enrolling", "matching", "running")
# Closing a program completes its open relationships with this reason (and the closing note).
CLOSING_REASON = "the program was closed"
STAFF_ROLES = ("coordinator", "observer")


def enrolment_is_open(program: schemas.Program | Mapping[str, Any]) -> bool:
    """Whether people may enrol now: while enrolling, and also while matching or running
    when the intake is rolling."""
    state, intake = ((program.state, program.intake) if isinstance(program, schemas.Program)
                     else (program["state"], program.get("intake", "cohort")))
    return state == "enrolling" or (intake == "rolling" and state in ("matching", "running"))


class Actor(Protocol):
    """Who is acting: the signed-in ``CurrentUser`` (any object with these attributes), or
    ``mentorkit.api.SYSTEM``, whose ``id`` is None: a plugin acting on its own, with a site
    admin's reach but never a person's (it is no member, enrols nobody, reads no notes)."""

    @property
    def id(self) -> int | None: ...

    @property
    def is_admin(self) -> bool: ...

    @property
    def display_name(self) -> str: ...


# --------------------------------------------------------------------------- reading helpers


def program_from_row(row: Mapping[str, Any]) -> schemas.Program:
    """The public view of a ``mentorkit_program`` row."""
    return schemas.Program(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        description=row["description"],
        format=row["format"],
        matching_strategy=row["matching_strategy"],
        state=row["state"],
        created_by=row["created_by"],
        created_at=cast(dt.datetime, as_utc(row["created_at"])),
        # The home page's fixed statement reads only the columns above: the rest default.
        **{name: value for name, value in _design_of(row).items() if value is not None},
    )


def _design_of(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {name: row.get(name) for name in (
        "matching_mode", "enrolment_mode", "intake", "default_capacity", "meeting_cadence", "allow_rejoin",
        "acceptance", "acceptance_days", "journey_template", "duplicated_from")}
    out.update({name: as_json(row.get(name)) for name in ("format_settings", "strategy_settings",
                                                                      "role_limits")})
    if "allow_rejoin" in row:
        out["allow_rejoin"] = bool(row["allow_rejoin"])
    out["duration_weeks"] = row.get("duration_weeks")
    out["starts_on"], out["ends_on"] = as_date(row.get("starts_on")), as_date(row.get("ends_on"))
    out["updated_at"] = as_utc(row.get("updated_at"))
    return out


async def _program_row(program_id: int) -> dict[str, Any]:
    row = await Program.select().where(Program.id == program_id).first()
    if row is None:
        raise NotFound("no such program")
    return row


async def staff_role(program_id: int, user_id: int | None) -> str | None:
    """The person's staff role in the program ("coordinator", "observer") or None."""
    if user_id is None:  # the system actor is nobody's staff
        return None
    row = (
        await ProgramStaff.select(ProgramStaff.role)
        .where((ProgramStaff.program == program_id) & (ProgramStaff.user == user_id))
        .first()
    )
    return row["role"] if row else None


def is_visible(state: str, role: str | None, actor: Actor) -> bool:
    """Draft programs are known to their staff and site admins only."""
    return state != "draft" or role is not None or actor.is_admin


async def _access(program_id: int, actor: Actor) -> tuple[dict[str, Any], str | None]:
    """The program row and the actor's staff role; NotFound when the actor may not know it."""
    row = await _program_row(program_id)
    role = await staff_role(program_id, actor.id)
    if not is_visible(row["state"], role, actor):
        raise NotFound("no such program")
    return row, role


async def require_coordinator(program_id: int, actor: Actor) -> dict[str, Any]:
    """The program row if the actor coordinates it (or is a site admin); 403 otherwise."""
    row, role = await _access(program_id, actor)
    if role != "coordinator" and not actor.is_admin:
        raise PermissionDenied("only the program's coordinators may do this")
    return row


async def require_staff(program_id: int, actor: Actor) -> tuple[dict[str, Any], str]:
    """The program row and role if the actor is staff (or a site admin); 403 otherwise."""
    row, role = await _access(program_id, actor)
    if role is None and not actor.is_admin:
        raise PermissionDenied("only the program's coordinators and observers may see this")
    return row, role or "admin"


def format_of(program: dict[str, Any] | schemas.Program) -> ProgramFormat:
    """The registered format of a program; a clear error when its plugin is not installed."""
    key = program["format"] if isinstance(program, dict) else program.format
    fmt = current_runtime().formats.get(key)
    if fmt is None:
        raise ConflictError(f"the program's format {key!r} is not installed on this site")
    return fmt


def _staff_key(program_id: int, user_id: int) -> str:
    return f"{program_id}:{user_id}"


def _active_key(program_id: int, user_id: int, role: str) -> str:
    return f"{program_id}:{user_id}:{role}"


def page_of(query: Any, limit: int | None, offset: int) -> Any:
    """The query limited to one page (``limit`` None: every row from ``offset`` on)."""
    if limit is not None:
        query = query.limit(limit)
    return query.offset(offset) if offset else query


async def _enrolments(where: Any, *, limit: int | None = None, offset: int = 0) -> list[schemas.Enrolment]:
    from mentorkit.programs.enrolments import read_enrolments

    return await read_enrolments(where, limit=limit, offset=offset)


# --------------------------------------------------------------------------- programs


def registry_problems(format_key: str, strategy_key: str) -> dict[str, str]:
    """Field errors when the format or the matching strategy is not installed."""
    runtime = current_runtime()
    problems: dict[str, str] = {}
    if format_key not in runtime.formats:
        choices = ", ".join(sorted(runtime.formats))
        problems["format"] = f"is not an installed format (choose one of: {choices})"
    if strategy_key not in runtime.strategies:
        choices = ", ".join(sorted(runtime.strategies))
        problems["matching_strategy"] = f"is not an installed matching strategy (choose one of: {choices})"
    return problems


_COORDINATES_ANY = """SELECT 1 AS yes FROM mentorkit_program_staff WHERE "user" = {} AND role = 'coordinator' LIMIT 1"""


async def may_create_programs(actor: Actor) -> bool:
    """Site admins may; with ``program_creators = "coordinators"``, so may anyone who
    coordinates at least one program. The system actor creates nothing (it is nobody)."""
    if actor.id is None:
        return False
    if actor.is_admin:
        return True
    if current_runtime().settings.program_creators != "coordinators":
        return False
    return bool(await fetch(_COORDINATES_ANY, actor.id))


async def _require_creator(actor: Actor) -> int:
    if actor.id is None:  # its creator becomes its first coordinator: a person
        raise PermissionDenied("only a person can create a program (the system actor is nobody)")
    if not await may_create_programs(actor):
        who = ("site admins and the coordinators of a program"
               if current_runtime().settings.program_creators == "coordinators" else "site admins")
        raise PermissionDenied(f"only {who} create programs")
    return actor.id


def _checked_design(values: dict[str, Any]) -> dict[str, Any]:
    """The design fields checked together (every problem at once, ``ValidationFailed``);
    returns them with the settings completed from their Structs' defaults."""
    runtime = current_runtime()
    problems = registry_problems(values["format"], values["matching_strategy"])
    clean = dict(values)
    fmt = runtime.formats.get(values["format"])
    strategy = runtime.strategies.get(values["matching_strategy"])
    for prefix, registered in (("format_settings", fmt), ("strategy_settings", strategy)):
        if registered is not None:
            clean[prefix], found = design.settings_problems(registered.settings, values[prefix] or {}, prefix)
            problems.update(found)
    if fmt is not None:
        problems.update(design.role_limit_problems(fmt, values["role_limits"] or {}))
    problems.update(design.date_problems(values["starts_on"], values["ends_on"]))
    if values.get("journey_template") and values["journey_template"] not in runtime.journeys:
        problems["journey_template"] = ("is not an installed journey template (choose one of: "
                                        f"{', '.join(sorted(runtime.journeys))})")
    if problems:
        raise ValidationFailed(problems)
    return clean


def _design_columns(values: dict[str, Any]) -> dict[Any, Any]:
    """Column -> value for the design fields present in ``values``."""
    return {getattr(Program, name): values[name] for name in schemas.DESIGN_FIELDS if name in values}


async def _validated_by_plugins(program: schemas.Program) -> None:
    if plugin_problems := await current_runtime().hooks.validate_program(program):
        raise ValidationFailed({"__all__": "; ".join(plugin_problems)})


async def create_program(data: schemas.ProgramCreate, actor: Actor) -> schemas.Program:
    """Create a draft program with its design; its creator becomes its first coordinator.

    Site admins, and coordinators of a program when the site allows it
    (``program_creators``). Emits ``program.created``."""
    creator = await _require_creator(actor)
    values = _checked_design({name: getattr(data, name) for name in schemas.DESIGN_FIELDS})
    values["name"] = values["name"].strip()
    now = utcnow()
    draft = schemas.Program(id=0, state="draft", created_by=creator, created_at=now, updated_at=now, **values)
    await _validated_by_plugins(draft)
    if await Program.exists().where(Program.slug == data.slug):
        raise _slug_taken()
    try:
        async with transaction():
            program_id = await _insert_program(values, creator, now)
            await _add_staff(program_id, creator, "coordinator", creator)
            await emit(
                "program.created",
                f"program:{program_id}",
                {"slug": draft.slug, "format": draft.format, "matching_strategy": draft.matching_strategy},
                actor_id=creator,
            )
    except ConflictError as exc:
        if "slug" in getattr(exc, "fields", []):
            raise _slug_taken() from None
        raise
    return program_from_row(await _program_row(program_id))


async def _insert_program(values: dict[str, Any], creator: int, now: dt.datetime,
                          duplicated_from: int | None = None) -> int:
    rows = await Program.insert(
        Program(
            **{name: values[name] for name in schemas.DESIGN_FIELDS},
            state="draft",
            created_by=creator,
            created_at=now,
            updated_at=now,
            duplicated_from=duplicated_from,
        )
    ).returning(Program.id)
    return int(rows[0]["id"])


async def _add_staff(program_id: int, user_id: int, role: str, appointed_by: int | None) -> None:
    await ProgramStaff.insert(
        ProgramStaff(
            program=program_id, user=user_id, role=role, appointed_by=appointed_by,
            staff_key=_staff_key(program_id, user_id),
        )
    )


def _slug_taken() -> ConflictError:
    error = ConflictError("slug is already taken by another program")
    error.fields = ["slug"]  # type: ignore[attr-defined]
    return error


def _refuse_archived(row: Mapping[str, Any]) -> None:
    if row["state"] == "archived":
        raise ConflictError("the program is archived and read-only; restore it first (it becomes closed)")


async def update_program(program_id: int, data: schemas.ProgramUpdate, actor: Actor) -> schemas.Program:
    """Change a program's design: only the fields given (coordinators, site admins).

    Refused for an archived program (restore it first) and, for the format, once the program
    has left the draft state (its enrolments hold the format's roles). Changing the format or
    the strategy checks the settings given, or the stored ones, against the new Struct.
    Emits ``program.updated`` with the names of the fields that changed (nothing when none did).
    """
    given = {name: getattr(data, name) for name in schemas.DESIGN_FIELDS if getattr(data, name) is not UNSET}
    async with transaction():
        row = await require_coordinator(program_id, actor)
        _refuse_archived(row)
        current = program_from_row(row)
        if "format" in given and given["format"] != current.format and current.state != "draft":
            raise ValidationFailed({"format": "can change only while the program is a draft"})
        merged = {name: given.get(name, getattr(current, name)) for name in schemas.DESIGN_FIELDS}
        # A new format or strategy starts from its own defaults unless settings come with it.
        for key, prefix in (("format", "format_settings"), ("matching_strategy", "strategy_settings")):
            if merged[key] != getattr(current, key) and prefix not in given:
                merged[prefix] = {}
        merged["name"] = merged["name"].strip()
        values = _checked_design(merged)
        changed = [name for name in schemas.DESIGN_FIELDS if values[name] != getattr(current, name)]
        if not changed:
            return current
        now = utcnow()
        await _validated_by_plugins(msgspec.structs.replace(current, **values, updated_at=now))
        taken = (Program.slug == values["slug"]) & (Program.id != program_id)
        if "slug" in changed and await Program.exists().where(taken):
            raise _slug_taken()
        await Program.update({**_design_columns({n: values[n] for n in changed}), Program.updated_at: now}).where(
            Program.id == program_id)
        await emit("program.updated", f"program:{program_id}", {"fields": changed}, actor_id=actor.id)
    return program_from_row(await _program_row(program_id))


async def duplicate_program(program_id: int, data: schemas.ProgramDuplicate, actor: Actor) -> schemas.Program:
    """The next cohort of a program: a new draft with the same design and settings, the same
    enrolment questions and the same staff (the actor becomes a coordinator if not already),
    but no enrolments, answers, invitations or relationships. ``duplicated_from`` names the
    source. Coordinators of the source who may create programs, and site admins.
    Emits ``program.duplicated``."""
    creator = await _require_creator(actor)
    source_row = await require_coordinator(program_id, actor)
    source = program_from_row(source_row)
    values = {name: getattr(source, name) for name in schemas.DESIGN_FIELDS}
    values.update(slug=data.slug, name=data.name.strip())
    values = _checked_design(values)
    now = utcnow()
    await _validated_by_plugins(schemas.Program(
        id=0, state="draft", created_by=creator, created_at=now, updated_at=now, duplicated_from=program_id,
        **values))
    if await Program.exists().where(Program.slug == data.slug):
        raise _slug_taken()
    try:
        async with transaction():
            new_id = await _insert_program(values, creator, now, duplicated_from=program_id)
            staff = await ProgramStaff.select(ProgramStaff.user, ProgramStaff.role).where(
                ProgramStaff.program == program_id).order_by(ProgramStaff.id)
            roles = {r["user"]: r["role"] for r in staff}
            roles[creator] = "coordinator"
            for user_id, role in roles.items():
                await _add_staff(new_id, user_id, role, creator)
            await _copy_questions(program_id, new_id)
            await emit("program.duplicated", f"program:{new_id}", {"source_id": program_id, "slug": data.slug},
                       actor_id=creator)
    except ConflictError as exc:
        if "slug" in getattr(exc, "fields", []):
            raise _slug_taken() from None
        raise
    return program_from_row(await _program_row(new_id))


async def _copy_questions(source_id: int, target_id: int) -> None:
    rows = await ProgramQuestion.select().where(ProgramQuestion.program == source_id).order_by(ProgramQuestion.id)
    skip = {"id", "program", "question_key", "created_at"}
    copies = [
        ProgramQuestion(**{k: v for k, v in row.items() if k not in skip}, program=target_id,
                        question_key=f"{target_id}:{row['key']}")
        for row in rows
    ]
    if copies:
        await ProgramQuestion.insert(*copies)


async def _opening_problems(row: Mapping[str, Any]) -> list[str]:
    """What must be right before people may enrol: questions for applications, two choices
    per choice question, a strategy that proposes for automatic matching (self-matching works
    with any strategy: one without ``suggest`` gets the core's shared-skills suggestions)."""
    problems = []
    questions = await ProgramQuestion.select(
        ProgramQuestion.label, ProgramQuestion.kind, ProgramQuestion.choices,
    ).where(ProgramQuestion.program == row["id"])
    if row["enrolment_mode"] == "application" and not questions:
        problems.append("applications need at least one enrolment question (add one under Questions)")
    for question in questions:
        if question["kind"] in CHOICE_KINDS and len(as_json(question["choices"], [])) < 2:
            problems.append(f"the question “{question['label']}” needs at least two choices")
    strategies = current_runtime().strategies
    strategy = strategies.get(row["matching_strategy"])
    if row["matching_mode"] == "automatic" and (strategy is None or strategy.manual):
        installed = ", ".join(sorted(s.label for s in strategies.values() if not s.manual)) or "none is installed"
        mode = design.short_label("matching_mode", row["matching_mode"])
        problems.append(f"{mode} matching needs a matching strategy that proposes matches (installed: {installed})")
    return problems


async def change_program_state(program_id: int, new: str, actor: Actor, reason: str = "",
                               open_relationships: str = "complete") -> schemas.Program:
    """Move a program along ``PROGRAM_TRANSITIONS`` (coordinators, admins).

    Opening enrolment checks the design first (``_opening_problems``). Closing completes
    every open (active or paused) relationship of the program, or ends them early when
    ``open_relationships`` is ``"end_early"``, in the same transaction, each as a transition
    with its ``relationship.state_changed`` event. Archiving makes the program read-only;
    archived -> closed restores it.

    The only place program state changes: checks the allowed transitions, the configuration
    (``validate_program``) and every plugin's ``program_transition``, then records the change
    and a ``program.state_changed`` event in one transaction.
    """
    if open_relationships not in ("complete", "end_early"):
        raise ValidationFailed({"open_relationships": "must be complete or end_early"})
    async with transaction():
        row = await require_coordinator(program_id, actor)
        old = row["state"]
        if new not in PROGRAM_TRANSITIONS.get(old, ()):
            allowed = ", ".join(PROGRAM_TRANSITIONS.get(old, ())) or "nothing"
            raise ConflictError(f"the program is {old}; it cannot become {new} (it can become {allowed})")
        program = program_from_row(row)
        hooks = current_runtime().hooks
        if new == "enrolling" and (problems := await _opening_problems(row)):
            raise ConflictError("enrolment cannot open yet: " + "; ".join(problems))
        if new not in ("closed", "archived") and (problems := await hooks.validate_program(program)):
            raise ConflictError("the program's configuration has problems: " + "; ".join(problems))
        if refusals := await hooks.program_transition_refusals(program, old, new, actor):
            raise ConflictError("refused: " + "; ".join(refusals))
        # The state in the WHERE clause makes a concurrent change lose instead of both winning.
        changed = (
            await Program.update({Program.state: new, Program.updated_at: utcnow()})
            .where((Program.id == program_id) & (Program.state == old))
            .returning(Program.id)
        )
        if not changed:
            raise ConflictError("the program changed meanwhile; reload and try again")
        payload: dict[str, Any] = {"from": old, "to": new, "reason": reason}
        if new == "closed" and old != "archived":
            payload["open_relationships"] = open_relationships
        await emit("program.state_changed", f"program:{program_id}", payload, actor_id=actor.id)
        if new == "closed" and old != "archived":
            await _close_open_relationships(program_id, actor, reason, open_relationships)
    return program_from_row(await _program_row(program_id))


def _open_relationships(program_id: int) -> Any:
    from mentorkit.relationships.tables import Relationship

    return (Relationship.program == program_id) & Relationship.state.is_in(
        ["proposed", "pending", "active", "paused"])


async def open_relationship_count(program_id: int, actor: Actor) -> int:
    """How many relationships of the program are open: proposed, waiting for acceptance,
    active or paused (what closing cancels, completes or ends)."""
    from mentorkit.relationships.tables import Relationship

    await require_coordinator(program_id, actor)
    return int(await Relationship.count().where(_open_relationships(program_id)))


async def _close_open_relationships(program_id: int, actor: Actor, reason: str, outcome: str) -> None:
    """Complete (or end early) every started relationship of a closing program, and cancel the
    matches not yet started, inside the closing transaction: each is an ordinary transition
    (plugins may refuse, which undoes the closing) with its event."""
    from mentorkit.relationships.lifecycle import transition_relationship
    from mentorkit.relationships.tables import Relationship

    note = f"{CLOSING_REASON}: {reason}" if reason.strip() else CLOSING_REASON
    rows = await Relationship.select(Relationship.id, Relationship.state).where(
        _open_relationships(program_id)).order_by(Relationship.id)
    for row in rows:
        if row["state"] in ("proposed", "pending"):
            await transition_relationship(row["id"], "cancelled", actor, note)
        elif outcome == "end_early":
            await transition_relationship(row["id"], "ended_early", actor, note, reason_code="program_closed")
        else:
            await transition_relationship(row["id"], "completed", actor, note)


async def list_programs(actor: Actor, *, include_archived: bool = False, limit: int | None = None,
                        offset: int = 0) -> list[schemas.Program]:
    """Live programs (enrolling, matching, running: ``OPEN_STATES``) plus the actor's own
    (staff or enrolled); all for admins. Archived programs only when ``include_archived``.

    Oldest first; ``limit`` and ``offset`` select one page (one statement either way).
    """
    query = Program.select().order_by(Program.id)
    if not include_archived:
        query = query.where(Program.state != "archived")
    if not actor.is_admin:
        staff = ProgramStaff.select(ProgramStaff.program).where(ProgramStaff.user == actor.id)
        enrolled = Enrolment.select(Enrolment.program).where(Enrolment.user == actor.id)
        query = query.where(
            Program.state.is_in(list(OPEN_STATES)) | Program.id.is_in(staff) | Program.id.is_in(enrolled))
    return [program_from_row(row) for row in await page_of(query, limit, offset)]


async def program_detail(program_id: int, actor: Actor) -> schemas.ProgramDetail:
    """One program as the actor may see it: staff parts only for staff and admins, and for
    observers numbers only (``aggregates``; ``enrolment_counts`` is the active ones per role)."""
    row, role = await _access(program_id, actor)
    fmt = current_runtime().formats.get(row["format"])
    mine = await _enrolments(
        (Enrolment.program == program_id) & (Enrolment.user == actor.id) & (Enrolment.state == "active")
    )
    staff = counts = aggregates = None
    if role is not None or actor.is_admin:
        staff_rows = (
            await ProgramStaff.select(
                ProgramStaff.user,
                ProgramStaff.role,
                ProgramStaff.user.display_name.as_alias("display_name"),
            )
            .where(ProgramStaff.program == program_id)
            .order_by(ProgramStaff.id)
        )
        staff = [schemas.Staff(user_id=r["user"], display_name=r["display_name"], role=r["role"]) for r in staff_rows]
        aggregates = await _aggregates(program_id, fmt.role_keys() if fmt else [])
        counts = {key: by_state.get("active", 0) for key, by_state in aggregates.enrolments.items()}
    return schemas.ProgramDetail(
        program=program_from_row(row),
        format_label=format_label(row["format"]),
        roles=fmt.role_keys() if fmt else [],
        staff_role=role or ("admin" if actor.is_admin else None),
        my_enrolments=mine,
        staff=staff,
        enrolment_counts=counts,
        aggregates=aggregates,
    )


_ENROLMENT_COUNTS = """
    SELECT role, state, COUNT(*) AS n FROM mentorkit_enrolment WHERE program = {} GROUP BY role, state
"""
_RELATIONSHIP_COUNTS = """
    SELECT state, COUNT(*) AS n FROM mentorkit_relationship WHERE program = {} GROUP BY state
"""
_MATCHED_COUNTS = """
    SELECT e.role AS role, COUNT(*) AS n FROM mentorkit_enrolment e
    WHERE e.program = {} AND e.state = 'active' AND EXISTS (
        SELECT 1 FROM mentorkit_relationship_member m JOIN mentorkit_relationship r ON r.id = m.relationship
        WHERE m.enrolment = e.id AND r.state IN ('proposed', 'pending', 'active', 'paused'))
    GROUP BY e.role
"""


async def _aggregates(program_id: int, roles: list[str]) -> schemas.ProgramAggregates:
    """Counts only, in three grouped statements whatever the program's size."""
    enrolments: dict[str, dict[str, int]] = {role: {} for role in roles}
    for r in await fetch(_ENROLMENT_COUNTS, program_id):
        enrolments.setdefault(r["role"], {})[r["state"]] = int(r["n"])
    relationships = {r["state"]: int(r["n"]) for r in await fetch(_RELATIONSHIP_COUNTS, program_id)}
    matched = {role: 0 for role in enrolments}
    for r in await fetch(_MATCHED_COUNTS, program_id):
        matched[r["role"]] = int(r["n"])
    unmatched = {role: by_state.get("active", 0) - matched.get(role, 0) for role, by_state in enrolments.items()}
    return schemas.ProgramAggregates(enrolments=enrolments, relationships=relationships, matched=matched,
                                     unmatched=unmatched)


async def program_aggregates(program_id: int, actor: Actor) -> schemas.ProgramAggregates:
    """How the program is going in numbers (its staff and site admins): what observers get."""
    row, _ = await require_staff(program_id, actor)
    fmt = current_runtime().formats.get(row["format"])
    return await _aggregates(program_id, fmt.role_keys() if fmt else [])


# --------------------------------------------------------------------------- staff


async def appoint_staff(program_id: int, email: str, role: str, actor: Actor) -> schemas.Staff:
    """Make the account with ``email`` a coordinator or observer (coordinators, admins).

    Appointing someone who already has a staff role changes that role (the last coordinator
    cannot become an observer).
    """
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": f"must be one of: {', '.join(STAFF_ROLES)}"})
    from mentorkit.accounts.services import normalise_email

    async with transaction():
        _refuse_archived(await require_coordinator(program_id, actor))
        user = (
            await User.select(User.id, User.display_name)
            .where((User.email == normalise_email(email)) & User.active.eq(True))
            .first()
        )
        if user is None:
            raise ValidationFailed({"email": "no active account has this e-mail address"})
        current = await staff_role(program_id, user["id"])
        if current == role:
            raise ConflictError(f"{user['display_name']} is already {role} of this program")
        if current is None:
            await _add_staff(program_id, user["id"], role, actor.id)
        else:
            await _keep_a_coordinator(program_id, user["display_name"], current)
            await ProgramStaff.update({ProgramStaff.role: role, ProgramStaff.appointed_by: actor.id}).where(
                (ProgramStaff.program == program_id) & (ProgramStaff.user == user["id"])
            )
        await emit(
            "program.staff_appointed",
            f"program:{program_id}",
            {"user_id": user["id"], "role": role, "previous_role": current},
            actor_id=actor.id,
        )
    return schemas.Staff(user_id=user["id"], display_name=user["display_name"], role=role)


async def _keep_a_coordinator(program_id: int, name: str, role: str) -> None:
    """Refuse to take away the program's last coordinator: somebody must run it."""
    if role != "coordinator":
        return
    coordinators = await ProgramStaff.count().where(
        (ProgramStaff.program == program_id) & (ProgramStaff.role == "coordinator"))
    if coordinators <= 1:
        raise ConflictError(
            f"{name} is the program's last coordinator; appoint another coordinator first")


async def remove_staff(program_id: int, user_id: int, actor: Actor) -> schemas.Staff:
    """Take a coordinator or observer off the program's staff (coordinators, site admins).

    Refused for the last coordinator and for someone who is not on the staff (409). Emits
    ``program.staff_removed``."""
    async with transaction():
        _refuse_archived(await require_coordinator(program_id, actor))
        row = await ProgramStaff.select(
            ProgramStaff.id, ProgramStaff.role, ProgramStaff.user.display_name.as_alias("display_name"),
        ).where((ProgramStaff.program == program_id) & (ProgramStaff.user == user_id)).first()
        if row is None:
            raise ConflictError("this person is not on the program's staff")
        await _keep_a_coordinator(program_id, row["display_name"], row["role"])
        await ProgramStaff.delete().where(ProgramStaff.id == row["id"])
        await emit("program.staff_removed", f"program:{program_id}", {"user_id": user_id, "role": row["role"]},
                   actor_id=actor.id)
    return schemas.Staff(user_id=user_id, display_name=row["display_name"], role=row["role"])


# --------------------------------------------------------------------------- enrolments
# The enrolment use cases live in ``programs/enrolments.py``; these names stay for callers.


async def enrol(program_id: int, role: str, actor: Actor, *, answers: Mapping[str, Any] | None = None,
                invitation: str | None = None) -> schemas.Enrolment:
    """Join a program with one of the format's roles (see ``enrolments.enrol``)."""
    from mentorkit.programs import enrolments
    from mentorkit.programs.enrolment_schemas import EnrolmentJoin

    data = EnrolmentJoin(role=role, answers=dict(answers or {}), invitation=invitation)
    return await enrolments.enrol(program_id, data, actor)


async def withdraw_enrolment(program_id: int, enrolment_id: int, actor: Actor) -> schemas.Enrolment:
    """Withdraw a live enrolment (see ``enrolments.withdraw_enrolment``)."""
    from mentorkit.programs import enrolments

    return await enrolments.withdraw_enrolment(program_id, enrolment_id, actor)


async def list_enrolments(program_id: int, actor: Actor, *, include_withdrawn: bool = False,
                          limit: int | None = None, offset: int = 0) -> list[schemas.Enrolment]:
    """Every enrolment of a program (coordinators and admins), oldest first; ``limit`` and
    ``offset`` select one page (see ``enrolments.list_enrolments``)."""
    from mentorkit.programs import enrolments

    return await enrolments.list_enrolments(program_id, actor, include_withdrawn=include_withdrawn, limit=limit,
                                            offset=offset)


# The home page reads these on every visit: fixed statements, because Piccolo's query builder
# costs more than the queries (see docs/architecture.md, "Hot paths").
_PROGRAM_COLUMNS = """p.id AS id, p.slug AS slug, p.name AS name, p.description AS description,
    p.format AS format, p.matching_strategy AS matching_strategy, p.state AS state,
    p.created_by AS created_by, p.created_at AS created_at"""
_MY_PROGRAMS = f"""
    SELECT {_PROGRAM_COLUMNS}, e.id AS enrolment_id, e.role AS role, e.state AS enrolment_state,
        e.created_at AS enrolled_at, 0 AS staffed
    FROM mentorkit_enrolment e JOIN mentorkit_program p ON p.id = e.program
    WHERE e."user" = {{}} AND e.state IN ('active', 'applied', 'waitlisted')
    UNION ALL
    SELECT {_PROGRAM_COLUMNS}, NULL, s.role, NULL, NULL, 1
    FROM mentorkit_program_staff s JOIN mentorkit_program p ON p.id = s.program
    WHERE s."user" = {{}}
    ORDER BY staffed, enrolment_id, id
"""


async def my_programs(
    actor: Actor,
) -> tuple[list[tuple[schemas.Program, schemas.Enrolment]], list[tuple[schemas.Program, str]]]:
    """For the home page, in one statement: the actor's live enrolments (active, applied or
    waitlisted) with their programs, and the programs they staff with their role there
    (coordinator or observer)."""
    enrolments: list[tuple[schemas.Program, schemas.Enrolment]] = []
    staffed: list[tuple[schemas.Program, str]] = []
    if actor.id is None:  # the system actor is enrolled nowhere and staffs nothing
        return enrolments, staffed
    for row in await fetch(_MY_PROGRAMS, actor.id, actor.id):
        if row["staffed"]:
            staffed.append((program_from_row(row), row["role"]))
            continue
        enrolment = schemas.Enrolment(
            id=row["enrolment_id"], program_id=row["id"], user_id=actor.id, display_name=actor.display_name,
            role=row["role"], state=row["enrolment_state"],
            created_at=cast(dt.datetime, as_utc(row["enrolled_at"])),
        )
        enrolments.append((program_from_row(row), enrolment))
    return enrolments, staffed
