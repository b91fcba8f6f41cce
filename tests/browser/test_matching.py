"""In a real Chromium on the demo site: the coordinator runs the smart strategy on the research
program, watches the progress, reads an explanation, swaps two pairs and publishes; then in
the mentee-led program the demo mentee requests a suggested mentor, who accepts."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.contracts import MatchCriterion
from tests.browser.screenshots import doc_screenshot
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

# How long the test's own criterion holds the scoring, so the progress bar can be seen.
PACE_SECONDS = 2.5


PACED: list[bool] = []


def _paced(pool: Any, seekers: Any, offerers: Any) -> list[list[float]]:
    if not PACED:  # only the run's scoring, not every explanation after it
        PACED.append(True)
        time.sleep(PACE_SECONDS)  # in the strategy's worker thread, like real heavy scoring
    return [[0.5] * len(offerers) for _ in seekers]


class Pacing:
    """A matching criterion from a plugin (register_match_criteria): neutral, but slow."""

    @hookimpl
    def register_match_criteria(self, register: Any) -> None:
        register(MatchCriterion(key="pacing", label="Pacing", score=_paced, sentence=lambda a, b, v: "",
                                weight=0.01))


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("pacing", Pacing())]


def _demo(live_server: Any) -> dict[str, int]:
    from mentorkit.demo import fill_demo_site
    from mentorkit.programs.tables import Program

    async def build() -> dict[str, int]:
        await fill_demo_site(live_server.runtime)
        rows = await Program.select(Program.id, Program.slug, Program.matching_strategy)
        assert {r["slug"]: r["matching_strategy"] for r in rows}["research-spring"] == "smart"
        return {r["slug"]: r["id"] for r in rows}

    return asyncio.run_coroutine_threadsafe(build(), live_server.loop).result(timeout=120)


def test_a_coordinator_runs_smart_matching_and_a_mentee_requests_a_mentor(live_server: Any, page: Any,
                                                                           browser: Any) -> None:
    from mentorkit.demo import COORDINATOR_EMAIL, DEMO_PASSWORD, MENTEE_EMAIL, MENTOR_EMAIL

    base = live_server.url
    PACED.clear()
    programs = _demo(live_server)
    research = programs["research-spring"]

    # The coordinator starts a run from the program's Pairing section.
    sign_in(page, base, COORDINATOR_EMAIL, DEMO_PASSWORD)
    page.goto(f"{base}/programs/{research}?section=pairing")
    page.get_by_role("link", name="Match runs").click()
    page.get_by_role("button", name="Start a match run").click()
    # The run page: a progress bar while the strategy works (the page refreshes itself).
    bar = page.locator("#run-progress")
    bar.wait_for()
    assert page.get_by_role("status").inner_text().startswith("Matching Spring research mentoring")
    doc_screenshot(page, "match-run-progress")
    page.get_by_role("heading", name=re.compile(r"Run 1 Ready for review")).wait_for(timeout=30_000)
    overview = page.locator("main").inner_text()
    assert "Proven optimal" in overview and "Proposals by score" in overview
    doc_screenshot(page, "match-run-overview")

    # Proposals: an explanation one click away.
    page.get_by_role("link", name=re.compile("^Proposals")).click()
    first = page.locator("li.proposal").first
    first.locator("summary", has_text="Why this pair").click()
    reasons = first.locator(".explanation li")
    assert reasons.count() >= 2 and re.search(r"(skills|time-zone|speak|available|senior)",
                                              reasons.first.inner_text(), re.I)
    doc_screenshot(page, "match-run-proposals")

    # Swap the mentors of the first two proposals.
    def pair_of(item: Any) -> str:
        return str(item.locator("strong").first.inner_text())

    items = page.locator("li.proposal")
    before = [pair_of(items.nth(0)), pair_of(items.nth(1))]
    second_label = items.nth(1).locator(".proposal__number").inner_text().rstrip(".")
    swap = items.nth(0).locator("select[name=other_id]")
    swap.select_option(label=next(o for o in swap.locator("option").all_inner_texts()
                                  if o.startswith(f"{second_label}. ")))
    items.nth(0).get_by_role("button", name="Swap partners").click()
    page.locator(".flashes", has_text="Swapped: ").wait_for()
    items = page.locator("li.proposal")
    after = [pair_of(items.nth(0)), pair_of(items.nth(1))]
    assert after != before and items.nth(0).get_by_text("Swapped").count() >= 1
    mentee_of = [b.split(" & ")[1] for b in before]
    assert [a.split(" & ")[1] for a in after] == mentee_of  # the mentees stay, the mentors moved

    # Publish everything, after the confirmation.
    page.locator("summary", has_text=re.compile(r"^Publish all \d+ proposals")).click()
    page.get_by_role("button", name=re.compile(r"^Yes, publish all")).click()
    page.locator(".flashes", has_text=re.compile(r"Published \d+ proposals\.")).wait_for()
    assert page.locator("li.proposal a", has_text="Relationship").count() == page.locator("li.proposal").count()

    # The mentee-led program: the demo mentee asks the demo mentor.
    mentee = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(mentee, base, MENTEE_EMAIL, DEMO_PASSWORD)
    mentee.goto(f"{base}/programs/{programs['find-a-mentor']}")
    mentee.get_by_role("link", name="Find a mentor").click()
    card = mentee.locator("li.card", has=mentee.get_by_role("link", name="Morgan Mentor"))
    assert card.locator("ul li").count() >= 1  # why they are suggested
    card.locator("summary", has_text="Request a match").click()
    card.get_by_label("Message").fill("I would love help with my first conference talk.")
    card.get_by_role("button", name="Send request").click()
    mentee.get_by_role("link", name="You asked Morgan Mentor").wait_for()
    doc_screenshot(mentee, "self-matching-request")
    relationship_url = mentee.get_by_role("link", name="You asked Morgan Mentor").get_attribute("href")

    mentor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(mentor, base, MENTOR_EMAIL, DEMO_PASSWORD)
    mentor.goto(f"{base}{relationship_url}")
    assert "Mina Mentee (mentee) asked to be matched with you" in mentor.locator("#answer-match").inner_text()
    assert "first conference talk" in mentor.locator(".request-message").inner_text()
    mentor.get_by_role("button", name="Accept the match").click()
    mentor.locator("h1 .badge", has_text="Active").wait_for()
    mentee.reload()
    mentee.goto(f"{base}{relationship_url}")
    assert mentee.locator("h1 .badge").inner_text() == "Active"
