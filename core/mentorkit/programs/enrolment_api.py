"""The enrolment API under ``/api/v1/programs/{id}``: joining, questions, invitation links,
applications and a person's enrolment, the twins of the enrolment pages."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from mentorkit.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from mentorkit.errors import ValidationFailed
from mentorkit.programs import enrolments, invitations, policies, services
from mentorkit.programs import question_services as questions
from mentorkit.programs.enrolment_schemas import (
    Answer,
    AnswersUpdate,
    Decline,
    EnrolmentDetail,
    EnrolmentJoin,
    EnrolmentUpdate,
    Invitation,
    InvitationCreate,
    QuestionCreate,
    QuestionMove,
    QuestionUpdate,
)
from mentorkit.programs.questions import Question
from mentorkit.programs.schemas import Enrolment
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

TAGS = ["enrolments"]
QUESTION_TAGS = ["enrolment questions"]
ENROLMENT = "/api/v1/programs/{program_id:int}/enrolments/{enrolment_id:int}"
QUESTION = "/api/v1/programs/{program_id:int}/questions/{question_id:int}"
# Pages of a list: bounds in the document, so the framework refuses others with a 400.
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size (1 to 200)")]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1, description="rows to skip")]

assert policies.POLICIES  # importing the module registers the policies these routes name

QUESTION_FLAGS = ("required", "matching_criterion")


async def _strict_booleans(request: AnyRequest, names: tuple[str, ...]) -> None:
    """Refuse anything but true or false for these fields: Litestar converts bodies leniently
    (0 and 1 would pass as booleans), and the document says boolean."""
    raw = await request.json()
    problems = {n: "must be true or false" for n in names
                if isinstance(raw, dict) and n in raw and not isinstance(raw[n], bool)}
    if problems:
        raise ValidationFailed(problems)


# --------------------------------------------------------------------------- joining


@post("/api/v1/programs/{program_id:int}/enrolments", opt={"policy": "program_reader"}, tags=TAGS)
async def enrol(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[EnrolmentJoin]) -> Enrolment:
    """Join the program with a role, answering the questions asked of it (``invitation``: a
    link's token). The answer's ``state`` says whether the caller is active, has applied or is
    waitlisted."""
    return await enrolments.enrol(program_id, data, request.user)


@get("/api/v1/programs/{program_id:int}/enrolments", opt={"policy": "program_coordinator"}, tags=TAGS)
async def list_enrolments(request: AnyRequest, program_id: FromPath[Id]) -> list[Enrolment]:
    """Active enrolments of the program (coordinators and site admins; observers see
    aggregates only: `GET /api/v1/programs/{id}/aggregates`)."""
    return await services.list_enrolments(program_id, request.user)


@get(ENROLMENT, opt={"policy": "enrolment_holder"}, tags=TAGS)
async def get_enrolment(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> EnrolmentDetail:
    """One enrolment with its decision, capacity, pause and answers (the person, coordinators)."""
    return await enrolments.get_enrolment(program_id, enrolment_id, request.user)


@patch(ENROLMENT, opt={"policy": "enrolment_holder"}, tags=TAGS)
async def update_enrolment(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                           data: JSONBody[EnrolmentUpdate]) -> EnrolmentDetail:
    """Change the capacity (1 to 50) or pause/resume taking new relationships."""
    await _strict_booleans(request, ("paused",))
    return await enrolments.update_enrolment(
        program_id, enrolment_id, request.user, capacity=_given(data.capacity), paused=_given(data.paused))


def _given(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


@get(ENROLMENT + "/answers", opt={"policy": "enrolment_holder"}, tags=TAGS)
async def get_answers(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> list[Answer]:
    """The enrolment's answers, in question order."""
    return (await enrolments.get_enrolment(program_id, enrolment_id, request.user)).answers


@patch(ENROLMENT + "/answers", opt={"policy": "enrolment_holder"}, tags=TAGS)
async def update_answers(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                         data: JSONBody[AnswersUpdate]) -> list[Answer]:
    """Change some answers (checked like at joining); the others stay."""
    detail = await enrolments.update_answers(program_id, enrolment_id, dict(data.answers), request.user)
    return detail.answers


@post(ENROLMENT + "/withdraw", opt={"policy": "enrolment_holder"}, tags=TAGS, status_code=200)
async def withdraw(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Enrolment:
    """Withdraw an enrolment (the enrolled person, or a coordinator); a freed place goes to
    the oldest waitlisted person of the role."""
    return await services.withdraw_enrolment(program_id, enrolment_id, request.user)


# --------------------------------------------------------------------------- applications


@get("/api/v1/programs/{program_id:int}/applications", opt={"policy": "program_coordinator"}, tags=TAGS)
async def list_applications(request: AnyRequest, program_id: FromPath[Id], limit: Limit = DEFAULT_LIMIT,
                            offset: Offset = 0) -> list[Enrolment]:
    """Applications waiting for a decision, oldest first (``limit`` 1 to 200, ``offset``)."""
    return await enrolments.list_applications(program_id, request.user, limit=limit, offset=offset)


@post(ENROLMENT + "/approve", opt={"policy": "program_coordinator"}, tags=TAGS, status_code=200)
async def approve(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Enrolment:
    """Approve an application: active, or waitlisted when the role is full. The person is told."""
    return await enrolments.approve_application(program_id, enrolment_id, request.user)


@post(ENROLMENT + "/decline", opt={"policy": "program_coordinator"}, tags=TAGS, status_code=200)
async def decline(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                  data: JSONBody[Decline]) -> Enrolment:
    """Decline an application (or a waitlisted place) with a reason; the person is told it."""
    return await enrolments.decline_application(program_id, enrolment_id, data.reason, data.note, request.user)


@post(ENROLMENT + "/promote", opt={"policy": "program_coordinator"}, tags=TAGS, status_code=200)
async def promote(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Enrolment:
    """Give a waitlisted person a place now (even beyond the role's limit); they are told."""
    return await enrolments.promote(program_id, enrolment_id, request.user)


# --------------------------------------------------------------------------- questions


@get("/api/v1/programs/{program_id:int}/questions", opt={"policy": "program_reader"}, tags=QUESTION_TAGS)
async def list_questions(request: AnyRequest, program_id: FromPath[Id]) -> list[Question]:
    """The program's enrolment questions in order (plugins' ones have a ``source``)."""
    return await questions.list_questions(program_id, request.user)


@post("/api/v1/programs/{program_id:int}/questions", opt={"policy": "program_coordinator"}, tags=QUESTION_TAGS)
async def create_question(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[QuestionCreate]) -> Question:
    """Add a question at the end of the list."""
    await _strict_booleans(request, QUESTION_FLAGS)
    return await questions.create_question(program_id, data, request.user)


@patch(QUESTION, opt={"policy": "program_coordinator"}, tags=QUESTION_TAGS)
async def update_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id],
                          data: JSONBody[QuestionUpdate]) -> Question:
    """Change a question; 409 when answers given already would no longer fit."""
    await _strict_booleans(request, QUESTION_FLAGS)
    return await questions.update_question(program_id, question_id, data, request.user)


@delete(QUESTION, opt={"policy": "program_coordinator"}, tags=QUESTION_TAGS, status_code=200)
async def delete_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id]) -> Question:
    """Remove a question and every answer to it."""
    return await questions.delete_question(program_id, question_id, request.user)


