"""The enrolment API under ``/api/v1/programs/{id}/enrolments``: the twins of the enrolment pages."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, JSONBody

from mentorkit.programs import policies, services
from mentorkit.programs.schemas import Enrolment, EnrolmentCreate
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

TAGS = ["enrolments"]

assert policies.POLICIES  # importing the module registers the policies these routes name


@post("/api/v1/programs/{program_id:int}/enrolments", opt={"policy": "program_reader"}, tags=TAGS)
async def enrol(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[EnrolmentCreate]) -> Enrolment:
    """Enrol the caller with one of the format's roles."""
    return await services.enrol(program_id, data.role, request.user)


@get("/api/v1/programs/{program_id:int}/enrolments", opt={"policy": "program_staff"}, tags=TAGS)
async def list_enrolments(request: AnyRequest, program_id: FromPath[Id]) -> list[Enrolment]:
    """Active enrolments of the program (coordinators, observers, site admins)."""
    return await services.list_enrolments(program_id, request.user)


@post(
    "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}/withdraw",
    opt={"policy": "enrolment_holder"},
    tags=TAGS,
    status_code=200,
)
async def withdraw(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Enrolment:
    """Withdraw an enrolment (the enrolled person, or a coordinator)."""
    return await services.withdraw_enrolment(program_id, enrolment_id, request.user)


def enrolment_api_routes() -> list[Any]:
    """Every enrolment API route."""
    return [enrol, list_enrolments, withdraw]
