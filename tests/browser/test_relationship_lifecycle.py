"""In a real Chromium, a relationship's whole life: a coordinator proposes a match (first as a
draft), the mentor asks a question and the mentee answers it, the mentor accepts; the mentee
pauses and resumes, then ends it early with a listed reason; the coordinator re-matches the
mentee with another mentor. The world is set up through the services on the server's loop;
everything the people do, they do through the pages. The pictures for docs/relationships.md
are taken on the way (``tests/browser/screenshots.py``)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from tests.browser.screenshots import doc_screenshot
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"


def _run(live_server: Any, coro: Any) -> Any:
    """Run a set-up coroutine on the server's event loop (which owns the database connections)."""
    return asyncio.run_coroutine_threadsafe(coro, live_server.loop).result(timeout=60)


async def _world() -> dict[str, Any]:
    """An enrolling 1:1 program whose mentors accept matches, a coordinator, two mentors and a mentee."""
    from mentorkit.accounts.services import create_user
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate

    admin = await create_user(email="admin@example.org", display_name="Ada Lindqvist", password=PASSWORD,
                              is_admin=True)
    await create_user(email="cora@example.org", display_name="Cora Okafor", password=PASSWORD)
    program = await programs.create_program(ProgramCreate(
        slug="design-2027", name="Design Mentoring 2027", acceptance="one_sided", acceptance_days=10), admin)
    await programs.change_program_state(program.id, "enrolling", admin)
    await programs.appoint_staff(program.id, "cora@example.org", "coordinator", admin)
    for email, name, role in (("morgan@example.org", "Morgan Reyes", "mentor"),
                              ("priya@example.org", "Priya Natarajan", "mentor"),
                              ("mina@example.org", "Mina Sato", "mentee")):
        person = await create_user(email=email, display_name=name, password=PASSWORD)
        await programs.enrol(program.id, role, person)
    return {"program_id": program.id}


def _person(browser: Any, base: str, email: str) -> tuple[Any, Any]:
    """A browser context of its own for one person, signed in."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, base, email, PASSWORD)
    return context, page


def _main(page: Any) -> str:
    return str(page.locator("main").inner_text())


def _press(page: Any, button: str, expected: str) -> None:
    """Press a button that sends a form, and find ``expected`` on the page that comes back."""
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    assert expected in _main(page)


def _tab(page: Any, name: str) -> None:
    """Open a section of the relationship page by its tab."""
    page.get_by_role("navigation", name="Relationship sections").get_by_role("link", name=name).click()
    page.wait_for_load_state()


def _history(page: Any) -> str:
    """The relationship's history, from its History section."""
    _tab(page, "History")
    return str(page.locator("section", has=page.get_by_role("heading", name="History")).inner_text())


