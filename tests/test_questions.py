"""Enrolment questions: coordinators write them (pages and API), people answer them when they
join (every kind accepted and refused with the question named), plugins contribute them."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.api import QuestionSpec
from mentorkit.profiles.tables import Tag, TagSynonym
from mentorkit.programs.tables import EnrolmentAnswer, ProgramQuestion
from mentorkit.testing.auth import sign_in_as
from tests.test_enrolment_modes import events


@pytest.fixture
def world(mentorkit_client: Any, mentorkit_factory: Any) -> dict[str, Any]:
    coordinator = mentorkit_factory.user("Cora Coordinator")
    program = mentorkit_factory.program(name="Spring cohort", coordinators=[coordinator])
    return {"client": mentorkit_client, "f": mentorkit_factory, "coordinator": coordinator, "program": program}


def add(client: Any, program: Any, **question: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/programs/{program.id}/questions", json=question)
    assert response.status_code == 201, response.text
    return response.json()


def add_tags(client: Any) -> None:
    async def make() -> None:
        rows = await Tag.insert(Tag(key="machine-learning", label="Machine learning")).returning(Tag.id)
        await TagSynonym.insert(TagSynonym(tag=rows[0]["id"], synonym="ml"))
        await Tag.insert(Tag(key="python", label="Python"))
    client.run(make)


def test_coordinator_adds_edits_moves_and_removes_questions_on_the_page(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["coordinator"])
    assert "asks no questions yet" in client.get(f"/programs/{program.id}/questions").text
    form = client.get(f"/programs/{program.id}/questions/new")
    assert form.status_code == 200 and 'name="asked_roles"' in form.text
    bad = client.post(f"/programs/{program.id}/questions",
                      data={"label": "", "kind": "single_choice", "choices": "Only one"})
    assert bad.status_code == 400 and "Question: this field is required" in bad.text
    bad = client.post(f"/programs/{program.id}/questions",
                      data={"label": "Your level", "kind": "single_choice", "choices": "Only one"})
    assert bad.status_code == 400 and "at least two choices" in bad.text and "Only one" in bad.text
    made = client.post(f"/programs/{program.id}/questions", data={
        "label": "Your level?", "kind": "single_choice", "choices": "Beginner\nExpert", "required": "on",
        "asked_roles": "mentee"}, follow_redirects=False)
    assert made.status_code == 303, made.text[-3000:]
    client.post(f"/programs/{program.id}/questions", data={"label": "Goals", "kind": "long_text"})
    listed = client.get(f"/api/v1/programs/{program.id}/questions").json()
    assert [(q["key"], q["asked_roles"], q["required"]) for q in listed] == [
        ("your_level", ["mentee"], True), ("goals", [], False)]
    level, goals = listed
    client.post(f"/programs/{program.id}/questions/{goals['id']}/move", data={"direction": "up"})
    assert [q["key"] for q in client.get(f"/api/v1/programs/{program.id}/questions").json()] == ["goals", "your_level"]
    edit = client.get(f"/programs/{program.id}/questions/{level['id']}")
    assert "Beginner\nExpert" in edit.text
    saved = client.post(f"/programs/{program.id}/questions/{level['id']}", data={
        "label": "Your level", "kind": "single_choice", "choices": "Beginner\nIntermediate\nExpert",
        "visible_roles": ["mentor"]}, follow_redirects=False)
    assert saved.status_code == 303
    changed = client.get(f"/api/v1/programs/{program.id}/questions").json()[1]
    assert changed["choices"] == ["Beginner", "Intermediate", "Expert"] and changed["visible_roles"] == ["mentor"]
    assert changed["asked_roles"] == [] and changed["required"] is False  # unticked boxes
    page = client.get(f"/programs/{program.id}/questions")
    assert "Nobody has answered it yet." in page.text
    client.post(f"/programs/{program.id}/questions/{goals['id']}/delete")
    assert [q["key"] for q in client.get(f"/api/v1/programs/{program.id}/questions").json()] == ["your_level"]
    assert [(e["key"], e["change"]) for e in events(client, "program.question_changed")] == [
        ("your_level", "added"), ("goals", "added"), ("goals", "moved"), ("your_level", "changed"),
        ("goals", "removed")]


def test_keys_are_unique_per_program_and_checked(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["coordinator"])
    add(client, program, label="Goal", kind="short_text")
    twice = client.post(f"/api/v1/programs/{program.id}/questions", json={"label": "Goal", "kind": "short_text"})
    assert twice.status_code == 400 and "key" in twice.json()["extra"] if "extra" in twice.json() else True
    assert "another question of this program has the key 'goal'" in twice.text
    for body in ({"label": "X", "kind": "short_text", "key": "Not OK"},
                 {"label": "X", "kind": "scale", "scale_min": 5, "scale_max": 5},
                 {"label": "X", "kind": "short_text", "choices": ["a", "b"]},
                 {"label": "X", "kind": "short_text", "asked_roles": ["sidekick"]},
                 {"label": "X", "kind": "astrology"},
                 {"label": "X", "kind": "short_text", "required": 1}):
        assert client.post(f"/api/v1/programs/{program.id}/questions", json=body).status_code == 400, body


def test_participants_read_questions_but_cannot_change_them(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["coordinator"])
    question = add(client, program, label="Goal", kind="short_text")
    sign_in_as(client, world["f"].user("Mia"))
    assert [q["key"] for q in client.get(f"/api/v1/programs/{program.id}/questions").json()] == ["goal"]
    created = client.post(f"/api/v1/programs/{program.id}/questions", json={"label": "X", "kind": "tags"})
    assert created.status_code == 403
    assert client.delete(f"/api/v1/programs/{program.id}/questions/{question['id']}").status_code == 403


def test_every_kind_accepts_good_answers_and_refuses_bad_ones_naming_the_question(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    add_tags(client)
    sign_in_as(client, world["coordinator"])
    add(client, program, label="Headline", kind="short_text", required=True)
    add(client, program, label="Story", kind="long_text")
    add(client, program, label="Level", kind="single_choice", choices=["Beginner", "Expert"])
    add(client, program, label="Topics", kind="multiple_choice", choices=["Career", "Code", "Life"])
    add(client, program, label="Confidence", kind="scale", scale_min=1, scale_max=5)
    add(client, program, label="Skills", kind="tags")
    sign_in_as(client, world["f"].user("Mia"))
    bad = client.post(f"/api/v1/programs/{program.id}/enrolments", json={"role": "mentee", "answers": {
        "headline": "", "level": "Wizard", "topics": ["Code", "Cooking"], "confidence": 9, "skills": ["ML", "Cobol"],
        "horoscope": "Leo"}})
    assert bad.status_code == 400
    text = bad.text
    for expected in ("“Headline” is required", "“Level”: “Wizard” is not one of the choices",
                     "“Topics”: “Cooking” is not one of", "“Confidence” must be from 1 to 5 (got 9)",
                     "“Skills”: unknown tags: Cobol",
                     "“horoscope” is not a question"):
        assert expected in text, expected
    assert client.run(lambda: EnrolmentAnswer.count()) == 0
    good = client.post(f"/api/v1/programs/{program.id}/enrolments", json={"role": "mentee", "answers": {
        "headline": "  Aspiring engineer ", "story": "Line one\nLine two", "level": "expert",
        "topics": ["code", "Life"], "confidence": "4", "skills": "ML, python"}})
    assert good.status_code == 201, good.text
    answers = client.get(f"/api/v1/programs/{program.id}/enrolments/{good.json()['id']}/answers").json()
    assert {a["key"]: a["value"] for a in answers} == {
        "headline": "Aspiring engineer", "story": "Line one\nLine two", "level": "Expert",
        "topics": ["Code", "Life"], "confidence": 4, "skills": ["machine-learning", "python"]}


def test_the_join_form_shows_every_error_at_once_and_keeps_what_was_typed(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["coordinator"])
    add(client, program, label="Headline", kind="short_text", required=True)
    add(client, program, label="Topics", kind="multiple_choice", choices=["Career", "Code"], asked_roles=["mentee"])
    add(client, program, label="Confidence", kind="scale", scale_min=1, scale_max=3)
    sign_in_as(client, world["f"].user("Mia"))
    form = client.get(f"/programs/{program.id}/join?role=mentee")
    assert 'name="answers.topics"' in form.text and ">3</option>" in form.text
    mentor_form = client.get(f"/programs/{program.id}/join?role=mentor")
    assert 'name="answers.topics"' not in mentor_form.text
    response = client.post(f"/programs/{program.id}/enrol", data={
        "role": "mentee", "answers.headline": "", "answers.topics": ["Code", "Career"], "answers.confidence": "7"})
    assert response.status_code == 400
    assert "There are 2 problems" in response.text and "“Headline” is required" in response.text
    assert "“Confidence” must be from 1 to 3 (got 7)" in response.text
    assert 'value="Code" checked' in response.text and 'value="Career" checked' in response.text
    done = client.post(f"/programs/{program.id}/enrol", data={
        "role": "mentee", "answers.headline": "Hi", "answers.topics": ["Code", "Career"], "answers.confidence": "2"},
        follow_redirects=False)
    assert done.status_code == 303


def test_changing_a_kind_or_removing_a_used_choice_is_refused_with_how_many_answers(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["coordinator"])
    level = add(client, program, label="Level", kind="single_choice", choices=["Beginner", "Expert"])
    for name, answer in (("Ann", "Beginner"), ("Bob", "Beginner"), ("Cy", "Expert")):
        sign_in_as(client, world["f"].user(name))
        client.post(f"/api/v1/programs/{program.id}/enrolments", json={"role": "mentee", "answers": {"level": answer}})
    sign_in_as(client, world["coordinator"])
    url = f"/api/v1/programs/{program.id}/questions/{level['id']}"
    removed = client.patch(url, json={"choices": ["Expert", "Guru"]})
    assert removed.status_code == 409 and "2 answers given already would no longer fit" in removed.json()["detail"]
    kind = client.patch(url, json={"kind": "short_text", "choices": []})
    assert kind.status_code == 409 and "3 answers" in kind.json()["detail"]
    added = client.patch(url, json={"choices": ["Beginner", "Expert", "Guru"], "label": "Your level"})
    assert added.status_code == 200 and added.json()["label"] == "Your level"
    page = client.get(f"/programs/{program.id}/questions")
    assert "Its 3 answers will be deleted too." in page.text
    assert client.delete(url).status_code == 200
    assert client.run(lambda: EnrolmentAnswer.count()) == 0


class Onboarding:
    """A plugin that asks everyone for their employee number, and mentors for their team."""

    @hookimpl
    async def enrolment_questions(self, program: Any) -> list[QuestionSpec]:
        return [QuestionSpec(key="employee_number", label="Employee number", kind="short_text", required=True),
                QuestionSpec(key="team", label="Team", kind="single_choice", choices=["Web", "Data"],
                             asked_roles=["mentor"])]


@pytest.mark.parametrize("mentorkit_plugins", [[("onboarding", Onboarding())]])
def test_plugin_questions_are_kept_marked_and_not_editable(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["coordinator"])
    add(client, program, label="Goal", kind="short_text")
    listed = client.get(f"/api/v1/programs/{program.id}/questions").json()
    assert [(q["key"], q["source"]) for q in listed] == [
        ("goal", ""), ("employee_number", "onboarding"), ("team", "onboarding")]
    client.get(f"/api/v1/programs/{program.id}/questions")  # synced again: nothing doubles
    assert client.run(lambda: ProgramQuestion.count()) == 3
    page = client.get(f"/programs/{program.id}/questions")
    assert page.text.count("from onboarding") == 2
    employee = listed[1]
    refused = client.patch(f"/api/v1/programs/{program.id}/questions/{employee['id']}", json={"label": "Number"})
    assert refused.status_code == 409 and "plugin 'onboarding'" in refused.json()["detail"]
    assert client.delete(f"/api/v1/programs/{program.id}/questions/{employee['id']}").status_code == 409
    sign_in_as(client, world["f"].user("Mia"))
    missing = client.post(f"/api/v1/programs/{program.id}/enrolments", json={"role": "mentee"})
    assert missing.status_code == 400 and "“Employee number” is required" in missing.text
    joined = client.post(f"/api/v1/programs/{program.id}/enrolments",
                         json={"role": "mentee", "answers": {"employee_number": "E-42"}})
    assert joined.status_code == 201
