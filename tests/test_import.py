"""CSV import: the whole file checked first, every bad line reported, nothing half-written."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from mentorkit import background
from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.tables import Notification, OneTimeToken, User
from mentorkit.errors import ConflictError, PermissionDenied
from mentorkit.events import Delivery, EventRecord
from mentorkit.imports import csv_reader
from mentorkit.imports.service import Report, import_participants
from mentorkit.profiles.tables import Profile, ProfileTag, Tag, TagSynonym
from mentorkit.programs import services
from mentorkit.programs.schemas import ProgramCreate
from mentorkit.programs.tables import Enrolment, EnrolmentAnswer, ProgramQuestion

SAMPLE = Path(__file__).parent.parent / "docs" / "samples" / "participants.csv"
TOUCHED = (User, Profile, ProfileTag, Enrolment, EnrolmentAnswer, OneTimeToken, Notification, EventRecord, Delivery)
HEADER = "email,display_name,role,capacity,skills_offered,skills_sought,answer:goal,answer:level\n"


async def person(email: str, *, admin: bool = False) -> CurrentUser:
    """An account without a usable password (service tests never sign in)."""
    name = email.split("@")[0].title()
    rows = await User.insert(User(email=email, display_name=name, password_hash="!", is_admin=admin)).returning(User.id)
    return CurrentUser(id=rows[0]["id"], email=email, display_name=name, is_admin=admin)


async def counts() -> dict[str, int]:
    return {table.__name__: await table.count() for table in TOUCHED}


async def program_with_questions(admin: CurrentUser, slug: str = "spring-cohort") -> int:
    """An enrolling 1:1 program asking a choice question of everyone and a scale of mentees,
    and a vocabulary where "ML" is a synonym of machine learning."""
    program = await services.create_program(ProgramCreate(slug=slug, name="Spring cohort"), admin)
    await services.change_program_state(program.id, "enrolling", admin)
    await ProgramQuestion.insert(
        ProgramQuestion(program=program.id, question_key=f"{program.id}:goal", key="goal", label="Your goal",
                        kind="single_choice", choices=json.dumps(["Career", "Skills", "Network"]), position=1),
        ProgramQuestion(program=program.id, question_key=f"{program.id}:level", key="level", label="Your level",
                        kind="scale", scale_min=1, scale_max=5, asked_roles=json.dumps(["mentee"]), position=2),
    )
    if not await Tag.exists().where(Tag.key == "python"):
        await Tag.insert(Tag(key="python", label="Python"), Tag(key="machine-learning", label="Machine learning"))
        ml = await Tag.select(Tag.id).where(Tag.key == "machine-learning").first()
        await TagSynonym.insert(TagSynonym(tag=ml["id"], synonym="ml"))
    return program.id


@pytest.fixture
async def world(mentorkit_runtime: Any) -> tuple[CurrentUser, int]:
    admin = await person("ada@example.org", admin=True)
    return admin, await program_with_questions(admin)


def stored(value: Any) -> Any:
    """A JSON column's value, whether the driver decoded it or not."""
    return json.loads(value) if isinstance(value, str) else value


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    return response.json() if "json" in response.headers.get("content-type", "") else response


def assert_well_formed(page: str) -> None:
    """What the crawl checks: one <h1>, unique ids, a label for every field."""
    import re
    from collections import Counter

    assert page.count("<h1") == 1
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, n in ids.items() if n > 1] == []
    for field_id in re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\sid="([^"]+)"', page):
        assert f'for="{field_id}"' in page, field_id


def messages(report: Report) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.column, p.message) for p in report.problems]


GOOD = HEADER + (
    "mia@example.org,Mia Mentee,mentee,,ML;Python,,Career,3\n"
    "max@example.org,Max Mentor,Mentor,2,Python,machine learning,Skills,\n"
)


