"""Program design: the design fields, edit (PATCH), duplicate, the whole life cycle with its
refusals, archived programs, who may create programs, staff removal and observers' numbers."""

# The fixtures imported from the other test modules are named again as test arguments.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from mentorkit import hookimpl
from mentorkit.contracts import MatchingStrategy, ProgramFormat, RoleSlot
from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.programs import services
from mentorkit.programs.schemas import ProgramCreate, ProgramDuplicate, ProgramUpdate
from mentorkit.programs.tables import Enrolment, ProgramInvitation, ProgramQuestion
from tests.test_mentoring_pages import act_as, form, ok, people, spring_pair  # noqa: F401 - people is a fixture
from tests.test_programs import events, person


class CircleSettings(msgspec.Struct, forbid_unknown_fields=True):
    max_group_size: int = msgspec.field(default=6)
    open_circle: bool = False


class CircleFormat:
    @hookimpl
    def register_program_formats(self, register: Any) -> None:
        register(ProgramFormat(key="circle", label="Mentoring circle", settings=CircleSettings, roles=[
            RoleSlot(role="mentor", label="mentor", plural="mentors"),
            RoleSlot(role="mentee", label="mentee", plural="mentees", max_members=6)]))

    @hookimpl
    def register_matching_strategies(self, register: Any) -> None:
        async def propose(pool: Any, settings: Any) -> list[Any]:
            return []

        register(MatchingStrategy(key="suggest", label="Suggestions", propose=propose))


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("circle", CircleFormat())]


