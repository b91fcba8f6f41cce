"""Decision hooks and format callbacks may be async and read the database; their refusals
reach the page (a form error) and the API (a problem with the reason). Runs on both engines
(set MENTORKIT_TEST_DATABASE_URL for PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.contracts import PairingContext, ProgramFormat, RoleSlot
from mentorkit.relationships.services import program_relationships
from mentorkit.testing.auth import create_user, csrf_headers, csrf_token
from tests.test_mentoring_pages import act_as, ok

ONE_PAIR = "this program takes one pair only, and it has 1 already"


class OnePairPerProgram:
    """A throwaway plugin whose async ``relationship_transition`` counts the program's
    relationships through the core's own read and refuses a second pairing."""

    @hookimpl
    async def relationship_transition(self, relationship: Any, old: str, new: str, actor: Any) -> str | None:
        if old != "proposed":
            return None
        existing = await program_relationships(relationship.program_id, actor)
        return f"this program takes one pair only, and it has {len(existing)} already" if existing else None


class AsyncProgramRules:
    """Async ``validate_program`` and ``program_transition`` (read nothing, refuse by name)."""

    @hookimpl
    async def validate_program(self, program: Any) -> list[str]:
        return ["the name may not mention winter"] if "Winter" in program.name else []

    @hookimpl
    async def program_transition(self, program: Any, old: str, new: str, actor: Any) -> str | None:
        return "summer programs never run" if new == "running" and "Summer" in program.name else None


calls: list[tuple[str, str]] = []


async def capped_members(members: Sequence[Any], context: PairingContext) -> list[str]:
    """At most one relationship per mentor in a program: read through the core's services."""
    calls.append(("validate_members", context.program.format))
    mentor = next(m for m in members if m.role == "mentor")
    existing = await program_relationships(context.program.id, context.actor)
    taken = sum(1 for r in existing for m in r.members if m.user_id == mentor.user_id)
    return [f"{mentor.display_name} already mentors {taken} mentee in this program"] if taken else []


async def no_early_end(relationship: Any, from_state: str, to_state: str, actor: Any) -> str | None:
    calls.append(("allow_transition", relationship.format))
    return "capped relationships run to their end" if to_state == "ended_early" else None


def created(relationship: Any, actor: Any) -> None:
    calls.append(("on_relationship_created", relationship.format))


CAPPED = ProgramFormat(
    key="capped", label="Capped mentoring", roles=(RoleSlot("mentor", "mentor"), RoleSlot("mentee", "mentee")),
    validate_members=capped_members, allow_transition=no_early_end, on_relationship_created=created,
)


class CappedFormat:
    @hookimpl
    def register_program_formats(self, register: Callable[..., None]) -> None:
        register(CAPPED)


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    calls.clear()


# --------------------------------------------------------------------------- through HTTP