async def test_a_good_file_is_imported_in_one_go(world: Any) -> None:
    admin, pid = world
    report = await import_participants(pid, GOOD.encode(), admin)
    assert (report.imported, report.lines, report.people, report.new_people, report.enrolments) == (True, 2, 2, 2, 2)
    assert report.problems == []
    rows = await Enrolment.select(Enrolment.user.email, Enrolment.role, Enrolment.capacity, Enrolment.state).where(
        Enrolment.program == pid).order_by(Enrolment.id)
    assert [(r["user.email"], r["role"], r["capacity"], r["state"]) for r in rows] == [
        ("mia@example.org", "mentee", None, "active"), ("max@example.org", "mentor", 2, "active")]
    tags = await ProfileTag.select(ProfileTag.user.email, ProfileTag.tag.key, ProfileTag.kind).order_by(ProfileTag.id)
    assert {(t["user.email"], t["tag.key"], t["kind"]) for t in tags} == {
        ("mia@example.org", "machine-learning", "offered"), ("mia@example.org", "python", "offered"),
        ("max@example.org", "python", "offered"), ("max@example.org", "machine-learning", "sought")}
    answers = await EnrolmentAnswer.select(EnrolmentAnswer.question.key, EnrolmentAnswer.value)
    assert sorted((a["question.key"], stored(a["value"])) for a in answers) == [
        ("goal", "Career"), ("goal", "Skills"), ("level", 3)]
    types = [r["type"] for r in await EventRecord.select(EventRecord.type).order_by(EventRecord.id)]
    assert types.count("enrolment.created") == 2 and types.count("enrolments.imported") == 1
    imported = await EventRecord.select(EventRecord.payload).where(EventRecord.type == "enrolments.imported").first()
    assert stored(imported["payload"]) == {"rows": 2, "created_people": 2, "enrolments": 2, "skipped": 0}


async def test_people_without_an_account_get_one_without_a_password_and_a_link(world: Any) -> None:
    from mentorkit.accounts.services import authenticate, reset_password
    from mentorkit.accounts.tokens import derived_token
    from mentorkit.notifications.services import message_for
    from mentorkit.runtime import current_runtime

    admin, pid = world
    await import_participants(pid, GOOD.encode(), admin)
    mia = await User.select().where(User.email == "mia@example.org").first()
    assert mia["active"] and mia["display_name"] == "Mia Mentee"
    assert await authenticate("mia@example.org", "!") is None
    note = await Notification.select().where(Notification.user == mia["id"]).first()
    message = await message_for(note["id"])
    assert message is not None and message.link and "/reset/" in message.link
    token_row = await OneTimeToken.select().where(OneTimeToken.user == mia["id"]).first()
    token = derived_token(current_runtime().settings.secret_key, "password_reset", token_row["id"], token_row["nonce"])
    assert message.link.endswith(token)
    await reset_password(token, "a long and private phrase")
    assert await authenticate("mia@example.org", "a long and private phrase") is not None


async def test_people_with_an_account_are_enrolled_as_they_are(world: Any) -> None:
    admin, pid = world
    await person("max@example.org")
    report = await import_participants(pid, GOOD.encode(), admin)
    assert (report.people, report.new_people) == (2, 1)
    max_row = await User.select(User.display_name).where(User.email == "max@example.org").first()
    assert max_row["display_name"] == "Max"
    assert await OneTimeToken.count().where(OneTimeToken.email == "max@example.org") == 0


@pytest.mark.parametrize(("data", "expected"), [
    (codecs.BOM_UTF16_LE + b"e\x00m\x00a", "not valid UTF-16"),
    ("email,role\nzoë@example.org,mentee\n".encode("latin-1"), "Latin-1"),
    ("email,role\r\nzoë@example.org,mentee\r\n".encode("cp1252"), "CSV UTF-8"),
    ("email,role\n".encode("utf-16-le"), "without a byte-order mark"),
])
def test_encodings_that_are_not_utf8_are_refused_saying_what_to_save_as(data: bytes, expected: str) -> None:
    text, problem = csv_reader.decode(data)
    assert text is None and problem is not None and expected in problem.message


def test_utf8_with_or_without_bom_and_utf16_with_bom_are_read() -> None:
    text = "email,display_name\nzoë@example.org,Zoë\n"
    assert csv_reader.decode(codecs.BOM_UTF8 + text.encode())[0] == text
    assert csv_reader.decode(text.encode())[0] == text
    assert csv_reader.decode(text.encode("utf-16"))[0] == text


async def test_a_latin1_file_changes_nothing(world: Any) -> None:
    admin, pid = world
    before = await counts()
    report = await import_participants(pid, GOOD.replace("Mia", "Zoë").encode("latin-1"), admin)
    assert not report.imported and "CSV UTF-8" in report.problems[0].message
    assert await counts() == before


