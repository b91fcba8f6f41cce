"""Self-matching: in a mentee-led (or mentor-led) program, participants of that role pick their
partners from suggestions and request a match; the partner accepts or declines it.

* ``suggestions`` reads the program's pool as the system (participants never read the pool,
  only their own suggestions), leaves out who cannot be asked (paused, full — pending requests
  count —, in either person's "not with" list, earlier partners, oneself) and orders the rest
  with the program's strategy's ``suggest``, or, for a strategy without one, by shared skills
  then fewest open relationships. Explanations are sentences, and only about what the
  partner's profile lets the participant see.
* ``request_match`` creates the relationship through ``lifecycle.propose``: pending, with the
  requester's acceptance recorded and their message stored, waiting for the partner. The
  partner's enrolment is locked in the same transaction, so a mentor never holds more open
  relationships (requests included) than their capacity, however many requests arrive at once.
  Accepting, declining, questions, the time to answer and withdrawing are the lifecycle's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import msgspec

from mentorkit.api.actors import SYSTEM, Actor
from mentorkit.contracts import CriterionScore, MatchPool, PoolEnrolment, ProgramFormat
from mentorkit.db import transaction
from mentorkit.db.values import as_json
from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.profiles.services import get_profiles
from mentorkit.programs.labels import role_label
from mentorkit.programs.services import OPEN_STATES, _access, format_of
from mentorkit.programs.tables import Enrolment
from mentorkit.relationships import lifecycle, schemas
from mentorkit.relationships.pool import match_pool
from mentorkit.relationships.reads import my_relationships
from mentorkit.runtime import current_runtime
from mentorkit.schemas import MULTI_LINE, Id, Input

# The modes in which participants match themselves: the key is the role that picks.
SELF_MATCHING_MODES = ("mentee", "mentor")
DEFAULT_SUGGESTIONS = 5
MOST_SUGGESTIONS = 20
MESSAGE_LENGTH = 1000
# The profile field a criterion of a strategy's explanation is about: a sentence about a field
# the partner hides from the participant is left out.
CRITERION_FIELDS = {
    "skills": "skills", "languages": "languages", "language": "languages", "seniority": "seniority",
    "experience": "years_experience", "years_experience": "years_experience", "department": "department",
    "availability": "availability", "time_zone": "time_zone", "time_zones": "time_zone", "bio": "bio",
    "headline": "headline",
}

RequestMessage = Annotated[str, msgspec.Meta(max_length=MESSAGE_LENGTH, pattern=MULTI_LINE,
                                             description=f"free text, at most {MESSAGE_LENGTH} characters")]


class Suggestion(msgspec.Struct, frozen=True, kw_only=True):
    """A person a participant may ask for a match, as the participant may see them."""

    enrolment_id: int
    """Their enrolment: what ``request_match`` takes as ``partner_enrolment_id``."""
    user_id: int
    display_name: str
    role: str
    """Their role in the program (``"mentor"``)."""
    headline: str
    """Their profile's headline, or "" when they do not show it to the participant."""
    profile_url: str
    """Their profile page."""
    remaining: int
    """How many more matches they may take now (their pending requests count as taken)."""
    score: float
    """How good a match the strategy (or the core's shared-skills count) thinks it is."""
    explanation: list[str]
    """Why, in sentences ("Offers 2 of the 3 skills you seek.")."""


class MatchRequest(Input):
    """Ask one of your suggestions for a match, with an optional message they read first."""

    partner_enrolment_id: Id
    message: RequestMessage = ""


class SelfMatchingView(msgspec.Struct, frozen=True, kw_only=True):
    """A participant's self-matching in one program: whom they look for, their suggestions
    and their requests (sent and received) waiting for an answer."""

    program_id: int
    role: str
    """The participant's role (the role that picks: the program's matching mode)."""
    partner_role: str
    """The role they look for (``"mentor"`` for a mentee)."""
    remaining: int
    """How many more requests they may make now (0: their open requests and relationships
    take all their places)."""
    suggestions: list[Suggestion]
    sent: list[schemas.Relationship]
    """Their requests waiting for the partner's answer."""
    received: list[schemas.Relationship]
    """Requests others made to them, waiting for their answer (mentor-led programs, or a
    participant enrolled in both roles)."""


# --------------------------------------------------------------------------- who may


def find_label(format_key: str, partner_role: str) -> str:
    """The self-matching page's name: "Find a mentor" (the partner's role as the format says)."""
    label = role_label(format_key, partner_role)
    return f"Find {'an' if label[:1].lower() in 'aeiou' else 'a'} {label.lower()}"


def find_link(program: Any, enrolments: Sequence[Any]) -> tuple[str, str] | None:
    """(address, label) of the self-matching page for one of these enrolments of the program
    (the person's own), or None when the program is not self-matching for their roles."""
    if program.matching_mode not in SELF_MATCHING_MODES or program.state not in OPEN_STATES:
        return None
    if not any(e.role == program.matching_mode and e.state == "active" for e in enrolments):
        return None
    fmt = current_runtime().formats.get(program.format)
    partner = next((s.role for s in fmt.roles if s.role != program.matching_mode), None) if fmt else None
    return (f"/programs/{program.id}/find", find_label(program.format, partner)) if partner else None


