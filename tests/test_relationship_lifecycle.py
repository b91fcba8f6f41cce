"""The relationship lifecycle: acceptance (one- and two-sided, with questions and an expiry),
decline and early end with reasons, pause with a resume date, drafts, capacity and re-match.

Every refusal is checked for its message and for leaving nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mentorkit import api, hookimpl
from mentorkit.accounts.tables import Notification
from mentorkit.contracts import ProgramFormat, RoleSlot
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.programs import services as programs
from mentorkit.programs.schemas import ProgramCreate, ProgramUpdate
from mentorkit.relationships import lifecycle
from mentorkit.relationships.tables import (
    Relationship,
    RelationshipInquiry,
    RelationshipMember,
    RelationshipTransition,
)
from tests.test_relationships import person

NEXT_WEEK = dt.date.today() + dt.timedelta(days=7)


class World:
    admin: Any
    mentor: Any
    mentee: Any
    other_mentor: Any
    program: Any
    mentor_enrolment: Any
    mentee_enrolment: Any
    other_mentor_enrolment: Any


async def world(acceptance: str = "two_sided", capacity: int = 1, days: int = 7) -> World:
    w = World()
    w.admin = await person("ada@example.org", admin=True)
    w.mentor = await person("mo@example.org")
    w.mentee = await person("mia@example.org")
    w.other_mentor = await person("max@example.org")
    w.program = await programs.create_program(ProgramCreate(
        slug="spring", name="Spring", acceptance=acceptance, acceptance_days=days,  # type: ignore[arg-type]
        default_capacity=capacity), w.admin)
    await programs.change_program_state(w.program.id, "enrolling", w.admin)
    w.mentor_enrolment = await programs.enrol(w.program.id, "mentor", w.mentor)
    w.mentee_enrolment = await programs.enrol(w.program.id, "mentee", w.mentee)
    w.other_mentor_enrolment = await programs.enrol(w.program.id, "mentor", w.other_mentor)
    return w


async def propose(w: World, **options: Any) -> Any:
    return await lifecycle.pair(w.program.id, [w.mentor_enrolment.id, w.mentee_enrolment.id], w.admin, **options)


async def history(relationship_id: int) -> list[tuple[str, str, str]]:
    rows = await RelationshipTransition.select().where(
        RelationshipTransition.relationship == relationship_id).order_by(RelationshipTransition.id)
    return [(r["from_state"], r["to_state"], r["reason_code"]) for r in rows]


async def event_types(relationship_id: int) -> list[str]:
    rows = await EventRecord.select(EventRecord.type).where(
        EventRecord.subject == f"relationship:{relationship_id}").order_by(EventRecord.id)
    return [r["type"] for r in rows]


# --------------------------------------------------------------------------- acceptance


async def test_two_sided_acceptance_starts_the_relationship_when_both_have_accepted(
        mentorkit_runtime: Any, mentorkit_clock: Any) -> None:
    w = await world("two_sided", days=5)
    relationship = await propose(w)
    assert relationship.state == "pending"
    assert relationship.accept_by == mentorkit_clock.now + dt.timedelta(days=5)
    # Both are told, with a link to answer.
    told = await Notification.select(Notification.user, Notification.link).where(
        Notification.link == f"/relationships/{relationship.id}")
    assert {row["user"] for row in told} == {w.mentor.id, w.mentee.id}

    after_one = await lifecycle.accept_relationship(relationship.id, w.mentor)
    assert after_one.state == "pending"
    assert [m.accepted_at is not None for m in after_one.members] == [True, False]
    with pytest.raises(ConflictError, match="you accepted this match on"):
        await lifecycle.accept_relationship(relationship.id, w.mentor)

    started = await lifecycle.accept_relationship(relationship.id, w.mentee)
    assert started.state == "active" and started.accept_by is None
    assert await history(relationship.id) == [("proposed", "pending", ""), ("pending", "active", "")]
    assert await event_types(relationship.id) == [
        "relationship.created", "relationship.accepted", "relationship.accepted", "relationship.state_changed",
        "journey.started"]


async def test_one_sided_acceptance_asks_the_mentor_only(mentorkit_runtime: Any) -> None:
    w = await world("one_sided")
    relationship = await propose(w)
    view = await lifecycle_view(relationship.id, w.mentee)
    assert view.asked == [w.mentor.id] and "accept" not in view.actions
    with pytest.raises(PermissionDenied, match="does not ask your role"):
        await lifecycle.accept_relationship(relationship.id, w.mentee)
    with pytest.raises(PermissionDenied, match="does not ask your role"):
        await lifecycle.decline_relationship(relationship.id, w.mentee, "no_time")
    # ... nor through the general change of state plugins call.
    with pytest.raises(PermissionDenied, match="does not ask your role"):
        await api.transition_relationship(relationship.id, "declined", w.mentee, reason_code="no_time")
    assert await history(relationship.id) == [("proposed", "pending", "")]
    assert "accept" in (await lifecycle_view(relationship.id, w.mentor)).actions
    assert (await lifecycle.accept_relationship(relationship.id, w.mentor)).state == "active"


async def lifecycle_view(relationship_id: int, actor: Any) -> Any:
    return await api.get_relationship(relationship_id, actor)


async def test_without_acceptance_a_match_starts_at_once(mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    assert relationship.state == "active"
    assert await history(relationship.id) == [("proposed", "active", "")]


async def test_declining_needs_a_listed_reason_and_frees_both_people(mentorkit_runtime: Any) -> None:
    w = await world("two_sided")
    relationship = await propose(w)
    with pytest.raises(ValidationFailed) as refused:
        await lifecycle.decline_relationship(relationship.id, w.mentor, "")
    assert refused.value.errors == {"reason_code": "choose a reason from the list"}
    with pytest.raises(ValidationFailed) as refused:
        await lifecycle.decline_relationship(relationship.id, w.mentor, "other", "  ")
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed, match="is not one of the reasons"):
        await lifecycle.decline_relationship(relationship.id, w.mentor, "bored")
    # Nothing was written by the refusals.
    assert await history(relationship.id) == [("proposed", "pending", "")]

    declined = await lifecycle.decline_relationship(relationship.id, w.mentor, "other", "I move abroad in May")
    assert declined.state == "declined" and declined.ended_at is not None
    view = await api.get_relationship(relationship.id, w.admin)
    assert (view.transitions[-1].reason_code, view.transitions[-1].reason) == ("other", "I move abroad in May")
    assert view.transitions[-1].reason_label == "Another reason"
    # Both are back in the pool: the same two may be proposed again.
    again = await propose(w)
    assert again.state == "pending"


async def test_the_mentor_asks_a_question_and_the_mentee_answers(mentorkit_runtime: Any) -> None:
    w = await world("one_sided")
    relationship = await propose(w)
    with pytest.raises(ValidationFailed) as refused:
        await lifecycle.ask_question(relationship.id, w.mentor, "   ")
    assert refused.value.errors == {"question": "write your question"}
    with pytest.raises(PermissionDenied):
        await lifecycle.ask_question(relationship.id, w.mentee, "Why me?")  # the mentee is not asked here
    asked = await lifecycle.ask_question(relationship.id, w.mentor, "What would you like to learn first?")
    with pytest.raises(PermissionDenied, match="the other members answer"):
        await lifecycle.answer_question(relationship.id, asked.id, w.mentor, "Myself")
    with pytest.raises(NotFound):
        await api.get_relationship(relationship.id, w.other_mentor)
    answered = await lifecycle.answer_question(relationship.id, asked.id, w.mentee, "Public speaking.")
    assert (answered.answer, answered.answered_by) == ("Public speaking.", w.mentee.id)
    with pytest.raises(ConflictError, match="answered already"):
        await lifecycle.answer_question(relationship.id, asked.id, w.mentee, "Again")
    # Members and coordinators read the exchange; the events carry no text.
    for reader in (w.mentor, w.mentee, w.admin):
        view = await api.get_relationship(relationship.id, reader)
        assert [(i.question, i.answer) for i in view.inquiries] == [
            ("What would you like to learn first?", "Public speaking.")]
    payloads = await EventRecord.select(EventRecord.payload).where(EventRecord.type.like("relationship.question%"))
    assert payloads and all("Public" not in str(p) and "learn" not in str(p) for p in payloads)
    await lifecycle.accept_relationship(relationship.id, w.mentor)
    with pytest.raises(ConflictError, match="only a match waiting for acceptance"):
        await lifecycle.ask_question(relationship.id, w.mentor, "One more?")


# --------------------------------------------------------------------------- changes and refusals


async def test_a_change_not_allowed_from_the_current_state_is_refused_with_why(mentorkit_runtime: Any) -> None:
    w = await world("two_sided")
    relationship = await propose(w)
    with pytest.raises(ConflictError, match="waiting for acceptance cannot become paused"):
        await lifecycle.pause_relationship(relationship.id, w.mentor, NEXT_WEEK)
    with pytest.raises(PermissionDenied, match="starts when the members asked accept it"):
        await lifecycle.transition_relationship(relationship.id, "active", w.admin)
    with pytest.raises(PermissionDenied, match="only the program's coordinators"):
        await lifecycle.cancel_relationship(relationship.id, w.mentee)
    cancelled = await lifecycle.cancel_relationship(relationship.id, w.admin, "found a better fit")
    assert cancelled.state == "cancelled"
    with pytest.raises(ConflictError, match="the relationship is cancelled, not paused"):
        await lifecycle.resume_relationship(relationship.id, w.admin)
    assert await history(relationship.id) == [("proposed", "pending", ""), ("pending", "cancelled", "")]


async def test_a_pause_needs_a_resume_date_in_the_future(mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    today = dt.date.today()
    for resume_on, message in ((None, "give the day you expect to resume"),
                               (today, "must be after today"),
                               (today - dt.timedelta(days=3), "must be after today"),
                               (today + dt.timedelta(days=400), "within a year")):
        with pytest.raises(ValidationFailed) as refused:
            await lifecycle.pause_relationship(relationship.id, w.mentee, resume_on)
        assert message in refused.value.errors["resume_on"]
    assert (await Relationship.select(Relationship.state).where(Relationship.id == relationship.id).first()
            )["state"] == "active"
    assert await history(relationship.id) == [("proposed", "active", "")]

    paused = await lifecycle.pause_relationship(relationship.id, w.mentee, NEXT_WEEK, "exams")
    assert (paused.state, paused.resume_on) == ("paused", NEXT_WEEK)
    resumed = await lifecycle.resume_relationship(relationship.id, w.mentor)
    assert (resumed.state, resumed.resume_on) == ("active", None)
    payloads = await EventRecord.select(EventRecord.payload).where(EventRecord.type == "relationship.state_changed")
    assert any("resume_on" in str(p["payload"]) for p in payloads)


async def test_ending_early_needs_a_listed_reason(mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    with pytest.raises(ValidationFailed, match="choose a reason"):
        await lifecycle.end_relationship_early(relationship.id, w.mentee, "")
    ended = await lifecycle.end_relationship_early(relationship.id, w.mentee, "schedule", "shifts changed")
    assert ended.state == "ended_early"
    assert (await history(relationship.id))[-1] == ("active", "ended_early", "schedule")


async def test_drafts_are_told_to_nobody_until_published(mentorkit_runtime: Any) -> None:
    w = await world("one_sided")
    draft = await propose(w, draft=True)
    assert draft.state == "proposed" and await history(draft.id) == []
    assert await Notification.count().where(Notification.link == f"/relationships/{draft.id}") == 0
    # Its members are not told: it is on nobody's list, and its page does not exist for them.
    assert (await api.my_relationships(w.mentor)).items == []
    with pytest.raises(NotFound):
        await api.get_relationship(draft.id, w.mentee)
    with pytest.raises(NotFound):
        await lifecycle.publish_relationship(draft.id, w.mentor)
    published = await lifecycle.publish_relationship(draft.id, w.admin)
    assert published.state == "pending" and published.accept_by is not None
    assert await Notification.count().where(Notification.link == f"/relationships/{draft.id}") == 1


# --------------------------------------------------------------------------- capacity


async def test_a_mentor_holds_at_most_their_capacity_of_open_relationships(mentorkit_runtime: Any) -> None:
    w = await world("two_sided", capacity=1)
    await propose(w)
    second_mentee = await programs.enrol(w.program.id, "mentee", await person("mel@example.org"))
    with pytest.raises(ConflictError, match=r"Mo already has 1 open relationship, their capacity \(1\)"):
        await lifecycle.pair(w.program.id, [w.mentor_enrolment.id, second_mentee.id], w.admin)
    # A mentee takes one relationship at a time.
    with pytest.raises(ConflictError, match="Mia is already in an open relationship"):
        await lifecycle.pair(w.program.id, [w.other_mentor_enrolment.id, w.mentee_enrolment.id], w.admin)
    assert await Relationship.count() == 1
    # A larger capacity on the enrolment lets the mentor take another; a pause stops it.
    await api.update_enrolment(w.program.id, w.mentor_enrolment.id, w.admin, capacity=2)
    taken = await lifecycle.pair(w.program.id, [w.mentor_enrolment.id, second_mentee.id], w.admin)
    assert taken.state == "pending"
    third = await programs.enrol(w.program.id, "mentee", await person("mae@example.org"))
    await api.update_enrolment(w.program.id, w.other_mentor_enrolment.id, w.admin, paused=True)
    with pytest.raises(ConflictError, match="Max has paused taking new relationships"):
        await lifecycle.pair(w.program.id, [w.other_mentor_enrolment.id, third.id], w.admin)


# --------------------------------------------------------------------------- re-match


async def test_after_an_early_end_the_mentee_is_rematched_and_both_histories_stay(mentorkit_runtime: Any) -> None:
    w = await world("none")
    first = await propose(w)
    with pytest.raises(ConflictError, match="re-match after a relationship ended early"):
        await lifecycle.rematch(first.id, w.admin, w.mentee_enrolment.id, [w.other_mentor_enrolment.id])
    await lifecycle.end_relationship_early(first.id, w.mentee, "not_a_fit")
    with pytest.raises(PermissionDenied):
        await lifecycle.rematch(first.id, w.mentee, w.mentee_enrolment.id, [w.other_mentor_enrolment.id])
    with pytest.raises(ValidationFailed, match="is not a member"):
        await lifecycle.rematch(first.id, w.admin, w.other_mentor_enrolment.id, [w.mentor_enrolment.id])

    second = await lifecycle.rematch(first.id, w.admin, w.mentee_enrolment.id, [w.other_mentor_enrolment.id])
    assert second.rematch_of == first.id and second.state == "active"
    assert {m.user_id for m in second.members} == {w.mentee.id, w.other_mentor.id}
    # The mentee and the coordinator see the chain both ways; the new mentor sees only theirs.
    for reader in (w.mentee, w.admin):
        before = await api.get_relationship(second.id, reader)
        assert [(link.id, link.direction) for link in before.linked] == [(first.id, "before")]
        after = await api.get_relationship(first.id, reader)
        assert [(link.id, link.direction) for link in after.linked] == [(second.id, "after")]
        assert [t.to_state for t in after.transitions] == ["active", "ended_early"]
    assert (await api.get_relationship(second.id, w.other_mentor)).linked == []
    assert [r.id for r in (await api.my_relationships(w.mentee)).items] == [first.id, second.id]


# --------------------------------------------------------------------------- time


async def test_an_unanswered_match_expires_once_even_with_two_workers(
        mentorkit_runtime: Any, mentorkit_clock: Any) -> None:
    w = await world("two_sided", days=3)
    expiring = await propose(w)
    mel = await person("mel@example.org")
    mel_enrolment = await programs.enrol(w.program.id, "mentee", mel)
    answered = await lifecycle.pair(w.program.id, [w.other_mentor_enrolment.id, mel_enrolment.id], w.admin)
    for member in (w.other_mentor, mel):
        await lifecycle.accept_relationship(answered.id, member)
    first, second = (mentorkit_runtime.make_worker(name=n) for n in ("worker-1", "worker-2"))

    mentorkit_clock.advance(days=2, hours=23)
    assert await first.drain() >= 0 and await second.drain() >= 0
    assert (await api.get_relationship(expiring.id, w.admin)).relationship.state == "pending"

    mentorkit_clock.advance(hours=2)
    fired = [await first.fire_due_timers(), await second.fire_due_timers()]
    # Both windows are due; each timer fires once, whichever worker gets it.
    assert sum(fired) == 2
    await first.drain()
    await second.drain()
    view = await api.get_relationship(expiring.id, w.admin)
    assert view.relationship.state == "cancelled"
    assert [(t.to_state, t.reason_code, t.actor_id) for t in view.transitions][-1] == ("cancelled", "expired", None)
    assert (await event_types(expiring.id)).count("relationship.acceptance_expired") == 1
    assert (await event_types(expiring.id)).count("relationship.state_changed") == 1
    # The match that was answered in time is untouched by its old window.
    assert (await api.get_relationship(answered.id, w.admin)).relationship.state == "active"


async def test_an_expiry_after_an_answer_or_a_new_window_changes_nothing(mentorkit_runtime: Any) -> None:
    w = await world("two_sided")
    relationship = await propose(w)
    accept_by = (await api.get_relationship(relationship.id, w.admin)).relationship.accept_by
    assert accept_by is not None
    assert await lifecycle.expire_acceptance(relationship.id, (accept_by - dt.timedelta(days=1)).isoformat()) is False
    await lifecycle.accept_relationship(relationship.id, w.mentor)
    await lifecycle.accept_relationship(relationship.id, w.mentee)
    assert await lifecycle.expire_acceptance(relationship.id, accept_by.isoformat()) is False
    assert (await api.get_relationship(relationship.id, w.admin)).relationship.state == "active"


# --------------------------------------------------------------------------- programs and formats


async def test_closing_a_program_cancels_matches_not_yet_started(mentorkit_runtime: Any) -> None:
    w = await world("two_sided")
    pending = await propose(w)
    await programs.change_program_state(w.program.id, "closed", w.admin, "cohort over")
    assert (await api.get_relationship(pending.id, w.admin)).relationship.state == "cancelled"
    # Changing the acceptance rule later applies to new matches only.
    await programs.change_program_state(w.program.id, "archived", w.admin)
    with pytest.raises(ConflictError):
        await programs.update_program(w.program.id, ProgramUpdate(acceptance="none"), w.admin)


TRANSITIONS: list[tuple[str, str]] = []


async def remember(relationship: Any, old: str, new: str, actor: Any) -> None:
    TRANSITIONS.append((old, new))
    if new == "completed":
        raise RuntimeError("the closing survey is not ready")


class ExtendingFormat:
    @hookimpl
    def register_program_formats(self, register: Any) -> None:
        register(ProgramFormat(key="extending", label="Extending", roles=(RoleSlot("mentor", "mentor"),
                                                                          RoleSlot("mentee", "mentee")),
                               on_relationship_transition=remember))


async def test_a_format_extends_a_transition_inside_its_transaction(mentorkit_plugins: list[Any],
                                                                    mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await programs.create_program(ProgramCreate(slug="ext", name="Ext", format="extending"), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    ids = [(await programs.enrol(program.id, role, await person(f"{role}@example.org"))).id
           for role in ("mentor", "mentee")]
    relationship = await lifecycle.pair(program.id, ids, admin)
    TRANSITIONS.clear()
    await lifecycle.pause_relationship(relationship.id, admin, NEXT_WEEK)
    assert TRANSITIONS == [("active", "paused")]
    with pytest.raises(RuntimeError, match="closing survey"):
        await lifecycle.complete_relationship(relationship.id, admin)
    # Raising undid the change: still paused, no transition stored for it.
    assert (await api.get_relationship(relationship.id, admin)).relationship.state == "paused"
    assert [t["to_state"] for t in await RelationshipTransition.select(RelationshipTransition.to_state).where(
        RelationshipTransition.relationship == relationship.id)] == ["active", "paused"]
    assert await RelationshipMember.count().where(RelationshipMember.relationship == relationship.id) == 2
    assert await RelationshipInquiry.count() == 0


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("extending", ExtendingFormat())]


async def test_a_match_waiting_for_an_answer_counts_as_matched(mentorkit_runtime: Any) -> None:
    w = await world("two_sided")
    await propose(w)
    aggregates = await programs.program_aggregates(w.program.id, w.admin)
    assert (aggregates.matched.get("mentee"), aggregates.unmatched.get("mentee", 0)) == (1, 0)
    assert aggregates.matched.get("mentor") == 1 and aggregates.unmatched.get("mentor") == 1  # Max waits