@post(QUESTION + "/move", opt={"policy": "program_coordinator"}, tags=QUESTION_TAGS, status_code=200)
async def move_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id],
                        data: JSONBody[QuestionMove]) -> list[Question]:
    """Move a question one place up or down; returns the list in its new order."""
    return await questions.move_question(program_id, question_id, data.direction, request.user)


# --------------------------------------------------------------------------- invitation links


@get("/api/v1/programs/{program_id:int}/invitations", opt={"policy": "program_coordinator"}, tags=TAGS)
async def list_invitations(request: AnyRequest, program_id: FromPath[Id], limit: Limit = DEFAULT_LIMIT,
                           offset: Offset = 0) -> list[Invitation]:
    """The program's invitation links, newest first, each with its full link and status."""
    return await invitations.list_invitations(program_id, request.user, limit=limit, offset=offset)


@post("/api/v1/programs/{program_id:int}/invitations", opt={"policy": "program_coordinator"}, tags=TAGS)
async def create_invitation(request: AnyRequest, program_id: FromPath[Id],
                            data: JSONBody[InvitationCreate]) -> Invitation:
    """Make an invitation link (a role or any, expiring in 1 to 365 days, a use limit or none)."""
    return await invitations.create_invitation(program_id, data, request.user)


@post("/api/v1/programs/{program_id:int}/invitations/{invitation_id:int}/revoke",
      opt={"policy": "program_coordinator"}, tags=TAGS, status_code=200)
async def revoke_invitation(request: AnyRequest, program_id: FromPath[Id], invitation_id: FromPath[Id]) -> Invitation:
    """Revoke an invitation link: nobody can join with it any more."""
    return await invitations.revoke_invitation(program_id, invitation_id, request.user)


def enrolment_api_routes() -> list[Any]:
    """Every enrolment API route."""
    return [
        enrol, list_enrolments, get_enrolment, update_enrolment, get_answers, update_answers, withdraw,
        list_applications, approve, decline, promote,
        list_questions, create_question, update_question, delete_question, move_question,
        list_invitations, create_invitation, revoke_invitation,
    ]
