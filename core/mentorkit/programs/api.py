"""The program API under ``/api/v1/programs``: the twins of the program pages."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, JSONBody

from mentorkit.programs import policies, services
from mentorkit.programs.schemas import (
    Program,
    ProgramCreate,
    ProgramDetail,
    ProgramStateChange,
    Staff,
    StaffAppoint,
)
from mentorkit.relationships import services as relationships
from mentorkit.relationships.schemas import Relationship, RelationshipCreate
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

TAGS = ["programs"]

assert policies.POLICIES  # importing the module registers the policies these routes name


@get("/api/v1/programs", opt={"policy": "signed_in"}, tags=TAGS)
async def list_programs(request: AnyRequest) -> list[Program]:
    """Programs open for enrolment, plus the caller's own (all of them for site admins)."""
    return await services.list_programs(request.user)


@post("/api/v1/programs", opt={"policy": "admin"}, tags=TAGS)
async def create_program(request: AnyRequest, data: JSONBody[ProgramCreate]) -> Program:
    """Create a draft program (site admins); the creator becomes its coordinator."""
    return await services.create_program(data, request.user)


@get("/api/v1/programs/{program_id:int}", opt={"policy": "program_reader"}, tags=TAGS)
async def get_program(request: AnyRequest, program_id: FromPath[Id]) -> ProgramDetail:
    """One program: staff and enrolment counts are included for its staff only."""
    return await services.program_detail(program_id, request.user)


@post(
    "/api/v1/programs/{program_id:int}/state",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
    status_code=200,
)
async def change_state(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[ProgramStateChange]) -> Program:
    """Move the program to another state (draft -> enrolling -> running -> closed)."""
    return await services.change_program_state(program_id, data.state, request.user, data.reason)


@post(
    "/api/v1/programs/{program_id:int}/staff",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
    status_code=200,
)
async def appoint_staff(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[StaffAppoint]) -> Staff:
    """Appoint a coordinator or observer by the e-mail address of their account."""
    return await services.appoint_staff(program_id, data.email, data.role, request.user)


@post(
    "/api/v1/programs/{program_id:int}/relationships",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
)
async def pair(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[RelationshipCreate]) -> Relationship:
    """Pair enrolments into a relationship (the manual strategy: the coordinator picks)."""
    return await relationships.pair(program_id, data.enrolment_ids, request.user)


@get("/api/v1/programs/{program_id:int}/relationships", opt={"policy": "program_staff"}, tags=TAGS)
async def list_relationships(request: AnyRequest, program_id: FromPath[Id]) -> list[Relationship]:
    """The program's relationships with states and session counts (never any notes)."""
    return await relationships.program_relationships(program_id, request.user)


def program_api_routes() -> list[Any]:
    """Every program API route."""
    return [
        list_programs,
        create_program,
        get_program,
        change_state,
        appoint_staff,
        pair,
        list_relationships,
    ]
