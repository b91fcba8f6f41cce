"""The matching pool: what a strategy's ``propose`` receives, read in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit.accounts.services import create_user
from mentorkit.contracts import MatchPool, PoolEnrolment, PoolMember, PoolProgram, PoolRelationship, PoolRole
from mentorkit.errors import PermissionDenied
from mentorkit.programs import services as programs
from mentorkit.programs.schemas import ProgramCreate
from mentorkit.relationships import services as relationships
from mentorkit.relationships.pool import match_pool


async def person(name: str, admin: bool = False) -> Any:
    return await create_user(email=f"{name}@example.org", display_name=name.title(),
                             password="correct horse battery staple", is_admin=admin)


async def test_the_pool_lists_active_enrolments_and_existing_relationships(mentorkit_runtime: Any) -> None:
    admin, mo, mia, mel, wes = [await person(n, n == "ada") for n in ("ada", "mo", "mia", "mel", "wes")]
    program = await programs.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    mentor = await programs.enrol(program.id, "mentor", mo)
    mentee = await programs.enrol(program.id, "mentee", mia)
    waiting = await programs.enrol(program.id, "mentee", mel)
    gone = await programs.enrol(program.id, "mentee", wes)
    await programs.withdraw_enrolment(program.id, gone.id, wes)
    paired = await relationships.pair(program.id, [mentor.id, mentee.id], admin)

    pool = await match_pool(program.id, admin)
    assert pool == MatchPool(
        program=PoolProgram(id=program.id, slug="spring", name="Spring", format="one_to_one", roles=[
            PoolRole(role="mentor", label="mentor"), PoolRole(role="mentee", label="mentee", takes_capacity=False),
        ]),
        enrolments=[
            PoolEnrolment(id=mentor.id, user_id=mo.id, display_name="Mo", role="mentor", capacity=1,
                          open_relationships=1),
            PoolEnrolment(id=mentee.id, user_id=mia.id, display_name="Mia", role="mentee", capacity=1,
                          open_relationships=1),
            PoolEnrolment(id=waiting.id, user_id=mel.id, display_name="Mel", role="mentee", capacity=1),
        ],
        relationships=[PoolRelationship(id=paired.id, state="active", members=[
            PoolMember(enrolment_id=mentor.id, user_id=mo.id, role="mentor"),
            PoolMember(enrolment_id=mentee.id, user_id=mia.id, role="mentee"),
        ])],
    )
    assert [e.remaining for e in pool.enrolments] == [0, 0, 1]
    assert pool.in_role("mentee") == pool.enrolments[1:]
    assert pool.earlier_partners() == {(mo.id, mia.id), (mia.id, mo.id)}
    with pytest.raises(PermissionDenied):
        await match_pool(program.id, mia)


async def test_the_pool_carries_skills_as_canonical_tags_answers_preferences_and_capacity(
    mentorkit_runtime: Any,
) -> None:
    from mentorkit.contracts import PoolQuestion
    from mentorkit.profiles import tags
    from mentorkit.profiles.schemas import Availability, ProfileUpdate
    from mentorkit.profiles.services import update_profile
    from mentorkit.programs import enrolments, preferences, question_services
    from mentorkit.programs.enrolment_schemas import QuestionCreate

    admin, mo, mia, boss = [await person(n, n == "ada") for n in ("ada", "mo", "mia", "boss")]
    ml = await tags.create_tag("Machine learning", admin)
    await tags.add_synonym(ml.id, "ML", admin)
    await update_profile(mo, ProfileUpdate(
        skills_offered=["ml"], languages=["es", "en"], seniority="senior", department="Research",
        time_zone="Europe/Madrid", headline="Data scientist",
        availability=[Availability(day=1, start="09:00", end="11:00")]))
    await update_profile(mia, ProfileUpdate(skills_sought=["Machine Learning"]))
    program = await programs.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    await question_services.create_question(program.id, QuestionCreate(
        label="Topics", kind="tags", matching_criterion=True), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    mentor = await programs.enrol(program.id, "mentor", mo, answers={"topics": "ML"})
    await programs.enrol(program.id, "mentor", boss)
    mentee = await programs.enrol(program.id, "mentee", mia, answers={"topics": ["machine learning"]})
    await enrolments.update_enrolment(program.id, mentor.id, mo, capacity=3, paused=True)
    await preferences.set_preferences(mentee.id, [mo.id], [boss.id], mia)

    pool = await match_pool(program.id, admin)
    assert pool.questions == [PoolQuestion(key="topics", label="Topics", kind="tags", matching_criterion=True)]
    by_user = {e.user_id: e for e in pool.enrolments}
    # Two spellings, one tag: a strategy compares keys and they meet.
    assert by_user[mo.id].skills_offered == by_user[mia.id].skills_sought == [ml.key]
    assert by_user[mo.id].answers == by_user[mia.id].answers == {"topics": [ml.key]}
    assert pool.tag_labels == {ml.key: "Machine learning"}  # explanations show labels, not keys
    assert (by_user[mo.id].capacity, by_user[mo.id].paused) == (3, True)
    assert (by_user[boss.id].capacity, by_user[boss.id].paused, by_user[boss.id].answers) == (1, False, {})
    assert (by_user[mia.id].wishes, by_user[mia.id].avoid) == ([mo.id], [boss.id])
    # The profile fields strategies compare, whatever their visibility.
    mentor_seen = by_user[mo.id]
    assert (mentor_seen.languages, mentor_seen.seniority, mentor_seen.department, mentor_seen.time_zone,
            mentor_seen.headline) == (["es", "en"], "senior", "Research", "Europe/Madrid", "Data scientist")
    assert mentor_seen.availability == [{"day": 1, "start": "09:00", "end": "11:00"}]
    assert mentor_seen.remaining == 0  # paused
    assert (by_user[boss.id].time_zone, by_user[boss.id].languages) == ("UTC", [])
