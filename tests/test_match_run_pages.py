"""Match runs through the pages, ``/api/v1`` and ``mentorkit match run``: start, follow,
review (explanations, remove, swap), publish; errors name the field."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from mentorkit.testing.auth import create_user
from tests.test_match_runs import Strategies
from tests.test_mentoring_pages import act_as, ok


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("strategies", Strategies())]


def cohort(c: Any) -> tuple[int, dict[str, str]]:
    """Program "Spring" with the shared-skills strategy: Mo (python, sql; 2 places) and Max
    (design) mentor; Mia (python), Mel (sql) and Meg (design) are mentees. Ada stays signed in."""
    create_user(c, "ada@example.org", "Ada", is_admin=True)
    h = act_as(c, "ada@example.org")
    for label in ("Python", "SQL", "Design"):
        ok(c.post("/api/v1/tags", json={"label": label}, headers=h), 201)
    pid = ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring", "matching_strategy": "shared_skills",
                                              "acceptance": "one_sided"}, headers=h), 201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    people = {"mo": ("mentor", {"skills_offered": ["python", "sql"]}),
              "max": ("mentor", {"skills_offered": ["design"]}),
              "mia": ("mentee", {"skills_sought": ["python"]}), "mel": ("mentee", {"skills_sought": ["sql"]}),
              "meg": ("mentee", {"skills_sought": ["design"]})}
    for name, (role, profile) in people.items():
        create_user(c, f"{name}@example.org", name.title())
        hh = act_as(c, f"{name}@example.org")
        ok(c.patch("/api/v1/profile", json=profile, headers=hh))
        enrolment = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": role}, headers=hh), 201)
        if name == "mo":
            ok(c.patch(f"/api/v1/programs/{pid}/enrolments/{enrolment['id']}", json={"capacity": 2}, headers=hh))
    return pid, act_as(c, "ada@example.org")


def finished(c: Any, url: str) -> dict[str, Any]:
    for _ in range(200):
        run = ok(c.get(url))
        if run["state"] != "running":
            return run  # type: ignore[no-any-return]
        time.sleep(0.02)
    raise AssertionError("the run did not finish")


def test_the_api_runs_reviews_and_publishes(mentorkit_client: Any) -> None:
    c = mentorkit_client
    pid, h = cohort(c)
    started = ok(c.post(f"/api/v1/programs/{pid}/match-runs", headers=h), 202)
    run = finished(c, f"/api/v1/programs/{pid}/match-runs/{started['id']}")
    assert (run["state"], run["metrics"]["proposals"], run["metrics"]["matched"]) == ("done", 3, 3)
    base = f"/api/v1/programs/{pid}/match-runs/{run['id']}"
    page = ok(c.get(f"{base}/proposals?limit=2"))
    assert len(page["items"]) == 2 and page["next_offset"] == 2
    proposals = ok(c.get(f"{base}/proposals"))["items"]
    assert [p["score"] for p in proposals] == [1.0, 1.0, 1.0]
    assert ok(c.get(f"{base}/proposals?q=meg"))["items"][0]["members"][1]["display_name"] == "Meg"
    both = ok(c.get(f"{base}/proposals?q=meg,%20MIA"))["items"]
    assert sorted(p["members"][1]["display_name"] for p in both) == ["Meg", "Mia"]
    first, second, third = (p["id"] for p in proposals)
    bad = c.post(f"{base}/proposals/{first}/swap", json={"other_id": first}, headers=h)
    assert bad.status_code == 400 and "other_id" in bad.text
    swapped = ok(c.post(f"{base}/proposals/{first}/swap", json={"other_id": third}, headers=h))
    assert [p["score"] for p in swapped] == [0.0, 0.0]
    refused = c.post(f"{base}/proposals/{second}", json={"action": "publish"}, headers=h)
    assert refused.status_code == 400 and "action" in refused.text
    assert ok(c.post(f"{base}/proposals/{second}", json={"action": "remove"}, headers=h))["status"] == "removed"
    report = ok(c.post(f"{base}/publish", json={"proposal_ids": [first]}, headers=h))
    assert len(report["published"]) == 1 and report["problems"] == {}
    relationship = ok(c.get(f"/api/v1/relationships/{report['published'][0]}"))
    assert relationship["relationship"]["state"] == "pending"
    assert ok(c.get(f"/api/v1/programs/{pid}/match-runs"))["items"][0]["id"] == run["id"]
    # Another coordinator's program, a participant: refused.
    act_as(c, "mia@example.org")
    assert c.get(base).status_code == 403


def test_the_pages_follow_a_run_and_show_its_review(mentorkit_client: Any) -> None:
    c = mentorkit_client
    pid, _ = cohort(c)
    listing = ok(c.get(f"/programs/{pid}/matching"))
    assert "Start a match run" in listing.text and "No match runs yet." in listing.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', listing.text).group(1)  # type: ignore[union-attr]
    started = c.post(f"/programs/{pid}/matching/runs", data={"_csrf_token": token}, follow_redirects=False)
    assert started.status_code in (302, 303)
    run_url = started.headers["location"]
    run_id = int(run_url.rsplit("/", 1)[1])
    finished(c, f"/api/v1/programs/{pid}/match-runs/{run_id}")
    overview = ok(c.get(run_url))
    assert "3 of 3" in overview.text and "<svg" in overview.text and "Proposals by score" in overview.text
    proposals = ok(c.get(f"{run_url}?section=proposals"))
    assert "Mo offers 1 of the skills Mia seeks." in proposals.text and "Why this pair" in proposals.text
    ids = re.findall(r'name="proposal_ids" value="(\d+)"', proposals.text)
    assert len(ids) == 3
    removed = c.post(f"{run_url}/proposals/{ids[1]}", data={"_csrf_token": token, "action": "remove"},
                     follow_redirects=True)
    assert "Removed the proposal." in removed.text
    wrong = c.post(f"{run_url}/proposals/{ids[0]}/swap", data={"_csrf_token": token, "other_id": "x"})
    assert wrong.status_code == 400 and "Swap with" in wrong.text
    nothing = c.post(f"{run_url}/publish", data={"_csrf_token": token})
    assert nothing.status_code == 400 and "tick at least one proposal" in nothing.text.lower()
    published = c.post(f"{run_url}/publish", data={"_csrf_token": token, "all": "on"}, follow_redirects=True)
    assert "Published 2 proposals." in published.text
    unmatched = ok(c.get(f"{run_url}?section=unmatched"))
    assert "Everyone who wanted a match has a proposal." in unmatched.text


def test_the_cli_runs_a_program_and_prints_what_it_found(mentorkit_client: Any, mentorkit_cli: Any) -> None:
    pid, _ = cohort(mentorkit_client)
    result = mentorkit_cli("match", "run", "spring")
    assert result.exit_code == 0, result.output
    assert "Run 1 of program spring: done" in result.output
    assert "3 proposal(s); 3 of 3 matched (100%)" in result.output
    assert f"/programs/{pid}/matching/runs/" in result.output
    failed = mentorkit_cli("match", "run", "autumn")
    assert failed.exit_code == 1 and "no program has the id or slug 'autumn'" in failed.output
