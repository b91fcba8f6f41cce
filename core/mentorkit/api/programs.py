"""Programs and enrolments through the same services as the program pages and API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mentorkit.api.actors import Actor
from mentorkit.api.paging import DEFAULT_LIMIT, Page, read_page
from mentorkit.programs import participants, services
from mentorkit.programs.schemas import (
    Enrolment,
    ParticipantPage,
    Program,
    ProgramAggregates,
    ProgramCreate,
    ProgramDetail,
    ProgramDuplicate,
    ProgramUpdate,
    Staff,
)


async def list_programs(actor: Actor, *, include_archived: bool = False, limit: int = DEFAULT_LIMIT,
                        offset: int = 0) -> Page[Program]:
    """Programs open for enrolment plus the actor's own (staff or enrolled), oldest first;
    every program for site admins and the system actor. Archived ones only if asked."""
    return await read_page(lambda n, at: services.list_programs(
        actor, include_archived=include_archived, limit=n, offset=at), limit, offset)


async def create_program(data: ProgramCreate, actor: Actor) -> Program:
    """Create a draft program with its design; the actor (a person: a site admin, or a
    coordinator of a program where ``program_creators = "coordinators"``) coordinates it.
    Settings are checked against the format's and strategy's Structs (``ValidationFailed``
    names ``format_settings.<field>``); plugins' ``validate_program`` is asked. Emits
    ``program.created``."""
    return await services.create_program(data, actor)


async def update_program(program_id: int, data: ProgramUpdate, actor: Actor) -> Program:
    """Change the fields of ``data`` that are set (PATCH): coordinators, site admins and the
    system actor. ``ConflictError`` for an archived program. Emits ``program.updated`` with
    the names of the changed fields."""
    return await services.update_program(program_id, data, actor)


async def duplicate_program(program_id: int, data: ProgramDuplicate, actor: Actor) -> Program:
    """The next cohort: a new draft copying the design, settings, questions and staff (not
    enrolments, answers, invitations or relationships), ``duplicated_from`` set. The actor
    must coordinate the source and may create programs. Emits ``program.duplicated``."""
    return await services.duplicate_program(program_id, data, actor)


async def change_program_state(program_id: int, state: str, actor: Actor, *, reason: str = "",
                               open_relationships: str = "complete") -> Program:
    """Move the program along ``PROGRAM_TRANSITIONS`` (draft, enrolling, matching, running,
    closed, archived); closing completes (or, with ``"end_early"``, ends early) its open
    relationships. Emits ``program.state_changed``."""
    return await services.change_program_state(program_id, state, actor, reason, open_relationships)


async def get_aggregates(program_id: int, actor: Actor) -> ProgramAggregates:
    """The program in numbers only (its staff, site admins, the system actor)."""
    return await services.program_aggregates(program_id, actor)


async def list_participants(program_id: int, actor: Actor, *, q: str = "", role: str = "", state: str = "",
                            matched: bool | None = None, question: str = "", answer: str = "",
                            limit: int = DEFAULT_LIMIT, offset: int = 0) -> ParticipantPage:
    """One page of the program's participants with names and e-mails (coordinators, site
    admins, the system actor): search and filters as ``GET /api/v1/programs/{id}/participants``."""
    filters = participants.Filters(q=q, role=role, state=state, matched=matched, question=question, answer=answer)
    return await participants.search(program_id, filters, actor, limit=limit, offset=offset)


async def remove_staff(program_id: int, user_id: int, actor: Actor) -> Staff:
    """Take a coordinator or observer off the program's staff; ``ConflictError`` for the last
    coordinator. Emits ``program.staff_removed``."""
    return await services.remove_staff(program_id, user_id, actor)


async def get_program(program_id: int, actor: Actor) -> ProgramDetail:
    """One program with the actor's own enrolments; staff and enrolment counts for its staff,
    site admins and the system actor. ``NotFound`` for a draft the actor may not know."""
    return await services.program_detail(program_id, actor)


async def list_enrolments(program_id: int, actor: Actor, *, include_withdrawn: bool = False,
                          limit: int = DEFAULT_LIMIT, offset: int = 0) -> Page[Enrolment]:
    """A program's active enrolments (and withdrawn ones if asked), oldest first, with each
    person's display name and e-mail: the program's coordinators, site admins and the system
    actor only (``PermissionDenied`` otherwise; observers read ``get_aggregates``)."""
    return await read_page(lambda n, at: services.list_enrolments(
        program_id, actor, include_withdrawn=include_withdrawn, limit=n, offset=at), limit, offset)


async def enrol(program_id: int, role: str, actor: Actor, *, answers: Mapping[str, Any] | None = None,
                invitation: str | None = None) -> Enrolment:
    """Enrol the actor (a person) with one of the format's role keys while the program is open,
    answering its questions (``answers`` by question key, checked by ``check_answers``:
    ``ValidationFailed`` with ``answers.<key>`` fields naming each question).

    The program's enrolment mode decides the state: ``active`` (open, or by ``invitation``, a
    link's token), ``applied`` (a coordinator reviews), or ``waitlisted`` when the role is full.
    ``ConflictError`` with the reason when a plugin's eligibility rule, the link or the re-join
    rule refuses. Emits ``enrolment.created``, ``enrolment.applied`` or ``enrolment.waitlisted``.
    """
    return await services.enrol(program_id, role, actor, answers=answers, invitation=invitation)


async def withdraw(program_id: int, enrolment_id: int, actor: Actor) -> Enrolment:
    """Withdraw a live (active, applied or waitlisted) enrolment: the enrolled person, a
    coordinator, a site admin or the system actor; refused while it is part of an open
    relationship. A place it frees goes to the oldest waitlisted person of the role. Emits
    ``enrolment.withdrawn``."""
    return await services.withdraw_enrolment(program_id, enrolment_id, actor)
