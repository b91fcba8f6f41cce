"""The participant list: search, filters (role, state, matched, answers with tag synonyms) and
paging, all in SQL, for coordinators only."""

# The fixtures imported from the other test modules are named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from mentorkit import api
from mentorkit.errors import PermissionDenied, ValidationFailed
from mentorkit.profiles.tables import Tag, TagSynonym
from mentorkit.programs import participants, services
from mentorkit.programs.participants import Filters
from mentorkit.programs.schemas import ProgramCreate
from mentorkit.programs.tables import Enrolment, EnrolmentAnswer, ProgramQuestion
from mentorkit.relationships import services as relationships
from tests.test_mentoring_pages import act_as, ok, people, spring_pair  # noqa: F401 - people is a fixture
from tests.test_programs import person


@dataclass
class World:
    admin: Any
    program_id: int
    enrolments: dict[str, int]


async def _question(program_id: int, key: str, kind: str, choices: list[str] | None = None) -> int:
    rows = await ProgramQuestion.insert(ProgramQuestion(
        program=program_id, question_key=f"{program_id}:{key}", key=key, label=key.title(), kind=kind,
        choices=choices or [])).returning(ProgramQuestion.id)
    return int(rows[0]["id"])


async def _answer(enrolment_id: int, question_id: int, value: Any, *, ascii_only: bool = True) -> None:
    """Store an answer as JSON text, as either kind of encoder writes it (Piccolo would keep a
    bare string as it is, which PostgreSQL's json type refuses)."""
    document = json.dumps(value, ensure_ascii=ascii_only)
    await EnrolmentAnswer.insert(EnrolmentAnswer(
        enrolment=enrolment_id, question=question_id, answer_key=f"{enrolment_id}:{question_id}", value=document))


@pytest.fixture
async def world(mentorkit_runtime: Any) -> World:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    await services.change_program_state(program.id, "enrolling", admin)
    enrolments = {}
    for name, role in (("mo", "mentor"), ("mia", "mentee"), ("max", "mentee"), ("meg", "mentee"),
                       ("zoe", "mentee")):
        enrolments[name] = (await services.enrol(program.id, role, await person(f"{name}@example.org"))).id
    await relationships.pair(program.id, [enrolments["mo"], enrolments["mia"]], admin)
    await services.withdraw_enrolment(program.id, enrolments["zoe"], admin)
    await Enrolment.update({Enrolment.state: "waitlisted"}).where(Enrolment.id == enrolments["meg"])
    tag = (await Tag.insert(Tag(key="machine-learning", label="Machine learning")).returning(Tag.id))[0]["id"]
    await TagSynonym.insert(TagSynonym(tag=tag, synonym="ML"))
    await Tag.insert(Tag(key="design", label="Design"))
    skills = await _question(program.id, "skills", "tags")
    track = await _question(program.id, "track", "single_choice", ["Data", "Café"])
    topics = await _question(program.id, "topics", "multiple_choice", ["Careers", "Leadership", "Café"])
    level = await _question(program.id, "level", "scale")
    goal = await _question(program.id, "goal", "long_text")
    await _answer(enrolments["mia"], skills, ["machine-learning"])
    await _answer(enrolments["max"], skills, ["design"])
    await _answer(enrolments["mia"], track, "Café")
    await _answer(enrolments["max"], track, "Data")
    await _answer(enrolments["max"], topics, ["Careers", "Leadership", "Café"], ascii_only=False)
    await _answer(enrolments["mia"], level, 4)
    await _answer(enrolments["max"], goal, "Become a 100% better speaker")
    return World(admin=admin, program_id=program.id, enrolments=enrolments)


async def names(world: World, **filters: Any) -> list[str]:
    page = await participants.search(world.program_id, Filters(**filters), world.admin, limit=50)
    assert page.total == len(page.items)
    return [p.display_name for p in page.items]


