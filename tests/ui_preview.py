# ruff: noqa: E501  (sample templates are long lines of HTML)
"""Render core's templates with sample context into /tmp so they can be looked at in a browser.

Not a test module (pytest does not collect it). Usage, from the repository root::

    .venv/bin/python tests/ui_preview.py                 # write /tmp/mentorkit-preview/*.html
    .venv/bin/python tests/ui_preview.py --screenshots   # also PNGs at 1280 and 390 px, light and dark

The environment is core's own (``make_environment``: autoescape, StrictUndefined, trim_blocks),
so a template that only works with a forgiving environment fails here too. Static URLs
(``/static/core/...``) are rewritten to ``file://`` paths so the CSS and JS load from disk.
The script also checks a few rules on every page: no inline scripts, handlers or styles; every
POST form carries the CSRF field; password values are never echoed.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core"))

from mentorkit.web.templating import CORE_STATIC, make_environment  # noqa: E402

OUT = Path("/tmp/mentorkit-preview")


@dataclass
class User:
    id: int
    display_name: str
    email: str
    is_admin: bool = False


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


NAV = [{"label": "Home", "href": "/"}, {"label": "Programs", "href": "/programs"},
       {"label": "My mentoring", "href": "/relationships"}, {"label": "Sessions", "href": "/sessions"},
       {"label": "Admin", "href": "/admin"}]

STATES = ["proposed", "active", "paused", "completed", "ended_early", "declined", "pending", "something-else"]

PAGES: dict[str, str] = {
    "preview/dashboard.html": """{% extends "base.html" %}
{% import "_forms.html" as forms with context %}
{% import "_ui.html" as ui with context %}
{% block title %}My mentoring{% endblock %}
{% block content %}
<div class="page-header">
  <div><h1>My mentoring</h1><p class="lede">Your relationships in the Spring 2026 program.</p></div>
  <a class="button button--primary" href="/relationships/new">Propose a match</a>
</div>
<div class="table-wrap">
<table class="table">
  <caption class="visually-hidden">Your mentoring relationships</caption>
  <thead><tr><th scope="col">Mentee</th><th scope="col">Mentor</th><th scope="col">Status</th><th scope="col" class="num">Sessions</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  {% for r in rows %}
  <tr>
    <td data-label="Mentee"><a href="/relationships/{{ loop.index }}">{{ r.mentee }}</a></td>
    <td data-label="Mentor">{{ r.mentor }}</td>
    <td data-label="Status">{{ ui.badge(r.state) }}</td>
    <td data-label="Sessions" class="num">{{ r.sessions }}</td>
    <td data-label="Actions">{% if r.state == "active" %}{{ ui.confirm_button("/relationships/" ~ loop.index ~ "/pause", "Pause", "Pause this relationship?", small=true) }}{% else %}<span class="muted">—</span>{% endif %}</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
