"""Hand-built matching pools, for tests of the smart matching strategy and of strategies like it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from mentorkit.contracts import (
    MatchPool,
    PoolEnrolment,
    PoolMember,
    PoolProgram,
    PoolQuestion,
    PoolRelationship,
    PoolRole,
)

# A winter day: Madrid is UTC+1, London UTC+0, New York UTC-5, Tokyo UTC+9.
WINTER = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
ROLES = [PoolRole(role="mentor", label="Mentor", takes_capacity=True),
         PoolRole(role="mentee", label="Mentee", takes_capacity=False)]
_ids = itertools.count(1)


def person(role: str, name: str, **fields: Any) -> PoolEnrolment:
    """An enrolment with a fresh id (account id = enrolment id unless given)."""
    number = fields.pop("id", None) or next(_ids) + 1000
    fields.setdefault("user_id", number)
    return PoolEnrolment(id=number, display_name=name, role=role, **fields)


def mentor(name: str, **fields: Any) -> PoolEnrolment:
    """A mentor (capacity 1 unless given)."""
    fields.setdefault("capacity", 1)
    return person("mentor", name, **fields)


def mentee(name: str, **fields: Any) -> PoolEnrolment:
    """A mentee."""
    return person("mentee", name, **fields)


def pool(*enrolments: PoolEnrolment, direction: str = "senior_mentors", roles: list[PoolRole] | None = None,
         questions: list[PoolQuestion] | None = None,
         earlier: Sequence[tuple[PoolEnrolment, PoolEnrolment]] = (),
         pinned: list[dict[str, list[int]]] | None = None) -> MatchPool:
    """A 1:1 pool of these enrolments (``earlier``: pairs who were partners before)."""
    relationships = [
        PoolRelationship(id=i, state="completed", members=[
            PoolMember(enrolment_id=a.id, user_id=a.user_id, role=a.role),
            PoolMember(enrolment_id=b.id, user_id=b.user_id, role=b.role)])
        for i, (a, b) in enumerate(earlier, start=1)]
    program = PoolProgram(id=1, slug="p", name="P", format="one_to_one", roles=ROLES if roles is None else roles,
                          seniority_direction=direction)
    return MatchPool(program=program, enrolments=list(enrolments), relationships=relationships,
                     questions=questions or [], pinned=pinned or [])


def pairs_of(outcome: Any) -> set[tuple[int, int]]:
    """(mentor id, mentee id) of each proposal."""
    return {(p.members["mentor"][0], p.members["mentee"][0]) for p in outcome.proposals}
