"""The 1:1 slice through HTTP: the JSON API and the HTML pages, people signed in for real."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mentorkit.testing.auth import create_user, csrf_headers, csrf_token, sign_in, sign_out

# An hour ago: sessions are logged after they happen, and not before the relationship began.
RECENT = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
PRIVATE = "I was nervous about the promotion talk"
SHARED = "We agreed to meet every two weeks"


@pytest.fixture
def people(mentorkit_client: Any) -> dict[str, Any]:
    client = mentorkit_client
    return {
        "admin": create_user(client, "ada@example.org", "Ada Admin", is_admin=True),
        "mentor": create_user(client, "mo@example.org", "Mo Mentor"),
        "mentee": create_user(client, "mia@example.org", "Mia Mentee"),
        "other": create_user(client, "otto@example.org", "Otto Other"),
    }


def act_as(client: Any, email: str) -> dict[str, str]:
    """Sign in as ``email``; return the CSRF headers for API calls."""
    sign_out(client)
    sign_in(client, email)
    return csrf_headers(client)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text[:500]}"
    return response.json() if "json" in response.headers.get("content-type", "") else response


def spring_pair(c: Any) -> tuple[int, int, dict[str, str]]:
    """Program "Spring" (enrolling) where Ada mentors Mia, paired by Ada, who stays signed in.

    Returns the program id, the relationship id and Ada's CSRF headers.
    """
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring"}, headers=h), 201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    mentor = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentor"}, headers=h), 201)
    h = act_as(c, "mia@example.org")
    mentee = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=h), 201)
    h = act_as(c, "ada@example.org")
    rid = ok(
        c.post(
            f"/api/v1/programs/{pid}/relationships", json={"enrolment_ids": [mentor["id"], mentee["id"]]}, headers=h
        ),
        201,
    )["id"]
    return pid, rid, h


# --------------------------------------------------------------------------- API


def test_the_one_to_one_story_through_the_api(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    program = ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring"}, headers=h), 201)
    pid = program["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    other = ok(c.post("/api/v1/programs", json={"slug": "autumn", "name": "Autumn"}, headers=h), 201)
    ok(
        c.post(
            f"/api/v1/programs/{other['id']}/staff",
            json={"email": "otto@example.org", "role": "coordinator"},
            headers=h,
        )
    )

    h = act_as(c, "mo@example.org")
    mentor_enrolment = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentor"}, headers=h), 201)
    assert ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentor"}, headers=h), 409)
    h = act_as(c, "mia@example.org")
    mentee_enrolment = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=h), 201)
    assert c.get(f"/api/v1/programs/{pid}/enrolments").status_code == 403

    h = act_as(c, "ada@example.org")
    assert len(ok(c.get(f"/api/v1/programs/{pid}/enrolments"))) == 2
    relationship = ok(
        c.post(
            f"/api/v1/programs/{pid}/relationships",
            json={"enrolment_ids": [mentor_enrolment["id"], mentee_enrolment["id"]]},
            headers=h,
        ),
        201,
    )
    rid = relationship["id"]
    again = c.post(
        f"/api/v1/programs/{pid}/relationships",
        json={"enrolment_ids": [mentor_enrolment["id"], mentee_enrolment["id"]]},
        headers=h,
    )
    assert again.status_code == 409

    h = act_as(c, "mia@example.org")
    assert [r["id"] for r in ok(c.get("/api/v1/relationships"))] == [rid]
    session = ok(
        c.post(
            f"/api/v1/relationships/{rid}/sessions",
            headers=h,
            json={
                "held_at": RECENT.isoformat(),
                "duration_minutes": 45,
                "title": "Our first chat",
                "shared_notes": SHARED,
                "private_note": PRIVATE,
            },
        ),
        201,
    )
    assert session["private_note"] == PRIVATE
    assert ok(c.get(f"/api/v1/relationships/{rid}/sessions/{session['id']}"))["private_note"] == PRIVATE

    h = act_as(c, "mo@example.org")
    assert [r["id"] for r in ok(c.get("/api/v1/relationships"))] == [rid]
    for url in (
        f"/api/v1/relationships/{rid}",
        f"/api/v1/relationships/{rid}/sessions",
        f"/api/v1/relationships/{rid}/sessions/{session['id']}",
    ):
        response = ok(c.get(url))
        assert PRIVATE not in str(response), url
    assert SHARED in str(ok(c.get(f"/api/v1/relationships/{rid}/sessions")))

    h = act_as(c, "ada@example.org")
    view = ok(c.get(f"/api/v1/relationships/{rid}"))
    assert view["viewer"] == "coordinator" and view["relationship"]["session_count"] == 1
    assert view["sessions"][0]["duration_minutes"] == 45
    text = c.get(f"/api/v1/relationships/{rid}").text + c.get(f"/api/v1/relationships/{rid}/sessions").text
    assert PRIVATE not in text and SHARED not in text and "Our first chat" not in text
    assert c.get(f"/api/v1/relationships/{rid}/sessions/{session['id']}").status_code == 404
    counts = ok(c.get(f"/api/v1/programs/{pid}/relationships"))
    assert [(r["id"], r["session_count"]) for r in counts] == [(rid, 1)]

    h = act_as(c, "otto@example.org")  # coordinator of another program
    assert c.post(f"/api/v1/programs/{pid}/state", json={"state": "running"}, headers=h).status_code == 403
    assert c.get(f"/api/v1/programs/{pid}/enrolments").status_code == 403
    assert c.post(f"/api/v1/programs/{pid}/relationships", json={"enrolment_ids": [1, 2]}, headers=h).status_code == 403
    assert c.get(f"/api/v1/relationships/{rid}").status_code == 404
    assert c.get(f"/api/v1/relationships/{rid}/sessions/{session['id']}").status_code == 404
    assert c.post(f"/api/v1/relationships/{rid}/complete", json={}, headers=h).status_code == 404

    h = act_as(c, "mo@example.org")
    done = ok(c.post(f"/api/v1/relationships/{rid}/complete", json={"reason": "Goals reached"}, headers=h))
    assert done["state"] == "completed"
    transitions = ok(c.get(f"/api/v1/relationships/{rid}"))["transitions"]
    assert [(t["from_state"], t["to_state"], t["reason"]) for t in transitions] == [
        ("proposed", "active", ""),
        ("active", "completed", "Goals reached"),
    ]


def test_anonymous_api_calls_are_refused(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    assert c.get("/api/v1/programs").status_code == 401
    assert c.get("/api/v1/relationships/1").status_code == 401


def test_api_names_unknown_fields(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    response = c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring", "nickname": "x"}, headers=h)
    assert response.status_code == 400
    assert "nickname" in response.text


def test_api_refuses_line_breaks_in_names_and_titles(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    response = c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring\r\nBcc: x@y.z"}, headers=h)
    assert response.status_code == 400
    assert [e["key"] for e in response.json()["errors"]] == ["name"]
    _, rid, h = spring_pair(c)
    response = c.post(
        f"/api/v1/relationships/{rid}/sessions",
        headers=h,
        json={"held_at": RECENT.isoformat(), "duration_minutes": 30, "title": "Hi\nthere"},
    )
    assert response.status_code == 400
    assert [e["key"] for e in response.json()["errors"]] == ["title"]
    response = c.post(
        f"/api/v1/relationships/{rid}/sessions",
        headers=h,
        json={"held_at": RECENT.isoformat(), "duration_minutes": 601, "title": "Long"},
    )
    assert response.status_code == 400


# --------------------------------------------------------------------------- pages


def form(client: Any, **fields: str) -> dict[str, str]:
    return {"_csrf_token": csrf_token(client), **fields}


def test_the_one_to_one_story_through_the_pages(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    act_as(c, "ada@example.org")
    assert "New program" in ok(c.get("/programs")).text
    assert 'name="slug"' in ok(c.get("/programs/new")).text
    response = c.post(
        "/programs",
        data=form(
            c, name="Spring", slug="spring", description="Six months.", format="one_to_one", matching_strategy="manual"
        ),
        follow_redirects=False,
    )
    assert response.status_code == 303
    program_url = response.headers["location"]
    pid = int(program_url.rsplit("/", 1)[1])
    response = c.post(f"{program_url}/state", data=form(c, state="enrolling"), follow_redirects=False)
    assert response.status_code == 303
    # Another program, coordinated by Otto.
    c.post("/programs", data=form(c, name="Autumn", slug="autumn"), follow_redirects=False)
    c.post("/programs/2/staff", data=form(c, email="otto@example.org", role="coordinator"), follow_redirects=False)

    for email, role in (("mo@example.org", "mentor"), ("mia@example.org", "mentee")):
        act_as(c, email)
        assert "Spring" in ok(c.get("/programs")).text
        response = c.post(f"{program_url}/enrol", data=form(c, role=role), follow_redirects=False)
        assert response.status_code == 303
        assert f"enrolled as <strong>{role}</strong>" in ok(c.get(program_url)).text

    act_as(c, "ada@example.org")
    page = ok(c.get(f"{program_url}?section=participants")).text
    assert "Mo Mentor" in page and "Mia Mentee" in page
    assert "Pair people" in ok(c.get(f"{program_url}?section=pairing")).text
    enrolments = ok(c.get(f"/api/v1/programs/{pid}/enrolments"))
    ids = {e["role"]: str(e["id"]) for e in enrolments}
    response = c.post(f"{program_url}/relationships", data=form(c, **ids), follow_redirects=False)
    assert response.status_code == 303
    rid = ok(c.get(f"/api/v1/programs/{pid}/relationships"))[0]["id"]

    act_as(c, "mia@example.org")
    home = ok(c.get("/")).text
    assert f"/relationships/{rid}" in home and "Mo Mentor" in home and "log it" in home
    response = c.post(
        f"/relationships/{rid}/sessions",
        follow_redirects=False,
        data=form(
            c,
            held_at=RECENT.strftime("%Y-%m-%dT%H:%M"),
            duration_minutes="45",
            title="Our first chat",
            shared_notes=SHARED,
            private_note=PRIVATE,
        ),
    )
    assert response.status_code == 303
    session_url = response.headers["location"]
    page = ok(c.get(session_url)).text
    assert PRIVATE in page and SHARED in page

    act_as(c, "mo@example.org")
    assert f"/relationships/{rid}" in ok(c.get("/")).text
    page = ok(c.get(f"/relationships/{rid}?section=sessions")).text
    assert "Our first chat" in page and PRIVATE not in page
    page = ok(c.get(session_url)).text
    assert SHARED in page and PRIVATE not in page

    act_as(c, "ada@example.org")
    page = ok(c.get(f"/relationships/{rid}?section=sessions")).text
    assert "1 session logged" in page
    assert "Our first chat" not in page and SHARED not in page and PRIVATE not in page
    assert c.get(session_url).status_code == 404
    overview = ok(c.get(program_url)).text
    assert "Our first chat" not in overview and PRIVATE not in overview

    act_as(c, "otto@example.org")
    assert c.get(program_url).status_code == 200  # an open program: anyone signed in may read it
    assert c.post(f"{program_url}/state", data=form(c, state="running"), follow_redirects=False).status_code == 403
    assert c.post(f"{program_url}/relationships", data=form(c, **ids), follow_redirects=False).status_code == 403
    assert c.get(f"/relationships/{rid}").status_code == 404
    assert c.get(session_url).status_code == 404

    act_as(c, "mia@example.org")
    response = c.post(f"/relationships/{rid}/complete", data=form(c, reason="Done"), follow_redirects=False)
    assert response.status_code == 400
    assert "tick the box" in response.text.lower()
    response = c.post(
        f"/relationships/{rid}/complete", data=form(c, reason="Done", confirm="on"), follow_redirects=False
    )
    assert response.status_code == 303
    view = ok(c.get(f"/api/v1/relationships/{rid}"))
    assert view["relationship"]["state"] == "completed"
    assert view["transitions"][-1]["to_state"] == "completed" and view["transitions"][-1]["reason"] == "Done"


def test_anonymous_visitors_get_a_welcome(mentorkit_client: Any) -> None:
    page = ok(mentorkit_client.get("/")).text
    assert 'href="/signup"' in page and 'href="/login"' in page


def test_new_program_form_shows_every_error_and_keeps_what_was_typed(
    mentorkit_client: Any, people: dict[str, Any]
) -> None:
    c = mentorkit_client
    act_as(c, "ada@example.org")
    response = c.post(
        "/programs",
        data=form(c, name="Spring\r\nnext", slug="Not A Slug!", description="Keep this text", format="speed_dating"),
    )
    assert response.status_code == 400
    page = response.text
    assert "There are 3 problems" in page
    for field in ("name", "slug", "format"):
        assert f'id="f-{field}-error"' in page
    assert 'value="Not A Slug!"' in page and "Keep this text" in page


def test_a_taken_slug_is_shown_on_the_form(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    act_as(c, "ada@example.org")
    c.post("/programs", data=form(c, name="Spring", slug="spring"), follow_redirects=False)
    response = c.post("/programs", data=form(c, name="Spring two", slug="spring"))
    assert response.status_code == 409
    assert 'id="f-slug-error"' in response.text and 'value="Spring two"' in response.text


def test_session_form_shows_every_error_and_keeps_what_was_typed(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    act_as(c, "mia@example.org")
    response = c.post(
        f"/relationships/{rid}/sessions",
        data=form(
            c,
            held_at="yesterday",
            duration_minutes="0",
            title="Hello\nBcc: x",
            shared_notes="typed notes",
            private_note="typed private",
        ),
    )
    assert response.status_code == 400
    page = response.text
    assert "There are 3 problems" in page
    for field in ("held_at", "duration_minutes", "title"):
        assert f'id="f-{field}-error"' in page
    assert "from 1 to 600" in page
    assert 'value="yesterday"' in page and "typed notes" in page and "typed private" in page


def test_pairing_form_reports_a_wrong_mix_of_roles(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring"}, headers=h), 201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    first = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=h), 201)
    h = act_as(c, "mia@example.org")
    second = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=h), 201)
    act_as(c, "ada@example.org")
    response = c.post(f"/programs/{pid}/relationships", data=form(c, mentor=str(first["id"]), mentee=str(second["id"])))
    assert response.status_code == 400
    assert "needs 1 mentor" in response.text
    response = c.post(f"/programs/{pid}/relationships", data=form(c, mentor="", mentee=""))
    assert response.status_code == 400
    # Each empty role is named in the summary by its label, and its field says what to do.
    assert 'href="#f-mentor">Mentor: choose one' in response.text
    assert 'href="#f-mentee">Mentee: choose one' in response.text


def test_withdrawing_through_the_page_uses_the_pages_own_csrf_token(
    mentorkit_client: Any, people: dict[str, Any]
) -> None:
    import re

    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring"}, headers=h), 201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    act_as(c, "mia@example.org")
    # The overview links to the join page now (its form is the enrolment pages'); the enrol
    # handler still takes a form with the session's token.
    assert f'href="/programs/{pid}/join"' in c.get(f"/programs/{pid}").text
    assert (
        c.post(
            f"/programs/{pid}/enrol", data={"_csrf_token": csrf_token(c), "role": "mentee"}, follow_redirects=False
        ).status_code
        == 303
    )
    page = c.get(f"/programs/{pid}").text
    match = re.search(
        r'action="(/programs/\d+/enrolments/\d+/withdraw)"[^>]*>\s*'
        r'<input type="hidden" name="_csrf_token" value="([^"]+)"',
        page,
    )
    assert match, "the withdraw button is a form with a CSRF token"
    response = c.post(match.group(1), data={"_csrf_token": match.group(2)}, follow_redirects=False)
    assert response.status_code == 303
    assert "enrolled as" not in c.get(f"/programs/{pid}").text


def test_observers_see_counts_but_change_nothing(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    pid, rid, h = spring_pair(c)
    ok(c.post(f"/api/v1/programs/{pid}/staff", json={"email": "otto@example.org", "role": "observer"}, headers=h))

    h = act_as(c, "otto@example.org")
    # Observers read numbers only (issue 9): lists of people are for coordinators.
    page = ok(c.get(f"/programs/{pid}?section=participants")).text
    assert "Mia Mentee" not in page and "Program state" not in ok(c.get(f"/programs/{pid}")).text
    assert "Pair people" not in ok(c.get(f"/programs/{pid}?section=pairing")).text
    assert c.get(f"/api/v1/programs/{pid}/relationships").status_code == 403
    assert ok(c.get(f"/api/v1/programs/{pid}/aggregates"))["relationships"] == {"active": 1}
    assert c.post(f"/api/v1/programs/{pid}/state", json={"state": "running"}, headers=h).status_code == 403
    assert (
        c.post(
            f"/api/v1/programs/{pid}/staff", json={"email": "otto@example.org", "role": "coordinator"}, headers=h
        ).status_code
        == 403
    )
    assert c.get(f"/relationships/{rid}").status_code == 404
    assert c.get(f"/api/v1/relationships/{rid}/sessions").status_code == 404
    assert "Spring" in ok(c.get("/")).text  # "Programs you run"


def test_draft_programs_are_hidden_from_people_outside_them(mentorkit_client: Any, people: dict[str, Any]) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "secret", "name": "Secret"}, headers=h), 201)["id"]
    h = act_as(c, "mia@example.org")
    assert c.get(f"/programs/{pid}").status_code == 404
    assert c.get(f"/api/v1/programs/{pid}").status_code == 404
    assert c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=h).status_code == 404
    assert "Secret" not in c.get("/programs").text


def test_the_home_page_lists_active_enrolments_and_staffed_programs_with_roles(
    mentorkit_client: Any, people: dict[str, Any]
) -> None:
    """One statement reads both lists: enrolments (withdrawn ones left out) and programs run."""
    import re

    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    ids = {}
    for slug, name in [("spring", "Spring"), ("autumn", "Autumn"), ("winter", "Winter")]:
        ids[slug] = ok(c.post("/api/v1/programs", json={"slug": slug, "name": name}, headers=h), 201)["id"]
        ok(c.post(f"/api/v1/programs/{ids[slug]}/state", json={"state": "enrolling"}, headers=h))
    h = act_as(c, "mo@example.org")
    ok(c.post(f"/api/v1/programs/{ids['spring']}/enrolments", json={"role": "mentor"}, headers=h), 201)
    gone = ok(c.post(f"/api/v1/programs/{ids['winter']}/enrolments", json={"role": "mentee"}, headers=h), 201)
    ok(c.post(f"/api/v1/programs/{ids['winter']}/enrolments/{gone['id']}/withdraw", headers=h))
    h = act_as(c, "ada@example.org")
    for slug, role in [("winter", "observer"), ("autumn", "coordinator")]:
        ok(c.post(f"/api/v1/programs/{ids[slug]}/staff", json={"email": "mo@example.org", "role": role}, headers=h))

    act_as(c, "mo@example.org")
    page = ok(c.get("/")).text
    run_part, _, rest = page.partition("Your relationships")
    _, _, enrolled_part = rest.partition("Your enrolments")
    runs = re.findall(r'<a href="/programs/(\d+)">(\w+)</a>.*?<span class="muted small">(\w+)</span>', run_part)
    assert runs == [(str(ids["autumn"]), "Autumn", "coordinator"), (str(ids["winter"]), "Winter", "observer")]
    assert re.findall(r'<a href="/programs/\d+">(\w+)</a> as (\w+)', enrolled_part) == [("Spring", "mentor")]
    assert "Waiting for a coordinator to pair you." in enrolled_part

    act_as(c, "otto@example.org")
    page = ok(c.get("/")).text
    assert "Programs you run" not in page and "You have not enrolled in a program." in page
