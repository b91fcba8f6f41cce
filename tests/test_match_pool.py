"""The matching pool: what a strategy's ``propose`` receives, read in a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit.accounts.services import create_user
from mentorkit.contracts import MatchPool, PoolEnrolment, PoolMember, PoolProgram, PoolRelationship
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
        program=PoolProgram(id=program.id, slug="spring", name="Spring", format="one_to_one"),
        enrolments=[
            PoolEnrolment(id=mentor.id, user_id=mo.id, display_name="Mo", role="mentor"),
            PoolEnrolment(id=mentee.id, user_id=mia.id, display_name="Mia", role="mentee"),
            PoolEnrolment(id=waiting.id, user_id=mel.id, display_name="Mel", role="mentee"),
        ],
        relationships=[PoolRelationship(id=paired.id, state="active", members=[
            PoolMember(enrolment_id=mentor.id, user_id=mo.id, role="mentor"),
            PoolMember(enrolment_id=mentee.id, user_id=mia.id, role="mentee"),
        ])],
    )
    with pytest.raises(PermissionDenied):
        await match_pool(program.id, mia)