async def test_search_by_name_or_email_and_filter_by_role_state_and_matched(world: World) -> None:
    assert await names(world) == ["Mo", "Mia", "Max", "Meg"]  # live: active and waitlisted
    assert await names(world, q="MI") == ["Mia"]
    assert await names(world, q="max@example") == ["Max"]
    assert await names(world, q="m example.org") == ["Mo", "Mia", "Max", "Meg"]
    assert await names(world, role="mentor") == ["Mo"]
    assert await names(world, state="withdrawn") == ["Zoe"]
    assert await names(world, state="waitlisted") == ["Meg"]
    assert await names(world, state="any") == ["Mo", "Mia", "Max", "Meg", "Zoe"]
    assert await names(world, matched=True) == ["Mo", "Mia"]
    assert await names(world, matched=False, role="mentee") == ["Max", "Meg"]
    assert await names(world, q="100%") == []  # LIKE wildcards are searched for, not obeyed


async def test_answers_filter_with_tag_synonyms_choices_numbers_and_text(world: World) -> None:
    assert await names(world, question="skills", answer="ML") == ["Mia"]
    assert await names(world, question="skills", answer="machine learning") == ["Mia"]
    assert await names(world, question="track", answer="café") == ["Mia"]
    assert await names(world, question="track", answer="data") == ["Max"]
    assert await names(world, question="topics", answer="leadership") == ["Max"]
    assert await names(world, question="topics", answer="Café") == ["Max"]
    assert await names(world, question="level", answer="4") == ["Mia"]
    assert await names(world, question="goal", answer="100% better") == ["Max"]
    with pytest.raises(ValidationFailed) as caught:
        await names(world, question="skills", answer="knitting")
    assert "answer" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        await names(world, question="nope", answer="x")
    assert caught.value.errors == {"question": "is not a question of this program"}
    with pytest.raises(ValidationFailed, match="whole number"):
        await names(world, question="level", answer="four")


async def test_pages_carry_the_total_and_the_next_offset(world: World) -> None:
    first = await participants.search(world.program_id, Filters(state="any"), world.admin, limit=2)
    assert ([p.display_name for p in first.items], first.total, first.next_offset) == (["Mo", "Mia"], 5, 2)
    last = await participants.search(world.program_id, Filters(state="any"), world.admin, limit=2, offset=4)
    assert ([p.display_name for p in last.items], last.total, last.next_offset) == (["Zoe"], 5, None)
    beyond = await participants.search(world.program_id, Filters(state="any"), world.admin, limit=2, offset=40)
    assert (beyond.items, beyond.total) == ([], 5)
    through_api = await api.list_participants(world.program_id, api.SYSTEM, matched=True, limit=1)
    assert [p.display_name for p in through_api.items] == ["Mo"] and through_api.next_offset == 1


async def test_observers_and_strangers_get_no_participant_list(world: World) -> None:
    observer = await person("obi@example.org")
    await services.appoint_staff(world.program_id, "obi@example.org", "observer", world.admin)
    with pytest.raises(PermissionDenied):
        await participants.search(world.program_id, Filters(), observer)
    aggregates = await services.program_aggregates(world.program_id, observer)
    assert aggregates.enrolments == {"mentor": {"active": 1}, "mentee": {"active": 2, "waitlisted": 1,
                                                                         "withdrawn": 1}}
    assert (aggregates.matched, aggregates.unmatched) == ({"mentor": 1, "mentee": 1}, {"mentor": 0, "mentee": 1})


def test_the_participants_section_and_its_api_twin_filter_and_link_each_enrolment(
    mentorkit_client: Any, people: Any
) -> None:
    c = mentorkit_client
    pid, _, h = spring_pair(c)
    act_as(c, "otto@example.org")
    otto = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=act_as(
        c, "otto@example.org")), 201)["id"]
    h = act_as(c, "ada@example.org")
    page = ok(c.get(f"/programs/{pid}?section=participants&matched=no")).text
    assert f'href="/programs/{pid}/enrolments/{otto}"' in page and "Mia Mentee" not in page
    assert "1 participant matches" in page
    found = ok(c.get(f"/api/v1/programs/{pid}/participants?matched=true&role=mentee", headers=h))
    assert [p["display_name"] for p in found["items"]] == ["Mia Mentee"] and found["total"] == 1
    refused = c.get(f"/api/v1/programs/{pid}/participants?state=sleeping", headers=h)
    assert refused.status_code == 400 and "state" in refused.text
    page = c.get(f"/programs/{pid}?section=participants&question=nope&answer=x")
    assert page.status_code == 200 and "is not a question of this program" in page.text
