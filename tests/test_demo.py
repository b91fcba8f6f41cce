"""`mentorkit demo` fills an empty site with realistic data, and only an empty one."""

from __future__ import annotations

from typing import Any

from mentorkit.accounts.services import authenticate
from mentorkit.accounts.tables import User
from mentorkit.demo import ADMIN_EMAIL, COORDINATOR_EMAIL, DEMO_PASSWORD, MENTEE_EMAIL, MENTOR_EMAIL, fill_demo_site
from mentorkit.goals.tables import Goal
from mentorkit.journeys.tables import JourneyMilestone
from mentorkit.profiles.tables import Profile, ProfileTag, Tag
from mentorkit.programs.tables import Enrolment, EnrolmentAnswer, EnrolmentPreference, Program, ProgramQuestion
from mentorkit.relationships.lifecycle import RELATIONSHIP_TRANSITIONS
from mentorkit.relationships.tables import (
    Agreement,
    AgreementConfirmation,
    MentoringSession,
    Relationship,
    RelationshipInquiry,
)


async def test_demo_site_has_people_programs_and_relationships_in_several_states(mentorkit_runtime: Any) -> None:
    lines = await fill_demo_site(mentorkit_runtime)
    assert await User.count() == 60
    assert {p["state"] for p in await Program.select(Program.state)} == {"running", "enrolling", "draft"}
    states = {r["state"] for r in await Relationship.select(Relationship.state)}
    assert states == set(RELATIONSHIP_TRANSITIONS)  # every state of the lifecycle
    # The re-match keeps its predecessor; the waiting match has a question answered.
    assert await Relationship.count().where(Relationship.rematch_of.is_not_null()) == 1
    assert await RelationshipInquiry.count().where(RelationshipInquiry.answered_at.is_not_null()) == 1
    # Journeys under way, agreements confirmed (one new version waiting), goals of every kind.
    assert await JourneyMilestone.count().where(JourneyMilestone.completed_at.is_not_null()) > 5
    assert await AgreementConfirmation.count() > 10 and await Agreement.count().where(Agreement.version == 2) >= 1
    assert {g["visibility"] for g in await Goal.select(Goal.visibility)} == {"private", "relationship", "aggregate"}
    assert await Goal.count().where(Goal.status == "suggested") >= 1
    assert await MentoringSession.count() > 10
    for email in (ADMIN_EMAIL, COORDINATOR_EMAIL, MENTOR_EMAIL, MENTEE_EMAIL):
        assert any(email in line for line in lines)
        assert await authenticate(email, DEMO_PASSWORD) is not None, email
    admin = await authenticate(ADMIN_EMAIL, DEMO_PASSWORD)
    assert admin is not None and admin.is_admin


async def test_demo_mentee_and_mentor_share_a_relationship(mentorkit_runtime: Any) -> None:
    await fill_demo_site(mentorkit_runtime)
    from mentorkit.relationships.services import my_relationships

    mentee = await authenticate(MENTEE_EMAIL, DEMO_PASSWORD)
    mentor = await authenticate(MENTOR_EMAIL, DEMO_PASSWORD)
    assert mentee is not None and mentor is not None
    mine = {r.id for r in await my_relationships(mentee)}
    theirs = {r.id for r in await my_relationships(mentor)}
    assert mine & theirs


async def test_demo_does_not_touch_a_site_that_has_accounts(mentorkit_runtime: Any) -> None:
    await fill_demo_site(mentorkit_runtime)
    lines = await fill_demo_site(mentorkit_runtime)
    assert "already has accounts" in lines[0]
    assert await User.count() == 60


