"""In a real Chromium, a coordinator designs a program: the design form (with a field error), the
enrolment questions of several kinds, opening enrolment, and the next cohort as a duplicate."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.browser.screenshots import doc_screenshot
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"


def _prepare(live_server: Any) -> dict[str, Any]:
    """A draft program created by a site admin, with Cora Okafor as its coordinator."""
    from mentorkit.accounts.services import create_user
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate

    # The site lets coordinators create programs, so Cora can start the next cohort herself.
    live_server.runtime.settings.program_creators = "coordinators"

    async def build() -> dict[str, Any]:
        admin = await create_user(email="admin@example.org", display_name="Ada Lindqvist", password=PASSWORD,
                                  is_admin=True)
        await create_user(email="cora@example.org", display_name="Cora Okafor", password=PASSWORD)
        program = await programs.create_program(ProgramCreate(
            slug="engineering-spring-2027", name="Engineering Mentoring, Spring 2027",
            description="Experienced engineers mentor colleagues in their first two years."), admin)
        await programs.appoint_staff(program.id, "cora@example.org", "coordinator", admin)
        return {"program_id": program.id}

    return asyncio.run_coroutine_threadsafe(build(), live_server.loop).result(timeout=60)


def _add_question(page: Any, label: str, kind: str, *, choices: str = "", required: bool = False,
                  asked_of: str = "", visible_to: str = "", help_text: str = "", criterion: bool = False,
                  scale: tuple[str, str] | None = None) -> None:
    page.get_by_role("link", name="Add a question").click()
    page.fill("#f-label", label)
    if help_text:
        page.fill("#f-help", help_text)
    page.select_option("#f-kind", label=kind)
    if choices:
        page.fill("#f-choices", choices)
    if scale:
        page.fill("#f-scale_min", scale[0])
        page.fill("#f-scale_max", scale[1])
    if required:
        page.get_by_label("Required", exact=True).check()
    if asked_of:
        page.get_by_role("group", name="Asked of").get_by_label(asked_of, exact=True).check()
    if visible_to:
        page.get_by_role("group", name="Answers also visible to").get_by_label(visible_to, exact=True).check()
    if criterion:
        page.get_by_label("Matching criterion").check()
    page.get_by_role("button", name="Add the question").click()
    page.wait_for_load_state()
    assert f"Question “{label}” added." in page.locator("main").inner_text()


def test_design_questions_open_and_duplicate(live_server: Any, page: Any) -> None:
    base = live_server.url
    world = _prepare(live_server)
    program_url = f"{base}/programs/{world['program_id']}"
    sign_in(page, base, "cora@example.org", PASSWORD)

    # The design: who makes the matches, dates, a role limit; an end before the start is refused.
    page.goto(program_url)
    page.get_by_role("link", name="Edit the design").click()
    page.get_by_label("Who makes the matches").select_option(label="Coordinator-led: coordinators pair people")
    page.get_by_label("Most mentees taking part").fill("40")
    page.get_by_label("Meeting cadence").select_option(label="Every two weeks")
    page.get_by_label("Duration in weeks").fill("16")
    page.get_by_label("Starts on").fill("2027-03-01")
    page.get_by_label("Ends on").fill("2027-02-01")
    page.locator("legend", has_text="Format and matching").evaluate("e => e.scrollIntoView()")
    doc_screenshot(page, "program-design")
    page.get_by_role("button", name="Save the design").click()
    error = page.locator("#f-ends_on-error")
    assert error.is_visible()
    assert page.locator(".error-summary").get_by_text("Ends on", exact=False).is_visible()
    assert page.get_by_label("Most mentees taking part").input_value() == "40"  # what was typed is kept
    page.locator("legend", has_text="Rhythm and dates").evaluate("e => e.scrollIntoView()")
    doc_screenshot(page, "program-design-error")
    page.get_by_label("Ends on").fill("2027-06-30")
    page.get_by_role("button", name="Save the design").click()
    page.wait_for_url(f"{program_url}*")
    design = page.locator(".summary").inner_text()
    assert "Coordinator-led" in design and "40" in design

    # Opening enrolment of a program without a choice question's choices is refused; add questions.
    page.get_by_role("link", name="Questions", exact=True).click()
    _add_question(page, "What do you want to work on?", "Long text", required=True, asked_of="Mentee",
                  visible_to="Mentor", help_text="Your mentor reads this before your first meeting.",
                  criterion=True)
    _add_question(page, "Which area do you work in?", "Single choice", required=True,
                  choices="Backend\nFrontend\nData\nInfrastructure", criterion=True)
    _add_question(page, "Topics you can help with", "Multiple choice", asked_of="Mentor",
                  choices="Code review\nSystem design\nCareer growth\nPublic speaking")
    _add_question(page, "How confident do you feel in your role?", "Scale", asked_of="Mentee", scale=("1", "5"))
    _add_question(page, "Skills you want to grow", "Tags", asked_of="Mentee")
    rows = page.locator("tbody tr")
    assert rows.count() == 5
    assert "Single choice" in rows.nth(1).inner_text()
    # The scale moves up above the multiple choice question.
    page.locator("tbody tr", has_text="How confident do you feel in your role?").get_by_role(
        "button", name="Up").click()
    page.wait_for_load_state()
    assert "How confident do you feel in your role?" in page.locator("tbody tr").nth(2).inner_text()
    doc_screenshot(page, "questions")

    # Opening enrolment: the program becomes Enrolling and the join page asks the questions.
    page.goto(program_url)
    page.get_by_role("button", name="Open enrolment").click()
    page.wait_for_load_state()
    assert page.locator(".page-header").get_by_text("Enrolling", exact=False).first.is_visible()
    page.goto(f"{program_url}/join?role=mentee")
    assert page.get_by_label("What do you want to work on?").is_visible()
    assert page.get_by_label("Which area do you work in?").is_visible()
    assert page.get_by_text("Topics you can help with").count() == 0  # asked of mentors only

    # The next cohort: same design and questions, a draft of its own, nobody enrolled.
    page.goto(program_url)
    page.get_by_role("link", name="Duplicate as the next cohort").click()
    page.fill("#f-name", "Engineering Mentoring, Autumn 2027")
    page.fill("#f-slug", "engineering-autumn-2027")
    page.get_by_role("button", name="Create the next cohort").click()
    page.wait_for_url(f"{base}/programs/*")
    assert page.url != program_url
    assert page.get_by_role("heading", name="Engineering Mentoring, Autumn 2027").is_visible()
    assert "Coordinator-led" in page.locator(".summary").inner_text()
    page.get_by_role("link", name="Questions", exact=True).click()
    assert page.locator("tbody tr").count() == 5
