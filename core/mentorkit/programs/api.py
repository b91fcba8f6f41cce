"""The program API under ``/api/v1/programs``: the twins of the program pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from mentorkit.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from mentorkit.programs import participants, policies, services
from mentorkit.programs.schemas import (
    ParticipantPage,
    ParticipantState,
    Program,
    ProgramAggregates,
    ProgramCreate,
    ProgramDetail,
    ProgramDuplicate,
    ProgramStateChange,
    ProgramUpdate,
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
async def list_programs(request: AnyRequest, include_archived: FromQuery[bool] = False) -> list[Program]:
    """Programs open for enrolment, plus the caller's own (all of them for site admins);
    archived ones only with ``include_archived``."""
    return await services.list_programs(request.user, include_archived=include_archived)


@post("/api/v1/programs", opt={"policy": "program_creator"}, tags=TAGS)
async def create_program(request: AnyRequest, data: JSONBody[ProgramCreate]) -> Program:
    """Create a draft program with its design (site admins; also coordinators of a program when
    the site's ``program_creators`` setting is ``coordinators``); the creator coordinates it."""
    return await services.create_program(data, request.user)


@get("/api/v1/programs/{program_id:int}", opt={"policy": "program_reader"}, tags=TAGS)
async def get_program(request: AnyRequest, program_id: FromPath[Id]) -> ProgramDetail:
    """One program: staff and enrolment counts are included for its staff only."""
    return await services.program_detail(program_id, request.user)


@patch("/api/v1/programs/{program_id:int}", opt={"policy": "program_coordinator"}, tags=TAGS)
async def update_program(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[ProgramUpdate]) -> Program:
    """Change the program's design: only the fields sent change. 409 for an archived program."""
    return await services.update_program(program_id, data, request.user)


@post("/api/v1/programs/{program_id:int}/duplicate", opt={"policy": "program_duplicator"}, tags=TAGS)
async def duplicate_program(request: AnyRequest, program_id: FromPath[Id],
                            data: JSONBody[ProgramDuplicate]) -> Program:
    """The next cohort: a new draft with this program's design, questions and staff (no people)."""
    return await services.duplicate_program(program_id, data, request.user)


@get("/api/v1/programs/{program_id:int}/aggregates", opt={"policy": "program_staff"}, tags=TAGS)
async def get_aggregates(request: AnyRequest, program_id: FromPath[Id]) -> ProgramAggregates:
    """How the program is going, in numbers only (what observers see): enrolments per role and
    state, relationships per state, matched and unmatched people per role."""
    return await services.program_aggregates(program_id, request.user)


@get("/api/v1/programs/{program_id:int}/participants", opt={"policy": "program_coordinator"}, tags=TAGS)
async def list_participants(
    request: AnyRequest,
    program_id: FromPath[Id],
    q: Annotated[str, QueryParameter(max_length=200)] = "",
    role: Annotated[str, QueryParameter(max_length=100)] = "",
    # ("state" is a name Litestar reserves: the query parameter keeps it, the argument cannot)
    enrolment_state: Annotated[ParticipantState, QueryParameter(name="state")] = "",
    matched: FromQuery[bool | None] = None,
    question: Annotated[str, QueryParameter(max_length=50)] = "",
    answer: Annotated[str, QueryParameter(max_length=200)] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
) -> ParticipantPage:
    """The program's participants (coordinators): search ``q`` in names, e-mail addresses and roles,
    filter by ``role``, ``state`` (``live``, the default: active, applied and waitlisted;
    ``any``; or one state), ``matched`` and an answer (``question`` key and ``answer``;
    synonyms of a tag find it), one page at a time."""
    filters = participants.Filters(q=q, role=role, state=enrolment_state, matched=matched, question=question,
                                   answer=answer)
    return await participants.search(program_id, filters, request.user, limit=limit, offset=offset)


@post(
    "/api/v1/programs/{program_id:int}/state",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
    status_code=200,
)
async def change_state(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[ProgramStateChange]) -> Program:
    """Move the program to another state (draft -> enrolling -> running -> closed)."""
    return await services.change_program_state(program_id, data.state, request.user, data.reason,
                                               data.open_relationships)


@post(
    "/api/v1/programs/{program_id:int}/staff",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
    status_code=200,
)
async def appoint_staff(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[StaffAppoint]) -> Staff:
    """Appoint a coordinator or observer by the e-mail address of their account."""
    return await services.appoint_staff(program_id, data.email, data.role, request.user)


@delete(
    "/api/v1/programs/{program_id:int}/staff/{user_id:int}",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
    status_code=200,
)
async def remove_staff(request: AnyRequest, program_id: FromPath[Id], user_id: FromPath[Id]) -> Staff:
    """Take a coordinator or observer off the staff; 409 for the last coordinator."""
    return await services.remove_staff(program_id, user_id, request.user)


@post(
    "/api/v1/programs/{program_id:int}/relationships",
    opt={"policy": "program_coordinator"},
    tags=TAGS,
)
async def pair(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[RelationshipCreate]) -> Relationship:
    """Pair enrolments into a relationship (the manual strategy: the coordinator picks). It
    starts at once, or waits for the members' acceptance when the program asks for it
    (``pending``); ``draft`` keeps it a proposal nobody is told about until published."""
    return await relationships.pair(program_id, data.enrolment_ids, request.user, draft=data.draft)


@get("/api/v1/programs/{program_id:int}/relationships", opt={"policy": "program_coordinator"}, tags=TAGS)
async def list_relationships(request: AnyRequest, program_id: FromPath[Id]) -> list[Relationship]:
    """The program's relationships with their members, states and session counts (never any
    notes): coordinators and site admins. Observers read ``/aggregates``."""
    return await relationships.program_relationships(program_id, request.user)


def program_api_routes() -> list[Any]:
    """Every program API route."""
    return [
        list_programs,
        create_program,
        get_program,
        update_program,
        duplicate_program,
        get_aggregates,
        list_participants,
        change_state,
        appoint_staff,
        remove_staff,
        pair,
        list_relationships,
    ]
