"""Pages, forms and messages name roles and formats by their labels, never by their keys."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.contracts import ProgramFormat, RoleSlot
from mentorkit.testing.auth import create_user
from tests.test_mentoring_pages import act_as, form, ok, spring_pair

TRIAD = ProgramFormat(
    key="labels_triad",
    label="Thesis supervision",
    roles=(
        RoleSlot("supervisor", "Supervisor"),
        RoleSlot("co_supervisor", "Co-supervisor", min_members=1, max_members=2),
        RoleSlot("doctoral_student", "Doctoral student"),
    ),
)
RAW_KEYS = ("co_supervisor", "doctoral_student", "labels_triad", "Co_supervisor", "Doctoral_student")


class TriadPlugin:
    @hookimpl
    def register_program_formats(self, register: Any) -> None:
        register(TRIAD)


@pytest.fixture(autouse=True)
def triad(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("triad_labels", TriadPlugin()))


def visible(page: str) -> str:
    """What a person reads: the text between the tags (attribute values such as field names
    and option values are keys on purpose and never shown)."""
    body = page.partition("<main")[2].partition("</main>")[0]
    return html.unescape(re.sub(r"<[^>]*>", " ", body))


def no_raw_keys(page: str) -> str:
    text = visible(page)
    for key in RAW_KEYS:
        assert key not in text, f"{key!r} shown in: …{text[max(0, text.find(key) - 120):text.find(key) + 60]}…"
    return text


def flash_after(c: Any, response: Any) -> str:
    """The page the redirect leads to, where the flash message is shown."""
    assert response.status_code == 303, response.text[:300]
    return ok(c.get(response.headers["location"])).text


def test_a_triad_is_shown_with_its_labels_everywhere(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    people = {"sam@example.org": "supervisor", "cody@example.org": "co_supervisor",
              "dora@example.org": "doctoral_student"}
    for email in people:
        create_user(c, email, email.split("@")[0].title())
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "phd", "name": "PhD", "format": "labels_triad"}, headers=h),
             201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))

    for email, role in people.items():
        act_as(c, email)
        overview = no_raw_keys(ok(c.get(f"/programs/{pid}")).text)
        assert "Co-supervisor" in overview and "Doctoral student" in overview  # the enrol choices
        page = no_raw_keys(flash_after(c, c.post(f"/programs/{pid}/enrol", data=form(c, role=role),
                                                 follow_redirects=False)))
    assert "You are enrolled as Doctoral student." in page
    again = c.post(f"/programs/{pid}/enrol", data=form(c, role="doctoral_student"))
    assert again.status_code == 409 and "already enrolled as Doctoral student" in no_raw_keys(again.text)

    act_as(c, "ada@example.org")
    assert "Thesis supervision" in no_raw_keys(ok(c.get("/programs")).text)
    overview = no_raw_keys(ok(c.get(f"/programs/{pid}")).text)
    assert "Co-supervisors enrolled" in overview and "Doctoral students enrolled" in overview
    participants = no_raw_keys(ok(c.get(f"/programs/{pid}?section=participants")).text)
    assert "1 Co-supervisor" in participants and re.search(r">\s*Doctoral student\s*<", ok(
        c.get(f"/programs/{pid}?section=participants")).text)
    searched = no_raw_keys(ok(c.get(f"/programs/{pid}?section=participants&q=doctoral")).text)
    assert "Dora" in searched and "Sam" not in searched
    pairing = no_raw_keys(ok(c.get(f"/programs/{pid}?section=pairing")).text)
    assert "Co-supervisors" in pairing and "every member sees" in pairing
    empty = c.post(f"/programs/{pid}/relationships", data=form(c))
    assert empty.status_code == 400
    assert "Co-supervisors: choose 1 to 2" in no_raw_keys(empty.text) and "Doctoral student: choose one" in visible(
        empty.text)

    ids = {e["role"]: str(e["id"]) for e in ok(c.get(f"/api/v1/programs/{pid}/enrolments"))}
    no_raw_keys(flash_after(c, c.post(f"/programs/{pid}/relationships", data=form(c, **ids), follow_redirects=False)))
    relationships = no_raw_keys(ok(c.get(f"/programs/{pid}?section=relationships")).text)
    assert "Dora (Doctoral student)" in relationships
    [relationship] = ok(c.get(f"/api/v1/programs/{pid}/relationships"))
    page = no_raw_keys(ok(c.get(f"/relationships/{relationship['id']}")).text)
    assert "Co-supervisor" in page and "Thesis supervision" in page

    act_as(c, "dora@example.org")
    home = no_raw_keys(ok(c.get("/")).text)
    assert "Doctoral student with Sam, Cody" in home


def test_a_coordinator_withdrawing_someone_is_told_their_role_by_its_label(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    create_user(c, "dora@example.org", "Dora")
    h = act_as(c, "ada@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "phd", "name": "PhD", "format": "labels_triad"}, headers=h),
             201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    h = act_as(c, "dora@example.org")
    enrolment = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "doctoral_student"}, headers=h), 201)
    act_as(c, "ada@example.org")
    response = c.post(f"/programs/{pid}/enrolments/{enrolment['id']}/withdraw", data=form(c), follow_redirects=False)
    assert "Dora (dora@example.org) is withdrawn as Doctoral student." in no_raw_keys(flash_after(c, response))


def test_one_to_one_pages_say_mentor_and_mentee(mentorkit_client: Any) -> None:
    c = mentorkit_client
    for email, name in (("ada@example.org", "Ada Admin"), ("mo@example.org", "Mo Mentor"),
                        ("mia@example.org", "Mia Mentee")):
        create_user(c, email, name, is_admin=email.startswith("ada"))
    pid, rid, _ = spring_pair(c)
    participants = ok(c.get(f"/programs/{pid}?section=participants")).text
    assert re.search(r'data-label="Role">Mentor<', participants)
    assert re.search(r'data-label="Role">Mentee<', participants)
    overview = visible(ok(c.get(f"/programs/{pid}")).text)
    assert "Mentors enrolled" in overview and "Mentees enrolled" in overview
    page = visible(ok(c.get(f"/relationships/{rid}")).text)
    assert re.search(r"Mia Mentee\s+Mentee", page) and "1:1 mentoring" in page
    act_as(c, "mia@example.org")
    assert "Mentee with Ada Admin" in visible(ok(c.get("/")).text)
