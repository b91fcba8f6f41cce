"""Programs: admins create them, coordinators run them through their states, people enrol."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.tables import User
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.programs import services
from mentorkit.programs.schemas import ProgramCreate
from mentorkit.programs.tables import Enrolment, Program, ProgramStaff


async def person(email: str, *, admin: bool = False) -> CurrentUser:
    """An account without a usable password (service tests never sign in; hashing is slow)."""
    name = email.split("@")[0].title()
    rows = await User.insert(
        User(email=email, display_name=name, password_hash="!", is_admin=admin)
    ).returning(User.id)
    return CurrentUser(id=rows[0]["id"], email=email, display_name=name, is_admin=admin)


async def events(subject: str | None = None) -> list[tuple[str, str]]:
    query = EventRecord.select(EventRecord.type, EventRecord.subject).order_by(EventRecord.id)
    if subject:
        query = query.where(EventRecord.subject == subject)
    return [(row["type"], row["subject"]) for row in await query]


async def new_program(admin: Any, slug: str = "spring-cohort", state: str = "enrolling",
                      intake: str = "cohort") -> Any:
    program = await services.create_program(ProgramCreate(slug=slug, name="Spring cohort", intake=intake), admin)
    if state in ("enrolling", "running"):
        program = await services.change_program_state(program.id, "enrolling", admin)
    if state == "running":
        program = await services.change_program_state(program.id, "running", admin)
    return program


async def test_admin_creates_a_draft_program_and_becomes_its_coordinator(
    mentorkit_runtime: Any,
) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(
        ProgramCreate(slug="spring-cohort", name="Spring cohort", description="Six months."), admin
    )
    assert (program.state, program.format, program.matching_strategy) == (
        "draft",
        "one_to_one",
        "manual",
    )
    assert await services.staff_role(program.id, admin.id) == "coordinator"
    assert await events(f"program:{program.id}") == [("program.created", f"program:{program.id}")]


async def test_only_site_admins_create_programs(mentorkit_runtime: Any) -> None:
    member = await person("max@example.org")
    with pytest.raises(PermissionDenied):
        await services.create_program(ProgramCreate(slug="x-program", name="X"), member)
    assert await Program.count() == 0


async def test_format_and_strategy_must_be_registered(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    with pytest.raises(ValidationFailed) as caught:
        await services.create_program(
            ProgramCreate(
                slug="x-program", name="X", format="speed_dating", matching_strategy="astrology"
            ),
            admin,
        )
    assert set(caught.value.errors) == {"format", "matching_strategy"}
    assert "one_to_one" in caught.value.errors["format"]


async def test_duplicate_slug_is_a_conflict(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    await services.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    with pytest.raises(ConflictError, match="slug"):
        await services.create_program(ProgramCreate(slug="spring", name="Spring again"), admin)
    assert await Program.count() == 1


async def test_program_moves_through_its_states_with_events(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    for state in ("enrolling", "running", "closed"):
        program = await services.change_program_state(
            program.id, state, admin, reason=f"to {state}"
        )
        assert program.state == state
    types = [t for t, _ in await events(f"program:{program.id}")]
    assert types == ["program.created"] + ["program.state_changed"] * 3


async def test_program_cannot_skip_or_reverse_states(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await services.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    with pytest.raises(ConflictError, match="draft; it cannot become running"):
        await services.change_program_state(program.id, "running", admin)
    await services.change_program_state(program.id, "closed", admin)
    with pytest.raises(ConflictError, match="closed"):
        await services.change_program_state(program.id, "enrolling", admin)


class RefusesToStart:
    """A throwaway plugin that refuses to start programs and dislikes one name."""

    @hookimpl
    def program_transition(self, program: Any, old: str, new: str, actor: Any) -> str | None:
        return "no mentors trained yet" if new == "running" else None

    @hookimpl
    def validate_program(self, program: Any) -> list[str] | None:
        return ["the name 'Forbidden' is reserved"] if program.name == "Forbidden" else None


@pytest.fixture
def refusing_plugin(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("refuses_to_start", RefusesToStart()))


async def test_plugins_can_refuse_a_program_transition(
    refusing_plugin: None, mentorkit_runtime: Any
) -> None:
    admin = await person("ada@example.org", admin=True)
    program = await new_program(admin)
    with pytest.raises(ConflictError, match="no mentors trained yet"):
        await services.change_program_state(program.id, "running", admin)
    assert (await Program.select(Program.state).where(Program.id == program.id).first())[
        "state"
    ] == "enrolling"
    # The refused change left no event behind.
    assert [t for t, _ in await events(f"program:{program.id}")].count("program.state_changed") == 1


async def test_plugins_validate_a_new_program(
    refusing_plugin: None, mentorkit_runtime: Any
) -> None:
    admin = await person("ada@example.org", admin=True)
    with pytest.raises(ValidationFailed, match="reserved"):
        await services.create_program(ProgramCreate(slug="forbidden", name="Forbidden"), admin)
    assert await Program.count() == 0


async def test_only_coordinators_change_state(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    member = await person("max@example.org")
    draft = await services.create_program(ProgramCreate(slug="draft", name="Draft"), admin)
    # A draft program is not known to exist for people outside it.
    with pytest.raises(NotFound):
        await services.change_program_state(draft.id, "enrolling", member)
    program = await new_program(admin, slug="open")
    with pytest.raises(PermissionDenied):
        await services.change_program_state(program.id, "running", member)


async def test_people_enrol_with_a_role_of_the_format(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    mentee = await person("mia@example.org")
    program = await new_program(admin)
    enrolment = await services.enrol(program.id, "mentee", mentee)
    assert (enrolment.role, enrolment.state, enrolment.display_name) == ("mentee", "active", "Mia")
    with pytest.raises(ValidationFailed) as caught:
        await services.enrol(program.id, "sidekick", mentee)
    assert "mentor" in caught.value.errors["role"]
    assert ("enrolment.created", f"program:{program.id}") in await events()


async def test_one_active_enrolment_per_person_program_and_role(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    mia = await person("mia@example.org")
    program = await new_program(admin)
    first = await services.enrol(program.id, "mentee", mia)
    with pytest.raises(ConflictError, match="already enrolled"):
        await services.enrol(program.id, "mentee", mia)
    # Another role is another enrolment; withdrawing frees the role again.
    await services.enrol(program.id, "mentor", mia)
    withdrawn = await services.withdraw_enrolment(program.id, first.id, mia)
    assert withdrawn.state == "withdrawn"
    again = await services.enrol(program.id, "mentee", mia)
    assert again.id != first.id
    assert ("enrolment.withdrawn", f"program:{program.id}") in await events()


async def test_database_refuses_a_second_active_enrolment_even_without_the_check(
    mentorkit_runtime: Any,
) -> None:
    admin = await person("ada@example.org", admin=True)
    mia = await person("mia@example.org")
    program = await new_program(admin)
    await services.enrol(program.id, "mentee", mia)
    with pytest.raises(ConflictError):
        await Enrolment.insert(
            Enrolment(
                program=program.id,
                user=mia.id,
                role="mentee",
                active_key=f"{program.id}:{mia.id}:mentee",
            )
        )


async def test_enrolment_is_open_while_enrolling_and_for_rolling_intake_while_running(
    mentorkit_runtime: Any,
) -> None:
    admin = await person("ada@example.org", admin=True)
    mia = await person("mia@example.org")
    program = await services.create_program(ProgramCreate(slug="spring", name="Spring"), admin)
    with pytest.raises(NotFound):  # a draft is invisible to her
        await services.enrol(program.id, "mentee", mia)
    await services.change_program_state(program.id, "closed", admin)
    with pytest.raises(ConflictError, match="not open for enrolment"):
        await services.enrol(program.id, "mentee", admin)
    # A cohort starts together: once it runs, nobody new joins; a rolling intake stays open.
    cohort = await new_program(admin, slug="cohort", state="running")
    with pytest.raises(ConflictError, match="not open for enrolment"):
        await services.enrol(cohort.id, "mentor", mia)
    rolling = await new_program(admin, slug="rolling", state="running", intake="rolling")
    assert (await services.enrol(rolling.id, "mentor", mia)).role == "mentor"


async def test_coordinator_appoints_staff_by_email(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    cora = await person("cora@example.org")
    otto = await person("otto@example.org")
    program = await new_program(admin)
    staff = await services.appoint_staff(program.id, "  CORA@example.org ", "coordinator", admin)
    assert (staff.user_id, staff.role) == (cora.id, "coordinator")
    # The new coordinator may appoint in turn; appointing again changes the role.
    await services.appoint_staff(program.id, "otto@example.org", "observer", cora)
    with pytest.raises(ConflictError, match="already observer"):
        await services.appoint_staff(program.id, "otto@example.org", "observer", cora)
    with pytest.raises(ValidationFailed, match="no active account"):
        await services.appoint_staff(program.id, "nobody@example.org", "observer", cora)
    # Observers read but never change.
    with pytest.raises(PermissionDenied):
        await services.appoint_staff(program.id, "mia@example.org", "observer", otto)
    # ... and read aggregates only, never the names of who takes part.
    with pytest.raises(PermissionDenied):
        await services.list_enrolments(program.id, otto)
    assert await ProgramStaff.count().where(ProgramStaff.program == program.id) == 3


async def test_program_list_shows_open_programs_and_my_own(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    mia = await person("mia@example.org")
    await services.create_program(ProgramCreate(slug="secret-draft", name="Draft"), admin)
    open_program = await new_program(admin, slug="open")
    closed = await new_program(admin, slug="closed-one")
    await services.enrol(closed.id, "mentee", mia)
    await services.change_program_state(closed.id, "closed", admin)
    assert [p.slug for p in await services.list_programs(mia)] == [open_program.slug, closed.slug]
    assert len(await services.list_programs(admin)) == 3


async def test_program_detail_shows_staff_parts_to_staff_only(mentorkit_runtime: Any) -> None:
    admin = await person("ada@example.org", admin=True)
    mia = await person("mia@example.org")
    program = await new_program(admin)
    await services.enrol(program.id, "mentee", mia)
    as_mia = await services.program_detail(program.id, mia)
    assert as_mia.staff is None and as_mia.enrolment_counts is None
    assert [e.role for e in as_mia.my_enrolments] == ["mentee"]
    as_admin = await services.program_detail(program.id, admin)
    assert as_admin.enrolment_counts == {"mentor": 0, "mentee": 1}
    assert as_admin.roles == ["mentor", "mentee"]
    with pytest.raises(PermissionDenied):
        await services.list_enrolments(program.id, mia)
