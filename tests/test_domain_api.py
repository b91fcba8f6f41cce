"""The domain API from a plugin's side: this module imports only ``mentorkit.api`` and
``mentorkit.testing`` (plus ``mentorkit.hookimpl`` for its throwaway plugin), as a plugin's
tests would. Runs on both engines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from mentorkit import api, hookimpl
from mentorkit.testing import Factory

SEEN: list[tuple[str, int | None]] = []


class Listener:
    """Records every event it receives, to show API writes emit what the web emits."""

    @hookimpl
    def on_event(self, event: Any) -> None:
        SEEN.append((event.type, event.actor_id))


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    SEEN.clear()
    return [("listener", Listener())]


@dataclass
class Cohort:
    program: Any
    coordinator: Any
    mentor: Any
    mentee: Any
    other_mentee: Any
    outsider: Any
    relationship: Any
    other_relationship: Any


@pytest.fixture
def cohort(mentorkit_factory: Factory) -> Cohort:
    f = mentorkit_factory
    coordinator, mentor, mentee, other_mentor, other_mentee, outsider = (
        f.user(n) for n in ("Cora", "Mo", "Mia", "Oto", "Ola", "Out"))
    program = f.program(state="running", coordinators=[coordinator])
    pair = f.pair(program, [f.enrol(program, mentor, "mentor"), f.enrol(program, mentee, "mentee")])
    other = f.pair(program, [f.enrol(program, other_mentor, "mentor"), f.enrol(program, other_mentee, "mentee")])
    return Cohort(program, coordinator, mentor, mentee, other_mentee, outsider, pair, other)


def _log(client: Any, relationship: Any, actor: Any, title: str, private_note: str = "") -> Any:
    session = api.SessionCreate(held_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), duration_minutes=30,
                                title=title, shared_notes="shared", private_note=private_note)
    return client.run(api.log_session, relationship.id, session, actor)


# --------------------------------------------------------------------------- reads


def test_reads_return_frozen_read_models(mentorkit_client: Any, cohort: Cohort) -> None:
    page = mentorkit_client.run(lambda: api.my_relationships(cohort.mentee))
    assert [r.id for r in page.items] == [cohort.relationship.id]
    [relationship] = page.items
    assert {(m.display_name, m.role) for m in relationship.members} == {("Mo", "mentor"), ("Mia", "mentee")}
    with pytest.raises(AttributeError):
        relationship.state = "paused"  # type: ignore[misc]
    detail = mentorkit_client.run(api.get_program, cohort.program.id, cohort.coordinator)
    assert detail.enrolment_counts == {"mentor": 2, "mentee": 2}


def test_lists_are_paginated_with_a_documented_maximum(mentorkit_client: Any, mentorkit_factory: Factory,
                                                       cohort: Cohort) -> None:
    first = mentorkit_client.run(lambda: api.program_relationships(cohort.program.id, cohort.coordinator, limit=1))
    assert [r.id for r in first.items] == [cohort.relationship.id] and first.next_offset == 1
    second = mentorkit_client.run(lambda: api.program_relationships(
        cohort.program.id, cohort.coordinator, limit=1, offset=first.next_offset))
    assert [r.id for r in second.items] == [cohort.other_relationship.id] and second.next_offset is None
    assert len(second.items[0].members) == 2  # a page never cuts a relationship's members

    for _ in range(2):
        mentorkit_factory.program()
    programs = mentorkit_client.run(lambda: api.list_programs(cohort.outsider, limit=2))
    assert len(programs.items) == 2 and programs.next_offset == 2
    enrolments = mentorkit_client.run(lambda: api.list_enrolments(cohort.program.id, cohort.coordinator, limit=3))
    assert len(enrolments.items) == 3 and enrolments.next_offset == 3
    with pytest.raises(api.ValidationFailed) as refused:
        mentorkit_client.run(lambda: api.list_programs(cohort.outsider, limit=api.MAX_LIMIT + 1))
    assert "limit" in refused.value.errors


def test_people_show_e_mail_addresses_only_to_who_may_see_them(mentorkit_client: Any, cohort: Cohort) -> None:
    ids = [cohort.mentor.id, cohort.mentee.id, cohort.other_mentee.id]
    seen_by_mentee = mentorkit_client.run(api.get_people, ids, cohort.mentee)
    # Her partner and herself; not someone else's mentee.
    assert [(p.display_name, p.email) for p in seen_by_mentee] == [("Mo", None), ("Mia", cohort.mentee.email)]
    assert [p.display_name for p in mentorkit_client.run(api.get_people, ids, cohort.coordinator)] == [
        "Mo", "Mia", "Ola"]
    assert mentorkit_client.run(api.get_people, ids, cohort.outsider) == []
    with pytest.raises(api.NotFound):
        mentorkit_client.run(api.get_person, cohort.mentee.id, cohort.outsider)
    assert mentorkit_client.run(api.get_person, cohort.mentee.id, api.SYSTEM).email == cohort.mentee.email


# --------------------------------------------------------------------------- access checks


def test_a_mentee_cannot_read_another_pairs_relationship(mentorkit_client: Any, cohort: Cohort) -> None:
    with pytest.raises(api.NotFound):
        mentorkit_client.run(api.get_relationship, cohort.other_relationship.id, cohort.mentee)
    with pytest.raises(api.NotFound):
        mentorkit_client.run(lambda: api.list_sessions(cohort.other_relationship.id, cohort.mentee))
    with pytest.raises(api.PermissionDenied):
        mentorkit_client.run(lambda: api.list_enrolments(cohort.program.id, cohort.mentee))


def test_private_notes_stay_their_authors(mentorkit_client: Any, cohort: Cohort) -> None:
    _log(mentorkit_client, cohort.relationship, cohort.mentee, "Kick-off", private_note="only mine")
    own = mentorkit_client.run(lambda: api.list_sessions(cohort.relationship.id, cohort.mentee)).items
    partner = mentorkit_client.run(lambda: api.list_sessions(cohort.relationship.id, cohort.mentor)).items
    staff = mentorkit_client.run(lambda: api.list_sessions(cohort.relationship.id, cohort.coordinator)).items
    system = mentorkit_client.run(api.get_relationship, cohort.relationship.id, api.SYSTEM).sessions
    assert own[0].private_note == "only mine"
    assert partner[0].title == "Kick-off" and partner[0].private_note is None
    for session in (staff[0], system[0]):  # when and how long, never titles or notes
        assert (session.title, session.shared_notes, session.private_note) == (None, None, None)
        assert session.duration_minutes == 30


# --------------------------------------------------------------------------- writes and events


def test_writes_emit_the_same_events_as_the_web(mentorkit_client: Any, mentorkit_factory: Factory) -> None:
    program = mentorkit_factory.program()
    mentor, mentee = mentorkit_factory.user(), mentorkit_factory.user()
    mentorkit_client.drain_events()
    SEEN.clear()
    a = mentorkit_client.run(api.enrol, program.id, "mentor", mentor)
    b = mentorkit_client.run(api.enrol, program.id, "mentee", mentee)
    relationship = mentorkit_client.run(api.pair, program.id, [a.id, b.id], mentorkit_factory.admin)
    _log(mentorkit_client, relationship, mentee, "Kick-off")
    completed = mentorkit_client.run(api.transition_relationship, relationship.id, "completed", mentor, "done")
    assert completed.state == "completed"
    withdrawn = mentorkit_client.run(api.withdraw, program.id, b.id, mentee)
    assert withdrawn.state == "withdrawn"
    mentorkit_client.drain_events()
    # Events keep their order per subject, not across subjects.
    assert sorted(SEEN) == sorted([
        ("enrolment.created", mentor.id), ("enrolment.created", mentee.id), ("enrolment.withdrawn", mentee.id),
        ("relationship.created", mentorkit_factory.admin.id), ("journey.started", None),
        ("session.logged", mentee.id), ("relationship.state_changed", mentor.id)])


def test_the_system_actor_pairs_and_transitions_but_is_nobody(mentorkit_client: Any,
                                                              mentorkit_factory: Factory) -> None:
    program = mentorkit_factory.program()
    mentor, mentee = mentorkit_factory.user(), mentorkit_factory.user()
    enrolments = [mentorkit_factory.enrol(program, mentor, "mentor"),
                  mentorkit_factory.enrol(program, mentee, "mentee")]
    mentorkit_client.drain_events()
    SEEN.clear()
    relationship = mentorkit_client.run(lambda: api.pair(program.id, [e.id for e in enrolments], api.SYSTEM,
                                                         reason="matched overnight"))
    paused = mentorkit_client.run(lambda: api.transition_relationship(
        relationship.id, "paused", api.SYSTEM, resume_on=dt.date.today() + dt.timedelta(days=7)))
    assert paused.state == "paused"
    view = mentorkit_client.run(api.get_relationship, relationship.id, api.SYSTEM)
    assert [t.actor_id for t in view.transitions] == [None, None] and view.my_role is None
    mentorkit_client.drain_events()
    assert sorted(SEEN) == [("journey.started", None), ("relationship.created", None),
                            ("relationship.state_changed", None)]

    with pytest.raises(api.PermissionDenied):
        mentorkit_client.run(api.enrol, program.id, "mentor", api.SYSTEM)
    with pytest.raises(api.PermissionDenied):
        _log(mentorkit_client, relationship, api.SYSTEM, "not a member")
    assert mentorkit_client.run(lambda: api.my_relationships(api.SYSTEM)).items == []
    assert len(mentorkit_client.run(lambda: api.list_programs(api.SYSTEM)).items) == 1


def test_refusals_are_the_services_refusals(mentorkit_client: Any, cohort: Cohort) -> None:
    with pytest.raises(api.PermissionDenied):  # only coordinators pair
        mentorkit_client.run(api.pair, cohort.program.id, [1, 2], cohort.mentee)
    with pytest.raises(api.ConflictError):  # active cannot become active
        mentorkit_client.run(api.transition_relationship, cohort.relationship.id, "active", cohort.mentee)
    with pytest.raises(api.NotFound):
        mentorkit_client.run(api.transition_relationship, cohort.other_relationship.id, "completed", cohort.mentee)
