"""Enrolment modes end to end through the HTTP client: open, invitation link, application
(approved and declined, the applicant told), the waitlist and its promotion, withdrawing
and re-joining, and a plugin's eligibility rule."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.accounts.tables import Notification
from mentorkit.events import EventRecord
from mentorkit.programs.tables import Enrolment, Program, ProgramInvitation
from mentorkit.testing.auth import sign_in_as


def design(client: Any, program: Any, **fields: Any) -> None:
    """Set program design columns directly (the design pages are another part of the work)."""
    client.run(lambda: Program.update({getattr(Program, k): v for k, v in fields.items()}).where(
        Program.id == program.id))


def events(client: Any, kind: str) -> list[dict[str, Any]]:
    """The payloads of the events of one type, oldest first."""
    async def read() -> list[dict[str, Any]]:
        rows = await EventRecord.select(EventRecord.payload).where(EventRecord.type == kind).order_by(EventRecord.id)
        return [row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"]) for row in rows]
    return client.run(read)


def inbox(client: Any, user: Any) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        rows = await Notification.select(Notification.subject, Notification.body).where(
            Notification.user == user.id).order_by(Notification.id)
        return [(row["subject"], row["body"]) for row in rows]
    return client.run(read)


def state_of(client: Any, enrolment_id: int) -> str:
    return client.run(lambda: Enrolment.select(Enrolment.state).where(Enrolment.id == enrolment_id).first())["state"]


def join(client: Any, program: Any, role: str, **more: Any) -> Any:
    return client.post(f"/api/v1/programs/{program.id}/enrolments", json={"role": role, **more})


@pytest.fixture
def world(mentorkit_client: Any, mentorkit_factory: Any) -> dict[str, Any]:
    coordinator = mentorkit_factory.user("Cora Coordinator")
    program = mentorkit_factory.program(name="Spring cohort", coordinators=[coordinator])
    return {"client": mentorkit_client, "f": mentorkit_factory, "coordinator": coordinator, "program": program}


# --------------------------------------------------------------------------- open


def test_open_program_enrols_through_the_join_page(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    mia = world["f"].user("Mia")
    sign_in_as(client, mia)
    page = client.get(f"/programs/{program.id}/join")
    assert page.status_code == 200 and "Choose your role" in page.text
    assert f'href="/programs/{program.id}/join?role=mentee"' in page.text
    form = client.get(f"/programs/{program.id}/join?role=mentee")
    assert "Join as mentee" in form.text
    response = client.post(f"/programs/{program.id}/enrol", data={"role": "mentee"}, follow_redirects=False)
    assert response.status_code == 303
    assert re.fullmatch(rf"/programs/{program.id}/enrolments/\d+", response.headers["location"])
    [created] = events(client, "enrolment.created")
    assert created["state"] == "active" and created["user_id"] == mia.id


# --------------------------------------------------------------------------- invitation


@pytest.fixture
def invitation_program(world: dict[str, Any]) -> dict[str, Any]:
    design(world["client"], world["program"], enrolment_mode="invitation")
    return world


def make_link(client: Any, coordinator: Any, program: Any, **data: Any) -> dict[str, Any]:
    sign_in_as(client, coordinator)
    response = client.post(f"/api/v1/programs/{program.id}/invitations", json=data)
    assert response.status_code == 201, response.text
    return response.json()


def token_of(link: dict[str, Any]) -> str:
    return link["link"].rsplit("/join/", 1)[1]


def test_invitation_program_refuses_joining_without_a_link(invitation_program: dict[str, Any]) -> None:
    client, program = invitation_program["client"], invitation_program["program"]
    sign_in_as(client, invitation_program["f"].user("Nolan"))
    response = join(client, program, "mentee")
    assert response.status_code == 409 and "invitation only" in response.json()["detail"]
    assert "open the invitation link you were sent" in client.get(f"/programs/{program.id}/join").text


def test_a_valid_link_enrols_and_counts_one_use(invitation_program: dict[str, Any]) -> None:
    client, program, f = invitation_program["client"], invitation_program["program"], invitation_program["f"]
    link = make_link(client, invitation_program["coordinator"], program, label="Newsletter", max_uses=2)
    assert link["status"] == "valid" and link["uses"] == 0
    # Only the hash is stored.
    stored = client.run(lambda: ProgramInvitation.select(ProgramInvitation.token_hash).first())
    assert token_of(link) not in stored["token_hash"]
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    landing = client.get(f"/join/{token_of(link)}")
    assert landing.status_code == 200 and "Spring cohort" in landing.text
    assert f"/login?next=/join/{token_of(link)}" in landing.text
    sign_in_as(client, f.user("Ivy"))
    form = client.get(f"/join/{token_of(link)}")
    assert f'name="invitation" value="{token_of(link)}"' not in form.text  # no role chosen yet
    assert f"invitation={token_of(link)}" in form.text
    response = client.post(f"/programs/{program.id}/enrol", data={"role": "mentee", "invitation": token_of(link)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    sign_in_as(client, invitation_program["coordinator"])
    [listed] = client.get(f"/api/v1/programs/{program.id}/invitations").json()
    assert listed["uses"] == 1 and listed["link"] == link["link"]


def test_used_up_expired_revoked_and_wrong_program_links_enrol_nobody(invitation_program: dict[str, Any]) -> None:
    client, program, f = invitation_program["client"], invitation_program["program"], invitation_program["f"]
    coordinator = invitation_program["coordinator"]
    once = make_link(client, coordinator, program, max_uses=1)
    expired = make_link(client, coordinator, program)
    revoked = make_link(client, coordinator, program)
    client.run(lambda: ProgramInvitation.update(
        {ProgramInvitation.expires_at: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(
        ProgramInvitation.id == expired["id"]))
    revoke = client.post(f"/api/v1/programs/{program.id}/invitations/{revoked['id']}/revoke")
    assert revoke.json()["status"] == "revoked"
    other = f.program(name="Autumn cohort", coordinators=[coordinator])
    design(client, other, enrolment_mode="invitation")
    elsewhere = make_link(client, coordinator, other)

    sign_in_as(client, f.user("First"))
    assert join(client, program, "mentee", invitation=token_of(once)).status_code == 201
    sign_in_as(client, f.user("Second"))
    cases = {
        token_of(once): "used as many times as it allows",
        token_of(expired): "has expired",
        token_of(revoked): "was revoked",
        token_of(elsewhere): "for another program",
    }
    for token, reason in cases.items():
        response = join(client, program, "mentee", invitation=token)
        assert response.status_code == 409 and reason in response.json()["detail"], response.text
    for token, status in ((token_of(once), 410), (token_of(expired), 410), (token_of(revoked), 410),
                          ("no-such-token", 404)):
        assert client.get(f"/join/{token}").status_code == status
    assert client.run(lambda: Enrolment.count().where(Enrolment.program == program.id)) == 1


def test_a_link_for_a_role_enrols_with_that_role_only(invitation_program: dict[str, Any]) -> None:
    client, program = invitation_program["client"], invitation_program["program"]
    link = make_link(client, invitation_program["coordinator"], program, role="mentor")
    sign_in_as(client, invitation_program["f"].user("Max"))
    response = join(client, program, "mentee", invitation=token_of(link))
    assert response.status_code == 409 and "for joining as mentor" in response.json()["detail"]
    page = client.get(f"/join/{token_of(link)}")
    assert "Join as mentor" in page.text and "?role=mentee" not in page.text
    assert join(client, program, "mentor", invitation=token_of(link)).status_code == 201


def test_invitation_links_are_checked_on_input(invitation_program: dict[str, Any]) -> None:
    client, program = invitation_program["client"], invitation_program["program"]
    sign_in_as(client, invitation_program["coordinator"])
    for body, field in (({"expires_in_days": 0}, "expires_in_days"), ({"expires_in_days": 366}, "expires_in_days"),
                        ({"role": "sidekick"}, "role")):
        response = client.post(f"/api/v1/programs/{program.id}/invitations", json=body)
        assert response.status_code == 400 and field in response.text
    page = client.post(f"/programs/{program.id}/invitations", data={"expires_in_days": "400"})
    assert page.status_code == 400 and "must be at most 365" in page.text
    created = client.post(f"/programs/{program.id}/invitations", data={"expires_in_days": "7", "label": "Team"},
                          follow_redirects=False)
    assert created.status_code == 303
    listing = client.get(f"/programs/{program.id}/invitations")
    assert "Team" in listing.text and "/join/" in listing.text and "Revoke" in listing.text


# --------------------------------------------------------------------------- application


def test_application_approved_and_declined_with_the_applicant_told(world: dict[str, Any]) -> None:
    client, program, f, coordinator = world["client"], world["program"], world["f"], world["coordinator"]
    design(client, program, enrolment_mode="application")
    ann, bob = f.user("Ann"), f.user("Bob")
    sign_in_as(client, ann)
    applied = join(client, program, "mentee").json()
    assert applied["state"] == "applied"
    again = client.get(f"/programs/{program.id}/join?role=mentee")
    assert "You have already applied as mentee" in again.text
    assert f'/programs/{program.id}/enrolments/{applied["id"]}">Your enrolment as mentee' in again.text
    sign_in_as(client, bob)
    bobs = join(client, program, "mentee").json()
    assert [e["enrolment_id"] for e in events(client, "enrolment.applied")] == [applied["id"], bobs["id"]]
    # Applicants do not see the review.
    assert client.get(f"/programs/{program.id}/applications").status_code == 403

    sign_in_as(client, coordinator)
    page = client.get(f"/programs/{program.id}/applications")
    assert page.status_code == 200 and "Ann" in page.text and "Bob" in page.text
    assert f"/programs/{program.id}/enrolments/{applied['id']}" in page.text  # answers one click away
    approved = client.post(f"/programs/{program.id}/enrolments/{applied['id']}/approve", follow_redirects=False)
    assert approved.status_code == 303 and state_of(client, applied["id"]) == "active"
    missing = client.post(f"/programs/{program.id}/enrolments/{bobs['id']}/decline", data={"note": "x"})
    assert missing.status_code == 400 and "Reason" in missing.text
    declined = client.post(f"/api/v1/programs/{program.id}/enrolments/{bobs['id']}/decline",
                           json={"reason": "criteria", "note": "We look for second-year students."})
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert client.get(f"/api/v1/programs/{program.id}/applications").json() == []

    assert inbox(client, ann) == [("Your application to Spring cohort was approved",
                                   "Welcome! You take part as mentee.")]
    [(subject, body)] = inbox(client, bob)
    assert subject == "Your application to Spring cohort was declined"
    assert "does not meet the program's criteria: We look for second-year students." in body
    sign_in_as(client, bob)
    mine = client.get(f"/programs/{program.id}/enrolments/{bobs['id']}")
    assert "Your application was declined" in mine.text and "second-year students" in mine.text
    assert client.post(f"/api/v1/programs/{program.id}/enrolments/{bobs['id']}/approve").status_code == 403


# --------------------------------------------------------------------------- waitlist


def test_a_full_role_waitlists_and_a_freed_place_promotes_the_oldest(world: dict[str, Any]) -> None:
    client, program, f = world["client"], world["program"], world["f"]
    design(client, program, role_limits={"mentee": 1})
    first, second, third = f.user("First"), f.user("Second"), f.user("Third")
    ids = {}
    for person in (first, second, third):
        sign_in_as(client, person)
        ids[person.id] = join(client, program, "mentee").json()
    assert [ids[p.id]["state"] for p in (first, second, third)] == ["active", "waitlisted", "waitlisted"]
    assert "number 2 in the queue" in inbox(client, third)[0][1]
    sign_in_as(client, third)
    assert "Number 2 in the queue" in client.get(f"/programs/{program.id}/enrolments/{ids[third.id]['id']}").text
    # Mentors are not limited.
    sign_in_as(client, f.user("Mentor"))
    assert join(client, program, "mentor").json()["state"] == "active"

    sign_in_as(client, first)
    client.post(f"/api/v1/programs/{program.id}/enrolments/{ids[first.id]['id']}/withdraw")
    assert state_of(client, ids[second.id]["id"]) == "active"
    assert state_of(client, ids[third.id]["id"]) == "waitlisted"
    assert [e["enrolment_id"] for e in events(client, "enrolment.promoted")] == [ids[second.id]["id"]]
    assert inbox(client, second)[-1][0] == "You have a place in Spring cohort"

    # A coordinator promotes by hand, beyond the limit.
    sign_in_as(client, world["coordinator"])
    response = client.post(f"/api/v1/programs/{program.id}/enrolments/{ids[third.id]['id']}/promote")
    assert response.status_code == 200 and response.json()["state"] == "active"


def test_an_approved_application_waits_when_the_role_is_full(world: dict[str, Any]) -> None:
    client, program, f = world["client"], world["program"], world["f"]
    design(client, program, enrolment_mode="application", role_limits={"mentee": 0})
    sign_in_as(client, f.user("Ann"))
    applied = join(client, program, "mentee").json()
    sign_in_as(client, world["coordinator"])
    approved = client.post(f"/api/v1/programs/{program.id}/enrolments/{applied['id']}/approve").json()
    assert approved["state"] == "waitlisted"
    assert len(events(client, "enrolment.waitlisted")) == 1


# --------------------------------------------------------------------------- withdraw and re-join


def test_withdraw_and_rejoin_when_allowed(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    sign_in_as(client, world["f"].user("Rae"))
    first = join(client, program, "mentee").json()
    assert join(client, program, "mentee").json()["detail"] == "you are already enrolled as mentee in this program"
    client.post(f"/api/v1/programs/{program.id}/enrolments/{first['id']}/withdraw")
    again = join(client, program, "mentee")
    assert again.status_code == 201 and again.json()["id"] != first["id"]


def test_rejoining_is_refused_when_the_program_does_not_allow_it(world: dict[str, Any]) -> None:
    client, program = world["client"], world["program"]
    design(client, program, allow_rejoin=False)
    sign_in_as(client, world["f"].user("Rae"))
    first = join(client, program, "mentee").json()
    client.post(f"/api/v1/programs/{program.id}/enrolments/{first['id']}/withdraw")
    again = join(client, program, "mentee")
    assert again.status_code == 409 and "does not allow joining again" in again.json()["detail"]
    page = client.get(f"/programs/{program.id}/join?role=mentee")
    assert "does not allow joining again" in page.text and "/enrol" not in page.text.split("You cannot join")[1]


# --------------------------------------------------------------------------- eligibility


class SeniorsOnly:
    """Mentors must have an e-mail address at the company."""

    @hookimpl
    async def enrolment_eligibility(self, program: Any, person: Any, role: str) -> str | None:
        if role == "mentor" and not (person.email or "").endswith("@staff.example.org"):
            return "mentors must be members of staff"
        return None


@pytest.mark.parametrize("mentorkit_plugins", [[("seniors-only", SeniorsOnly())]])
def test_a_plugin_eligibility_rule_refuses_with_its_reason(world: dict[str, Any]) -> None:
    client, program, f = world["client"], world["program"], world["f"]
    sign_in_as(client, f.user("Student"))
    response = join(client, program, "mentor")
    assert response.status_code == 409 and response.json()["detail"] == "mentors must be members of staff"
    assert "Mentors must be members of staff" in client.get(f"/programs/{program.id}/join?role=mentor").text
    assert join(client, program, "mentee").status_code == 201
    sign_in_as(client, f.user("Staff", email="staff@staff.example.org"))
    assert join(client, program, "mentor").status_code == 201


# --------------------------------------------------------------------------- home page


def test_the_home_page_shows_applications_and_waitlisted_places_with_a_link_to_them(world: dict[str, Any]) -> None:
    client, f, program = world["client"], world["f"], world["program"]
    applicant, waiting, first = f.user("Mia Applicant"), f.user("Wen Waiting"), f.user("Fay First")
    design(client, program, enrolment_mode="application")
    sign_in_as(client, applicant)
    applied = join(client, program, "mentee").json()
    assert applied["state"] == "applied"
    home = client.get("/").text
    assert "Your application is waiting for review." in home
    assert f'/programs/{program.id}/enrolments/{applied["id"]}' in home

    design(client, program, enrolment_mode="open", role_limits='{"mentor": 1}')
    sign_in_as(client, first)
    assert join(client, program, "mentor").json()["state"] == "active"
    sign_in_as(client, waiting)
    assert join(client, program, "mentor").json()["state"] == "waitlisted"
    home = client.get("/").text
    assert "You are on the waitlist." in home and "Your application" not in home


class StaffMentorsFormat:
    """A format whose own rule says who may mentor (no global hook needed)."""

    @hookimpl
    def register_program_formats(self, register: Any) -> None:
        from mentorkit.contracts import ProgramFormat, RoleSlot

        async def staff_mentors(program: Any, person: Any, role: str) -> str | None:
            if role == "mentor" and not person.email.endswith("@staff.example.org"):
                return f"{program.name} takes mentors from the staff only"
            return None

        register(ProgramFormat(key="staff_mentoring", label="Staff mentoring", eligibility=staff_mentors,
                               roles=(RoleSlot("mentor", "mentor"), RoleSlot("mentee", "mentee"))))


@pytest.mark.parametrize("mentorkit_plugins", [[("staff-mentors", StaffMentorsFormat())]])
def test_a_formats_own_eligibility_rule_refuses_with_its_reason(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client, f = mentorkit_client, mentorkit_factory
    program = f.program(format="staff_mentoring", name="Guild")
    other = f.program(name="Open to all")
    sign_in_as(client, f.user("Student"))
    response = join(client, program, "mentor")
    assert response.status_code == 409 and response.json()["detail"] == "Guild takes mentors from the staff only"
    assert join(client, program, "mentee").status_code == 201
    # The rule is the format's: a 1:1 program is not bound by it.
    assert join(client, other, "mentor").status_code == 201
    sign_in_as(client, f.user("Staff", email="staff@staff.example.org"))
    assert join(client, program, "mentor").status_code == 201