</div>
{{ ui.pagination(4, 9, "/relationships?state=active") }}
<div class="grid">
{% call ui.card("Next session") %}
  <p><strong>Thu 14 May, 15:00</strong> with Amara Okafor</p>
  <dl class="details"><dt>Where</dt><dd>Library room 2</dd><dt>Topic</dt><dd>Preparing for interviews</dd></dl>
  <div class="actions">{{ ui.confirm_button("/sessions/7/cancel", "Cancel session", "Cancel this session? Your mentee is told.", danger=true) }}<a href="/sessions/7">Details</a></div>
{% endcall %}
{% call ui.card("Goals") %}
  {% call ui.empty("No goals yet.") %}<a class="button button--secondary button--small" href="/goals/new">Add a goal</a>{% endcall %}
{% endcall %}
</div>
{% endblock %}
{% block aside %}
{% call ui.card("Program", level=2) %}
<p class="small muted">Spring 2026 · ends 30 June</p>
<p>{{ ui.badge("open") }} Enrolment is open.</p>
{% endcall %}
{% endblock %}
""",
    "preview/form.html": """{% extends "base.html" %}
{% import "_forms.html" as forms with context %}
{% block title %}Log a session{% endblock %}
{% block content %}
<h1>Log a session</h1>
<form class="form" method="post" action="/sessions" novalidate>
  {{ forms.csrf_field() }}
  {{ forms.errors_summary(form, labels={"starts_at": "Date and time"}) }}
  {{ forms.field(form, "title", "Title", required=true, hint="A few words your mentee will recognise.", autocomplete="off") }}
  {{ forms.field(form, "email", "Mentee email", type="email", required=true, autocomplete="email", placeholder="name@example.org") }}
  {{ forms.field(form, "password", "Confirm your password", type="password", required=true, autocomplete="current-password") }}
  {{ forms.datetime(form, "starts_at", "Date and time", required=true, hint="Your local time.") }}
  {{ forms.field(form, "minutes", "Length in minutes", type="number", min="5", max="480", inputmode="numeric") }}
  {{ forms.select(form, "format", "Format", [("in_person", "In person"), ("video", "Video call"), ("phone", "Phone")], required=true) }}
  {{ forms.textarea(form, "notes", "Notes", hint="Only you and your mentee can read these.", rows=5) }}
  {{ forms.checkbox(form, "share", "Share a summary with the program team", hint="They see the title and length, never your notes.") }}
  <div class="actions">{{ forms.submit("Save session") }}{{ forms.submit("Save as draft", secondary=true, name="draft", value="1") }}<a href="/sessions">Cancel</a></div>
