"""Journeys: a relationship gets its program's journey when it starts, members complete
milestones and tick tasks, plugins compose journeys and refuse completions, due and overdue
timers fire once, and coordinators move running journeys to a new template version."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit import api, hookimpl
from mentorkit.contracts import JourneyTemplate, MilestoneSpec, ProgramFormat, RoleSlot
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord, Timer
from mentorkit.journeys import services as journeys
from mentorkit.journeys.tables import Journey, JourneyMilestone, JourneyTask
from mentorkit.programs import services as programs
from mentorkit.programs.schemas import ProgramCreate, ProgramUpdate
from mentorkit.relationships import lifecycle
from mentorkit.testing import csrf_headers, sign_in_as
from tests.test_relationship_lifecycle import propose, world
from tests.test_relationships import person

STUDIO_V1 = JourneyTemplate(key="studio", version=1, label="Studio journey", milestones=(
    MilestoneSpec("brief", "Brief agreed", due_days=7, tasks=("Write the brief", "Share it")),
    MilestoneSpec("sketch", "First sketches", due_days=21, tasks=("Three sketches",)),
    MilestoneSpec("crit", "Group critique", due_days=60),
))
STUDIO_V2 = JourneyTemplate(key="studio", version=2, label="Studio journey", milestones=(
    MilestoneSpec("brief", "Brief agreed", due_days=7, tasks=("Write the brief", "Share it")),
    MilestoneSpec("portfolio", "Portfolio review", due_days=30, tasks=("Pick five pieces", "Write captions")),
    MilestoneSpec("crit", "Critique and show", due_days=75),
))
REFUSED: list[str] = []


class Studio:
    """A format with its own journey (version 1), and a rule: no critique before the sketches."""

    @hookimpl
    def register_program_formats(self, register: Any) -> None:
        register(ProgramFormat(key="studio", label="Studio", roles=(RoleSlot("mentor", "mentor"),
                                                                    RoleSlot("mentee", "mentee",
                                                                             takes_capacity=False)),
                               journey="studio"))

    @hookimpl
    def register_journey_templates(self, register: Any) -> None:
        register(STUDIO_V1)

    @hookimpl
    async def milestone_completion(self, relationship: Any, milestone: Any, actor: Any) -> str | None:
        if milestone.key == "crit" and any(t.done_at is None for t in milestone.tasks):
            REFUSED.append(milestone.key)
            return "finish the critique's tasks first"
        return None


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("studio", Studio())]


async def test_a_relationship_starts_the_core_journey_with_its_milestones_tasks_and_timers(
        mentorkit_runtime: Any, mentorkit_clock: Any) -> None:
    w = await world("two_sided")
    relationship = await propose(w)
    assert await journeys.get_journey(relationship.id, w.mentee) is None  # not before it starts
    await lifecycle.accept_relationship(relationship.id, w.mentor)
    await lifecycle.accept_relationship(relationship.id, w.mentee)
    journey = await journeys.get_journey(relationship.id, w.mentee)
    assert journey is not None and (journey.template_key, journey.version) == ("one_to_one", 1)
    today = mentorkit_clock.now.date()
    assert [(m.key, (m.due_on - today).days) for m in journey.milestones] == [
        ("kick_off", 14), ("goals_set", 30), ("midpoint", 90), ("closing", 180)]
    assert journey.next_key == "kick_off" and journey.milestones[0].tasks and journey.milestones[0].agenda
    assert await Timer.count().where((Timer.subject == f"relationship:{relationship.id}")
                                     & Timer.key.like("journey:%")) == 8
    # Coordinators read it too; others are told nothing exists.
    assert (await journeys.get_journey(relationship.id, w.admin)).total == 4  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        await journeys.get_journey(relationship.id, w.other_mentor)


async def test_members_complete_milestones_and_tick_tasks_and_can_undo(mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    journey = await journeys.get_journey(relationship.id, w.mentee)
    assert journey is not None
    task = journey.milestones[0].tasks[0]
    ticked = await journeys.set_task(relationship.id, task.id, True, w.mentee)
    assert ticked.milestones[0].tasks[0].done_by_name == "Mia"
    done = await journeys.complete_milestone(relationship.id, "kick_off", w.mentor)
    assert done.milestones[0].status == "done" and done.next_key == "goals_set" and done.done == 1
    assert not await Timer.exists().where(Timer.key.like("journey:%:kick_off:%"))
    with pytest.raises(ConflictError, match="was completed on"):
        await journeys.complete_milestone(relationship.id, "kick_off", w.mentee)
    with pytest.raises(PermissionDenied):
        await journeys.complete_milestone(relationship.id, "goals_set", w.admin)
    with pytest.raises(NotFound):
        await journeys.complete_milestone(relationship.id, "no_such_step", w.mentee)
    reopened = await journeys.reopen_milestone(relationship.id, "kick_off", w.mentee)
    assert reopened.milestones[0].status != "done"
    assert await Timer.count().where(Timer.key.like("journey:%:kick_off:%")) == 2
    types = [r["type"] for r in await EventRecord.select(EventRecord.type).where(
        EventRecord.type.like("journey.%")).order_by(EventRecord.id)]
    assert types == ["journey.started", "journey.task_changed", "journey.milestone_completed",
                     "journey.milestone_reopened"]
    await lifecycle.complete_relationship(relationship.id, w.mentee)
    with pytest.raises(ConflictError, match="it is completed"):
        await journeys.set_task(relationship.id, task.id, False, w.mentee)


async def test_a_format_ships_its_journey_and_a_plugin_refuses_a_completion(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await programs.create_program(ProgramCreate(slug="art", name="Art", format="studio"), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    mentor, mentee = await person("mo@example.org"), await person("mia@example.org")
    ids = [(await programs.enrol(program.id, "mentor", mentor)).id, (await programs.enrol(program.id, "mentee",
                                                                                          mentee)).id]
    relationship = await lifecycle.pair(program.id, ids, admin)
    journey = await journeys.get_journey(relationship.id, mentee)
    assert journey is not None and [m.key for m in journey.milestones] == ["brief", "sketch", "crit"]
    REFUSED.clear()
    await journeys.complete_milestone(relationship.id, "crit", mentee)  # no tasks: nothing to finish
    assert REFUSED == []


class Composer:
    """A plugin composing the journey of one format's relationships (adds a welcome step)."""

    @hookimpl
    def journey_for_relationship(self, relationship: Any, template: Any) -> Any:
        if relationship.format != "studio":
            return None
        welcome = MilestoneSpec("welcome", "Welcome tea", due_days=2)
        return JourneyTemplate(key=template.key, version=template.version, label=template.label,
                               milestones=(welcome, *template.milestones))