async def _self_matcher(program_id: int, actor: Actor) -> tuple[dict[str, Any], dict[str, Any]]:
    """The program and the actor's active enrolment in the role that picks; refusals say why."""
    program, _ = await _access(program_id, actor)
    mode = program["matching_mode"]
    if mode not in SELF_MATCHING_MODES:
        raise ConflictError("people do not choose their own matches in this program: its coordinators "
                            "(or its matching strategy) make them")
    if program["state"] not in OPEN_STATES:
        raise ConflictError(f"the program is {program['state']}; matches are made while it is enrolling, "
                            "matching or running")
    label = role_label(program["format"], mode, plural=True)
    if actor.id is None:
        raise PermissionDenied(f"only {label} taking part in the program choose their matches")
    row = await Enrolment.select(Enrolment.id, Enrolment.role).where(
        (Enrolment.program == program_id) & (Enrolment.user == actor.id) & (Enrolment.state == "active")
        & (Enrolment.role == mode)).first()
    if row is None:
        raise PermissionDenied(f"only {label} taking part in the program choose their matches")
    return program, row


def places_left(enrolment: PoolEnrolment, fmt: ProgramFormat) -> int:
    """How many more open relationships the enrolment may take now, as the lifecycle's
    capacity check counts (roles that do not take capacity hold one at a time)."""
    slot = next((s for s in fmt.roles if s.role == enrolment.role), None)
    if slot is not None and not slot.takes_capacity:
        return 0 if enrolment.open_relationships or enrolment.paused else 1
    return enrolment.remaining


async def _candidates(program: dict[str, Any], enrolment_id: int
                      ) -> tuple[MatchPool, PoolEnrolment, list[PoolEnrolment]]:
    """The pool, the participant in it, and whom they may ask, oldest enrolment first."""
    pool = await match_pool(program["id"], SYSTEM)
    fmt = format_of(program)
    me = next(e for e in pool.enrolments if e.id == enrolment_id)
    earlier = pool.earlier_partners()
    found = [
        e for e in pool.enrolments
        if e.role != me.role and e.user_id != me.user_id
        and e.user_id not in me.avoid and me.user_id not in e.avoid
        and (me.user_id, e.user_id) not in earlier
        and places_left(e, fmt) > 0
    ]
    return pool, me, found


# --------------------------------------------------------------------------- suggestions


def _shared_skills(me: PoolEnrolment, other: PoolEnrolment, me_offers: bool,
                   skills_visible: bool) -> CriterionScore | None:
    """The core's explanation: how many of the skills one seeks the other offers."""
    wanted, offered = (other.skills_sought, me.skills_offered) if me_offers else (me.skills_sought,
                                                                                    other.skills_offered)
    if not wanted or not skills_visible:
        return None
    shared = len(set(wanted) & set(offered))
    if me_offers:
        sentence = f"Seeks {shared} skill{'s' if shared != 1 else ''} you offer." if shared else ""
    else:
        sentence = f"Offers {shared} of the {len(wanted)} skill{'s' if len(wanted) != 1 else ''} you seek." \
            if shared else ""
    value = shared / len(wanted)
    return CriterionScore(key="skills", label="Shared skills", weight=1.0, value=value, contribution=value,
                          sentence=sentence)


async def _ranked(program: dict[str, Any], pool: MatchPool, me: PoolEnrolment, candidates: list[PoolEnrolment],
                  k: int, hidden: dict[int, set[str]]) -> list[tuple[PoolEnrolment, float, Sequence[CriterionScore]]]:
    """The best ``k`` candidates with their scores and explanations."""
    strategy = current_runtime().strategies.get(program["matching_strategy"])
    by_id = {e.id: e for e in candidates}
    if strategy is not None and strategy.suggest is not None:
        try:
            settings = msgspec.convert(as_json(program["strategy_settings"], {}) or {}, strategy.settings,
                                       strict=False)
        except msgspec.ValidationError:
            settings = strategy.settings()
        narrowed = msgspec.structs.replace(pool, enrolments=[me, *candidates])
        ranked: list[tuple[PoolEnrolment, float, Sequence[CriterionScore]]] = []
        for proposal in await strategy.suggest(narrowed, me, k, settings):
            others = [i for ids in proposal.members.values() for i in ids if i != me.id]
            partner = by_id.get(others[0]) if len(others) == 1 else None
            if partner is not None and all(partner is not r[0] for r in ranked):
                ranked.append((partner, proposal.score, proposal.explanation))
        return ranked[:k]
    fmt = format_of(program)
    me_offers = next((s.takes_capacity for s in fmt.roles if s.role == me.role), False)
    scored = []
    for other in candidates:
        criterion = _shared_skills(me, other, me_offers, "skills" not in hidden.get(other.user_id, set()))
        shared = criterion.value if criterion else 0.0
        scored.append((other, shared, [criterion] if criterion else []))
    scored.sort(key=lambda item: (-item[1], item[0].open_relationships, item[0].id))
    return [(other, score, explanation) for other, score, explanation in scored[:k]]


