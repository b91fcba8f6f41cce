"""The template environment: macro files as globals, site overrides, reloading in debug."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mentorkit.web.pages import _page_csrf_token, active_nav_href, current_csrf_token
from mentorkit.web.templating import MacroLibrary, make_environment


def test_every_template_calls_the_macros_without_importing_them(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('{{ ui.badge("ended_early") }}|{{ forms.csrf_field() }}')
    environment = make_environment(str(tmp_path), [])
    environment.globals["current_csrf_token"] = current_csrf_token
    token = _page_csrf_token.set("tok-123")
    try:
        html = environment.get_template("page.html").render()
    finally:
        _page_csrf_token.reset(token)
    assert '<span class="badge badge--danger">Ended early</span>' in html
    assert '<input type="hidden" name="_csrf_token" value="tok-123">' in html
    assert isinstance(environment.globals["ui"], MacroLibrary)


def test_an_explicit_import_still_works(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text('{% import "_ui.html" as ui %}{{ ui.badge("active") }}')
    html = make_environment(str(tmp_path), []).get_template("page.html").render()
    assert "badge--success" in html


def test_a_site_override_of_the_macro_file_is_what_the_global_uses(tmp_path: Path) -> None:
    (tmp_path / "_ui.html").write_text('{% macro badge(state, label="") %}[site {{ state }}]{% endmacro %}')
    (tmp_path / "page.html").write_text('{{ ui.badge("active") }}')
    assert make_environment(str(tmp_path), []).get_template("page.html").render() == "[site active]"


def test_in_debug_a_changed_macro_file_is_picked_up(tmp_path: Path) -> None:
    macros = tmp_path / "_ui.html"
    macros.write_text('{% macro badge(state, label="") %}one{% endmacro %}')
    (tmp_path / "page.html").write_text('{{ ui.badge("x") }}')
    debug = make_environment(str(tmp_path), [], debug=True)
    cached = make_environment(str(tmp_path), [])
    assert debug.get_template("page.html").render() == cached.get_template("page.html").render() == "one"
    macros.write_text('{% macro badge(state, label="") %}two{% endmacro %}')
    stat = macros.stat()
    os.utime(macros, (stat.st_atime, stat.st_mtime + 5))  # a later mtime, whatever the clock's resolution
    assert debug.get_template("page.html").render() == "two"
    assert cached.get_template("page.html").render() == "one"


def test_the_current_nav_item_is_the_longest_href_that_is_the_path_or_a_parent_of_it() -> None:
    nav = [{"label": "Home", "href": "/"}, {"label": "Programs", "href": "/programs"},
           {"label": "New", "href": "/programs/new?from=nav"}, {"label": "Admin", "href": "/admin#people"}]
    assert active_nav_href(nav, "/") == "/"
    assert active_nav_href(nav, "/programs") == "/programs"
    assert active_nav_href(nav, "/programs/7/edit") == "/programs"
    assert active_nav_href(nav, "/programs/new") == "/programs/new?from=nav"
    assert active_nav_href(nav, "/admin") == "/admin#people"
    assert active_nav_href(nav, "/programsx") is None
    assert active_nav_href(nav, "/account") is None
    assert active_nav_href([], "/") is None


def test_pages_mark_the_current_nav_item(mentorkit_client: Any) -> None:
    from mentorkit.testing.auth import create_user, sign_in

    create_user(mentorkit_client, "ada@example.org", "Ada", is_admin=True)
    sign_in(mentorkit_client, "ada@example.org")
    page = mentorkit_client.get("/programs").text
    assert '<a href="/programs" aria-current="page">Programs</a>' in page
    assert '<a href="/" aria-current="page">Home</a>' not in page
    page = mentorkit_client.get("/").text
    assert '<a href="/" aria-current="page">Home</a>' in page and 'href="/programs" aria-current' not in page
