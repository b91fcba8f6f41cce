"""``mentorkit.web.render_page`` and ``redirect``: a plugin's page looks and behaves like core's."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit.testing.auth import create_user, csrf_token, sign_in
from tests.panel_plugin import DemoPage


@pytest.fixture
def demo(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("slotdemo", DemoPage()))


def test_a_plugin_page_has_the_layout_the_person_and_the_navigation(demo: None, mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada Admin")
    sign_in(c, "ada@example.org")
    page = c.get("/p/slotdemo/")
    assert page.status_code == 200
    assert "a plugin page for Ada Admin; extra for slotdemo/page.html" in page.text
    assert '<span class="visually-hidden">Your account: </span>Ada Admin</a>' in page.text
    nav = page.text.partition('aria-label="Main"')[2].partition("</nav>")[0]
    assert 'href="/programs"' in nav and 'href="/p/slotdemo/" aria-current="page">Slot demo' in nav, nav
    response = c.post("/p/slotdemo/", data={"_csrf_token": csrf_token(c)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/p/slotdemo/"
    assert "Saved by the plugin." in c.get("/p/slotdemo/").text
    assert "Saved by the plugin." not in c.get("/p/slotdemo/").text  # shown once


def test_extra_template_vars_never_replace_the_core_page_context(demo: None, mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada Admin")
    sign_in(c, "ada@example.org")
    # The plugin returns current_user=None for every page: core's value stands.
    assert "Hello, Ada Admin." in c.get("/").text