async def test_a_utf16_file_with_a_bom_is_imported(world: Any) -> None:
    admin, pid = world
    report = await import_participants(pid, GOOD.replace("Mia", "Zoë").encode("utf-16"), admin)
    assert report.imported and await User.exists().where(User.display_name == "Zoë Mentee")


async def test_column_problems_are_named_and_nothing_changes(world: Any) -> None:
    admin, pid = world
    before = await counts()
    report = await import_participants(pid, b"EMAIL,Email,shoe_size,answer:nope\nmia@example.org,x,1,2\n", admin)
    text = " | ".join(p.message for p in report.problems)
    assert "“email” appears more than once" in text and "unknown column “shoe_size”" in text
    assert "“answer:nope” names no question" in text and "required column “role” is missing" in text
    assert all(p.line is None for p in report.problems) and not report.imported
    assert await counts() == before


async def test_every_bad_line_is_reported_with_its_column_and_nothing_changes(world: Any) -> None:
    admin, pid = world
    await person("old@example.org")
    report = await import_participants(pid, GOOD.encode(), admin)  # Mia and Max are now enrolled
    before = await counts()
    bad = HEADER + (
        "not-an-address,Someone,mentee,,,,Career,1\n"           # 2: bad e-mail
        "new@example.org,New,mentee,,Cobol;python,,Career,1\n"  # 3: unknown tag
        "new2@example.org,New,mentee,,,,Fame,9\n"               # 4: answer outside the choices; scale
        "mia@example.org,,mentee,,,,Career,2\n"                 # 5: already enrolled with that role
        "twice@example.org,Two,mentor,,,,Career,\n"             # 6: twice in the file ...
        "twice@example.org,Two,mentor,,,,Network,\n"            # 7: ... with the same role
        "nobody@example.org,,mentee,,,,Career,2\n"              # 8: no name, no account
        "old@example.org,,wizard,99,,,Career,\n"                # 9: role, capacity
        "ok@example.org,Okay,mentee,,,,Network,4\n"             # 10: good
        "short@example.org,Short\n"                             # 11: too few cells
    )
    report = await import_participants(pid, bad.encode(), admin)
    found = {(line, column) for line, column, _ in messages(report)}
    assert found == {(2, "email"), (3, "skills_offered"), (4, "answer:goal"), (4, "answer:level"), (5, "role"),
                     (6, "email"), (7, "email"), (8, "display_name"), (9, "role"), (9, "capacity"), (11, None)}
    text = {(line, column): message for line, column, message in messages(report)}
    assert "Cobol" in text[(3, "skills_offered")] and "python" not in text[(3, "skills_offered")].lower()
    assert "“Your goal”" in text[(4, "answer:goal")] and "Fame" in text[(4, "answer:goal")]
    assert "line 7" in text[(6, "email")] and "line 6" in text[(7, "email")]
    assert "already enrolled" in text[(5, "role")]
    assert (report.imported, report.lines, report.enrolments, report.skipped) == (False, 10, 1, 9)
    assert await counts() == before


async def test_only_when_asked_the_good_lines_and_never_half_a_person(world: Any) -> None:
    admin, pid = world
    data = HEADER + (
        "ok@example.org,Okay,mentee,,Python,,Network,4\n"
        "both@example.org,Both,mentee,,,,Career,2\n"
        "both@example.org,Both,mentor,,,,Fame,\n"     # Both's second line is bad: none of Both goes in
        "bad@example.org,Bad,mentee,,Cobol,,Career,2\n"
    )
    report = await import_participants(pid, data.encode(), admin, skip_bad_lines=True)
    assert (report.imported, report.people, report.enrolments, report.skipped) == (True, 1, 1, 3)
    others = await User.select(User.email).where(User.email != "ada@example.org")
    assert [r["email"] for r in others] == ["ok@example.org"]
    assert await Enrolment.count() == 1 and await ProfileTag.count() == 1


async def test_a_person_with_two_roles_is_one_account_with_two_enrolments(world: Any) -> None:
    admin, pid = world
    data = HEADER + "both@example.org,Both,mentee,,,,Career,2\nboth@example.org,,mentor,3,,,Skills,\n"
    report = await import_participants(pid, data.encode(), admin)
    assert (report.people, report.new_people, report.enrolments) == (1, 1, 2)
    assert await User.count().where(User.email == "both@example.org") == 1
    assert sorted(r["role"] for r in await Enrolment.select(Enrolment.role)) == ["mentee", "mentor"]


