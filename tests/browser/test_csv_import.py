"""In a real Chromium, a coordinator imports participants from CSV: the report names the bad line
and its column, nothing is written until asked, then only the good lines are imported."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.browser.screenshots import doc_screenshot
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"

HEADER = "email,display_name,role,capacity,time_zone,skills_offered,skills_sought,headline,department,"
CSV = HEADER + """answer:goal,answer:level
mia.moreau@example.org,Mia Moreau,mentee,,Europe/Paris,,ML; Python,Analyst moving into data science,Finance,Career,2
priya.raman@example.org,Priya Raman,mentor,2,Asia/Kolkata,"Machine learning, Python",,Lead data scientist,Data,Network,
kwame.asante@example.org,Kwame Asante,mentee,,Africa/Accra,,Python,Support engineer,Customer care,Promotion,3
lucia.ferrari@example.org,Lucia Ferrari,mentee,,Europe/Rome,,Public speaking,Product manager,Product,Skills,4
"""


def _prepare(live_server: Any) -> dict[str, Any]:
    """An enrolling 1:1 program asking `goal` (single choice) and `level` (a scale, of mentees)."""
    from mentorkit.accounts.services import create_user
    from mentorkit.profiles import tags
    from mentorkit.programs import services as programs
    from mentorkit.programs.enrolment_schemas import QuestionCreate
    from mentorkit.programs.question_services import create_question
    from mentorkit.programs.schemas import ProgramCreate

    async def build() -> dict[str, Any]:
        admin = await create_user(email="admin@example.org", display_name="Ada Lindqvist", password=PASSWORD,
                                  is_admin=True)
        await create_user(email="cora@example.org", display_name="Cora Okafor", password=PASSWORD)
        ml = await tags.create_tag("Machine learning", admin)
        await tags.add_synonym(ml.id, "ML", admin)
        for label in ("Python", "Public speaking"):
            await tags.create_tag(label, admin)
        program = await programs.create_program(ProgramCreate(
            slug="analytics-2027", name="Analytics Mentoring 2027", intake="rolling"), admin)
        await programs.appoint_staff(program.id, "cora@example.org", "coordinator", admin)
        await create_question(program.id, QuestionCreate(
            label="Your main goal", key="goal", kind="single_choice", choices=["Career", "Skills", "Network"]), admin)
        await create_question(program.id, QuestionCreate(
            label="Your level today", key="level", kind="scale", scale_min=1, scale_max=5,
            asked_roles=["mentee"]), admin)
        await programs.change_program_state(program.id, "enrolling", admin)
        return {"program_id": program.id}

    return asyncio.run_coroutine_threadsafe(build(), live_server.loop).result(timeout=60)


def test_import_reports_the_bad_line_then_imports_the_good_ones(live_server: Any, page: Any,
                                                                 tmp_path: Path) -> None:
    base = live_server.url
    world = _prepare(live_server)
    program_url = f"{base}/programs/{world['program_id']}"
    upload = tmp_path / "analytics-participants.csv"
    upload.write_text(CSV, encoding="utf-8")

    sign_in(page, base, "cora@example.org", PASSWORD)
    page.goto(program_url)
    page.get_by_role("link", name="Import CSV").click()
    page.set_input_files("#f-file", str(upload))
    doc_screenshot(page, "import-upload")
    page.get_by_role("button", name="Check the file").click()

    # The report: line 4 (the header is line 1), column answer:goal, and why; nothing written yet.
    assert page.get_by_role("heading", name="Check of “analytics-participants.csv”").is_visible()
    problems = page.locator("section[aria-labelledby=problems-title] tbody tr")
    assert problems.count() == 1
    cells = problems.first.locator("td")
    assert cells.nth(0).inner_text() == "4"
    assert cells.nth(1).inner_text() == "answer:goal"
    assert "Promotion" in cells.nth(2).inner_text()
    assert "1 line left out" in page.locator("[role=status]").inner_text()
    doc_screenshot(page, "import-report")
    report_url = page.url
    page.goto(f"{program_url}?section=participants")
    assert "Mia Moreau" not in page.locator("main").inner_text()

    # Import the good lines only.
    page.goto(report_url)
    page.get_by_label("Import the good lines only").check()
    page.get_by_role("button", name="Import 3 lines").click()
    page.get_by_role("heading", name="Imported “analytics-participants.csv”").wait_for(timeout=60_000)
    summary = page.locator("[role=status]").inner_text()
    assert "3 people and 3 enrolments imported" in summary
    assert "1 line was left out" in summary
    doc_screenshot(page, "import-done")

    page.get_by_role("link", name="See the participants").click()
    listed = page.locator("main").inner_text()
    assert "Mia Moreau" in listed and "Priya Raman" in listed and "Lucia Ferrari" in listed
    assert "Kwame Asante" not in listed
