"""The relationship API under ``/api/v1/relationships``: the twins of the relationship pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from mentorkit.relationships import lifecycle, policies, self_matching, services
from mentorkit.relationships.next_steps import NextStep, next_steps
from mentorkit.relationships.schemas import (
    Inquiry,
    InquiryAnswer,
    InquiryCreate,
    Relationship,
    RelationshipComplete,
    RelationshipDecline,
    RelationshipEnd,
    RelationshipPause,
    RelationshipReason,
    RelationshipView,
    Rematch,
    Session,
    SessionCreate,
)
from mentorkit.relationships.self_matching import MatchRequest, Suggestion
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

TAGS = ["relationships"]
_PATH = "/api/v1/relationships/{relationship_id:int}"
ReasonBody = JSONBody[RelationshipReason]

assert policies.POLICIES  # importing the module registers the policies these routes name


@get("/api/v1/relationships", opt={"policy": "signed_in"}, tags=TAGS)
async def my_relationships(request: AnyRequest) -> list[Relationship]:
    """The caller's relationships."""
    return await services.my_relationships(request.user)


@get("/api/v1/next-steps", opt={"policy": "signed_in"}, tags=TAGS)
async def my_next_steps(request: AnyRequest) -> list[NextStep]:
    """What is next for the caller across their relationships (matches to answer, agreements
    to confirm, milestones), overdue and dated ones first: the home page's list."""
    return await next_steps(request.user)


@get(_PATH, opt={"policy": "relationship_viewer"}, tags=TAGS)
async def get_relationship(request: AnyRequest, relationship_id: FromPath[Id]) -> RelationshipView:
    """A relationship with its history, questions, sessions and what the caller may do now
    (``actions``; coordinators see session dates and durations only)."""
    return await services.relationship_view(relationship_id, request.user)


@post(f"{_PATH}/sessions", opt={"policy": "relationship_member"}, tags=TAGS)
async def log_session(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[SessionCreate]) -> Session:
    """Log a session; ``private_note`` is kept for the caller alone."""
    return await services.log_session(relationship_id, data, request.user)


@get(f"{_PATH}/sessions", opt={"policy": "relationship_viewer"}, tags=TAGS)
async def list_sessions(request: AnyRequest, relationship_id: FromPath[Id]) -> list[Session]:
    """Sessions, newest first: members get titles, shared notes and their own private notes."""
    return await services.list_sessions(relationship_id, request.user)


@get(f"{_PATH}/sessions/{{session_id:int}}", opt={"policy": "session_member"}, tags=TAGS)
async def get_session(request: AnyRequest, relationship_id: FromPath[Id], session_id: FromPath[Id]) -> Session:
    """One session for a member: shared notes and the caller's own private note."""
    return await services.get_session(relationship_id, session_id, request.user)


# --------------------------------------------------------------------------- lifecycle


@post(f"{_PATH}/accept", opt={"policy": "relationship_member"}, tags=TAGS, status_code=200)
async def accept(request: AnyRequest, relationship_id: FromPath[Id], data: ReasonBody) -> Relationship:
    """Accept a match waiting for the caller's answer; it starts when everyone asked has."""
    return await lifecycle.accept_relationship(relationship_id, request.user, data.reason)


@post(f"{_PATH}/decline", opt={"policy": "relationship_member"}, tags=TAGS, status_code=200)
async def decline(request: AnyRequest, relationship_id: FromPath[Id],
                  data: JSONBody[RelationshipDecline]) -> Relationship:
    """Decline a match waiting for the caller's answer, with a listed reason."""
    return await lifecycle.decline_relationship(relationship_id, request.user, data.reason_code, data.reason)


@post(f"{_PATH}/questions", opt={"policy": "relationship_member"}, tags=TAGS)
async def ask_question(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[InquiryCreate]) -> Inquiry:
    """Ask the other members a question before answering a match."""
    return await lifecycle.ask_question(relationship_id, request.user, data.question)


@post(f"{_PATH}/questions/{{inquiry_id:int}}/answer", opt={"policy": "relationship_member"}, tags=TAGS,
      status_code=200)
async def answer_question(request: AnyRequest, relationship_id: FromPath[Id], inquiry_id: FromPath[Id],
                          data: JSONBody[InquiryAnswer]) -> Inquiry:
    """Answer another member's question about a match waiting for acceptance."""
    return await lifecycle.answer_question(relationship_id, inquiry_id, request.user, data.answer)