</form>
{% endblock %}
""",
    "preview/ui.html": """{% extends "core:base.html" %}
{% import "_ui.html" as ui %}
{% block title %}Components{% endblock %}
{% block content %}
<h1>Components</h1>
<h2>Badges</h2>
<p>{% for s in states %}{{ ui.badge(s) }} {% endfor %}</p>
<h2>Buttons</h2>
<div class="actions"><a class="button button--primary" href="#">Primary</a><a class="button button--secondary" href="#">Secondary</a><button class="button button--danger" type="button">Danger</button><a class="button button--primary button--small" href="#">Small</a><button class="link-button" type="button">Link button</button></div>
<h2>Empty state</h2>
{{ ui.empty("No sessions logged yet.") }}
<h2>Card</h2>
{% call ui.card("A card") %}<p>Card body with <a href="#">a link</a> and <code>code</code>.</p>{% endcall %}
{{ ui.pagination(1, 3, "/x") }}
{{ ui.confirm_button("/x/delete", "Delete", "Delete it?", danger=true) }}
{% endblock %}
{% block footer %}<p>Example University · <a href="/privacy">Privacy</a></p>{% endblock %}
""",
}


def contexts() -> dict[str, tuple[str, dict[str, Any]]]:
    """Output name -> (template, context)."""
    ana = User(1, "Ana Lima", "ana@example.org")
    admin = User(2, "Sam Admin-Whitfield", "sam@example.org", is_admin=True)
    rows = [{"mentee": m, "mentor": t, "state": s, "sessions": n} for m, t, s, n in [
        ("Amara Okafor", "Ana Lima", "active", 6), ("Jonas Berg", "Ana Lima", "proposed", 0),
        ("Li Wei", "Ana Lima", "paused", 3), ("Priya Natarajan", "Ana Lima", "completed", 12),
        ("Tom Ellis", "Ana Lima", "ended_early", 2)]]
    base = {"site_name": "Example University Mentoring", "csrf_token": "tok-123", "flashes": []}
    bad = Form(
        values={"title": "Interview prep <b>", "email": "amara@", "password": "hunter2",
                "starts_at": "2026-05-14 15:00:00", "minutes": "0", "format": "video", "notes": "Went well.\nNext: CV.",
                "share": "on"},
        errors={"__all__": "the session overlaps with another one", "email": "is not a valid email address",
                "password": "wrong password", "starts_at": "must be in the future", "minutes": "must be at least 5"})
    return {
        "signed-out": ("error.html", {**base, "current_user": None, "nav_items": [], "request_path": "/missing",
                                      "status": 404, "title": "Not found", "detail": "no page lives at this address",
                                      "flashes": [{"level": "info", "message": "You have been signed out."}]}),
        "error-minimal": ("error.html", {"status": 500, "title": "Something went wrong",
                                         "detail": "an unexpected error happened; it has been logged"}),
        "dashboard": ("preview/dashboard.html", {**base, "current_user": ana, "nav_items": NAV[:4],
                                                 "request_path": "/relationships/4", "rows": rows,
                                                 "flashes": [{"level": "success", "message": "Session saved."},
                                                             {"level": "error", "message": "Could not email Jonas."}]}),
        "form-errors": ("preview/form.html", {**base, "current_user": admin, "nav_items": NAV,
                                              "request_path": "/sessions/new", "form": bad}),
        "form-empty": ("preview/form.html", {**base, "current_user": ana, "nav_items": NAV[:4],
                                             "request_path": "/sessions/new", "form": Form()}),
        "components": ("preview/ui.html", {**base, "current_user": None, "nav_items": NAV[:2],
                                           "request_path": "/", "states": STATES}),
    }


def check(name: str, html: str) -> list[str]:
    """Rules every rendered page must follow."""
    problems = []
    if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
        problems.append("inline <script>")
    if re.search(r"\son[a-z]+\s*=", html):
        problems.append("inline event handler")
    if re.search(r"\sstyle\s*=", html):
        problems.append("inline style attribute")
    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I):
        if not re.search(r'name="_csrf_token" value="[^"]+"', form):
            problems.append("POST form without a (non-empty) CSRF field")
    if "hunter2" in html:
        problems.append("password echoed")
    for id_ in re.findall(r'aria-describedby="([^"]+)"', html):
        for one in id_.split():
            if f'id="{one}"' not in html:
                problems.append(f"aria-describedby points at missing #{one}")
    ids = re.findall(r'\sid="([^"]+)"', html)
    if len(ids) != len(set(ids)):
        problems.append("duplicate ids")
    for tag in ("<header", "<nav" if "site-nav" in html else "<header", "<main", "<footer", 'class="skip-link"'):
        if tag not in html:
            problems.append(f"missing {tag}")
    return [f"{name}: {p}" for p in problems]


def render_all() -> list[Path]:
    env = make_environment(None, [])
    env.globals.setdefault("site_name", "Mentorkit")
    # What the app may register so that imports WITHOUT context still get the token (see docs).
    env.globals["current_csrf_token"] = lambda: "tok-from-global"
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader(PAGES), env.loader])  # type: ignore[list-item]
    OUT.mkdir(parents=True, exist_ok=True)
    static = Path(CORE_STATIC).as_uri() + "/"
    written, problems = [], []
    for name, (template, ctx) in contexts().items():
        html = env.get_template(template).render(**ctx)
        problems += check(name, html)
        path = OUT / f"{name}.html"
        path.write_text(html.replace("/static/core/", static), encoding="utf-8")
        written.append(path)
    for p in problems:
        print("PROBLEM", p)
    if problems:
        raise SystemExit(1)
    return written


def screenshots(pages: list[Path]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for scheme in ("light", "dark"):
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                page.on("dialog", lambda d: d.dismiss())
                for path in pages:
                    page.goto(path.as_uri())
                    png = OUT / f"{path.stem}-{width}-{scheme}.png"
                    page.screenshot(path=str(png), full_page=True)
                    print(png)
                page.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--screenshots", action="store_true", help="also write PNGs (Playwright + /usr/bin/chromium)")
    args = parser.parse_args()
    pages = render_all()
    for p in pages:
        print(p)
    if args.screenshots:
        screenshots(pages)


if __name__ == "__main__":
    main()