async def test_the_design_is_stored_with_settings_defaults_and_read_back(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(
        slug="circles", name="Circles", format="circle", format_settings={"max_group_size": "4"},
        enrolment_mode="application", intake="rolling", role_limits={"mentee": 40}, default_capacity=3,
        meeting_cadence="monthly", duration_weeks=12, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 6, 1),
        allow_rejoin=False), admin)
    assert program.format_settings == {"max_group_size": 4, "open_circle": False}
    assert (program.enrolment_mode, program.intake, program.role_limits) == ("application", "rolling", {"mentee": 40})
    assert (program.default_capacity, program.meeting_cadence, program.duration_weeks) == (3, "monthly", 12)
    assert (program.starts_on, program.ends_on) == (dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    assert program.allow_rejoin is False


async def test_bad_settings_limits_and_dates_are_refused_with_the_field_named(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    with pytest.raises(ValidationFailed) as caught:
        await services.create_program(ProgramCreate(
            slug="circles", name="Circles", format="circle", format_settings={"max_group_size": "many"},
            role_limits={"buddy": 3}, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 2, 1)), admin)
    assert set(caught.value.errors) == {"format_settings.max_group_size", "role_limits.buddy", "ends_on"}
    program = await services.create_program(ProgramCreate(slug="circles", name="Circles", format="circle"), admin)
    with pytest.raises(ValidationFailed) as caught:
        await services.update_program(program.id, ProgramUpdate(format_settings={"colour": "red"}), admin)
    assert caught.value.errors == {"format_settings.colour": "is not a setting here"}


async def test_edit_changes_only_what_is_sent_and_names_the_changed_fields(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(slug="circles", name="Circles", format="circle"), admin)
    changed = await services.update_program(program.id, ProgramUpdate(
        name="Spring circles", format_settings={"max_group_size": 5}, duration_weeks=10), admin)
    assert (changed.name, changed.duration_weeks) == ("Spring circles", 10)
    assert changed.format_settings["max_group_size"] == 5
    assert changed.description == program.description and changed.slug == "circles"
    await services.update_program(program.id, ProgramUpdate(duration_weeks=None), admin)
    from mentorkit.events import EventRecord

    payloads = [r["payload"] for r in await EventRecord.select(EventRecord.payload).where(
        EventRecord.type == "program.updated").order_by(EventRecord.id)]
    fields = [msgspec.json.decode(p)["fields"] if isinstance(p, str) else p["fields"] for p in payloads]
    assert fields == [["name", "format_settings", "duration_weeks"], ["duration_weeks"]]
    # The format is fixed once enrolment opened.
    await services.change_program_state(program.id, "enrolling", admin)
    with pytest.raises(ValidationFailed, match="format"):
        await services.update_program(program.id, ProgramUpdate(format="one_to_one"), admin)


async def test_a_program_goes_through_its_whole_life_cycle_and_refuses_wrong_moves(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(slug="cycle", name="Cycle"), admin)
    with pytest.raises(ConflictError, match="cannot become running"):
        await services.change_program_state(program.id, "running", admin)
    for state in ("enrolling", "matching", "enrolling", "matching", "running", "closed", "archived"):
        program = await services.change_program_state(program.id, state, admin)
        assert program.state == state
    with pytest.raises(ConflictError, match="restore it first"):
        await services.update_program(program.id, ProgramUpdate(name="Renamed"), admin)
    assert program.id not in [p.id for p in await services.list_programs(admin)]
    assert program.id in [p.id for p in await services.list_programs(admin, include_archived=True)]
    assert (await services.change_program_state(program.id, "closed", admin)).state == "closed"
    assert (await services.update_program(program.id, ProgramUpdate(name="Renamed"), admin)).name == "Renamed"


async def test_opening_enrolment_checks_questions_choices_and_the_matching_strategy(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(
        slug="apply", name="Apply", enrolment_mode="application", matching_mode="automatic"), admin)
    with pytest.raises(ConflictError) as caught:
        await services.change_program_state(program.id, "enrolling", admin)
    message = str(caught.value)
    assert "at least one enrolment question" in message and "Suggestions" in message
    await ProgramQuestion.insert(ProgramQuestion(program=program.id, question_key=f"{program.id}:track", key="track",
                                                 label="Track", kind="single_choice", choices=["data"]))
    await services.update_program(program.id, ProgramUpdate(matching_strategy="suggest"), admin)
    with pytest.raises(ConflictError, match="“Track” needs at least two choices"):
        await services.change_program_state(program.id, "enrolling", admin)
    await ProgramQuestion.update({ProgramQuestion.choices: ["data", "design"]}).where(
        ProgramQuestion.program == program.id)
    assert (await services.change_program_state(program.id, "enrolling", admin)).state == "enrolling"


async def test_enrolment_is_open_while_enrolling_and_for_rolling_intake_later(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    cohort = await services.create_program(ProgramCreate(slug="cohort", name="Cohort"), admin)
    rolling = await services.create_program(ProgramCreate(slug="rolling", name="Rolling", intake="rolling"), admin)
    for program in (cohort, rolling):
        program = await services.change_program_state(program.id, "enrolling", admin)
        assert services.enrolment_is_open(program)
        program = await services.change_program_state(program.id, "running", admin)
        assert services.enrolment_is_open(program) == (program.intake == "rolling")


async def test_duplicate_copies_design_questions_and_staff_but_no_people(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    await person("obi@example.org")
    source = await services.create_program(ProgramCreate(
        slug="spring", name="Spring", format="circle", format_settings={"max_group_size": 3}, default_capacity=2,
    ), admin)
    await services.appoint_staff(source.id, "obi@example.org", "observer", admin)
    await ProgramQuestion.insert(ProgramQuestion(program=source.id, question_key=f"{source.id}:goal", key="goal",
                                                 label="Your goal", kind="short_text"))
    await services.change_program_state(source.id, "enrolling", admin)
    mentee = await person("mia@example.org")
    await services.enrol(source.id, "mentee", mentee)
    copy = await services.duplicate_program(source.id, ProgramDuplicate(slug="autumn", name="Autumn"), admin)
    assert (copy.state, copy.duplicated_from, copy.format, copy.default_capacity) == ("draft", source.id, "circle", 2)
    assert copy.format_settings == source.format_settings
    questions = await ProgramQuestion.select(ProgramQuestion.key, ProgramQuestion.question_key).where(
        ProgramQuestion.program == copy.id)
    assert questions == [{"key": "goal", "question_key": f"{copy.id}:goal"}]
    detail = await services.program_detail(copy.id, admin)
    assert sorted((s.display_name, s.role) for s in detail.staff or []) == [("Ada", "coordinator"), ("Obi", "observer")]
    assert await Enrolment.count().where(Enrolment.program == copy.id) == 0
    assert await ProgramInvitation.count().where(ProgramInvitation.program == copy.id) == 0
    assert (await events(f"program:{copy.id}"))[-1] == ("program.duplicated", f"program:{copy.id}")
    with pytest.raises(ConflictError, match="slug"):
        await services.duplicate_program(source.id, ProgramDuplicate(slug="autumn", name="Again"), admin)


async def test_the_last_coordinator_cannot_be_removed_or_become_an_observer(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    coordinator = await person("cleo@example.org")
    program = await services.create_program(ProgramCreate(slug="staffed", name="Staffed"), admin)
    await services.appoint_staff(program.id, "cleo@example.org", "coordinator", admin)
    removed = await services.remove_staff(program.id, admin.id, coordinator)
    assert (removed.user_id, removed.role) == (admin.id, "coordinator")
    with pytest.raises(ConflictError, match="last coordinator"):
        await services.remove_staff(program.id, coordinator.id, admin)
    with pytest.raises(ConflictError, match="last coordinator"):
        await services.appoint_staff(program.id, "cleo@example.org", "observer", admin)
    with pytest.raises(ConflictError, match="not on the program's staff"):
        await services.remove_staff(program.id, admin.id, admin)
    assert ("program.staff_removed", f"program:{program.id}") in await events(f"program:{program.id}")


class TestCreators:
    async def test_coordinators_may_not_create_programs_by_default(self, mentorkit_runtime: Any) -> None:
        admin = await person("ada@example.org", admin=True)
        cleo = await person("cleo@example.org")
        program = await services.create_program(ProgramCreate(slug="one", name="One"), admin)
        await services.appoint_staff(program.id, "cleo@example.org", "coordinator", admin)
        with pytest.raises(PermissionDenied, match="only site admins"):
            await services.create_program(ProgramCreate(slug="two", name="Two"), cleo)
        with pytest.raises(PermissionDenied):
            await services.duplicate_program(program.id, ProgramDuplicate(slug="three", name="Three"), cleo)


class TestCoordinatorsCreate:
    @pytest.fixture
    def mentorkit_settings_overrides(self) -> dict[str, Any]:
        return {"program_creators": "coordinators"}

    async def test_coordinators_create_programs_when_the_site_allows_it(self, mentorkit_runtime: Any) -> None:
        admin = await person("ada@example.org", admin=True)
        cleo = await person("cleo@example.org")
        newcomer = await person("nia@example.org")
        program = await services.create_program(ProgramCreate(slug="one", name="One"), admin)
        with pytest.raises(PermissionDenied):
            await services.create_program(ProgramCreate(slug="nope", name="Nope"), newcomer)
        await services.appoint_staff(program.id, "cleo@example.org", "coordinator", admin)
        mine = await services.create_program(ProgramCreate(slug="two", name="Two"), cleo)
        assert await services.staff_role(mine.id, cleo.id) == "coordinator"
        copy = await services.duplicate_program(program.id, ProgramDuplicate(slug="three", name="Three"), cleo)
        assert copy.duplicated_from == program.id


def test_observers_see_numbers_but_no_names_on_the_page_and_in_the_api(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, _, h = spring_pair(c)
    from mentorkit.testing.auth import create_user

    create_user(c, "obi@example.org", "Obi Observer")
    ok(c.post(f"/api/v1/programs/{pid}/staff", json={"email": "obi@example.org", "role": "observer"}, headers=h))
    h = act_as(c, "obi@example.org")
    detail = ok(c.get(f"/api/v1/programs/{pid}", headers=h))
    assert detail["aggregates"]["relationships"] == {"active": 1}
    assert detail["aggregates"]["matched"]["mentee"] == 1
    for url in (f"/api/v1/programs/{pid}/participants", f"/api/v1/programs/{pid}/relationships"):
        assert c.get(url, headers=h).status_code == 403
    assert ok(c.get(f"/api/v1/programs/{pid}/aggregates", headers=h))["enrolments"]["mentee"] == {"active": 1}
    page = ok(c.get(f"/programs/{pid}")).text
    assert "<svg" in page and "Relationships by state" in page and "Observers see numbers only" in page
    for section in ("participants", "relationships", "pairing"):
        shown = ok(c.get(f"/programs/{pid}?section={section}")).text
        assert "Mia Mentee" not in shown and "mia@example.org" not in shown
        assert f"?section={section}" not in shown


def test_design_edit_page_shows_the_settings_and_names_a_bad_one(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "circles", "name": "Circles", "format": "circle"}, headers=h),
             201)["id"]
    page = ok(c.get(f"/programs/{pid}/edit")).text
    assert 'name="format_settings.max_group_size"' in page and 'value="6"' in page
    assert 'name="format_settings.open_circle"' in page and 'name="role_limits.mentee"' in page
    data = form(c, name="Circles", slug="circles", format="circle", matching_strategy="manual",
                matching_mode="coordinator", enrolment_mode="open", intake="cohort", default_capacity="1",
                meeting_cadence="weekly", **{"format_settings.max_group_size": "lots", "role_limits.mentee": "0"})
    response = c.post(f"/programs/{pid}/edit", data=data)
    assert response.status_code == 400
    assert 'id="f-format_settings.max_group_size-error"' in response.text
    assert 'id="f-role_limits.mentee-error"' in response.text and 'value="lots"' in response.text
    data.update({"format_settings.max_group_size": "4", "role_limits.mentee": "30",
                 "format_settings.open_circle": "on"})
    ok(c.post(f"/programs/{pid}/edit", data=data, follow_redirects=False), 303)
    program = ok(c.get(f"/api/v1/programs/{pid}", headers=h))["program"]
    assert program["format_settings"] == {"max_group_size": 4, "open_circle": True}
    assert (program["role_limits"], program["meeting_cadence"]) == ({"mentee": 30}, "weekly")
    assert program["allow_rejoin"] is False
    response = c.patch(f"/api/v1/programs/{pid}", json={"format_settings": {"max_group_size": "lots"}}, headers=h)
    assert response.status_code == 400 and "format_settings.max_group_size" in response.text


def test_staff_are_removed_from_the_page_after_confirming(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    pid, _, h = spring_pair(c)
    ada = ok(c.get("/api/v1/me", headers=h))["id"]
    act_as(c, "ada@example.org")
    staff = ok(c.get(f"/programs/{pid}?section=staff")).text
    assert f'action="/programs/{pid}/staff/{ada}/remove"' in staff
    response = c.post(f"/programs/{pid}/staff/{ada}/remove", data=form(c), follow_redirects=False)
    assert response.status_code == 303 and "section=staff" in response.headers["location"]
    assert c.delete(f"/api/v1/programs/{pid}/staff/{ada}", headers=h).status_code == 409


def test_odd_numbers_are_field_errors_not_failures(mentorkit_client: Any, people: Any) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "odd", "name": "Odd"}, headers=h), 201)["id"]
    ok(c.post(f"/programs/{pid}/edit", data=form(c, name="Odd", slug="odd", **{"role_limits.mentee": "²"})), 400)
    response = c.get(f"/api/v1/programs/{pid}/participants?question=x&answer=--5", headers=h)
    assert response.status_code == 400 and "question" in response.text


def test_the_new_program_form_creates_the_design_and_shows_every_problem_at_once(
    mentorkit_client: Any, people: Any
) -> None:
    c = mentorkit_client
    act_as(c, "ada@example.org")
    page = ok(c.get("/programs/new")).text
    assert "Who makes the matches" in page and 'name="role_limits.mentee"' in page
    data = form(c, name="", slug="Bad Slug", format="circle", matching_strategy="manual",
                matching_mode="coordinator", enrolment_mode="open", intake="cohort", default_capacity="99",
                meeting_cadence="weekly", starts_on="2026-05-01", ends_on="2026-04-01",
                **{"format_settings.max_group_size": "x"})
    response = c.post("/programs", data=data)
    assert response.status_code == 400
    for field in ("name", "slug", "default_capacity", "format_settings.max_group_size"):
        assert f'id="f-{field}-error"' in response.text, field
    data.update(name="Circles", slug="circles", default_capacity="2", ends_on="2026-09-01",
                **{"format_settings.max_group_size": "5"})
    response = c.post("/programs", data=data, follow_redirects=False)
    assert response.status_code == 303
    pid = int(response.headers["location"].rsplit("/", 1)[1])
    overview = ok(c.get(f"/programs/{pid}")).text
    assert "Mentoring circle" in overview and "2026-05-01 to 2026-09-01" in overview and "Edit the design" in overview


class TestCreatorPages:
    @pytest.fixture
    def mentorkit_settings_overrides(self) -> dict[str, Any]:
        return {"program_creators": "coordinators"}

    def test_the_new_program_link_shows_to_coordinators_when_allowed(self, mentorkit_client: Any,
                                                                     people: Any) -> None:
        c = mentorkit_client
        pid, _, h = spring_pair(c)
        ok(c.post(f"/api/v1/programs/{pid}/staff", json={"email": "mo@example.org", "role": "coordinator"},
                  headers=h))
        h = act_as(c, "mo@example.org")
        assert 'href="/programs/new"' in ok(c.get("/programs")).text
        ok(c.post("/api/v1/programs", json={"slug": "mos", "name": "Mo's"}, headers=h), 201)
        h = act_as(c, "mia@example.org")
        assert 'href="/programs/new"' not in ok(c.get("/programs")).text
        assert c.post("/api/v1/programs", json={"slug": "mias", "name": "Mia's"}, headers=h).status_code == 403


async def test_plugins_see_the_whole_design_on_edit_and_may_refuse_it(mentorkit_runtime: Any) -> None:
    seen: list[Any] = []

    class SmallGroups:
        @hookimpl
        def validate_program(self, program: Any) -> list[str]:
            seen.append(program)
            return ["a mentor takes at most 3 mentees here"] if program.default_capacity > 3 else []

    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(slug="small", name="Small", intake="rolling"), admin)
    mentorkit_runtime.pm.register(SmallGroups(), name="small-groups")
    try:
        with pytest.raises(ValidationFailed, match="at most 3 mentees"):
            await services.update_program(program.id, ProgramUpdate(default_capacity=4), admin)
        assert (seen[-1].default_capacity, seen[-1].intake) == (4, "rolling")
        await services.change_program_state(program.id, "enrolling", admin)
        assert seen[-1].intake == "rolling" and seen[-1].state == "draft"
    finally:
        mentorkit_runtime.pm.unregister(name="small-groups")
    assert (await services.program_detail(program.id, admin)).program.default_capacity == 1
