"""Closing a program completes its open relationships, and a closed program takes no sessions."""

# The fixtures imported from the other test modules are named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mentorkit.errors import ConflictError
from mentorkit.events import EventRecord
from mentorkit.programs import services as programs
from mentorkit.relationships import services
from mentorkit.relationships.tables import Relationship
from tests.test_mentoring_pages import act_as, form, ok, people, spring_pair  # noqa: F401 - people is a fixture
from tests.test_relationships import Cohort, cohort, pair, person, session_input  # noqa: F401 - cohort is a fixture

NEXT_WEEK = dt.date.today() + dt.timedelta(days=7)


async def state_changes(relationship_id: int) -> list[str]:
    rows = await EventRecord.select(EventRecord.type).where(EventRecord.subject == f"relationship:{relationship_id}")
    return [row["type"] for row in rows]


async def test_closing_completes_every_open_relationship_with_an_event_each(cohort: Cohort) -> None:
    open_one = await pair(cohort)
    other_mentee = await person("max@example.org")
    other_enrolment = await programs.enrol(cohort.program.id, "mentee", other_mentee)
    second_mentor = await person("meg@example.org")
    second_enrolment = await programs.enrol(cohort.program.id, "mentor", second_mentor)
    paused = await services.pair(cohort.program.id, [second_enrolment.id, other_enrolment.id], cohort.admin)
    await services.transition_relationship(paused.id, "paused", cohort.admin, resume_on=NEXT_WEEK)

    assert await programs.open_relationship_count(cohort.program.id, cohort.admin) == 2
    await programs.change_program_state(cohort.program.id, "closed", cohort.admin, "cohort over")

    for relationship in (open_one, paused):
        view = await services.relationship_view(relationship.id, cohort.admin)
        assert view.relationship.state == "completed" and view.relationship.ended_at is not None
        last = view.transitions[-1]
        assert (last.to_state, last.actor_id) == ("completed", cohort.admin.id)
        assert "program was closed" in last.reason
    assert (await state_changes(open_one.id))[-1] == "relationship.state_changed"
    assert await programs.open_relationship_count(cohort.program.id, cohort.admin) == 0


async def test_a_refused_relationship_keeps_the_program_open(cohort: Cohort, mentorkit_runtime: Any) -> None:
    """Closing and completing happen in one transaction: a plugin refusing one undoes both."""
    from mentorkit import hookimpl

    class Veto:
        @hookimpl
        def relationship_transition(self, relationship: Any, old: str, new: str, actor: Any) -> str | None:
            return "the final survey is not in yet" if new == "completed" else None

    relationship = await pair(cohort)
    mentorkit_runtime.pm.register(Veto(), name="veto")
    try:
        with pytest.raises(ConflictError, match="final survey"):
            await programs.change_program_state(cohort.program.id, "closed", cohort.admin)
    finally:
        mentorkit_runtime.pm.unregister(name="veto")
    assert (await programs.program_detail(cohort.program.id, cohort.admin)).program.state == "enrolling"
    assert (await services.relationship_view(relationship.id, cohort.admin)).relationship.state == "active"


async def test_a_closed_program_refuses_new_sessions_even_for_a_relationship_left_open(cohort: Cohort) -> None:
    """Programs closed before closing completed relationships may still have open ones."""
    relationship = await pair(cohort)
    await programs.change_program_state(cohort.program.id, "closed", cohort.admin)
    # What a site closed with an older version holds: the relationship still active.
    await Relationship.update({Relationship.state: "active"}).where(Relationship.id == relationship.id)
    with pytest.raises(ConflictError, match="program is closed"):
        await services.log_session(relationship.id, session_input(), cohort.mentee)


def test_closing_through_the_page_asks_first_and_names_the_open_relationships(
    mentorkit_client: Any, people: Any
) -> None:
    c = mentorkit_client
    pid, rid, _ = spring_pair(c)
    page = ok(c.get(f"/programs/{pid}")).text
    assert f'href="/programs/{pid}/close"' in page
    confirm = ok(c.get(f"/programs/{pid}/close")).text
    assert "1 relationship is still open" in confirm and "End them early" in confirm
    # Posting "closed" without the confirmation shows the same question, and changes nothing.
    response = c.post(f"/programs/{pid}/state", data=form(c, state="closed"))
    assert response.status_code == 400 and "1 relationship is still open" in response.text
    assert ok(c.get(f"/api/v1/programs/{pid}"))["program"]["state"] == "enrolling"
    response = c.post(
        f"/programs/{pid}/state", data=form(c, state="closed", confirm="on", reason="done"), follow_redirects=False
    )
    assert response.status_code == 303
    assert ok(c.get(f"/api/v1/relationships/{rid}"))["relationship"]["state"] == "completed"


def test_closing_can_end_the_open_relationships_early_instead(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, rid, _ = spring_pair(c)
    data = form(c, state="closed", confirm="on", reason="funding ended", open_relationships="end_early")
    response = c.post(f"/programs/{pid}/state", data=data, follow_redirects=False)
    assert response.status_code == 303
    view = ok(c.get(f"/api/v1/relationships/{rid}"))
    assert view["relationship"]["state"] == "ended_early"
    assert view["transitions"][-1]["reason"] == "the program was closed: funding ended"


def test_the_api_refuses_sessions_in_a_closed_program(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, rid, h = spring_pair(c)
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "closed"}, headers=h))
    h = act_as(c, "mia@example.org")
    held = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    response = c.post(
        f"/api/v1/relationships/{rid}/sessions",
        json={"held_at": held, "duration_minutes": 30, "title": "Late"},
        headers=h,
    )
    assert response.status_code == 409
    assert "completed" in response.json()["detail"] or "closed" in response.json()["detail"]