def visible_sentences(explanation: Sequence[CriterionScore], hidden: set[str]) -> list[str]:
    """The explanation's sentences a participant may read: without those about profile fields
    the other person hides from them."""
    return [c.sentence for c in explanation if c.sentence and CRITERION_FIELDS.get(c.key) not in hidden]


async def _suggestions(program: dict[str, Any], pool: MatchPool, me: PoolEnrolment, candidates: list[PoolEnrolment],
                       actor: Actor, k: int) -> list[Suggestion]:
    if not candidates:
        return []
    profiles = {p.user_id: p for p in await get_profiles([e.user_id for e in candidates][:200], actor)}
    hidden = {user_id: set(p.hidden) for user_id, p in profiles.items()}
    # Deactivated accounts have no profile: nobody to ask.
    candidates = [e for e in candidates if e.user_id in profiles]
    fmt = format_of(program)
    return [
        Suggestion(
            enrolment_id=other.id, user_id=other.user_id, display_name=other.display_name, role=other.role,
            headline=profiles[other.user_id].headline or "", profile_url=f"/people/{other.user_id}",
            remaining=places_left(other, fmt), score=round(float(score), 4),
            explanation=visible_sentences(explanation, hidden.get(other.user_id, set())),
        )
        for other, score, explanation in await _ranked(program, pool, me, candidates, k, hidden)
    ]


async def suggestions(program_id: int, actor: Actor, k: int = DEFAULT_SUGGESTIONS) -> list[Suggestion]:
    """The best ``k`` people of the other role the actor may ask for a match, best first, in a
    program whose matching mode is the actor's role (mentee-led: mentees; mentor-led: mentors).

    People who are paused, full (pending requests count), in either one's "not with" list,
    earlier partners in the program and the actor are left out."""
    if not 1 <= k <= MOST_SUGGESTIONS:
        raise ValidationFailed({"k": f"must be from 1 to {MOST_SUGGESTIONS}"})
    program, enrolment = await _self_matcher(program_id, actor)
    return await _suggestions(program, *await _candidates(program, enrolment["id"]), actor, k)


async def self_matching(program_id: int, actor: Actor, k: int = DEFAULT_SUGGESTIONS) -> SelfMatchingView:
    """What the "Find a mentor" (or mentee) page shows: suggestions and open requests."""
    program, enrolment = await _self_matcher(program_id, actor)
    fmt = format_of(program)
    mine = [r for r in await my_relationships(actor) if r.program_id == program_id and r.state == "pending"
            and r.requested_by is not None]
    pool, me, candidates = await _candidates(program, enrolment["id"])
    partner_role = next((s.role for s in fmt.roles if s.role != me.role), me.role)
    return SelfMatchingView(
        program_id=program_id, role=me.role, partner_role=partner_role, remaining=places_left(me, fmt),
        suggestions=await _suggestions(program, pool, me, candidates, actor, k),
        sent=[r for r in mine if r.requested_by == actor.id],
        received=[r for r in mine if r.requested_by != actor.id],
    )


# --------------------------------------------------------------------------- requesting


async def request_match(program_id: int, partner_enrolment_id: int, message: str, actor: Actor
                        ) -> schemas.Relationship:
    """Ask one of one's suggestions for a match (self-matching). The relationship waits for the
    partner's answer (``pending``, for the program's days to answer), the requester's
    acceptance recorded, ``message`` shown to the partner. Emits ``relationship.created`` and
    ``relationship.requested`` (without the message)."""
    message = message.strip()
    if len(message) > MESSAGE_LENGTH:
        raise ValidationFailed({"message": f"must be at most {MESSAGE_LENGTH} characters"})
    async with transaction():
        program, enrolment = await _self_matcher(program_id, actor)
        fmt = format_of(program)
        _, me, candidates = await _candidates(program, enrolment["id"])
        if places_left(me, fmt) == 0:
            held = me.open_relationships
            raise ConflictError(
                "you have paused taking new relationships" if me.paused else
                f"your open requests and relationships ({held}) already take all your places; wait for an "
                "answer or withdraw a request first")
        if partner_enrolment_id not in {e.id for e in candidates}:
            raise ValidationFailed({"partner_enrolment_id": "is not one of your suggestions: they may have no place "
                                                            "left, be paused, or not be available to you"})
        strategy = program["matching_strategy"] if program["matching_strategy"] in current_runtime().strategies \
            else "manual"
        return await lifecycle.propose(program, [me.id, partner_enrolment_id], actor, strategy=strategy,
                                       requested_by=actor.id, request_message=message)


async def withdraw_request(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """The requester withdraws their request while it waits for an answer (it is cancelled)."""
    return await lifecycle.withdraw_request(relationship_id, actor, reason)