async def test_demo_has_the_program_designs_with_their_enrolment_states(mentorkit_runtime: Any) -> None:
    from mentorkit.programs.invitations import status_of
    from mentorkit.programs.tables import ProgramInvitation

    await fill_demo_site(mentorkit_runtime)
    designs = {p["slug"]: (p["format"], p["enrolment_mode"], p["intake"], p["state"]) for p in await Program.select()}
    expected = {
        "early-career": ("one_to_one", "open", "cohort", "running"),
        "women-in-leadership": ("one_to_one", "application", "rolling", "running"),
        "research-spring": ("one_to_one", "invitation", "cohort", "enrolling"),
        "product-pilot": ("one_to_one", "open", "cohort", "draft"),
        "find-a-mentor": ("one_to_one", "open", "rolling", "enrolling"),
    }
    # The group program only where the group-mentoring plugin is installed (it is in this workspace).
    assert "group" in mentorkit_runtime.formats
    expected["engineering-circles"] = ("group", "open", "rolling", "running")
    assert designs == expected

    def states(slug: str) -> list[str]:
        return [e["state"] for e in enrolments if e["program.slug"] == slug]

    enrolments = await Enrolment.select(Enrolment.state, Enrolment.role, Enrolment.decision_reason,
                                        Enrolment.capacity, Enrolment.paused, Enrolment.program.slug)
    assert states("women-in-leadership").count("applied") >= 2
    declined = [e for e in enrolments if e["state"] == "declined"]
    assert len(declined) == 1 and declined[0]["decision_reason"].strip()
    assert states("engineering-circles").count("waitlisted") == 1
    assert states("engineering-circles").count("active") == 8 + 3  # the mentee limit reached, three leads
    assert not states("product-pilot")  # a draft takes nobody yet
    assert {e["capacity"] for e in enrolments} >= {2, 3}
    paused = [e for e in enrolments if e["paused"]]
    assert len(paused) == 1 and paused[0]["role"] == "mentor"
    invitations = await ProgramInvitation.select().where(ProgramInvitation.program.slug == "research-spring")
    assert [status_of(row) for row in invitations] == ["valid"]
    assert invitations[0]["uses"] == len(states("research-spring")) > 0
    assert {p["kind"] for p in await EnrolmentPreference.select(EnrolmentPreference.kind)} == {"wish", "avoid"}


async def test_demo_answers_and_profiles_are_complete_and_canonical(mentorkit_runtime: Any) -> None:
    from mentorkit.profiles.services import get_profile
    from mentorkit.programs.question_services import question_from_row

    await fill_demo_site(mentorkit_runtime)
    questions = [question_from_row(dict(row)) for row in await ProgramQuestion.select()]
    answered = {(a["enrolment"], a["question"]) for a in await EnrolmentAnswer.select(
        EnrolmentAnswer.enrolment, EnrolmentAnswer.question)}
    live = await Enrolment.select(Enrolment.id, Enrolment.program, Enrolment.role).where(
        Enrolment.state.is_in(["active", "applied", "waitlisted"]))
    assert len(live) > 50
    for enrolment in live:
        asked = [q for q in questions if q.program_id == enrolment["program"] and q.asks(enrolment["role"])]
        assert asked, enrolment
        missing = [q.key for q in asked if q.required and (enrolment["id"], q.id) not in answered]
        assert not missing, (enrolment, missing)
    # Answers vary: people do not all say the same thing.
    values = {a["value"] for a in await EnrolmentAnswer.select(EnrolmentAnswer.value)}
    assert len(values) > 30

    users = await User.select(User.id, User.email)
    profiles = {p["user"]: p for p in await Profile.select()}
    assert set(profiles) == {u["id"] for u in users}
    assert all(p["headline"] and p["bio"] and p["department"] and p["seniority"] for p in profiles.values())
    skills = await ProfileTag.select(ProfileTag.user, ProfileTag.kind, ProfileTag.tag.key)
    assert {s["kind"] for s in skills} == {"offered", "sought"}
    assert {s["tag.key"] for s in skills} <= {t["key"] for t in await Tag.select(Tag.key)}

    # The demo mentee typed "ML", "career development" and "presenting": stored as their tags.
    mentee = await authenticate(MENTEE_EMAIL, DEMO_PASSWORD)
    assert mentee is not None
    profile = await get_profile(mentee.id, mentee)
    assert profile.skills_sought is not None
    assert [t.label for t in profile.skills_sought] == ["Machine learning", "Code review", "Career planning",
                                                        "Public speaking"]
    assert profile.time_zone == "America/Sao_Paulo" and profile.availability
