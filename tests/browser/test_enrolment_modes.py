"""In a real Chromium, each enrolment mode end to end: an invitation link, applications approved
and declined, and the waitlist. The world is set up through the services on the server's loop;
everything the people do, they do through the pages. The pictures for the guides are taken on
the way (``tests/browser/screenshots.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.browser.screenshots import doc_screenshot
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"


def _run(live_server: Any, coro: Any) -> Any:
    """Run a set-up coroutine on the server's event loop (which owns the database connections)."""
    return asyncio.run_coroutine_threadsafe(coro, live_server.loop).result(timeout=60)


async def _people(*people: tuple[str, str]) -> dict[str, Any]:
    from mentorkit.accounts.services import create_user

    made = {"admin": await create_user(email="admin@example.org", display_name="Ada Lindqvist", password=PASSWORD,
                                       is_admin=True)}
    made["cora"] = await create_user(email="cora@example.org", display_name="Cora Okafor", password=PASSWORD)
    for email, name in people:
        made[email.split("@")[0]] = await create_user(email=email, display_name=name, password=PASSWORD)
    return made


async def _program(admin: Any, **design: Any) -> Any:
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate

    program = await programs.create_program(ProgramCreate(**design), admin)
    await programs.appoint_staff(program.id, "cora@example.org", "coordinator", admin)
    return program


