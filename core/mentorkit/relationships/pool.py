"""The matching pool of a program: what ``MatchingStrategy.propose`` receives.

A fixed number of reads, whatever the size of the program: the access check, the active
enrolments with their capacity and pause, the questions, the answers, the skills, the
preferences, and the relationships with their members. Matching is staff work, so the pool
holds what the people said whatever their profile's visibility; strategies never show it to
other participants.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
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
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_json
from mentorkit.profiles.tables import Tag
from mentorkit.programs.question_services import program_questions
from mentorkit.programs.services import Actor, require_coordinator
from mentorkit.programs.tables import Enrolment
from mentorkit.relationships.lifecycle import OPEN_RELATIONSHIP_STATES
from mentorkit.relationships.tables import RelationshipMember
from mentorkit.runtime import current_runtime

_ANSWERS = """
    SELECT a.enrolment AS enrolment, q.key AS key, a.value AS value
    FROM mentorkit_enrolment_answer a
    JOIN mentorkit_program_question q ON q.id = a.question
    JOIN mentorkit_enrolment e ON e.id = a.enrolment
    WHERE e.program = {} AND e.state = 'active'
"""
_SKILLS = """
    SELECT pt."user" AS user_id, pt.kind AS kind, t.key AS key, t.label AS label
    FROM mentorkit_profile_tag pt
    JOIN mentorkit_tag t ON t.id = pt.tag
    WHERE pt."user" IN (SELECT e."user" FROM mentorkit_enrolment e WHERE e.program = {} AND e.state = 'active')
    ORDER BY pt.id
"""
_PREFERENCES = """
    SELECT p.enrolment AS enrolment, p.other AS other, p.kind AS kind
    FROM mentorkit_enrolment_preference p
    JOIN mentorkit_enrolment e ON e.id = p.enrolment
    WHERE e.program = {} AND e.state = 'active'
    ORDER BY p.id
"""
# The profile fields strategies compare (every column, whatever its visibility: see above).
_PROFILES = """
    SELECT u.id AS user_id, u.time_zone AS time_zone, p.languages AS languages, p.seniority AS seniority,
           p.years_experience AS years_experience, p.department AS department,
           p.availability AS availability, p.headline AS headline, p.bio AS bio
    FROM mentorkit_user u
    LEFT JOIN mentorkit_profile p ON p."user" = u.id
    WHERE u.id IN (SELECT e."user" FROM mentorkit_enrolment e WHERE e.program = {} AND e.state = 'active')
"""


def _profile_fields(row: Mapping[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {}
    return {
        "time_zone": row["time_zone"] or "UTC", "languages": list(as_json(row["languages"], [])),
        "seniority": row["seniority"] or "", "years_experience": row["years_experience"],
        "department": row["department"] or "", "availability": list(as_json(row["availability"], [])),
        "headline": row["headline"] or "", "bio": row["bio"] or "",
    }


async def match_pool(program_id: int, actor: Actor) -> MatchPool:
    """The program, its active enrolments (with what they told the program) and its
    relationships (its coordinators, admins)."""
    program = await require_coordinator(program_id, actor)
    enrolments = (
        await Enrolment.select(Enrolment.id, Enrolment.user, Enrolment.role, Enrolment.capacity, Enrolment.paused,
                               Enrolment.user.display_name.as_alias("display_name"))
        .where((Enrolment.program == program_id) & (Enrolment.state == "active"))
        .order_by(Enrolment.id)
    )
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in await fetch(_ANSWERS, program_id):
        answers[row["enrolment"]][row["key"]] = as_json(row["value"])
    skills: dict[tuple[int, str], list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    for row in await fetch(_SKILLS, program_id):
        skills[(row["user_id"], row["kind"])].append(row["key"])
        labels[row["key"]] = row["label"]
    preferences: dict[tuple[int, str], list[int]] = defaultdict(list)
    for row in await fetch(_PREFERENCES, program_id):
        preferences[(row["enrolment"], row["kind"])].append(row["other"])
    members = (
        await RelationshipMember.select(
            RelationshipMember.relationship, RelationshipMember.enrolment, RelationshipMember.user,
            RelationshipMember.role, RelationshipMember.relationship.state.as_alias("state"),
        )
        .where(RelationshipMember.relationship.program == program_id)
        .order_by(RelationshipMember.relationship, RelationshipMember.id)
    )
    relationships: dict[int, PoolRelationship] = {}
    holding: Counter[int] = Counter()
    for row in members:
        relationship = relationships.setdefault(
            row["relationship"], PoolRelationship(id=row["relationship"], state=row["state"], members=[]))
        relationship.members.append(PoolMember(enrolment_id=row["enrolment"], user_id=row["user"], role=row["role"]))
        if row["state"] in OPEN_RELATIONSHIP_STATES:
            holding[row["enrolment"]] += 1
    profiles = {row["user_id"]: row for row in await fetch(_PROFILES, program_id)}
    fmt = current_runtime().formats.get(program["format"])
    questions = await program_questions(program)
    tag_questions = {q.key for q in questions if q.kind == "tags"}
    answer_tags = {key for given in answers.values() for q, value in given.items() if q in tag_questions
                   for key in (value if isinstance(value, list) else [])} - labels.keys()
    if answer_tags:
        labels.update({row["key"]: row["label"] for row in await Tag.select(Tag.key, Tag.label).where(
            Tag.key.is_in(sorted(answer_tags)))})
    return MatchPool(
        program=PoolProgram(
            id=program["id"], slug=program["slug"], name=program["name"], format=program["format"],
            roles=[PoolRole(role=r.role, label=r.label, takes_capacity=r.takes_capacity, max_members=r.max_members)
                   for r in (fmt.roles if fmt else ())],
            seniority_direction=fmt.seniority_direction if fmt else "senior_mentors",
            matching_mode=program["matching_mode"], default_capacity=program["default_capacity"],
        ),
        enrolments=[
            PoolEnrolment(
                id=row["id"], user_id=row["user"], display_name=row["display_name"], role=row["role"],
                capacity=row["capacity"] or program["default_capacity"], paused=bool(row["paused"]),
                skills_offered=skills[(row["user"], "offered")], skills_sought=skills[(row["user"], "sought")],
                answers=answers[row["id"]], wishes=preferences[(row["id"], "wish")],
                avoid=preferences[(row["id"], "avoid")], open_relationships=holding[row["id"]],
                **_profile_fields(profiles.get(row["user"])),
            )
            for row in enrolments
        ],
        relationships=list(relationships.values()),
        questions=[PoolQuestion(key=q.key, label=q.label, kind=q.kind, matching_criterion=q.matching_criterion,
                                choices=list(q.choices)) for q in questions],
        tag_labels=labels,
    )