@post(f"{_PATH}/pause", opt={"policy": "relationship_viewer"}, tags=TAGS, status_code=200)
async def pause(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[RelationshipPause]) -> Relationship:
    """Pause an active relationship until ``resume_on`` (a member or a coordinator)."""
    return await lifecycle.pause_relationship(relationship_id, request.user, data.resume_on, data.reason)


@post(f"{_PATH}/resume", opt={"policy": "relationship_viewer"}, tags=TAGS, status_code=200)
async def resume(request: AnyRequest, relationship_id: FromPath[Id], data: ReasonBody) -> Relationship:
    """Resume a paused relationship (a member or a coordinator)."""
    return await lifecycle.resume_relationship(relationship_id, request.user, data.reason)


@post(f"{_PATH}/complete", opt={"policy": "relationship_viewer"}, tags=TAGS, status_code=200)
async def complete(
    request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[RelationshipComplete]
) -> Relationship:
    """Close the relationship as completed (a member or a coordinator); stored as a transition."""
    return await lifecycle.complete_relationship(relationship_id, request.user, data.reason)


@post(f"{_PATH}/end", opt={"policy": "relationship_viewer"}, tags=TAGS, status_code=200)
async def end_early(
    request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[RelationshipEnd]
) -> Relationship:
    """End the relationship early with a listed reason (a member or a coordinator)."""
    return await lifecycle.end_relationship_early(relationship_id, request.user, data.reason_code, data.reason)


@post(f"{_PATH}/cancel", opt={"policy": "relationship_coordinator"}, tags=TAGS, status_code=200)
async def cancel(request: AnyRequest, relationship_id: FromPath[Id], data: ReasonBody) -> Relationship:
    """Cancel a draft or a match waiting for acceptance (coordinators)."""
    return await lifecycle.cancel_relationship(relationship_id, request.user, data.reason)


@post(f"{_PATH}/publish", opt={"policy": "relationship_coordinator"}, tags=TAGS, status_code=200)
async def publish(request: AnyRequest, relationship_id: FromPath[Id], data: ReasonBody) -> Relationship:
    """Publish a draft match: it waits for acceptance, or starts when none is asked (coordinators)."""
    return await lifecycle.publish_relationship(relationship_id, request.user, data.reason)


@post(f"{_PATH}/rematch", opt={"policy": "relationship_coordinator"}, tags=TAGS)
async def rematch(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[Rematch]) -> Relationship:
    """Match a member of a relationship that ended early (or was declined or cancelled) with
    new partners; the new relationship records this one (coordinators)."""
    return await lifecycle.rematch(relationship_id, request.user, data.keep_enrolment_id, data.enrolment_ids)


@post(f"{_PATH}/withdraw", opt={"policy": "relationship_member"}, tags=TAGS, status_code=200)
async def withdraw(request: AnyRequest, relationship_id: FromPath[Id], data: ReasonBody) -> Relationship:
    """Withdraw your own request for a match while it waits for an answer (it is cancelled)."""
    return await self_matching.withdraw_request(relationship_id, request.user, data.reason)


# --------------------------------------------------------------------------- self-matching

_PROGRAM = "/api/v1/programs/{program_id:int}"


@get(f"{_PROGRAM}/suggestions", opt={"policy": "program_self_matcher"}, tags=TAGS)
async def suggestions(
    request: AnyRequest, program_id: FromPath[Id],
    k: Annotated[int, QueryParameter(ge=1, le=self_matching.MOST_SUGGESTIONS)] = self_matching.DEFAULT_SUGGESTIONS,
) -> list[Suggestion]:
    """Self-matching (mentee-led or mentor-led programs): the ``k`` best people of the other
    role the caller may ask for a match, best first, with why (participants in the role that
    picks). Paused and full people, "not with" lists and earlier partners are left out."""
    return await self_matching.suggestions(program_id, request.user, k)


@post(f"{_PROGRAM}/match-requests", opt={"policy": "program_self_matcher"}, tags=TAGS)
async def request_match(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[MatchRequest]) -> Relationship:
    """Request a match with one of your suggestions, with an optional message: it waits for
    their answer (``pending``); they accept or decline it like any match."""
    return await self_matching.request_match(program_id, data.partner_enrolment_id, data.message, request.user)


def relationship_api_routes() -> list[Any]:
    """Every relationship API route."""
    return [my_relationships, my_next_steps, get_relationship, log_session, list_sessions, get_session, accept, decline,
            ask_question, answer_question, pause, resume, complete, end_early, cancel, publish, rematch, withdraw,
            suggestions, request_match]
