"""Program use cases: create, change state, enrol, withdraw, appoint staff, read.

Every function takes the ``actor`` (the signed-in ``CurrentUser``) and checks again what the
route's policy already checked, so a service never hands data to someone who may not see it.
Formats and matching strategies come from the runtime's registries (filled through public
hooks); plugins are asked through ``runtime.hooks`` before anything changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Protocol, cast

from mentorkit.accounts.tables import User
from mentorkit.contracts import ProgramFormat
from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_utc
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.programs import schemas
from mentorkit.programs.labels import format_label
from mentorkit.programs.tables import Enrolment, Program, ProgramStaff
from mentorkit.runtime import current_runtime

# Which state may follow which. The one place that says so (see ``change_program_state``).
PROGRAM_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("enrolling", "closed"),
    "enrolling": ("running", "closed"),
    "running": ("closed",),
    "closed": (),
}
# People may enrol, and coordinators may pair them, in these states.
OPEN_STATES = ("enrolling", "running")
# Closing a program completes its open relationships with this reason (and the closing note).
CLOSING_REASON = "the program was closed"
STAFF_ROLES = ("coordinator", "observer")


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
    )


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


async def create_program(data: schemas.ProgramCreate, actor: Actor) -> schemas.Program:
    """Create a draft program; its creator becomes its first coordinator. Site admins only."""
    if not actor.is_admin:
        raise PermissionDenied("only site admins create programs")
    if actor.id is None:  # its creator becomes its first coordinator: a person
        raise PermissionDenied("only a person can create a program (the system actor is nobody)")
    runtime = current_runtime()
    if problems := registry_problems(data.format, data.matching_strategy):
        raise ValidationFailed(problems)
    draft = schemas.Program(
        id=0,
        slug=data.slug,
        name=data.name.strip(),
        description=data.description,
        format=data.format,
        matching_strategy=data.matching_strategy,
        state="draft",
        created_by=actor.id,
        created_at=utcnow(),
    )
    if plugin_problems := await runtime.hooks.validate_program(draft):
        raise ValidationFailed({"__all__": "; ".join(plugin_problems)})
    if await Program.exists().where(Program.slug == data.slug):
        raise _slug_taken()
    try:
        async with transaction():
            rows = await Program.insert(
                Program(
                    slug=draft.slug,
                    name=draft.name,
                    description=draft.description,
                    format=draft.format,
                    matching_strategy=draft.matching_strategy,
                    state="draft",
                    created_by=actor.id,
                    created_at=draft.created_at,
                )
            ).returning(Program.id)
            program_id = rows[0]["id"]
            await ProgramStaff.insert(
                ProgramStaff(
                    program=program_id,
                    user=actor.id,
                    role="coordinator",
                    appointed_by=actor.id,
                    staff_key=_staff_key(program_id, actor.id),
                )
            )
            await emit(
                "program.created",
                f"program:{program_id}",
                {
                    "slug": draft.slug,
                    "format": draft.format,
                    "matching_strategy": draft.matching_strategy,
                },
                actor_id=actor.id,
            )
    except ConflictError as exc:
        if "slug" in getattr(exc, "fields", []):
            raise _slug_taken() from None
        raise
    return program_from_row(await _program_row(program_id))


def _slug_taken() -> ConflictError:
    error = ConflictError("slug is already taken by another program")
    error.fields = ["slug"]  # type: ignore[attr-defined]
    return error


async def change_program_state(program_id: int, new: str, actor: Actor, reason: str = "") -> schemas.Program:
    """Move a program along draft -> enrolling -> running -> closed (coordinators, admins).

    Closing completes every open (active or paused) relationship of the program in the same
    transaction, each as a transition with its ``relationship.state_changed`` event.

    The only place program state changes: checks the allowed transitions, the configuration
    (``validate_program``) and every plugin's ``program_transition``, then records the change
    and a ``program.state_changed`` event in one transaction.
    """
    async with transaction():
        row = await require_coordinator(program_id, actor)
        old = row["state"]
        if new not in PROGRAM_TRANSITIONS.get(old, ()):
            allowed = ", ".join(PROGRAM_TRANSITIONS.get(old, ())) or "nothing (it is closed)"
            raise ConflictError(f"the program is {old}; it cannot become {new} (it can become {allowed})")
        program = program_from_row(row)
        hooks = current_runtime().hooks
        if new != "closed" and (problems := await hooks.validate_program(program)):
            raise ConflictError("the program's configuration has problems: " + "; ".join(problems))
        if refusals := await hooks.program_transition_refusals(program, old, new, actor):
            raise ConflictError("refused: " + "; ".join(refusals))
        # The state in the WHERE clause makes a concurrent change lose instead of both winning.
        changed = (
            await Program.update({Program.state: new})
            .where((Program.id == program_id) & (Program.state == old))
            .returning(Program.id)
        )
        if not changed:
            raise ConflictError("the program changed meanwhile; reload and try again")
        await emit(
            "program.state_changed",
            f"program:{program_id}",
            {"from": old, "to": new, "reason": reason},
            actor_id=actor.id,
        )
        if new == "closed":
            await _complete_open_relationships(program_id, actor, reason)
    return program_from_row(await _program_row(program_id))


def _open_relationships(program_id: int) -> Any:
    from mentorkit.relationships.tables import Relationship

    return (Relationship.program == program_id) & Relationship.state.is_in(["active", "paused"])


async def open_relationship_count(program_id: int, actor: Actor) -> int:
    """How many relationships of the program are active or paused (what closing completes)."""
    from mentorkit.relationships.tables import Relationship

    await require_coordinator(program_id, actor)
    return int(await Relationship.count().where(_open_relationships(program_id)))


async def _complete_open_relationships(program_id: int, actor: Actor, reason: str) -> None:
    """Complete every open relationship of a closing program, inside the closing transaction:
    each is an ordinary transition (plugins may refuse, which undoes the closing) with its event."""
    from mentorkit.relationships.services import transition_relationship
    from mentorkit.relationships.tables import Relationship

    note = f"{CLOSING_REASON}: {reason}" if reason.strip() else CLOSING_REASON
    rows = await Relationship.select(Relationship.id).where(_open_relationships(program_id)).order_by(Relationship.id)
    for row in rows:
        await transition_relationship(row["id"], "completed", actor, note)


async def list_programs(actor: Actor, *, limit: int | None = None, offset: int = 0) -> list[schemas.Program]:
    """Programs open for enrolment plus the actor's own (staff or enrolled); all for admins.

    Oldest first; ``limit`` and ``offset`` select one page (one statement either way).
    """
    query = Program.select().order_by(Program.id)
    if not actor.is_admin:
        staff = ProgramStaff.select(ProgramStaff.program).where(ProgramStaff.user == actor.id)
        enrolled = Enrolment.select(Enrolment.program).where(Enrolment.user == actor.id)
        query = query.where(
            Program.state.is_in(list(OPEN_STATES)) | Program.id.is_in(staff) | Program.id.is_in(enrolled))
    return [program_from_row(row) for row in await page_of(query, limit, offset)]


async def program_detail(program_id: int, actor: Actor) -> schemas.ProgramDetail:
    """One program as the actor may see it: staff parts only for staff and admins."""
    row, role = await _access(program_id, actor)
    fmt = current_runtime().formats.get(row["format"])
    mine = await _enrolments(
        (Enrolment.program == program_id) & (Enrolment.user == actor.id) & (Enrolment.state == "active")
    )
    staff = counts = None
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
        counts = {key: 0 for key in (fmt.role_keys() if fmt else [])}
        for r in await Enrolment.select(Enrolment.role).where(
            (Enrolment.program == program_id) & (Enrolment.state == "active")
        ):
            counts[r["role"]] = counts.get(r["role"], 0) + 1
    return schemas.ProgramDetail(
        program=program_from_row(row),
        format_label=format_label(row["format"]),
        roles=fmt.role_keys() if fmt else [],
        staff_role=role or ("admin" if actor.is_admin else None),
        my_enrolments=mine,
        staff=staff,
        enrolment_counts=counts,
    )


# --------------------------------------------------------------------------- staff


async def appoint_staff(program_id: int, email: str, role: str, actor: Actor) -> schemas.Staff:
    """Make the account with ``email`` a coordinator or observer (coordinators, admins).

    Appointing someone who already has a staff role changes that role.
    """
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": f"must be one of: {', '.join(STAFF_ROLES)}"})
    from mentorkit.accounts.services import normalise_email

    async with transaction():
        await require_coordinator(program_id, actor)
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
            await ProgramStaff.insert(
                ProgramStaff(
                    program=program_id,
                    user=user["id"],
                    role=role,
                    appointed_by=actor.id,
                    staff_key=_staff_key(program_id, user["id"]),
                )
            )
        else:
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
    """Every enrolment of a program (coordinators, observers, admins), oldest first; ``limit``
    and ``offset`` select one page."""
    from mentorkit.programs import enrolments

    return await enrolments.list_enrolments(program_id, actor, include_withdrawn=include_withdrawn, limit=limit,
                                            offset=offset)


# The home page reads these on every visit: fixed statements, because Piccolo's query builder
# costs more than the queries (see docs/architecture.md, "Hot paths").
_PROGRAM_COLUMNS = """p.id AS id, p.slug AS slug, p.name AS name, p.description AS description,
    p.format AS format, p.matching_strategy AS matching_strategy, p.state AS state,
    p.created_by AS created_by, p.created_at AS created_at"""
_MY_PROGRAMS = f"""
    SELECT {_PROGRAM_COLUMNS}, e.id AS enrolment_id, e.role AS role, e.created_at AS enrolled_at, 0 AS staffed
    FROM mentorkit_enrolment e JOIN mentorkit_program p ON p.id = e.program
    WHERE e."user" = {{}} AND e.state = 'active'
    UNION ALL
    SELECT {_PROGRAM_COLUMNS}, NULL, s.role, NULL, 1
    FROM mentorkit_program_staff s JOIN mentorkit_program p ON p.id = s.program
    WHERE s."user" = {{}}
    ORDER BY staffed, enrolment_id, id
"""


async def my_programs(
    actor: Actor,
) -> tuple[list[tuple[schemas.Program, schemas.Enrolment]], list[tuple[schemas.Program, str]]]:
    """For the home page, in one statement: the actor's active enrolments with their programs,
    and the programs they staff with their role there (coordinator or observer)."""
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
            role=row["role"], state="active", created_at=cast(dt.datetime, as_utc(row["enrolled_at"])),
        )
        enrolments.append((program_from_row(row), enrolment))
    return enrolments, staffed