def program_with_people(c: Any, format_key: str = "one_to_one", mentors: int = 1, mentees: int = 2) -> Any:
    """An enrolling program with enrolled mentors and mentees; Ada (admin) stays signed in.

    Returns the program id and the enrolment ids by role."""
    create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring", "format": format_key,
                                                    "default_capacity": 2},
                    headers=h), 201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    enrolments: dict[str, list[int]] = {"mentor": [], "mentee": []}
    for role, count in (("mentor", mentors), ("mentee", mentees)):
        for n in range(count):
            email = f"{role}{n}@example.org"
            create_user(c, email, f"{role.title()} {n}")
            h = act_as(c, email)
            enrolments[role].append(
                ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": role}, headers=h), 201)["id"])
    act_as(c, "ada@example.org")
    return pid, enrolments


def pair_api(c: Any, pid: int, ids: list[int]) -> Any:
    return c.post(f"/api/v1/programs/{pid}/relationships", json={"enrolment_ids": ids}, headers=csrf_headers(c))


def pair_page(c: Any, pid: int, mentor: int, mentee: int) -> Any:
    return c.post(f"/programs/{pid}/relationships",
                  data={"_csrf_token": csrf_token(c), "mentor": str(mentor), "mentee": str(mentee)})


@pytest.fixture
def one_pair(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("one_pair", OnePairPerProgram()))


def test_an_async_relationship_transition_reading_the_database_refuses_a_pairing(
    one_pair: None, mentorkit_client: Any
) -> None:
    c = mentorkit_client
    pid, e = program_with_people(c, mentors=2)
    ok(pair_api(c, pid, [e["mentor"][0], e["mentee"][0]]), 201)

    refused = pair_api(c, pid, [e["mentor"][1], e["mentee"][1]])
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert ONE_PAIR in refused.json()["detail"]

    page = pair_page(c, pid, e["mentor"][1], e["mentee"][1])
    assert page.status_code == 409
    assert ONE_PAIR in page.text
    assert len(ok(c.get(f"/api/v1/programs/{pid}/relationships"))) == 1


@pytest.fixture
def capped(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("capped", CappedFormat()))


def test_an_async_format_callback_reading_the_database_refuses_a_pairing(
    capped: None, mentorkit_client: Any
) -> None:
    c = mentorkit_client
    pid, e = program_with_people(c, "capped")
    first = ok(pair_api(c, pid, [e["mentor"][0], e["mentee"][0]]), 201)
    assert calls == [("validate_members", "capped"), ("allow_transition", "capped"),
                     ("on_relationship_created", "capped")]

    refused = pair_api(c, pid, [e["mentor"][0], e["mentee"][1]])
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Mentor 0 already mentors 1 mentee in this program" in str(refused.json()["errors"])

    page = pair_page(c, pid, e["mentor"][0], e["mentee"][1])
    assert page.status_code == 400
    assert "Mentor 0 already mentors 1 mentee in this program" in page.text

    # The format's allow_transition refuses to end its relationship early: API and page.
    h = act_as(c, "mentee0@example.org")
    ended = c.post(f"/api/v1/relationships/{first['id']}/end", json={"reason_code": "schedule"}, headers=h)
    assert ended.status_code == 409
    assert "capped relationships run to their end" in ended.json()["detail"]
    page = c.post(f"/relationships/{first['id']}/end", data={"_csrf_token": csrf_token(c), "confirm": "on",
                                                           "reason_code": "schedule"})
    assert page.status_code == 409
    assert "capped relationships run to their end" in page.text


def test_a_format_callback_is_not_called_for_another_formats_relationships(
    capped: None, mentorkit_client: Any
) -> None:
    c = mentorkit_client
    pid, e = program_with_people(c, "one_to_one")
    ok(pair_api(c, pid, [e["mentor"][0], e["mentee"][0]]), 201)
    ok(pair_api(c, pid, [e["mentor"][0], e["mentee"][1]]), 201)
    assert calls == []


# --------------------------------------------------------------------------- services


@pytest.fixture
def program_rules(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("program_rules", AsyncProgramRules()))


async def test_async_program_hooks_refuse(program_rules: None, mentorkit_runtime: Any) -> None:
    from mentorkit.accounts.services import create_user as create
    from mentorkit.errors import ConflictError, ValidationFailed
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate

    admin = await create(email="ada@example.org", display_name="Ada", password="correct horse battery staple",
                         is_admin=True)
    with pytest.raises(ValidationFailed, match="may not mention winter"):
        await programs.create_program(ProgramCreate(slug="winter", name="Winter"), admin)
    summer = await programs.create_program(ProgramCreate(slug="summer", name="Summer"), admin)
    await programs.change_program_state(summer.id, "enrolling", admin)
    with pytest.raises(ConflictError, match="summer programs never run"):
        await programs.change_program_state(summer.id, "running", admin)


async def test_a_format_refuses_a_transition_of_its_own_relationships(
    capped: None, mentorkit_runtime: Any
) -> None:
    from mentorkit.accounts.services import create_user as create
    from mentorkit.errors import ConflictError
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.relationships import services as relationships

    async def person(email: str, admin: bool = False) -> Any:
        return await create(email=email, display_name=email.split("@")[0], password="correct horse battery staple",
                            is_admin=admin)

    admin, mentor, mentee = await person("ada@example.org", True), await person("mo@x.org"), await person("mia@x.org")
    program = await programs.create_program(ProgramCreate(slug="spring", name="Spring", format="capped"), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    ids = [(await programs.enrol(program.id, role, who)).id for role, who in (("mentor", mentor), ("mentee", mentee))]
    relationship = await relationships.pair(program.id, ids, admin)
    with pytest.raises(ConflictError, match="capped relationships run to their end"):
        await relationships.transition_relationship(relationship.id, "ended_early", mentee, reason_code="schedule")
    await relationships.transition_relationship(relationship.id, "paused", mentee,
                                                resume_on=dt.date.today() + dt.timedelta(days=7))
    assert calls[-2:] == [("allow_transition", "capped"), ("allow_transition", "capped")]


class SyncVeto:
    @hookimpl
    def relationship_transition(self, relationship: Any, old: str, new: str, actor: Any) -> str | None:
        return "sync says no"


class AsyncVeto:
    @hookimpl
    async def relationship_transition(self, relationship: Any, old: str, new: str, actor: Any) -> str | None:
        return "async says no"


class AsyncAllow:
    @hookimpl
    async def relationship_transition(self, relationship: Any, old: str, new: str, actor: Any) -> str | None:
        return None


async def test_the_facade_collects_sync_and_async_answers_alike() -> None:
    from mentorkit.hooks import Hooks
    from mentorkit.plugins import create_plugin_manager

    pm = create_plugin_manager({}, extra_plugins=[("sync", SyncVeto()), ("async", AsyncVeto()),
                                                  ("allow", AsyncAllow())])
    refusals = await Hooks(pm).relationship_transition_refusals(None, "active", "paused", None)
    assert sorted(refusals) == ["async says no", "sync says no"]


class Exploding:
    @hookimpl
    def register_program_formats(self, register: Callable[..., None]) -> None:
        def explode(relationship: Any, actor: Any) -> None:
            raise RuntimeError(f"cannot set up relationship {relationship.id}")

        register(ProgramFormat(key="exploding", label="Exploding", roles=CAPPED.roles,
                               on_relationship_created=explode))


@pytest.fixture
def exploding(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("exploding", Exploding()))


async def test_on_relationship_created_runs_in_the_pairing_transaction(exploding: None, mentorkit_runtime: Any) -> None:
    """It sees the stored relationship, and raising undoes the pairing and its event."""
    from mentorkit.accounts.services import create_user as create
    from mentorkit.events import EventRecord
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.relationships import services as relationships
    from mentorkit.relationships.tables import Relationship

    people = [await create(email=f"{n}@example.org", display_name=n, password="correct horse battery staple",
                           is_admin=n == "ada") for n in ("ada", "mo", "mia")]
    admin, mentor, mentee = people
    program = await programs.create_program(ProgramCreate(slug="boom", name="Boom", format="exploding"), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    ids = [(await programs.enrol(program.id, role, who)).id for role, who in (("mentor", mentor), ("mentee", mentee))]
    with pytest.raises(RuntimeError, match=r"cannot set up relationship \d+"):
        await relationships.pair(program.id, ids, admin)
    assert await Relationship.count() == 0
    assert await EventRecord.count().where(EventRecord.type == "relationship.created") == 0
