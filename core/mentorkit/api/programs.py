"""Programs and enrolments through the same services as the program pages and API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mentorkit.api.actors import Actor
from mentorkit.api.paging import DEFAULT_LIMIT, Page, read_page
from mentorkit.programs import services
from mentorkit.programs.schemas import Enrolment, Program, ProgramDetail


async def list_programs(actor: Actor, *, limit: int = DEFAULT_LIMIT, offset: int = 0) -> Page[Program]:
    """Programs open for enrolment plus the actor's own (staff or enrolled), oldest first;
    every program for site admins and the system actor."""
    return await read_page(lambda n, at: services.list_programs(actor, limit=n, offset=at), limit, offset)


async def get_program(program_id: int, actor: Actor) -> ProgramDetail:
    """One program with the actor's own enrolments; staff and enrolment counts for its staff,
    site admins and the system actor. ``NotFound`` for a draft the actor may not know."""
    return await services.program_detail(program_id, actor)


async def list_enrolments(program_id: int, actor: Actor, *, include_withdrawn: bool = False,
                          limit: int = DEFAULT_LIMIT, offset: int = 0) -> Page[Enrolment]:
    """A program's active enrolments (and withdrawn ones if asked), oldest first, with each
    person's display name and e-mail: the program's coordinators and observers, site admins
    and the system actor only (``PermissionDenied`` otherwise)."""
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
