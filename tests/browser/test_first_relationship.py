"""In a real Chromium: a newcomer signs up, a coordinator pairs them, the mentee logs a session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"


def _prepare_program(live_server: Any) -> dict[str, Any]:
    """An enrolling 1:1 program with a coordinator and one mentor waiting for a mentee."""
    import asyncio

    from mentorkit.accounts.services import create_user
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate

    async def build() -> dict[str, Any]:
        admin = await create_user(email="admin@example.org", display_name="Ada Admin", password=PASSWORD,
                                  is_admin=True)
        await create_user(email="cora@example.org", display_name="Cora Coordinator", password=PASSWORD)
        mentor = await create_user(email="morgan@example.org", display_name="Morgan Mentor", password=PASSWORD)
        program = await programs.create_program(ProgramCreate(slug="pilot", name="Pilot program"), admin)
        await programs.change_program_state(program.id, "enrolling", admin)
        await programs.appoint_staff(program.id, "cora@example.org", "coordinator", admin)
        await programs.enrol(program.id, "mentor", mentor)
        return {"program_id": program.id}

    # The server's event loop owns the database connections; a short-lived loop with
    # fresh connections is fine for setup (SQLite serialises writers, PostgreSQL pools).
    return asyncio.run_coroutine_threadsafe(build(), live_server.loop).result(timeout=60)


def _sign_in(page: Any, base: str, email: str) -> None:
    sign_in(page, base, email, PASSWORD)


def test_sign_up_get_paired_and_log_a_session(live_server: Any, page: Any, browser: Any) -> None:
    base = live_server.url
    world = _prepare_program(live_server)
    program_url = f"{base}/programs/{world['program_id']}"

    # A newcomer signs up; the form first shows every problem at once and keeps their name.
    page.goto(f"{base}/signup")
    page.fill("#f-email", "not-an-address")
    page.fill("#f-display_name", "Mina Mentee")
    page.fill("#f-password", "short")
    page.get_by_role("button", name="Create account").click()
    assert page.locator("#f-email-error").is_visible()
    assert page.locator("#f-password-error").is_visible()
    assert page.input_value("#f-display_name") == "Mina Mentee"
    page.fill("#f-email", "mina@example.org")
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/")
    assert "Mina Mentee" in page.content()

    # ... and enrols as a mentee.
    page.goto(program_url)
    page.get_by_role("link", name="Join this program").click()
    page.get_by_role("link", name="Mentee", exact=True).click()
    page.get_by_role("button", name="Join as mentee").click()
    page.wait_for_load_state()
    assert "enrolled as mentee" in page.content().lower()

    # The coordinator, in another browser, pairs the mentor with the new mentee.
    coordinator_context = browser.new_context()
    coordinator = coordinator_context.new_page()
    coordinator.set_default_timeout(10_000)
    try:
        _sign_in(coordinator, base, "cora@example.org")
        coordinator.goto(program_url)
        coordinator.get_by_role("link", name="Pairing").click()
        coordinator.select_option("#f-mentor", label="Morgan Mentor (morgan@example.org)")
        coordinator.select_option("#f-mentee", label="Mina Mentee (mina@example.org)")
        coordinator.get_by_role("button", name="Pair").click()
        coordinator.wait_for_load_state()
        assert "Morgan Mentor" in coordinator.content() and "Mina Mentee" in coordinator.content()
    finally:
        coordinator_context.close()

    # The mentee sees the relationship on their home page and logs a session.
    page.goto(f"{base}/")
    page.get_by_role("link", name="Morgan Mentor").first.click()
    page.wait_for_url(f"{base}/relationships/*")
    page.get_by_role("link", name="Sessions").click()
    an_hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#f-held_at", an_hour_ago)
    page.fill("#f-duration_minutes", "45")
    page.fill("#f-title", "Our first meeting")
    page.fill("#f-shared_notes", "Agreed to meet every two weeks.")
    page.fill("#f-private_note", "I was nervous, it went fine.")
    page.get_by_role("button", name="Log session").click()
    page.wait_for_load_state()
    assert page.get_by_text("Our first meeting").first.is_visible()
