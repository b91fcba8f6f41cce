"""The relationship API under ``/api/v1/relationships``: the twins of the relationship pages."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, JSONBody

from mentorkit.relationships import policies, services
from mentorkit.relationships.schemas import (
    Relationship,
    RelationshipComplete,
    RelationshipEnd,
    RelationshipView,
    Session,
    SessionCreate,
)
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

TAGS = ["relationships"]

assert policies.POLICIES  # importing the module registers the policies these routes name


@get("/api/v1/relationships", opt={"policy": "signed_in"}, tags=TAGS)
async def my_relationships(request: AnyRequest) -> list[Relationship]:
    """The caller's relationships."""
    return await services.my_relationships(request.user)


@get("/api/v1/relationships/{relationship_id:int}", opt={"policy": "relationship_viewer"}, tags=TAGS)
async def get_relationship(request: AnyRequest, relationship_id: FromPath[Id]) -> RelationshipView:
    """A relationship with its transitions and sessions (coordinators: dates and durations only)."""
    return await services.relationship_view(relationship_id, request.user)


@post(
    "/api/v1/relationships/{relationship_id:int}/sessions",
    opt={"policy": "relationship_member"},
    tags=TAGS,
)
async def log_session(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[SessionCreate]) -> Session:
    """Log a session; ``private_note`` is kept for the caller alone."""
    return await services.log_session(relationship_id, data, request.user)


@get(
    "/api/v1/relationships/{relationship_id:int}/sessions",
    opt={"policy": "relationship_viewer"},
    tags=TAGS,
)
async def list_sessions(request: AnyRequest, relationship_id: FromPath[Id]) -> list[Session]:
    """Sessions, newest first: members get titles, shared notes and their own private notes."""
    return await services.list_sessions(relationship_id, request.user)


@get(
    "/api/v1/relationships/{relationship_id:int}/sessions/{session_id:int}",
    opt={"policy": "session_member"},
    tags=TAGS,
)
async def get_session(request: AnyRequest, relationship_id: FromPath[Id], session_id: FromPath[Id]) -> Session:
    """One session for a member: shared notes and the caller's own private note."""
    return await services.get_session(relationship_id, session_id, request.user)


@post(
    "/api/v1/relationships/{relationship_id:int}/complete",
    opt={"policy": "relationship_viewer"},
    tags=TAGS,
    status_code=200,
)
async def complete(
    request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[RelationshipComplete]
) -> Relationship:
    """Close the relationship as completed (a member or a coordinator); stored as a transition."""
    return await services.complete_relationship(relationship_id, request.user, data.reason)


@post(
    "/api/v1/relationships/{relationship_id:int}/end",
    opt={"policy": "relationship_viewer"},
    tags=TAGS,
    status_code=200,
)
async def end_early(
    request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[RelationshipEnd]
) -> Relationship:
    """End the relationship early (a member or a coordinator); stored as a transition."""
    return await services.end_relationship_early(relationship_id, request.user, data.reason)


def relationship_api_routes() -> list[Any]:
    """Every relationship API route."""
    return [my_relationships, get_relationship, log_session, list_sessions, get_session, complete, end_early]