async def test_a_plugin_composes_the_journey_of_its_formats_relationships(
        mentorkit_plugins: list[Any], mentorkit_runtime: Any) -> None:
    mentorkit_runtime.pm.register(Composer(), name="composer")
    try:
        admin = await person("ada@example.org", admin=True)
        art = await programs.create_program(ProgramCreate(slug="art", name="Art", format="studio"), admin)
        await programs.change_program_state(art.id, "enrolling", admin)
        ids = [(await programs.enrol(art.id, role, await person(f"{role}@example.org"))).id
               for role in ("mentor", "mentee")]
        relationship = await lifecycle.pair(art.id, ids, admin)
        journey = await journeys.get_journey(relationship.id, admin)
        assert journey is not None and [m.key for m in journey.milestones][:2] == ["welcome", "brief"]
    finally:
        mentorkit_runtime.pm.unregister(name="composer")


async def test_due_and_overdue_fire_once_with_two_workers_and_never_for_a_completed_milestone(
        mentorkit_runtime: Any, mentorkit_clock: Any) -> None:
    w = await world("none", capacity=2)
    first = await propose(w)
    mel_enrolment = await programs.enrol(w.program.id, "mentee", await person("mel@example.org"))
    second = await lifecycle.pair(w.program.id, [w.mentor_enrolment.id, mel_enrolment.id], w.admin)
    await journeys.complete_milestone(first.id, "kick_off", w.mentee)
    workers = [mentorkit_runtime.make_worker(name=f"worker-{n}") for n in (1, 2)]

    mentorkit_clock.advance(days=15, hours=1)  # kick-off (day 14) is due, then overdue
    fired = [await worker.fire_due_timers() for worker in workers] + [await workers[0].fire_due_timers()]
    assert sum(fired) == 2  # the second relationship's due and overdue; nothing for the completed one
    due = await EventRecord.select(EventRecord.type, EventRecord.subject).where(
        EventRecord.type.is_in([journeys.DUE_EVENT, journeys.OVERDUE_EVENT]))
    assert sorted((e["type"], e["subject"]) for e in due) == [
        (journeys.DUE_EVENT, f"relationship:{second.id}"), (journeys.OVERDUE_EVENT, f"relationship:{second.id}")]
    view = await journeys.get_journey(second.id, w.mentor)
    assert view is not None and view.milestones[0].status == "overdue"


