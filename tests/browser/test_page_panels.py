"""In a real Chromium: a plugin's panels show on the home, program and relationship pages."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from tests.browser.signin import sign_in
from tests.panel_plugin import SlotDemo

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"
# Set to a folder to keep screenshots of the pages (desktop and phone) for a look by eye.
SCREENSHOTS = os.environ.get("PANEL_SCREENSHOTS")  # not MENTORKIT_*: that prefix is for settings


@pytest.fixture
def slotdemo(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("slotdemo", SlotDemo()))


def _prepare(live_server: Any) -> dict[str, int]:
    """An enrolling 1:1 program in which Ada (a site admin) mentors Mia."""
    from mentorkit.accounts.services import create_user
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.relationships import services as relationships

    async def build() -> dict[str, int]:
        admin = await create_user(email="ada@example.org", display_name="Ada Admin", password=PASSWORD,
                                  is_admin=True)
        mentee = await create_user(email="mia@example.org", display_name="Mia Mentee", password=PASSWORD)
        program = await programs.create_program(ProgramCreate(slug="pilot", name="Pilot program"), admin)
        await programs.change_program_state(program.id, "enrolling", admin)
        mentor = await programs.enrol(program.id, "mentor", admin)
        enrolled = await programs.enrol(program.id, "mentee", mentee)
        relationship = await relationships.pair(program.id, [mentor.id, enrolled.id], admin)
        return {"program": program.id, "relationship": relationship.id}

    return asyncio.run_coroutine_threadsafe(build(), live_server.loop).result(timeout=60)


def _sign_in(page: Any, base: str, email: str) -> None:
    sign_in(page, base, email, PASSWORD)


def _panel(page: Any, slot: str) -> Any:
    """The plugin's panel for ``slot``: a card with its heading and the plugin's content."""
    card = page.locator("section.panel", has=page.locator(f'p.slotdemo[data-slot="{slot}"]'))
    assert card.count() == 1, slot
    assert card.get_by_role("heading", name=f"Slot demo: {slot}").is_visible()
    return card


def _shoot(page: Any, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_plugin_panels_show_on_the_home_program_and_relationship_pages(
    slotdemo: None, live_server: Any, page: Any
) -> None:
    base = live_server.url
    world = _prepare(live_server)
    _sign_in(page, base, "ada@example.org")

    home = _panel(page, "home")
    assert "Panel for Ada Admin about nothing." in home.inner_text()
    _shoot(page, "home")

    page.goto(f"{base}/programs/{world['program']}")
    participant = _panel(page, "program.participant")
    assert f"about Program {world['program']}." in participant.inner_text()
    staff = _panel(page, "program.staff")
    assert staff.is_visible()
    # What the plugin did not mark safe is shown as text, never run.
    assert "<script>alert('x')</script>" in staff.locator(".slotdemo-unsafe").inner_text()
    assert staff.locator(".slotdemo-marked em").inner_text() == "marked safe by the plugin"
    _shoot(page, "program")

    page.goto(f"{base}/relationships/{world['relationship']}")
    relationship = _panel(page, "relationship")
    assert f"about Relationship {world['relationship']}." in relationship.inner_text()
    _shoot(page, "relationship")
