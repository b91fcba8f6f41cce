"""Relationships, their members and sessions through the same services as the pages and API."""

from __future__ import annotations

from collections.abc import Sequence

from mentorkit.api.actors import Actor
from mentorkit.api.paging import DEFAULT_LIMIT, Page, read_page
from mentorkit.relationships import services
from mentorkit.relationships.schemas import Relationship, RelationshipView, Session, SessionCreate


async def my_relationships(actor: Actor, *, limit: int = DEFAULT_LIMIT, offset: int = 0) -> Page[Relationship]:
    """The relationships the actor is a member of, oldest first, each with its members and
    session count (one statement per page). Empty for the system actor."""
    return await read_page(lambda n, at: services.my_relationships(actor, limit=n, offset=at), limit, offset)


async def program_relationships(program_id: int, actor: Actor, *, limit: int = DEFAULT_LIMIT,
                                offset: int = 0) -> Page[Relationship]:
    """A program's relationships, oldest first, with members and session counts, never notes
    (one statement per page): its coordinators, site admins and the system actor (observers
    read ``get_aggregates``)."""
    return await read_page(lambda n, at: services.program_relationships(program_id, actor, limit=n, offset=at),
                           limit, offset)


async def get_relationship(relationship_id: int, actor: Actor) -> RelationshipView:
    """One relationship with its history and sessions. Members see session titles, shared
    notes and their own private notes; coordinators, site admins and the system actor see
    when sessions were held and for how long. ``NotFound`` for anyone else."""
    return await services.relationship_view(relationship_id, actor)


async def pair(program_id: int, enrolment_ids: Sequence[int], actor: Actor, *, strategy: str = "manual",
               reason: str = "") -> Relationship:
    """Make an active relationship of active enrolments of one program (coordinators, site
    admins, the system actor). The format checks the roles and plugins may refuse
    (``ConflictError``); ``strategy`` names the registered matching strategy that proposed it.
    Emits ``relationship.created``."""
    return await services.pair(program_id, list(enrolment_ids), actor, strategy=strategy, reason=reason)


async def transition_relationship(relationship_id: int, new: str, actor: Actor, reason: str = "") -> Relationship:
    """Move a relationship to ``new`` ("active", "paused", "completed", "ended_early") as the
    core allows: members, coordinators, site admins and the system actor; plugins may refuse.
    Emits ``relationship.state_changed``."""
    return await services.transition_relationship(relationship_id, new, actor, reason)


async def list_sessions(relationship_id: int, actor: Actor, *, limit: int = DEFAULT_LIMIT,
                        offset: int = 0) -> Page[Session]:
    """A relationship's logged sessions, newest first, as ``get_relationship`` shows them
    (two statements per page: the sessions, then the actor's own private notes)."""
    return await read_page(lambda n, at: services.list_sessions(relationship_id, actor, limit=n, offset=at),
                           limit, offset)


async def log_session(relationship_id: int, session: SessionCreate, actor: Actor) -> Session:
    """A member logs a held meeting of an active relationship; ``private_note`` is stored for
    the actor alone. Emits ``session.logged`` (without title or notes)."""
    return await services.log_session(relationship_id, session, actor)