def test_a_match_from_proposal_to_rematch(live_server: Any, page: Any, browser: Any) -> None:
    base = live_server.url
    world = _run(live_server, _world())
    program_url = f"{base}/programs/{world['program_id']}"

    # The coordinator proposes Morgan and Mina on the Pairing section, first as a draft.
    sign_in(page, base, "cora@example.org", PASSWORD)
    cora = page
    cora.goto(program_url)
    cora.get_by_role("link", name="Pairing").click()
    assert "have 10 days to accept or decline" in _main(cora)
    cora.locator("#f-mentor").select_option(label="Morgan Reyes (morgan@example.org)")
    cora.locator("#f-mentee").select_option(label="Mina Sato (mina@example.org)")
    cora.get_by_label("Save as a draft: nobody is told until you publish it").check()
    doc_screenshot(cora, "relationship-pairing-draft", full_page=True)
    _press(cora, "Pair", "Saved a draft match of Morgan Reyes, Mina Sato")

    # ... finds the draft among the relationships and publishes it.
    cora.get_by_role("link", name="Relationships").first.click()
    cora.get_by_role("link", name="Morgan Reyes (mentor), Mina Sato (mentee)").click()
    assert cora.get_by_role("heading", name="A draft match").is_visible()
    _press(cora, "Publish the match", "Published: the members are asked to accept.")
    assert "Waiting for Morgan Reyes to accept by" in _main(cora)
    relationship_url = cora.url.split("?")[0].split("#")[0]

    morgan_context, morgan = _person(browser, base, "morgan@example.org")
    mina_context, mina = _person(browser, base, "mina@example.org")
    try:
        # The mentor sees the match waiting for their answer and asks a question first.
        assert "Waiting for acceptance by" in _main(morgan)  # on the home page
        morgan.get_by_role("link", name="Mentor with Mina Sato").click()
        assert morgan.get_by_role("heading", name="This match waits for your answer").is_visible()
        assert "You have been matched with Mina Sato (mentee)" in _main(morgan)
        morgan.get_by_text("Ask a question first").click()
        morgan.get_by_label("Your question").fill("Which part of design do you most want to work on?")
        _press(morgan, "Send question", "Question sent.")

        # The mentee answers it on the same page (they are not asked to accept: one-sided).
        mina.goto(relationship_url)
        assert "Waiting for Morgan Reyes to accept by" in _main(mina)
        assert mina.get_by_role("button", name="Accept the match").count() == 0
        assert "Which part of design do you most want to work on?" in _main(mina)
        mina.get_by_label("Your answer").fill("Research: running interviews and turning them into decisions.")
        _press(mina, "Send answer", "Answer sent.")

        # The mentor reads the answer and accepts: the relationship is active.
        morgan.goto(relationship_url)
        assert "Answer from Mina Sato" in _main(morgan)
        assert "Research: running interviews" in _main(morgan)
        doc_screenshot(morgan, "relationship-answer-match", full_page=True)
        _press(morgan, "Accept the match", "You accepted: the relationship has started.")
        assert morgan.get_by_role("heading", level=1).inner_text().endswith("Active")

        # Both confirm the mentoring agreement; confirming twice is not offered.
        _tab(morgan, "Agreement")
        _press(morgan, "I agree to version 1", "You confirmed the agreement.")
        assert morgan.get_by_role("button", name="I agree to version 1").count() == 0
        mina.goto(relationship_url + "?section=agreement")
        _press(mina, "I agree to version 1", "Everyone has confirmed the agreement.")
        doc_screenshot(mina, "relationship-agreement", full_page=True)

        # The mentee sets a SMART goal: a target equal to the start is not measurable.
        _tab(mina, "Goals")
        mina.get_by_text("Set a goal…").click()
        mina.locator("#f-goal-what").fill("Run five user interviews on my own")
        mina.locator("#f-goal-metric").fill("interviews run")
        mina.locator("#f-goal-baseline").fill("0")
        mina.locator("#f-goal-target").fill("0")
        mina.locator("#f-goal-due_on").fill((dt.date.today() + dt.timedelta(days=45)).isoformat())
        mina.locator("#f-goal-milestone_key").select_option(label="Goals set")
        _press(mina, "Set the goal", "must differ from the baseline")
        mina.locator("#f-goal-target").fill("5")
        _press(mina, "Set the goal", "Goal set.")
        # The mentor suggests another, which the mentee accepts.
        _tab(morgan, "Goals")
        assert "Run five user interviews" not in _main(morgan)  # private to Mina
        morgan.get_by_text("Suggest a goal…").click()
        morgan.locator("#f-suggest-what").fill("Present one research finding to the team")
        morgan.locator("#f-suggest-metric").fill("findings presented")
        morgan.locator("#f-suggest-target").fill("1")
        morgan.locator("#f-suggest-due_on").fill((dt.date.today() + dt.timedelta(days=60)).isoformat())
        _press(morgan, "Suggest the goal", "Goal suggested. It is theirs once they accept it.")
        mina.goto(relationship_url + "?section=goals")
        assert "Suggested for you" in _main(mina)
        _press(mina, "Accept the goal", "Suggestion accepted: the goal is yours.")
        # She logs progress on her own goal: the line is drawn.
        mina.get_by_text("Log progress…").first.click()
        mina.get_by_label("Value now").first.fill("2")
        _press(mina, "Log progress", "Progress logged.")
        assert "1 update, the latest 2" in mina.content()  # the line's text alternative
        doc_screenshot(mina, "relationship-goals", full_page=True)

        # A milestone of the journey is reached.
        _tab(mina, "Journey")
        _press(mina, "Mark “Kick-off and agreement” reached", "Milestone completed.")
        assert "1 of 4 milestones reached" in _main(mina)
        doc_screenshot(mina, "relationship-journey", full_page=True)
        _tab(mina, "Overview")

        # The mentee pauses it: an empty date is refused and nothing changes ...
        mina.goto(relationship_url)
        assert mina.get_by_role("heading", level=1).inner_text().endswith("Active")
        mina.get_by_text("Pause…").click()
        _press(mina, "Pause the relationship", "give the day you expect to resume")
        assert mina.get_by_role("heading", level=1).inner_text().endswith("Active")
        doc_screenshot(mina, "relationship-pause-error")
        # ... then with a day three weeks ahead it is paused; she resumes it.
        resume_on = dt.date.today() + dt.timedelta(days=21)
        mina.get_by_label("Resume on").fill(resume_on.isoformat())
        mina.get_by_label("Why (optional)").fill("Moving house this month.")
        _press(mina, "Pause the relationship", f"Paused until {resume_on.isoformat()}.")
        assert mina.get_by_role("heading", level=1).inner_text().endswith("Paused")
        _press(mina, "Resume now", "The relationship is active again.")

        # She ends it early: "Another reason" without words is refused ...
        mina.get_by_text("End early…").click()
        mina.get_by_label("Why is it ending?").select_option(label="Another reason")
        mina.get_by_label("Yes, end this relationship early").check()
        _press(mina, "End relationship early", "say in a few words why")
        assert mina.get_by_role("heading", level=1).inner_text().endswith("Active")
        doc_screenshot(mina, "relationship-end-early")
        # ... a reason from the list is taken.
        mina.get_by_label("Why is it ending?").select_option(label="We couldn't find time to meet")
        mina.get_by_label("Yes, end this relationship early").check()
        _press(mina, "End relationship early", "The relationship has ended early.")
        assert mina.get_by_role("heading", level=1).inner_text().endswith("Ended early")

        # The coordinator re-matches Mina with Priya from the ended relationship's page.
        cora.goto(relationship_url)
        assert cora.get_by_role("heading", name="Re-match").is_visible()
        cora.get_by_label("Who stays").select_option(label="Mina Sato (mentee)")
        cora.get_by_label("New partner").select_option(label="Priya Natarajan (priya@example.org): mentor")
        doc_screenshot(cora, "relationship-rematch", full_page=True)
        _press(cora, "Re-match", "Re-matched Priya Natarajan, Mina Sato.")
        assert "Follows the relationship of Morgan Reyes and Mina Sato (ended early)." in _main(cora)
        assert "Waiting for Priya Natarajan to accept by" in _main(cora)

        # The mentee sees both relationships; the new one says it follows the old one.
        mina.goto(f"{base}/")
        assert mina.get_by_role("link", name="Mentee with Morgan Reyes").is_visible()
        mina.get_by_role("link", name="Mentee with Priya Natarajan").click()
        assert "Follows the relationship of Morgan Reyes and Mina Sato (ended early)." in _main(mina)
        assert "Waiting for Priya Natarajan to accept by" in _main(mina)

        # The old one's history says who did what, with the listed reason. The mentor reads it
        # too, but not who Mina was matched with next: that relationship is not theirs.
        mina.get_by_role("link", name="the relationship of Morgan Reyes and Mina Sato").click()
        history = _history(mina)
        for line in ("waiting for acceptance → active", "by Morgan Reyes",
                     "active → paused — “Moving house this month.”", "paused → active",
                     "active → ended early — We couldn't find time to meet", "by Mina Sato",
                     "proposed → waiting for acceptance", "by Cora Okafor"):
            assert line in history, line
        morgan.goto(relationship_url)
        assert "Followed by" not in _main(morgan) and "Priya" not in _main(morgan)
        assert "We couldn't find time to meet" in _history(morgan)
    finally:
        morgan_context.close()
        mina_context.close()
