"""Relationships: coordinators pair people, members log sessions, private notes stay private."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.tables import User
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.programs import services as programs
from mentorkit.programs.schemas import ProgramCreate
from mentorkit.relationships import services
from mentorkit.relationships.schemas import SessionCreate
from mentorkit.relationships.tables import Relationship, RelationshipTransition

# An hour ago: sessions are logged after they happen, and not before the relationship began.
NEXT_WEEK = dt.date.today() + dt.timedelta(days=7)
HELD_AT = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=1)


async def person(email: str, *, admin: bool = False) -> CurrentUser:
    """An account without a usable password (service tests never sign in; hashing is slow)."""
    name = email.split("@")[0].title()
    rows = await User.insert(
        User(email=email, display_name=name, password_hash="!", is_admin=admin)
    ).returning(User.id)
    return CurrentUser(id=rows[0]["id"], email=email, display_name=name, is_admin=admin)


class Cohort:
    """An enrolling program with an admin, a mentor and a mentee enrolled."""

    admin: Any
    mentor: Any
    mentee: Any
    program: Any
    mentor_enrolment: Any
    mentee_enrolment: Any


@pytest.fixture
async def cohort(mentorkit_runtime: Any) -> Cohort:
    c = Cohort()
    c.admin = await person("ada@example.org", admin=True)
    c.mentor = await person("mo@example.org")
    c.mentee = await person("mia@example.org")
    c.program = await programs.create_program(ProgramCreate(slug="spring", name="Spring"), c.admin)
    await programs.change_program_state(c.program.id, "enrolling", c.admin)
    c.mentor_enrolment = await programs.enrol(c.program.id, "mentor", c.mentor)
    c.mentee_enrolment = await programs.enrol(c.program.id, "mentee", c.mentee)
    return c


async def pair(c: Cohort) -> Any:
    return await services.pair(
        c.program.id, [c.mentor_enrolment.id, c.mentee_enrolment.id], c.admin
    )


def session_input(**changes: Any) -> SessionCreate:
    values: dict[str, Any] = {
        "held_at": HELD_AT,
        "duration_minutes": 45,
        "title": "Kick-off",
        "shared_notes": "Agreed on goals.",
        "private_note": "",
    }
    values.update(changes)
    return SessionCreate(**values)


async def test_coordinator_pairs_a_mentor_and_a_mentee(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    assert relationship.state == "active"
    assert relationship.source == "manual"
    assert {(m.user_id, m.role) for m in relationship.members} == {
        (cohort.mentor.id, "mentor"),
        (cohort.mentee.id, "mentee"),
    }
    transitions = await RelationshipTransition.select(
        RelationshipTransition.from_state, RelationshipTransition.to_state
    )
    assert transitions == [{"from_state": "proposed", "to_state": "active"}]
    types = [
        r["type"]
        for r in await EventRecord.select(EventRecord.type).where(
            EventRecord.subject == f"relationship:{relationship.id}"
        )
    ]
    assert types == ["relationship.created", "journey.started"]
    for member in (cohort.mentor, cohort.mentee):
        assert [r.id for r in await services.my_relationships(member)] == [relationship.id]


async def test_the_format_checks_the_members(cohort: Cohort) -> None:
    second_mentee = await person("mel@example.org")
    other = await programs.enrol(cohort.program.id, "mentee", second_mentee)
    with pytest.raises(ValidationFailed, match="needs 1 mentor"):
        await services.pair(cohort.program.id, [cohort.mentee_enrolment.id, other.id], cohort.admin)
    assert await Relationship.count() == 0


async def test_a_pair_cannot_have_two_open_relationships_in_one_program(cohort: Cohort) -> None:
    first = await pair(cohort)
    with pytest.raises(ConflictError, match="already have an open relationship"):
        await pair(cohort)
    # Once completed, the same two may be paired again.
    await services.complete_relationship(first.id, cohort.mentee)
    second = await pair(cohort)
    assert second.id != first.id


async def test_the_database_backs_the_open_pair_rule(cohort: Cohort) -> None:
    first = await pair(cohort)
    key = (
        await Relationship.select(Relationship.open_key).where(Relationship.id == first.id).first()
    )["open_key"]
    with pytest.raises(ConflictError):
        await Relationship.insert(
            Relationship(program=cohort.program.id, format="one_to_one", open_key=key)
        )


async def test_only_coordinators_of_the_program_pair(cohort: Cohort) -> None:
    other_admin_program = await programs.create_program(
        ProgramCreate(slug="autumn", name="Autumn"), cohort.admin
    )
    outsider = await person("otto@example.org")
    await programs.appoint_staff(
        other_admin_program.id, outsider.email, "coordinator", cohort.admin
    )
    with pytest.raises(PermissionDenied):
        await services.pair(
            cohort.program.id, [cohort.mentor_enrolment.id, cohort.mentee_enrolment.id], outsider
        )
    with pytest.raises(PermissionDenied):
        await services.pair(
            cohort.program.id,
            [cohort.mentor_enrolment.id, cohort.mentee_enrolment.id],
            cohort.mentee,
        )


async def test_enrolments_must_be_active_and_of_this_program(cohort: Cohort) -> None:
    autumn = await programs.create_program(
        ProgramCreate(slug="autumn", name="Autumn"), cohort.admin
    )
    await programs.change_program_state(autumn.id, "enrolling", cohort.admin)
    elsewhere = await programs.enrol(autumn.id, "mentor", cohort.mentor)
    with pytest.raises(ValidationFailed, match="active enrolment of this program"):
        await services.pair(
            cohort.program.id, [elsewhere.id, cohort.mentee_enrolment.id], cohort.admin
        )


class VetoPairing:
    """A throwaway plugin that refuses every new relationship and every pause."""

    @hookimpl
    def relationship_transition(
        self, relationship: Any, old: str, new: str, actor: Any
    ) -> str | None:
        if old == "proposed":
            return f"{len(relationship.members)} members have not met the chaperone"
        return "pauses are not allowed" if new == "paused" else None


@pytest.fixture
def veto(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("veto", VetoPairing()))


async def test_plugins_can_refuse_a_pairing(veto: None, cohort: Cohort) -> None:
    with pytest.raises(ConflictError, match="2 members have not met the chaperone"):
        await pair(cohort)
    assert await Relationship.count() == 0
    assert await EventRecord.count().where(EventRecord.type == "relationship.created") == 0


async def test_plugins_can_refuse_a_relationship_transition(
    cohort: Cohort, mentorkit_runtime: Any
) -> None:
    relationship = await pair(cohort)
    mentorkit_runtime.pm.register(VetoPairing(), name="late_veto")
    try:
        with pytest.raises(ConflictError, match="pauses are not allowed"):
            await services.transition_relationship(relationship.id, "paused", cohort.mentor, resume_on=NEXT_WEEK)
    finally:
        mentorkit_runtime.pm.unregister(name="late_veto")
    assert await RelationshipTransition.count() == 1


async def test_member_logs_a_session_with_a_private_note_only_they_can_read(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    logged = await services.log_session(
        relationship.id, session_input(private_note="I felt nervous."), cohort.mentee
    )
    assert (logged.title, logged.private_note) == ("Kick-off", "I felt nervous.")
    assert logged.held_at == HELD_AT
    as_mentor = await services.get_session(relationship.id, logged.id, cohort.mentor)
    assert as_mentor.shared_notes == "Agreed on goals."
    assert as_mentor.private_note is None
    listed = await services.list_sessions(relationship.id, cohort.mentor)
    assert [s.private_note for s in listed] == [None]
    event = (
        await EventRecord.select(EventRecord.payload)
        .where(EventRecord.type == "session.logged")
        .first()
    )
    assert "nervous" not in str(event) and "Kick-off" not in str(event)


async def test_coordinators_see_that_sessions_happened_but_no_notes(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    await services.log_session(relationship.id, session_input(private_note="secret"), cohort.mentee)
    view = await services.relationship_view(relationship.id, cohort.admin)
    assert view.viewer == "coordinator"
    assert view.relationship.session_count == 1
    [session] = view.sessions
    assert (
        session.duration_minutes,
        session.title,
        session.shared_notes,
        session.private_note,
    ) == (45, None, None, None)
    with pytest.raises(NotFound):
        await services.get_session(relationship.id, session.id, cohort.admin)
    listed = await programs_relationships(cohort)
    assert [(r.id, r.session_count) for r in listed] == [(relationship.id, 1)]


async def programs_relationships(c: Cohort) -> list[Any]:
    return await services.program_relationships(c.program.id, c.admin)


async def test_outsiders_cannot_find_a_relationship(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    stranger = await person("sam@example.org")
    with pytest.raises(NotFound):
        await services.relationship_view(relationship.id, stranger)
    with pytest.raises(NotFound):
        await services.log_session(relationship.id, session_input(), stranger)
    with pytest.raises(NotFound):
        await services.complete_relationship(relationship.id, stranger)


async def test_coordinators_cannot_log_sessions(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    with pytest.raises(PermissionDenied):
        await services.log_session(relationship.id, session_input(), cohort.admin)


async def test_completing_is_stored_as_a_transition_and_ends_session_logging(
    cohort: Cohort,
) -> None:
    relationship = await pair(cohort)
    done = await services.complete_relationship(
        relationship.id, cohort.mentor, reason="Goals reached"
    )
    assert done.state == "completed" and done.ended_at is not None
    view = await services.relationship_view(relationship.id, cohort.mentee)
    assert [(t.from_state, t.to_state, t.actor_id, t.reason) for t in view.transitions][-1] == (
        "active",
        "completed",
        cohort.mentor.id,
        "Goals reached",
    )
    assert view.can_complete is False
    with pytest.raises(ConflictError, match="cannot become completed"):
        await services.complete_relationship(relationship.id, cohort.mentee)
    with pytest.raises(ConflictError, match="while the relationship is active"):
        await services.log_session(relationship.id, session_input(), cohort.mentee)
    types = [
        r["type"]
        for r in await EventRecord.select(EventRecord.type)
        .where(EventRecord.subject == f"relationship:{relationship.id}")
        .order_by(EventRecord.id)
    ]
    assert types == ["relationship.created", "journey.started", "relationship.state_changed"]


async def test_pause_and_resume(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    assert (
        await services.transition_relationship(relationship.id, "paused", cohort.mentee, resume_on=NEXT_WEEK)
    ).state == "paused"
    assert (
        await services.transition_relationship(relationship.id, "active", cohort.admin)
    ).state == "active"


async def test_withdrawing_is_refused_while_in_an_open_relationship(cohort: Cohort) -> None:
    relationship = await pair(cohort)
    with pytest.raises(ConflictError, match="open relationship"):
        await programs.withdraw_enrolment(
            cohort.program.id, cohort.mentee_enrolment.id, cohort.mentee
        )
    await services.complete_relationship(relationship.id, cohort.admin)
    withdrawn = await programs.withdraw_enrolment(
        cohort.program.id, cohort.mentee_enrolment.id, cohort.mentee
    )
    assert withdrawn.state == "withdrawn"