def _other(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _flash(page: Any) -> str:
    return str(page.locator("main").inner_text())


# ---------------------------------------------------------------------------------- invitation


def test_invitation_link_from_creation_to_used_up(live_server: Any, page: Any, browser: Any) -> None:
    from mentorkit.programs.enrolment_schemas import QuestionCreate
    from mentorkit.programs.question_services import create_question

    base = live_server.url

    async def build() -> dict[str, Any]:
        people = await _people(("nadia@example.org", "Nadia Haddad"), ("tomas@example.org", "Tomás Ruiz"))
        program = await _program(people["admin"], slug="data-science-2027", name="Data Science Mentoring 2027",
                                 description="One-to-one mentoring for analysts moving into data science.",
                                 intake="rolling")
        await create_question(program.id, QuestionCreate(
            label="What would you like to learn first?", kind="short_text", required=True,
            asked_roles=["mentee"], help="A sentence is enough: your mentor reads it."), people["admin"])
        return {"program_id": program.id}

    world = _run(live_server, build())
    program_url = f"{base}/programs/{world['program_id']}"

    # The coordinator switches the program to invitation links and opens enrolment.
    sign_in(page, base, "cora@example.org", PASSWORD)
    page.goto(program_url)
    page.get_by_role("link", name="Edit the design").click()
    page.get_by_label("How people join").select_option(label="By invitation link")
    page.get_by_role("button", name="Save the design").click()
    page.wait_for_url(f"{program_url}*")
    page.get_by_role("button", name="Open enrolment").click()
    page.wait_for_load_state()
    assert "Enrolling" in _flash(page) or "enrolling" in _flash(page).lower()

    # ... creates a link for one mentee, valid for two weeks, on the Invitations page.
    page.get_by_role("link", name="Invitations", exact=True).click()
    page.fill("#f-label", "Analytics guild newsletter")
    page.select_option("#f-role", label="Mentee")
    page.fill("#f-expires_in_days", "14")
    page.fill("#f-max_uses", "1")
    page.get_by_role("button", name="Create the link").click()
    page.wait_for_load_state()
    assert "Invitation link created" in _flash(page)
    row = page.locator("tbody tr").first
    assert "0 of 1" in row.inner_text() and "Valid" in row.inner_text()
    link = page.locator("input.input--copy").first.input_value()
    assert link.startswith(f"{base}/join/")
    doc_screenshot(page, "invitations", full_page=True)

    # Someone signed out opens it, signs in from the landing page and is brought back to join.
    context, nadia = _other(browser)
    try:
        nadia.goto(link)
        assert nadia.get_by_role("heading", name="You are invited to “Data Science Mentoring 2027”").is_visible()
        nadia.get_by_role("link", name="Sign in to join").click()
        nadia.fill("#f-email", "nadia@example.org")
        nadia.fill("#f-password", PASSWORD)
        nadia.get_by_role("button", name="Sign in").click()
        nadia.wait_for_url(link)
        assert nadia.get_by_role("heading", name="Join “Data Science Mentoring 2027”").is_visible()
        if nadia.get_by_role("link", name="Mentee", exact=True).count():
            nadia.get_by_role("link", name="Mentee", exact=True).click()
        assert nadia.get_by_role("link", name="Mentor", exact=True).count() == 0  # the link is for mentees
        nadia.get_by_label("What would you like to learn first?").fill(
            "Moving from dashboards to forecasting models.")
        doc_screenshot(nadia, "join-invited")
        nadia.get_by_role("button", name="Join as mentee").click()
        nadia.wait_for_url(f"{program_url}/enrolments/*")
        assert "You are enrolled as mentee" in _flash(nadia)
        assert "Moving from dashboards to forecasting models." in nadia.content()
    finally:
        context.close()

    # The coordinator sees the use counted; a second person finds the link used up.
    page.reload()
    assert "1 of 1" in page.locator("tbody tr").first.inner_text()
    assert "Used up" in page.locator("tbody tr").first.inner_text()
    context, tomas = _other(browser)
    try:
        sign_in(tomas, base, "tomas@example.org", PASSWORD)
        response = tomas.goto(link)
        assert response is not None and response.status == 410
        assert tomas.get_by_role("heading",
                                 name="You cannot join “Data Science Mentoring 2027” with this link").is_visible()
        assert tomas.get_by_role("button", name="Join as mentee").count() == 0
        assert "Ask the program's coordinators for a new link." in tomas.content()
    finally:
        context.close()


# --------------------------------------------------------------------------------- application


def test_applications_approved_and_declined(live_server: Any, page: Any, browser: Any) -> None:
    from mentorkit.programs import services as programs
    from mentorkit.programs.enrolment_schemas import QuestionCreate
    from mentorkit.programs.question_services import create_question

    base = live_server.url

    async def build() -> dict[str, Any]:
        people = await _people(("priya@example.org", "Priya Raman"), ("jonas@example.org", "Jonas Becker"))
        program = await _program(people["admin"], slug="leadership-2027", name="New Leaders Programme",
                                 description="Six months of mentoring for people leading a team for the first time.",
                                 enrolment_mode="application", intake="rolling")
        admin = people["admin"]
        await create_question(program.id, QuestionCreate(
            label="Which team do you lead?", kind="short_text", required=True, asked_roles=["mentee"]), admin)
        await create_question(program.id, QuestionCreate(
            label="How long have you been leading it?", kind="single_choice", required=True,
            choices=["Under 6 months", "6 to 12 months", "Over a year"], asked_roles=["mentee"]), admin)
        await create_question(program.id, QuestionCreate(
            label="What do you want to get out of mentoring?", kind="long_text", asked_roles=["mentee"]), admin)
        await programs.change_program_state(program.id, "enrolling", admin)
        return {"program_id": program.id}

    world = _run(live_server, build())
    program_url = f"{base}/programs/{world['program_id']}"

    def apply(person: Any, email: str, team: str, tenure: str | None, goal: str) -> None:
        sign_in(person, base, email, PASSWORD)
        person.goto(program_url)
        person.get_by_role("link", name="Join this program").click()
        person.get_by_role("link", name="Mentee", exact=True).click()
        person.get_by_label("Which team do you lead?").fill(team)
        person.get_by_label("What do you want to get out of mentoring?").fill(goal)
        if tenure:
            person.get_by_label("How long have you been leading it?").select_option(label=tenure)
        person.get_by_role("button", name="Send my application").click()

    # Priya forgets the required choice: the error names the question and keeps what she typed.
    context, priya = _other(browser)
    try:
        apply(priya, "priya@example.org", "Payments platform", None, "Running better one-to-ones.")
        summary = priya.locator(".error-summary")
        assert summary.is_visible()
        assert "How long have you been leading it?" in summary.inner_text()
        assert priya.get_by_label("Which team do you lead?").input_value() == "Payments platform"
        assert priya.get_by_label("What do you want to get out of mentoring?").input_value() == \
            "Running better one-to-ones."
        priya.get_by_label("How long have you been leading it?").select_option(label="Under 6 months")
        priya.get_by_role("button", name="Send my application").click()
        priya.wait_for_url(f"{program_url}/enrolments/*")
        assert "Your application as mentee is sent" in _flash(priya)
        priya_enrolment = priya.url
    finally:
        context.close()
    context, jonas = _other(browser)
    try:
        apply(jonas, "jonas@example.org", "Warehouse night shift", "Over a year", "Handling conflict in the team.")
        jonas.wait_for_url(f"{program_url}/enrolments/*")
        jonas_enrolment = jonas.url
    finally:
        context.close()

    # The coordinator reads the answers, approves Priya and declines Jonas with a reason.
    sign_in(page, base, "cora@example.org", PASSWORD)
    page.goto(program_url)
    page.get_by_role("link", name="Applications", exact=True).click()
    assert "2 waiting for a decision" in page.content()
    doc_screenshot(page, "applications")
    page.get_by_role("link", name="Answers of Priya Raman").click()
    assert page.get_by_label("How long have you been leading it?").input_value() == "Under 6 months"
    assert page.get_by_label("Which team do you lead?").input_value() == "Payments platform"
    page.go_back()
    row = page.locator("tbody tr", has_text="Priya Raman")
    row.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Priya Raman" in _flash(page)
    row = page.locator("tbody tr", has_text="Jonas Becker")
    row.locator("summary", has_text="Decline…").click()
    row.get_by_label("Reason").select_option(label="The application does not meet the program's criteria")
    row.get_by_label("More words for Jonas Becker").fill("This round is for people leading a team under a year.")
    row.get_by_role("button", name="Decline and tell them").click()
    page.wait_for_load_state()
    assert "Jonas Becker (jonas@example.org) is declined." in _flash(page)
    assert "No application is waiting for a decision." in page.content()

    # Each applicant is told: a notification, and the decision with its reason on their page.
    context, priya = _other(browser)
    try:
        sign_in(priya, base, "priya@example.org", PASSWORD)
        priya.goto(f"{base}/notifications")
        assert "Your application to New Leaders Programme was approved" in priya.content()
        priya.goto(priya_enrolment)
        assert priya.locator(".badge", has_text="active").first.is_visible()
    finally:
        context.close()
    context, jonas = _other(browser)
    try:
        sign_in(jonas, base, "jonas@example.org", PASSWORD)
        jonas.goto(f"{base}/notifications")
        assert "Your application to New Leaders Programme was declined" in jonas.content()
        jonas.goto(jonas_enrolment)
        text = _flash(jonas)
        assert "The application does not meet the program's criteria: This round is for people leading a team " \
               "under a year." in text
        doc_screenshot(jonas, "application-declined")
    finally:
        context.close()


# ------------------------------------------------------------------------------------ waitlist


def test_waitlist_place_and_promotion(live_server: Any, page: Any, browser: Any) -> None:
    from mentorkit.programs import services as programs

    base = live_server.url

    async def build() -> dict[str, Any]:
        people = await _people(("lena@example.org", "Lena Kowalski"), ("samuel@example.org", "Samuel Mensah"))
        program = await _program(people["admin"], slug="career-switchers", name="Career Switchers Circle",
                                 description="Mentors who changed careers themselves.", intake="rolling",
                                 role_limits={"mentee": 1})
        await programs.change_program_state(program.id, "enrolling", people["admin"])
        return {"program_id": program.id}

    world = _run(live_server, build())
    program_url = f"{base}/programs/{world['program_id']}"

    def join(person: Any, email: str) -> None:
        sign_in(person, base, email, PASSWORD)
        person.goto(f"{program_url}/join")
        person.get_by_role("link", name="Mentee", exact=True).click()
        person.get_by_role("button", name="Join as mentee").click()
        person.wait_for_url(f"{program_url}/enrolments/*")

    join(page, "lena@example.org")
    assert "You are enrolled as mentee" in _flash(page)
    lena_enrolment = page.url

    context, samuel = _other(browser)
    try:
        sign_in(samuel, base, "samuel@example.org", PASSWORD)
        samuel.goto(f"{program_url}/join")
        assert "every place is taken: you would join the waitlist" in samuel.content()
        samuel.get_by_role("link", name="Mentee", exact=True).click()
        samuel.get_by_role("button", name="Join as mentee").click()
        samuel.wait_for_url(f"{program_url}/enrolments/*")
        assert "Every place for mentee is taken: you are on the waitlist." in _flash(samuel)
        assert "Number 1 in the queue for mentees." in _flash(samuel)
        doc_screenshot(samuel, "waitlist")
        samuel_enrolment = samuel.url

        # Lena withdraws (asked first); Samuel gets her place and is told.
        page.goto(lena_enrolment)
        page.locator("summary", has_text="Withdraw").click()
        page.get_by_role("button", name="Yes, withdraw").click()
        page.wait_for_load_state()
        assert "Your enrolment is withdrawn." in _flash(page)

        samuel.goto(samuel_enrolment)
        assert samuel.locator(".page-header .badge", has_text="active").is_visible()
        assert "queue" not in _flash(samuel)
        samuel.goto(f"{base}/notifications")
        assert "You have a place in Career Switchers Circle" in samuel.content()
    finally:
        context.close()