async def test_a_dry_run_writes_nothing(world: Any) -> None:
    admin, pid = world
    before = await counts()
    report = await import_participants(pid, GOOD.encode(), admin, dry_run=True)
    assert (report.dry_run, report.imported, report.people, report.new_people) == (True, False, 2, 2)
    assert await counts() == before


async def test_a_file_over_the_limit_is_refused_before_parsing(world: Any) -> None:
    admin, pid = world
    before = await counts()
    # 50 MB of lines that would each be a problem if they were ever parsed.
    data = HEADER.encode() + b"x" * (50 * 1024 * 1024)
    report = await import_participants(pid, data, admin)
    assert len(report.problems) == 1 and f"{csv_reader.MAX_BYTES:,} bytes" in report.problems[0].message
    assert report.lines == 0 and await counts() == before


async def test_too_many_lines_are_refused(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentorkit.imports import service

    admin, pid = world
    monkeypatch.setattr(service, "MAX_ROWS", 1)
    report = await import_participants(pid, GOOD.encode(), admin)
    assert "more than 1 lines" in report.problems[-1].message and await Enrolment.count() == 0


async def test_formula_cells_are_stored_as_text(world: Any) -> None:
    admin, pid = world
    data = "email,display_name,role,headline\nevil@example.org,=cmd|' /C calc'!A0,mentee,@SUM(1+1)\n"
    report = await import_participants(pid, data.encode(), admin)
    assert report.imported
    assert (await User.select(User.display_name).where(User.email == "evil@example.org").first())["display_name"] == (
        "=cmd|' /C calc'!A0")
    assert (await Profile.select(Profile.headline).first())["headline"] == "@SUM(1+1)"


async def test_required_questions_must_be_answered(world: Any) -> None:
    admin, pid = world
    await ProgramQuestion.update({ProgramQuestion.required: True}).where(ProgramQuestion.key == "goal")
    report = await import_participants(pid, b"email,display_name,role\nmia@example.org,Mia,mentee\n", admin)
    assert [(p.line, p.column) for p in report.problems] == [(2, "answer:goal")]
    assert "“Your goal” is required" in report.problems[0].message


async def test_only_coordinators_import_and_not_into_a_closed_program(world: Any) -> None:
    admin, pid = world
    stranger = await person("sam@example.org")
    with pytest.raises(PermissionDenied):
        await import_participants(pid, GOOD.encode(), stranger)
    await services.change_program_state(pid, "closed", admin)
    with pytest.raises(ConflictError):
        await import_participants(pid, GOOD.encode(), admin)
    assert await Enrolment.count() == 0


async def test_bad_csv_syntax_is_a_line_problem(world: Any) -> None:
    admin, pid = world
    report = await import_participants(pid, b'email,role\n"mia@example.org,mentee\n', admin)
    assert report.problems and report.problems[0].line == 2 and not report.imported


async def test_the_sample_file_in_the_docs_imports(world: Any) -> None:
    admin, pid = world
    report = await import_participants(pid, SAMPLE.read_bytes(), admin)
    assert report.problems == [] and report.imported and report.enrolments >= 4


# --------------------------------------------------------------------------- the pages and the API


@pytest.fixture
def site(mentorkit_client: Any) -> tuple[Any, int]:
    """A client signed in as Ada, site admin and coordinator of an enrolling program with
    questions; Otto has an account and coordinates nothing."""
    from mentorkit.testing.auth import create_user, sign_in

    c = mentorkit_client
    admin = create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    create_user(c, "otto@example.org", "Otto Other")
    pid = c.run(program_with_questions, admin)
    sign_in(c, "ada@example.org")
    return c, pid


def test_the_api_imports_a_csv_body_and_reports(site: Any) -> None:
    from mentorkit.testing.auth import csrf_headers

    c, pid = site
    h = {**csrf_headers(c), "content-type": "text/csv"}
    response = c.post(f"/api/v1/programs/{pid}/imports?dry_run=true", content=GOOD.encode(), headers=h)
    assert response.status_code == 200 and response.json()["dry_run"] is True and response.json()["imported"] is False
    response = c.post(f"/api/v1/programs/{pid}/imports", content=GOOD.encode(), headers=h)
    assert response.status_code == 200, response.text
    assert (response.json()["imported"], response.json()["enrolments"]) == (True, 2)


def test_the_api_answers_422_with_every_line_problem(site: Any) -> None:
    from mentorkit.testing.auth import csrf_headers

    c, pid = site
    h = {**csrf_headers(c), "content-type": "text/csv"}
    bad = HEADER + "nope,X,mentee,,,,Career,1\nok@example.org,Ok,mentee,,,,Fame,1\n"
    response = c.post(f"/api/v1/programs/{pid}/imports", content=bad.encode(), headers=h)
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(2, "email"), (3, "answer:goal")]
    assert errors[0]["key"] == "line 2, email"
    assert c.run(Enrolment.count) == 0


