"""A person's enrolment page: their answers (edited with the same check as joining), capacity
and pause, who may see it, and which answers each viewer may read."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit import api
from mentorkit.events import EventRecord
from mentorkit.testing.auth import sign_in_as


@pytest.fixture
def world(mentorkit_client: Any, mentorkit_factory: Any) -> dict[str, Any]:
    client, f = mentorkit_client, mentorkit_factory
    coordinator, observer = f.user("Cora Coordinator"), f.user("Oscar Observer")
    program = f.program(name="Spring cohort", coordinators=[coordinator])
    from mentorkit.programs import services

    client.run(lambda: services.appoint_staff(program.id, observer.email, "observer", f.admin))
    sign_in_as(client, coordinator)
    for question in (
        {"label": "Goal", "kind": "short_text", "visible_roles": ["mentor"]},
        {"label": "Salary band", "kind": "single_choice", "choices": ["A", "B"]},
    ):
        assert client.post(f"/api/v1/programs/{program.id}/questions", json=question).status_code == 201
    mia, max_ = f.user("Mia"), f.user("Max")
    sign_in_as(client, mia)
    enrolment = client.post(f"/api/v1/programs/{program.id}/enrolments", json={
        "role": "mentee", "answers": {"goal": "Lead a team", "salary_band": "B"}}).json()
    return {"client": client, "f": f, "program": program, "coordinator": coordinator, "observer": observer,
            "mia": mia, "max": max_, "enrolment": enrolment}


def url(world: dict[str, Any], tail: str = "") -> str:
    return f"/programs/{world['program'].id}/enrolments/{world['enrolment']['id']}{tail}"


def test_the_person_sees_and_edits_their_answers_with_the_same_check(world: dict[str, Any]) -> None:
    client = world["client"]
    page = client.get(url(world))
    assert page.status_code == 200 and "Your enrolment" in page.text and "Lead a team" in page.text
    bad = client.post(url(world, "/answers"), data={"answers.goal": "Grow", "answers.salary_band": "Z"})
    assert bad.status_code == 400 and "“Z” is not one of the choices" in bad.text and 'value="Grow"' in bad.text
    good = client.post(url(world, "/answers"), data={"answers.goal": "Grow", "answers.salary_band": "A"},
                       follow_redirects=False)
    assert good.status_code == 303
    answers = client.get(f"/api/v1{url(world, '/answers')}").json()
    assert {a["key"]: a["value"] for a in answers} == {"goal": "Grow", "salary_band": "A"}
    patched = client.patch(f"/api/v1{url(world, '/answers')}", json={"answers": {"goal": ""}})
    assert patched.status_code == 200 and [a["key"] for a in patched.json()] == ["salary_band"]


def test_capacity_and_pause_are_set_on_the_page_and_in_the_api(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    # A mentee takes one mentor: no capacity card, and the service refuses one.
    assert "Capacity and pause" not in client.get(url(world)).text
    refused = client.patch(f"/api/v1{url(world)}", json={"capacity": 2})
    assert refused.status_code == 400 and "mentees take one relationship at a time" in refused.text
    sign_in_as(client, world["max"])
    mentor = client.post(f"/api/v1/programs/{program.id}/enrolments", json={
        "role": "mentor", "answers": {"salary_band": "A"}}).json()
    world = {**world, "enrolment": mentor}
    assert "Capacity and pause" in client.get(url(world)).text
    detail = client.get(f"/api/v1{url(world)}").json()
    assert (detail["capacity"], detail["paused"]) == (1, False)
    too_many = client.post(url(world, "/settings"), data={"capacity": "51"})
    assert too_many.status_code == 400 and "must be at most 50" in too_many.text
    saved = client.post(url(world, "/settings"), data={"capacity": "3", "paused": "on"}, follow_redirects=False)
    assert saved.status_code == 303
    detail = client.get(f"/api/v1{url(world)}").json()
    assert (detail["capacity"], detail["paused"], detail["enrolment"]["capacity"]) == (3, True, 3)
    resumed = client.patch(f"/api/v1{url(world)}", json={"paused": False})
    assert resumed.status_code == 200 and resumed.json()["paused"] is False
    assert client.patch(f"/api/v1{url(world)}", json={"capacity": 0}).status_code == 400
    lenient = client.patch(f"/api/v1{url(world)}", json={"paused": 1})
    assert lenient.status_code == 400 and "must be true or false" in lenient.text

    async def updates() -> int:
        return int(await EventRecord.count().where(EventRecord.type == "enrolment.updated"))
    assert client.run(updates) == 2


def test_only_the_person_and_coordinators_open_the_enrolment_page(world: dict[str, Any]) -> None:
    client = world["client"]
    for who, status in ((world["coordinator"], 200), (world["observer"], 404), (world["max"], 404),
                        (world["f"].admin, 200)):
        sign_in_as(client, who)
        assert client.get(url(world)).status_code == status
        assert client.get(f"/api/v1{url(world)}").status_code == status
    sign_in_as(client, world["coordinator"])
    page = client.get(url(world))
    assert "Mia" in page.text and "B" in page.text
    # The way to the matching preferences, worded for who is looking.
    assert f'href="{url(world, "/preferences")}">See their preferences' in page.text
    sign_in_as(client, world["mia"])
    assert f'href="{url(world, "/preferences")}">Choose your preferences' in client.get(url(world)).text
    assert client.get(url(world, "/preferences")).status_code == 200


def test_answers_are_visible_as_each_question_says(world: dict[str, Any]) -> None:
    client, program, f = world["client"], world["program"], world["f"]
    enrolment_id = world["enrolment"]["id"]
    mentor, other_mentee = f.user("Mentor"), f.user("Other mentee")
    f.enrol(program, mentor, "mentor")
    f.enrol(program, other_mentee, "mentee")

    def keys(viewer: Any) -> list[str]:
        return [a.key for a in client.run(lambda: api.visible_answers(enrolment_id, viewer))]

    assert keys(world["mia"]) == ["goal", "salary_band"]
    assert keys(world["coordinator"]) == ["goal", "salary_band"]
    assert keys(api.SYSTEM) == ["goal", "salary_band"]
    assert keys(mentor) == ["goal"]  # the goal is visible to mentors, the salary band to nobody else
    assert keys(other_mentee) == []
    assert keys(world["observer"]) == []  # observers read aggregates only
    assert keys(world["max"]) == []


def test_the_domain_api_reads_and_changes_enrolments(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    enrolment_id = world["enrolment"]["id"]
    detail = client.run(lambda: api.get_enrolment(program.id, enrolment_id, world["mia"]))
    assert detail.enrolment.role == "mentee" and detail.program_name == "Spring cohort"
    changed = client.run(lambda: api.update_enrolment(program.id, enrolment_id, world["mia"],
                                                      answers={"goal": "Ship"}))
    assert changed.capacity == 1 and changed.answers[0].value == "Ship"
    with pytest.raises(api.NotFound):
        client.run(lambda: api.get_enrolment(program.id, enrolment_id, world["max"]))
    questions = client.run(lambda: api.list_questions(program.id, world["max"], role="mentee"))
    assert [q.key for q in questions] == ["goal", "salary_band"]
    link = client.run(lambda: api.create_invitation(program.id, api.SYSTEM, role="mentor", max_uses=1))
    assert link.status == "valid" and link.role == "mentor" and "/join/" in link.link
    with pytest.raises(api.ValidationFailed):
        client.run(lambda: api.create_invitation(program.id, api.SYSTEM, expires_in_days=0))
    assert client.run(lambda: api.revoke_invitation(program.id, link.id, api.SYSTEM)).status == "revoked"
    joined = client.run(lambda: api.enrol(program.id, "mentor", world["max"], answers={"goal": "Give back"}))
    assert joined.state == "active"
    with pytest.raises(api.ConflictError):
        client.run(lambda: api.approve_application(program.id, joined.id, api.SYSTEM))
