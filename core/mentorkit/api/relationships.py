"""Relationships, their members and sessions through the same services as the pages and API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from mentorkit.api.actors import Actor
from mentorkit.api.paging import DEFAULT_LIMIT, Page, read_page
from mentorkit.relationships import lifecycle, self_matching, services
from mentorkit.relationships.schemas import Inquiry, Relationship, RelationshipView, Session, SessionCreate
from mentorkit.relationships.self_matching import SelfMatchingView, Suggestion


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
               reason: str = "", draft: bool = False) -> Relationship:
    """Propose a relationship of active enrolments of one program (coordinators, site admins,
    the system actor). It starts at once (``active``), or waits for the members the program
    asks to accept (``pending``, for ``Program.acceptance_days``); ``draft`` keeps it a
    ``proposed`` draft nobody is told about until ``publish_relationship``. The format checks
    the roles, capacities are checked (``ConflictError`` naming who is full) and plugins may
    refuse (``ConflictError``); ``strategy`` names the registered matching strategy that
    proposed it. Emits ``relationship.created``."""
    return await lifecycle.pair(program_id, list(enrolment_ids), actor, strategy=strategy, reason=reason,
                                draft=draft)


async def transition_relationship(relationship_id: int, new: str, actor: Actor, reason: str = "", *,
                                  reason_code: str = "", resume_on: dt.date | None = None) -> Relationship:
    """Move a relationship to ``new`` along ``RELATIONSHIP_TRANSITIONS``, as far as the actor
    may (members pause, resume, complete, end early and decline; coordinators, site admins and
    the system actor also publish and cancel; a pending match starts only by acceptance).
    ``"declined"`` and ``"ended_early"`` need a ``reason_code`` of ``DECLINE_REASONS`` or
    ``END_REASONS`` (``"other"`` also needs ``reason``); ``"paused"`` needs ``resume_on``
    after today. The format and plugins may refuse. Emits ``relationship.state_changed``."""
    return await lifecycle.transition_relationship(relationship_id, new, actor, reason, reason_code=reason_code,
                                                   resume_on=resume_on)


async def accept_relationship(relationship_id: int, actor: Actor) -> Relationship:
    """The actor, a member the program asks to accept, accepts a pending match; it becomes
    active when the last one asked has. Emits ``relationship.accepted``."""
    return await lifecycle.accept_relationship(relationship_id, actor)


async def decline_relationship(relationship_id: int, actor: Actor, reason_code: str, reason: str = "") -> Relationship:
    """The actor, a member the program asks to accept, declines a pending match with a reason
    of ``DECLINE_REASONS``."""
    return await lifecycle.decline_relationship(relationship_id, actor, reason_code, reason)


async def ask_question(relationship_id: int, actor: Actor, question: str) -> Inquiry:
    """A member asked to accept a pending match asks the other members a question first.
    Emits ``relationship.question_asked`` (without the text)."""
    return await lifecycle.ask_question(relationship_id, actor, question)


async def answer_question(relationship_id: int, inquiry_id: int, actor: Actor, answer: str) -> Inquiry:
    """Another member answers a question about a pending match, once. Emits
    ``relationship.question_answered`` (without the text)."""
    return await lifecycle.answer_question(relationship_id, inquiry_id, actor, answer)


async def rematch(relationship_id: int, actor: Actor, keep_enrolment_id: int,
                  enrolment_ids: Sequence[int]) -> Relationship:
    """After a relationship ended early (or was declined or cancelled), match the member
    ``keep_enrolment_id`` with new partners (coordinators, site admins, the system actor).
    The new relationship records the old one (``rematch_of``); both histories are kept."""
    return await lifecycle.rematch(relationship_id, actor, keep_enrolment_id, enrolment_ids)


async def publish_relationship(relationship_id: int, actor: Actor) -> Relationship:
    """Publish a draft proposal: it waits for acceptance, or starts when the program asks for
    none (coordinators, site admins, the system actor)."""
    return await lifecycle.publish_relationship(relationship_id, actor)


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


# --------------------------------------------------------------------------- self-matching


async def suggestions(program_id: int, actor: Actor, k: int = self_matching.DEFAULT_SUGGESTIONS) -> list[Suggestion]:
    """Self-matching (a program whose ``matching_mode`` is the actor's role: ``"mentee"`` or
    ``"mentor"``): the ``k`` (1 to 20) best people of the other role the actor may ask for a
    match, best first, each with why in sentences (the program's strategy's ``suggest``, else
    shared skills then fewest open relationships). Paused and full people (pending requests
    count), either one's "not with" list, earlier partners and the actor are left out; the
    sentences say only what the person's profile lets the actor see. ``ConflictError`` when the
    program is not self-matching or not open, ``PermissionDenied`` without an active enrolment
    in the role that picks."""
    return await self_matching.suggestions(program_id, actor, k)


async def self_matching_view(program_id: int, actor: Actor,
                             k: int = self_matching.DEFAULT_SUGGESTIONS) -> SelfMatchingView:
    """The actor's self-matching in a program: ``suggestions``, how many more requests they may
    make, their requests waiting for an answer and the requests waiting for theirs."""
    return await self_matching.self_matching(program_id, actor, k)


async def request_match(program_id: int, partner_enrolment_id: int, message: str, actor: Actor) -> Relationship:
    """Request a match with one of the actor's ``suggestions`` (self-matching). The relationship
    waits for the partner's answer (``pending``, the program's days to answer), the actor's own
    acceptance recorded and ``message`` (at most 1000 characters) shown to the partner; they
    accept, decline with a reason or ask a question like with any match. Refused:
    ``ValidationFailed`` ``{"partner_enrolment_id": ...}`` when the partner is not a suggestion
    (full, paused, excluded), ``ConflictError`` when the actor's own places are taken or when
    the partner's last place went meanwhile (two requests at once never both take it). Emits
    ``relationship.created`` and ``relationship.requested`` (without the message)."""
    return await self_matching.request_match(program_id, partner_enrolment_id, message, actor)


async def withdraw_request(relationship_id: int, actor: Actor, reason: str = "") -> Relationship:
    """The actor withdraws their own request for a match while it waits for an answer: it is
    cancelled (``relationship.state_changed``) and both people are back in the pool."""
    return await self_matching.withdraw_request(relationship_id, actor, reason)
