"""Programs and enrolments through the same services as the program pages and API."""

from __future__ import annotations

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


async def enrol(program_id: int, role: str, actor: Actor) -> Enrolment:
    """Enrol the actor (a person) with one of the format's role keys while the program is
    enrolling or running. Emits ``enrolment.created``."""
    return await services.enrol(program_id, role, actor)


async def withdraw(program_id: int, enrolment_id: int, actor: Actor) -> Enrolment:
    """Withdraw an active enrolment: the enrolled person, a coordinator, a site admin or the
    system actor; refused while it is part of an open relationship. Emits
    ``enrolment.withdrawn``."""
    return await services.withdraw_enrolment(program_id, enrolment_id, actor)