def test_the_api_refuses_a_body_over_the_limit(site: Any) -> None:
    from mentorkit.testing.auth import csrf_headers

    c, pid = site
    h = {**csrf_headers(c), "content-type": "text/csv"}
    response = c.post(f"/api/v1/programs/{pid}/imports", content=b"x" * (csv_reader.MAX_BYTES + 1), headers=h)
    assert response.status_code == 413
    assert c.run(Enrolment.count) == 0


def test_the_page_checks_then_imports_in_the_background(site: Any) -> None:
    from mentorkit.imports import jobs
    from mentorkit.testing.auth import csrf_token

    c, pid = site
    upload_page = ok(c.get(f"/programs/{pid}/import")).text
    assert 'type="file"' in upload_page and 'enctype="multipart/form-data"' in upload_page
    assert_well_formed(upload_page)
    bad = HEADER + "ok@example.org,Okay,mentee,,Python,,Network,4\nbad@example.org,Bad,mentee,,Cobol,,Career,2\n"
    response = c.post(f"/programs/{pid}/import", data={"_csrf_token": csrf_token(c)},
                      files={"file": ("people.csv", bad.encode(), "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    job_url = response.headers["location"]
    page = ok(c.get(job_url)).text
    assert_well_formed(page)
    assert "Check of “people.csv”" in page and "Cobol" in page and "Import the good lines only" in page
    assert "2 lines: 1 person (1 new account), 1 enrolment" in page
    files = list(jobs.imports_dir().iterdir())
    assert len(files) == 1
    # Bad lines and no tick: refused, nothing started.
    response = c.post(f"{job_url}/start", data={"_csrf_token": csrf_token(c)})
    assert response.status_code == 400 and "tick" in response.text
    response = c.post(f"{job_url}/start", data={"_csrf_token": csrf_token(c), "skip_bad_lines": "on"},
                      follow_redirects=False)
    assert response.status_code == 303
    c.run(jobs.wait_for_imports)
    page = ok(c.get(job_url)).text
    assert_well_formed(page)
    assert "Imported “people.csv”" in page and "1 person and 1 enrolment imported" in page
    assert c.run(Enrolment.count) == 1 and list(jobs.imports_dir().iterdir()) == []
    job_id = int(job_url.rsplit("/", 1)[1])
    view = ok(c.get(f"/api/v1/programs/{pid}/imports/{job_id}"))
    assert (view["state"], view["enrolments"], view["skipped"]) == ("done", 1, 1)
    assert ok(c.post(f"{job_url}/start", data={"_csrf_token": csrf_token(c)}), 409)


def test_a_running_import_shows_a_refreshing_progress_bar(site: Any) -> None:
    from mentorkit.imports import jobs
    from mentorkit.imports.tables import ImportJob

    c, pid = site
    rows = c.run(lambda: ImportJob.insert(ImportJob(program=pid, state="running", runner=background.RUNNER,
                                                    original_name="big.csv", lines=10)).returning(ImportJob.id))
    job_id = rows[0]["id"]
    jobs._progress[job_id] = (30, 100)
    try:
        page = ok(c.get(f"/programs/{pid}/imports/{job_id}")).text
        assert_well_formed(page)
        assert '<meta http-equiv="refresh" content="2">' in page and 'value="30"' in page and "<progress" in page
    finally:
        jobs._progress.pop(job_id)


def test_an_import_whose_process_is_gone_shows_as_failed(site: Any) -> None:
    from mentorkit.imports.tables import ImportJob

    c, pid = site
    # A runner on this machine with this process's pid but another start: a restart.
    gone = f"{background._HOST}:{__import__('os').getpid()}:00000000"
    rows = c.run(lambda: ImportJob.insert(ImportJob(program=pid, state="running", runner=gone,
                                                    original_name="big.csv")).returning(ImportJob.id))
    page = ok(c.get(f"/programs/{pid}/imports/{rows[0]['id']}")).text
    assert "failed" in page and "the server stopped during the import" in page.lower()


def test_an_upload_without_the_csrf_token_is_refused(site: Any) -> None:
    c, pid = site
    for data in ({}, {"_csrf_token": "forged"}):
        response = c.post(f"/programs/{pid}/import", data=data, files={"file": ("a.csv", GOOD.encode(), "text/csv")})
        assert response.status_code == 403
    assert c.run(Enrolment.count) == 0


def test_a_latin1_upload_is_reported_on_the_page(site: Any) -> None:
    from mentorkit.testing.auth import csrf_token

    c, pid = site
    response = c.post(f"/programs/{pid}/import", data={"_csrf_token": csrf_token(c)},
                      files={"file": ("a.csv", GOOD.replace("Mia", "Zoë").encode("cp1252"), "text/csv")})
    assert response.status_code == 200 and "This file cannot be imported" in response.text
    assert_well_formed(response.text)
    assert "CSV UTF-8" in response.text and "Import " not in response.text.partition("<h1")[2].partition("Problems")[0]


def test_other_coordinators_cannot_import(site: Any) -> None:
    from mentorkit.testing.auth import csrf_headers, sign_in

    c, pid = site
    sign_in(c, "otto@example.org")
    h = {**csrf_headers(c), "content-type": "text/csv"}
    assert c.post(f"/api/v1/programs/{pid}/imports", content=GOOD.encode(), headers=h).status_code == 403
    assert c.get(f"/programs/{pid}/import").status_code == 403


def test_the_upload_takes_the_import_limit_and_not_more(site: Any) -> None:
    from mentorkit.testing.auth import csrf_token

    c, pid = site
    too_big = HEADER.encode() + b"x" * (csv_reader.MAX_BYTES + 100_000)
    response = c.post(f"/programs/{pid}/import", data={"_csrf_token": csrf_token(c)},
                      files={"file": ("big.csv", too_big, "text/csv")})
    assert response.status_code == 413
    # Over the 1 MB form limit but within the import's: checked (and refused for its content).
    big = HEADER.encode() + b"x" * 2_000_000
    response = c.post(f"/programs/{pid}/import", data={"_csrf_token": csrf_token(c)},
                      files={"file": ("big.csv", big, "text/csv")})
    assert response.status_code == 200 and "Check of “big.csv”" in response.text
    assert c.run(Enrolment.count) == 0


@pytest.mark.parametrize(("data", "expected"), [(b"", "the file is empty"), (HEADER.encode(), "no line below it")])
async def test_a_file_without_lines_is_a_problem(world: Any, data: bytes, expected: str) -> None:
    admin, pid = world
    report = await import_participants(pid, data, admin)
    assert len(report.problems) == 1 and expected in report.problems[0].message and not report.imported


async def test_erasing_a_coordinator_removes_them_from_imports(world: Any) -> None:
    from mentorkit.imports.tables import ImportJob
    from mentorkit.privacy.core_data import erase_core, export_core

    admin, pid = world
    await import_participants(pid, GOOD.encode(), admin)
    await ImportJob.insert(ImportJob(program=pid, created_by=admin.id, original_name="people.csv",
                                     problems=json.dumps([{"line": 2, "column": "email", "message": "x"}])))
    await ImportJob.insert(ImportJob(program=pid, original_name="other.csv", problems=json.dumps(
        [{"line": 2, "column": "email", "message": "mia@example.org with this role is also on line 3"}])))
    exported = await export_core(admin.id)
    assert exported is not None and [j["original_name"] for j in exported["imports_started"]] == ["people.csv"]
    note = await Notification.select(Notification.body).where(Notification.email == "mia@example.org").first()
    assert "Ada added you" in note["body"]
    mia = await User.select(User.id).where(User.email == "mia@example.org").first()
    await erase_core(admin.id)
    await erase_core(mia["id"])
    assert await ImportJob.count().where(ImportJob.created_by == admin.id) == 0
    assert all("mia@example.org" not in str(j["problems"]) for j in await ImportJob.select(ImportJob.problems))
    notes = await Notification.select(Notification.body).where(Notification.email == "max@example.org")
    assert notes and all("Ada" not in n["body"] for n in notes)
