"""CSV export of participants: one row per live enrolment, spreadsheet-safe, and it imports again."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from mentorkit.accounts.model import CurrentUser
from mentorkit.errors import PermissionDenied
from mentorkit.imports.export import BOM, participants_csv, safe_cell
from mentorkit.imports.service import import_participants
from mentorkit.programs import services
from mentorkit.programs.tables import Enrolment, EnrolmentAnswer, ProgramQuestion
from tests.test_import import GOOD, ok, person, program_with_questions


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[len(BOM):])))


def essentials(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """Who takes part, how, and what they answered: what a round trip must keep."""
    return sorted((r["email"], r["role"], r["capacity"], r["skills_offered"], r["skills_sought"], r["answer:goal"],
                   r["answer:level"], r["answer:topics"]) for r in rows)


@pytest.mark.parametrize(("cell", "safe"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-3", "-3"), ("Ada", "Ada"), ("", ""),
])
def test_cells_that_spreadsheets_would_run_are_neutralised(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


@pytest.fixture
async def imported(mentorkit_runtime: Any) -> tuple[CurrentUser, int]:
    admin = await person("ada@example.org", admin=True)
    pid = await program_with_questions(admin)
    await ProgramQuestion.insert(ProgramQuestion(
        program=pid, question_key=f"{pid}:topics", key="topics", label="Topics", kind="tags", position=3))
    data = GOOD.replace("answer:level\n", "answer:level,answer:topics\n").replace(
        "Career,3\n", "Career,3,ML;python\n").replace("Skills,\n", "Skills,,\n")
    data += "evil@example.org,=cmd|' /C calc'!A0,mentee,,,,Network,2,\n"
    report = await import_participants(pid, data.encode(), admin)
    assert report.imported, report.problems
    return admin, pid


async def test_one_row_per_live_enrolment_with_labels_and_answers(imported: Any) -> None:
    admin, pid = imported
    file_name, text = await participants_csv(pid, admin)
    assert file_name == "spring-cohort-participants.csv"
    rows = rows_of(text)
    assert list(rows[0]) == ["email", "display_name", "role", "state", "capacity", "time_zone", "skills_offered",
                             "skills_sought", "headline", "department", "answer:goal", "answer:level",
                             "answer:topics"]
    mia = next(r for r in rows if r["email"] == "mia@example.org")
    assert (mia["role"], mia["state"], mia["skills_offered"], mia["answer:goal"], mia["answer:level"]) == (
        "mentee", "active", "Machine learning; Python", "Career", "3")
    assert mia["answer:topics"] == "Machine learning; Python"
    assert next(r for r in rows if r["email"] == "max@example.org")["capacity"] == "2"
    assert next(r for r in rows if r["email"] == "evil@example.org")["display_name"] == "'=cmd|' /C calc'!A0"
    # Withdrawn people are not participants any more.
    enrolment = await Enrolment.select(Enrolment.id).where(Enrolment.user.email == "max@example.org").first()
    await services.withdraw_enrolment(pid, enrolment["id"], admin)
    assert "max@example.org" not in (await participants_csv(pid, admin))[1]


async def test_an_exported_file_imports_again(imported: Any) -> None:
    admin, pid = imported
    _, text = await participants_csv(pid, admin)
    other = await program_with_questions(admin, slug="autumn-cohort")
    await ProgramQuestion.insert(ProgramQuestion(
        program=other, question_key=f"{other}:topics", key="topics", label="Topics", kind="tags", position=3))
    report = await import_participants(other, text.encode(), admin)
    assert report.problems == [] and report.imported and report.new_people == 0 and report.enrolments == 3
    _, again = await participants_csv(other, admin)
    assert essentials(rows_of(again)) == essentials(rows_of(text))
    answers = await EnrolmentAnswer.select(EnrolmentAnswer.value).where(
        (EnrolmentAnswer.enrolment.program == other) & (EnrolmentAnswer.question.key == "topics"))
    assert [json.loads(a["value"]) if isinstance(a["value"], str) else a["value"] for a in answers] == [
        ["machine-learning", "python"]]


async def test_only_coordinators_export(imported: Any) -> None:
    _, pid = imported
    stranger = await person("sam@example.org")
    with pytest.raises(PermissionDenied):
        await participants_csv(pid, stranger)


def test_the_export_routes_are_attachments_for_coordinators_only(mentorkit_client: Any) -> None:
    from mentorkit.testing.auth import create_user, sign_in

    c = mentorkit_client
    admin = create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    create_user(c, "olga@example.org", "Olga Observer")
    pid = c.run(program_with_questions, admin)
    c.run(lambda: services.appoint_staff(pid, "olga@example.org", "observer", admin))
    sign_in(c, "ada@example.org")
    for url in (f"/programs/{pid}/export.csv", f"/api/v1/programs/{pid}/participants.csv"):
        response = ok(c.get(url))
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"] == 'attachment; filename="spring-cohort-participants.csv"'
        assert response.content.startswith(BOM.encode())
    sign_in(c, "olga@example.org")  # observers see aggregates only
    assert c.get(f"/programs/{pid}/export.csv").status_code == 403
    assert c.get(f"/api/v1/programs/{pid}/participants.csv").status_code == 403
