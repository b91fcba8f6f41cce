"""Page slots: a plugin's panels appear on the core pages named for them, and only there."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from mentorkit.testing.auth import create_user, sign_out
from tests.panel_plugin import BrokenPanels, SlotDemo
from tests.test_mentoring_pages import act_as, ok, spring_pair


@pytest.fixture
def slotdemo(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("slotdemo", SlotDemo()))


@pytest.fixture
def world(mentorkit_client: Any) -> dict[str, Any]:
    c = mentorkit_client
    for email, name in (("ada@example.org", "Ada Admin"), ("mia@example.org", "Mia Mentee"),
                        ("otto@example.org", "Otto Other")):
        create_user(c, email, name, is_admin=email.startswith("ada"))
    pid, rid, _ = spring_pair(c)
    return {"program": pid, "relationship": rid}


def slots_on(page: str) -> list[str]:
    return re.findall(r'<p class="slotdemo" data-slot="([^"]+)">', page)


def test_each_slot_shows_its_panel_on_its_own_page_only(
    slotdemo: None, mentorkit_client: Any, world: dict[str, Any]
) -> None:
    c = mentorkit_client
    pid, rid = world["program"], world["relationship"]
    act_as(c, "ada@example.org")  # a site admin who mentors in the program: staff and participant
    assert slots_on(ok(c.get("/")).text) == ["home"]
    assert slots_on(ok(c.get("/account")).text) == ["account"]
    assert slots_on(ok(c.get("/admin")).text) == ["admin"]
    overview = ok(c.get(f"/programs/{pid}")).text
    assert slots_on(overview) == ["program.participant", "program.staff"]
    assert f"about Program {pid}." in overview and "Panel for Ada Admin" in overview
    # The panels belong to the overview: the other sections have none.
    for section in ("participants", "pairing", "relationships", "staff"):
        assert slots_on(ok(c.get(f"/programs/{pid}?section={section}")).text) == [], section
    relationship = ok(c.get(f"/relationships/{rid}")).text
    assert slots_on(relationship) == ["relationship"] and f"about Relationship {rid}." in relationship
    assert slots_on(ok(c.get("/programs")).text) == []
    assert '<h2 class="card__title">Slot demo: relationship</h2>' in relationship

    # A participant sees the participant panel, not the staff one.
    act_as(c, "mia@example.org")
    assert slots_on(ok(c.get(f"/programs/{pid}")).text) == ["program.participant"]
    assert slots_on(ok(c.get(f"/relationships/{rid}")).text) == ["relationship"]
    # Somebody not in the program who may still read it (it is enrolling): the participant slot.
    act_as(c, "otto@example.org")
    assert slots_on(ok(c.get(f"/programs/{pid}")).text) == ["program.participant"]
    # Signed out, the start page is a welcome without slots.
    sign_out(c)
    assert slots_on(ok(c.get("/")).text) == []


def test_plugin_html_is_escaped_unless_the_plugin_marked_it_safe(
    slotdemo: None, mentorkit_client: Any, world: dict[str, Any]
) -> None:
    c = mentorkit_client
    act_as(c, "mia@example.org")
    page = ok(c.get(f"/relationships/{world['relationship']}")).text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert '<p class="slotdemo-marked"><em>marked safe by the plugin</em></p>' in page


@pytest.fixture
def broken(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("broken", BrokenPanels()))


def test_a_failing_panel_is_logged_and_the_page_is_shown_without_it(
    broken: None, slotdemo: None, mentorkit_client: Any, world: dict[str, Any], caplog: pytest.LogCaptureFixture,
) -> None:
    c = mentorkit_client
    act_as(c, "ada@example.org")
    with caplog.at_level(logging.ERROR, logger="mentorkit.plugins.panels"):
        home = ok(c.get("/")).text
        relationship = ok(c.get(f"/relationships/{world['relationship']}")).text
    # The page and the other plugin's panel are shown; the broken panels are not.
    assert "Your relationships" in home and "Sessions" in relationship
    assert slots_on(home) == ["home"] and slots_on(relationship) == ["relationship"]
    assert "Broken" not in relationship
    messages = [r.getMessage() for r in caplog.records if r.name == "mentorkit.plugins.panels"]
    assert "plugin 'broken' failed to give its panels for the page slot 'home'" in messages
    assert "plugin 'broken' failed to render its panel 'slotdemo/missing.html' for the page slot 'relationship'" in (
        messages)


def test_a_misnamed_slot_is_a_programming_error() -> None:
    import asyncio

    from mentorkit.web.panels import page_panels

    with pytest.raises(ValueError, match="no page slot 'program'"):
        asyncio.run(page_panels(None, "program"))  # type: ignore[arg-type]
