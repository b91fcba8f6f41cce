"""What is next for a person across their relationships: matches waiting for their answer,
agreements to confirm, the next milestone of each journey, pauses ending. The home page shows
it first; ``GET /api/v1/next-steps`` returns it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from mentorkit.db.reads import fetch
from mentorkit.db.values import as_date, as_utc
from mentorkit.events import utcnow
from mentorkit.programs.services import Actor
from mentorkit.relationships.reads import my_relationships
from mentorkit.relationships.schemas import Relationship

# The milestones not yet reached of the person's relationships, and whether they confirmed
# each agreement's current version: two fixed statements whatever the number of relationships.
_MINE = 'SELECT relationship FROM mentorkit_relationship_member WHERE "user" = {}'
_NEXT_MILESTONES = f"""
    SELECT j.relationship AS relationship, m.key AS key, m.title AS title, m.due_on AS due_on
    FROM mentorkit_journey j JOIN mentorkit_journey_milestone m ON m.journey = j.id
    WHERE j.relationship IN ({_MINE}) AND m.completed_at IS NULL
    ORDER BY j.relationship, m.due_on, m.position
"""
_AGREEMENTS = f"""
    SELECT a.relationship AS relationship, a.version AS version,
           (SELECT COUNT(*) FROM mentorkit_agreement_confirmation c WHERE c.agreement = a.id AND c."user" = {{}})
               AS mine
    FROM mentorkit_agreement a
    WHERE a.relationship IN ({_MINE}) AND a.version = (
        SELECT MAX(b.version) FROM mentorkit_agreement b WHERE b.relationship = a.relationship)
"""


class NextStep(msgspec.Struct, frozen=True, kw_only=True):
    """One thing a person could do next in a relationship, most pressing first. ``kind``:
    "answer_match", "waiting", "confirm_agreement", "milestone", "paused"."""

    relationship_id: int
    kind: str
    text: str
    link: str
    due: dt.date | None = None
    overdue: bool = False


async def next_steps(actor: Actor, relationships: Sequence[Relationship] | None = None) -> list[NextStep]:
    """The actor's next steps across their open relationships (members only: empty for the
    system actor), overdue and dated ones first. ``relationships``: the actor's, when the
    caller has read them already (the home page)."""
    if relationships is None:
        relationships = await my_relationships(actor)
    mine = [r for r in relationships if r.state in ("pending", "active", "paused")]
    if not mine:
        return []
    milestones: dict[int, Mapping[str, Any]] = {}
    for row in await fetch(_NEXT_MILESTONES, actor.id):
        milestones.setdefault(row["relationship"], row)
    agreements = {row["relationship"]: row for row in await fetch(_AGREEMENTS, actor.id, actor.id)}
    today = utcnow().date()
    steps: list[NextStep] = []
    for r in mine:
        others = ", ".join(m.display_name for m in r.members if m.user_id != actor.id)
        me = next(m for m in r.members if m.user_id == actor.id)
        link = f"/relationships/{r.id}"
        if r.state == "pending":
            accept_by = as_utc(r.accept_by)
            due = accept_by.date() if accept_by else None
            if me.accepted_at is None:
                steps.append(NextStep(relationship_id=r.id, kind="answer_match", link=link + "#answer-match",
                                      text=f"Accept or decline your match with {others}", due=due))
            else:
                steps.append(NextStep(relationship_id=r.id, kind="waiting", link=link, due=due,
                                      text=f"You accepted; waiting for {others} to answer"))
            continue
        if r.state == "paused":
            steps.append(NextStep(relationship_id=r.id, kind="paused", link=link, due=r.resume_on,
                                  text=f"Paused with {others}: resume when you are ready"))
            continue
        agreement = agreements.get(r.id)
        if agreement is None or not agreement["mine"]:
            version = agreement["version"] if agreement else 1
            steps.append(NextStep(relationship_id=r.id, kind="confirm_agreement", link=link + "?section=agreement",
                                  text=f"Read and confirm the mentoring agreement with {others} (version {version})"))
        milestone = milestones.get(r.id)
        if milestone is not None:
            due_on = as_date(milestone["due_on"]) or today
            steps.append(NextStep(relationship_id=r.id, kind="milestone", link=link + "?section=journey", due=due_on,
                                  overdue=due_on < today, text=f"{milestone['title']}, with {others}"))
    return sorted(steps, key=lambda s: (not s.overdue, s.due or dt.date.max))
