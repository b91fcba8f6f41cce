"""Every page of the demo site, as every demo role, in a real Chromium.

Signed in as the site admin, a coordinator, a mentor and a mentee, and signed out, the test follows every
same-origin link breadth-first from the home page and collects every problem it sees: an
answer of 400 or more, a console error, a page without an ``<h1>``, a form field without a
label, an element id used twice. It fails once, listing them all (page, role, problem).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from mentorkit.demo import ADMIN_EMAIL, COORDINATOR_EMAIL, DEMO_PASSWORD, MENTEE_EMAIL, MENTOR_EMAIL, fill_demo_site
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

ROLES = {"site admin": ADMIN_EMAIL, "coordinator": COORDINATOR_EMAIL, "mentor": MENTOR_EMAIL, "mentee": MENTEE_EMAIL,
         "signed out": None}
MAX_PAGES = 1000  # per role: the demo has fewer; the bound only stops a crawl that never ends
# Not followed: signing out ends the crawl's session (it is a POST form anyway, never a link).
SKIPPED_PATHS = ("/logout",)

# What the browser sees on the page: the problems a person using a keyboard or a screen reader
# would meet, as short texts.
PAGE_PROBLEMS = """() => {
  const problems = [];
  if (!document.querySelector("h1")) problems.push("no <h1>");
  const ids = new Map();
  for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, count] of ids) if (count > 1) problems.push(`duplicate id="${id}" (${count} elements)`);
  const unlabelled = ["hidden", "submit", "button", "reset", "image"];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.tagName === "INPUT" && unlabelled.includes((el.getAttribute("type") || "").toLowerCase())) continue;
    const byIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const labelled = el.labels.length > 0 || (el.getAttribute("aria-label") || "").trim() !== ""
      || (byIds.length > 0 && byIds.every((id) => document.getElementById(id)));
    if (!labelled) problems.push(`${el.tagName.toLowerCase()} name="${el.name}" has no label`);
  }
  return problems;
}"""
LINKS = "() => Array.from(document.querySelectorAll('a[href]'), (a) => a.href)"


def _sign_in(page: Any, base: str, email: str) -> None:
    sign_in(page, base, email, DEMO_PASSWORD)


def _crawl(page: Any, base: str, role: str) -> tuple[int, list[str]]:
    """Visit every page reachable from the home page; how many, and the problems found."""
    origin = urlsplit(base)[:2]
    problems: list[str] = []
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    queue: deque[str] = deque([f"{base}/"])
    seen = {f"{base}/"}
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        visited += 1
        where = f"{urlsplit(url).path}{'?' + urlsplit(url).query if urlsplit(url).query else ''} as {role}"
        # Ask first without rendering: downloads (the data export) are not pages.
        answer = page.request.get(url)
        if answer.status >= 400:
            problems.append(f"{where}: answered {answer.status}")
            continue
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        console.clear()
        page.goto(url)
        problems += [f"{where}: {problem}" for problem in page.evaluate(PAGE_PROBLEMS)]
        problems += [f"{where}: console error: {text}" for text in console]
        for link in page.evaluate(LINKS):
            link = urldefrag(link).url
            parts = urlsplit(link)
            if parts[:2] != origin or parts.path in SKIPPED_PATHS or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    if queue:
        problems.append(f"(crawl as {role} stopped after {MAX_PAGES} pages; {len(queue)} not visited)")
    return visited, problems


def test_every_page_as_every_demo_role(live_server: Any, browser: Any) -> None:
    asyncio.run_coroutine_threadsafe(fill_demo_site(live_server.runtime), live_server.loop).result(timeout=120)
    problems: list[str] = []
    visited: dict[str, int] = {}
    for role, email in ROLES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            if email is not None:
                _sign_in(page, live_server.url, email)
            visited[role], found = _crawl(page, live_server.url, role)
            problems += found
        finally:
            context.close()
    print("pages visited: " + ", ".join(f"{count} as {role}" for role, count in visited.items()))
    assert not problems, f"{len(problems)} problem(s) on the demo site:\n" + "\n".join(problems)


BAD_PAGES = {
    "/": '<h1>Home</h1><a href="/a">a</a> <a href="/missing">gone</a> <a href="http://example.org/">away</a>'
         '<label for="f-name">Name</label><input id="f-name" name="name"><input type="hidden" name="csrf">'
         '<label>Wrapped <input name="wrapped"></label><input aria-label="Search" name="q">',
    "/a": '<p id="x">no heading</p><p id="x"></p><a href="/#top">home again</a><select name="role"></select>'
          '<script>console.error("broken")</script><a href="/logout">Sign out</a>',
    "/logout": "<h1>Signed out</h1><textarea name='never'></textarea>",
}


def test_the_crawl_reports_each_kind_of_problem(page: Any) -> None:
    """The checks themselves, on a small site that has one of each problem (and pages that are fine)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = BAD_PAGES.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(f'<!doctype html><title>t</title><link rel="icon" href="data:,">'
                             f"{body or '<h1>Not found</h1>'}".encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        visited, problems = _crawl(page, f"http://127.0.0.1:{server.server_port}", "tester")
    finally:
        server.shutdown()
    assert visited == 3  # /, /a and /missing; not the other site, nor the sign-out link
    assert sorted(problems) == sorted([
        "/missing as tester: answered 404",
        "/a as tester: no <h1>",
        '/a as tester: duplicate id="x" (2 elements)',
        '/a as tester: select name="role" has no label',
        "/a as tester: console error: broken",
    ])
