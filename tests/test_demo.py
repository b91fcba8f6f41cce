"""`mentorkit demo` fills an empty site with realistic data, and only an empty one."""

from __future__ import annotations

from typing import Any

from mentorkit.accounts.services import authenticate
from mentorkit.accounts.tables import User
from mentorkit.demo import ADMIN_EMAIL, COORDINATOR_EMAIL, DEMO_PASSWORD, MENTEE_EMAIL, MENTOR_EMAIL, fill_demo_site
from mentorkit.programs.tables import Program
from mentorkit.relationships.tables import MentoringSession, Relationship


async def test_demo_site_has_people_programs_and_relationships_in_several_states(mentorkit_runtime: Any) -> None:
    lines = await fill_demo_site(mentorkit_runtime)
    assert await User.count() == 60
    assert {p["state"] for p in await Program.select(Program.state)} == {"running", "enrolling"}
    states = {r["state"] for r in await Relationship.select(Relationship.state)}
    assert {"active", "completed", "ended_early"} <= states
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
