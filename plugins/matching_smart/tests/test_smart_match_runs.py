"""The smart strategy in the core's match runs, through the API and the run page: bad input
(everyone excluded by a must rule, capacity below demand, missing answers) is a report on the
run page, never a crash or a silent drop."""

from __future__ import annotations

import time
from typing import Any

from mentorkit.testing.auth import create_user, csrf_headers, sign_in, sign_out


def _as(c: Any, email: str) -> dict[str, str]:
    sign_out(c)
    sign_in(c, email)
    return csrf_headers(c)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text[:400]}"
    return response.json()


def _program(c: Any, settings: dict[str, Any], people: dict[str, tuple[str, dict[str, Any]]]) -> tuple[int, dict]:
    create_user(c, "ada@example.org", "Ada", is_admin=True)
    h = _as(c, "ada@example.org")
    _ok(c.post("/api/v1/tags", json={"label": "SQL"}, headers=h), 201)
    pid = _ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring", "matching_strategy": "smart",
                                               "strategy_settings": settings}, headers=h), 201)["id"]
    _ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    for name, (role, profile) in people.items():
        create_user(c, f"{name.lower()}@example.org", name)
        hh = _as(c, f"{name.lower()}@example.org")
        if profile:
            _ok(c.patch("/api/v1/profile", json=profile, headers=hh))
        _ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": role}, headers=hh), 201)
    return pid, _as(c, "ada@example.org")


def _run(c: Any, pid: int, h: dict[str, str]) -> dict[str, Any]:
    run = _ok(c.post(f"/api/v1/programs/{pid}/match-runs", headers=h), 202)
    for _ in range(300):
        run = _ok(c.get(f"/api/v1/programs/{pid}/match-runs/{run['id']}"))
        if run["state"] != "running":
            return run
        time.sleep(0.02)
    raise AssertionError("the run did not finish")


def test_everyone_excluded_by_a_must_rule_is_a_report(mentorkit_client: Any) -> None:
    sales = {"department": "Sales", "skills_sought": ["sql"]}
    pid, h = _program(mentorkit_client, {"avoid_same_department": True}, {
        "Mo": ("mentor", {"department": "Sales", "skills_offered": ["sql"]}),
        "Mia": ("mentee", sales), "Mel": ("mentee", sales)})
    run = _run(mentorkit_client, pid, h)
    assert (run["state"], run["metrics"]["proposals"], run["metrics"]["seekers"]) == ("done", 0, 2)
    reasons = {u["display_name"]: u["reason"] for u in run["unmatched"]}
    assert set(reasons) == {"Mia", "Mel"}
    assert all("excluded by a rule" in r and "same-department" in r for r in reasons.values())
    page = mentorkit_client.get(f"/programs/{pid}/matching/runs/{run['id']}?section=unmatched")
    assert page.status_code == 200
    assert "Every mentor with room is excluded by a rule" in page.text


def test_capacity_below_demand_and_missing_answers_are_reasons(mentorkit_client: Any) -> None:
    pid, h = _program(mentorkit_client, {}, {
        "Mo": ("mentor", {"skills_offered": ["sql"]}),
        "Mia": ("mentee", {"skills_sought": ["sql"]}), "Mel": ("mentee", {}), "Meg": ("mentee", {})})
    run = _run(mentorkit_client, pid, h)
    assert run["state"] == "done" and run["metrics"]["proposals"] == 1
    assert run["metrics"]["matched"] == 1 and run["metrics"]["seekers"] == 3
    reasons = {u["display_name"]: u["reason"] for u in run["unmatched"]}
    assert set(reasons) == {"Mel", "Meg"}
    assert all(r.startswith("capacity below demand: 3 mentees for 1 places") for r in reasons.values())
    assert all("missing profile answers" in r for r in reasons.values())
    proposals = _ok(mentorkit_client.get(f"/api/v1/programs/{pid}/match-runs/{run['id']}/proposals"))["items"]
    assert [m["display_name"] for m in proposals[0]["members"]] == ["Mo", "Mia"]
    assert any("SQL" in c["sentence"] for c in proposals[0]["explanation"])  # the tag's label, not its key