async def test_running_journeys_move_to_a_new_version_keeping_completed_milestones(
        mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await programs.create_program(ProgramCreate(slug="art", name="Art", format="studio",
                                                          default_capacity=5), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    mentor = await programs.enrol(program.id, "mentor", await person("mo@example.org"))
    relationships = []
    for n in range(3):
        mentee = await person(f"mentee{n}@example.org")
        enrolment = await programs.enrol(program.id, "mentee", mentee)
        relationships.append((await lifecycle.pair(program.id, [mentor.id, enrolment.id], admin), mentee))
    (done_one, done_mentee), (plain, _), (ended, ended_mentee) = relationships
    await journeys.complete_milestone(done_one.id, "sketch", done_mentee)
    await lifecycle.end_relationship_early(ended.id, ended_mentee, "schedule")

    with pytest.raises(ValidationFailed) as refused:
        await journeys.migrate_journeys(program.id, 3, admin)
    assert refused.value.errors == {"version": "version 3 of the journey “Studio journey” does not exist "
                                               "(versions: 1)"}
    mentorkit_runtime.journeys["studio"][2] = STUDIO_V2  # a plugin upgrade ships version 2
    try:
        overview = await journeys.program_journey(program.id, admin)
        assert overview.latest_version == 2 and [(v.version, v.relationships) for v in overview.running] == [(1, 2)]
        report = await journeys.migrate_journeys(program.id, 2, admin)
        assert (report.moved, report.kept_completed) == (2, 1)
        kept = await journeys.get_journey(done_one.id, admin)
        assert kept is not None and kept.version == 2
        assert [(m.key, m.status == "done") for m in kept.milestones] == [
            ("brief", False), ("sketch", True), ("portfolio", False), ("crit", False)]
        assert [t.title for t in kept.milestones[2].tasks] == ["Pick five pieces", "Write captions"]
        moved = await journeys.get_journey(plain.id, admin)
        assert moved is not None and [m.key for m in moved.milestones] == ["brief", "portfolio", "crit"]
        # The relationship that ended keeps the journey it had.
        assert (await Journey.select(Journey.version).where(Journey.relationship == ended.id).first()) == {
            "version": 1}
        assert await Timer.exists().where(Timer.key.like("journey:%:portfolio:%"))
        assert not await Timer.exists().where(Timer.key.like("journey:%:sketch:%") & Timer.fired_at.is_null()
                                              & Timer.subject.is_in([f"relationship:{plain.id}"]))
        # New relationships start on version 2; moving again changes nothing.
        assert (await journeys.migrate_journeys(program.id, 2, admin)).moved == 0
    finally:
        del mentorkit_runtime.journeys["studio"][2]
    assert await JourneyTask.count() > 0 and await JourneyMilestone.count() > 0


async def test_a_program_chooses_an_installed_journey(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await programs.create_program(ProgramCreate(slug="p", name="P"), admin)
    with pytest.raises(ValidationFailed) as refused:
        await programs.update_program(program.id, ProgramUpdate(journey_template="nonesuch"), admin)
    assert "is not an installed journey template" in refused.value.errors["journey_template"]
    changed = await programs.update_program(program.id, ProgramUpdate(journey_template="studio"), admin)
    assert changed.journey_template == "studio"
    assert (await api.get_program(program.id, admin)).program.journey_template == "studio"


def test_the_journey_on_the_page_and_in_the_api(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client, factory = mentorkit_client, mentorkit_factory
    program = factory.program(state="running")
    mentor, mentee = factory.user("Morgan Mentor"), factory.user("Mina Mentee")
    relationship = factory.pair(program, [factory.enrol(program, mentor, "mentor"),
                                          factory.enrol(program, mentee, "mentee")])
    sign_in_as(client, mentee)
    page = client.get(f"/relationships/{relationship.id}")
    assert 'class="timeline"' in page.text and "Kick-off and agreement" in page.text
    journey = client.get(f"/api/v1/relationships/{relationship.id}/journey").json()
    task_id = journey["milestones"][0]["tasks"][0]["id"]
    ticked = client.patch(f"/api/v1/relationships/{relationship.id}/journey/tasks/{task_id}", json={"done": True},
                          headers=csrf_headers(client))
    assert ticked.status_code == 200 and ticked.json()["milestones"][0]["tasks"][0]["done_at"]
    done = client.post(f"/relationships/{relationship.id}/journey/milestones/kick_off/complete",
                       data={"_csrf_token": client.cookies.get("mentorkit_csrf", "")}, headers=csrf_headers(client),
                       follow_redirects=False)
    assert done.status_code == 303
    twice = client.post(f"/api/v1/relationships/{relationship.id}/journey/milestones/kick_off/complete",
                        headers=csrf_headers(client))
    assert twice.status_code == 409 and "was completed on" in twice.json()["detail"]
    sign_in_as(client, factory.admin)
    assert client.post(f"/api/v1/relationships/{relationship.id}/journey/milestones/goals_set/complete",
                       headers=csrf_headers(client)).status_code == 403
    overview = client.get(f"/programs/{program.id}/journey")
    assert overview.status_code == 200 and "Version 1: 1 relationship" in overview.text
    bad = client.post(f"/api/v1/programs/{program.id}/journey/migrate", json={"version": 7},
                      headers=csrf_headers(client))
    assert bad.status_code == 400 and "version 7" in str(bad.json())
