"""Self-matching: in a mentee-led (or mentor-led) program participants see suggestions with
why, request a match with a message, and the partner accepts or declines it like any match.

A mentor never holds more open relationships (pending requests included) than their capacity,
even when requests arrive at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any

import msgspec
import pytest

from mentorkit import api, hookimpl
from mentorkit.accounts.tables import Notification
from mentorkit.contracts import CriterionScore, MatchingStrategy, MatchPool, MatchProposal, PoolEnrolment
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.profiles import services as profiles
from mentorkit.profiles import tags
from mentorkit.profiles.schemas import ProfileUpdate, VisibilityUpdate
from mentorkit.programs import enrolments, preferences
from mentorkit.programs import services as programs
from mentorkit.programs.schemas import ProgramCreate
from mentorkit.relationships import lifecycle, self_matching
from mentorkit.relationships.tables import Relationship
from mentorkit.testing.auth import create_user, csrf_headers, csrf_token, sign_in, sign_out
from tests.test_relationships import person


class World:
    admin: Any
    program: Any
    people: dict[str, Any]
    enrolments: dict[str, Any]


async def world(mode: str = "mentee", *, strategy: str = "manual", capacity: int = 1, acceptance: str = "none",
                mentors: tuple[str, ...] = ("mo", "max", "meg"), mentees: tuple[str, ...] = ("mia", "ned"),
                settings: dict[str, Any] | None = None) -> World:
    """A self-matching program, enrolling, with mentors and mentees enrolled (by first name)."""
    w = World()
    w.admin = await person("ada@example.org", admin=True)
    w.program = await programs.create_program(ProgramCreate(
        slug="spring", name="Spring", matching_mode=mode, matching_strategy=strategy,  # type: ignore[arg-type]
        default_capacity=capacity, acceptance=acceptance, acceptance_days=5,  # type: ignore[arg-type]
        strategy_settings=settings or {}), w.admin)
    await programs.change_program_state(w.program.id, "enrolling", w.admin)
    w.people, w.enrolments = {}, {}
    for role, names in (("mentor", mentors), ("mentee", mentees)):
        for name in names:
            w.people[name] = await person(f"{name}@example.org")
            w.enrolments[name] = await programs.enrol(w.program.id, role, w.people[name])
    return w


async def skills(who: Any, *, offered: list[str] = [], sought: list[str] = [],  # noqa: B006
                 visibility: VisibilityUpdate | None = None) -> None:
    for label in {*offered, *sought}:
        with contextlib.suppress(ConflictError):  # made for an earlier person
            await tags.create_tag(label, api.SYSTEM)
    await profiles.update_profile(who, ProfileUpdate(skills_offered=offered, skills_sought=sought,
                                                     **({"visibility": visibility} if visibility else {})))


def names(found: list[self_matching.Suggestion]) -> list[str]:
    return [s.display_name for s in found]


async def event_types(relationship_id: int) -> list[str]:
    rows = await EventRecord.select(EventRecord.type, EventRecord.payload).where(
        EventRecord.subject == f"relationship:{relationship_id}").order_by(EventRecord.id)
    return [r["type"] for r in rows]


# --------------------------------------------------------------------------- suggestions


async def test_suggestions_leave_out_paused_full_avoided_and_earlier_partners(mentorkit_runtime: Any) -> None:
    w = await world(mentors=("mo", "max", "meg", "mel", "moe"), mentees=("mia", "ned", "ola"))
    mia = w.people["mia"]
    assert names(await api.suggestions(w.program.id, mia)) == ["Mo", "Max", "Meg", "Mel", "Moe"]
    # Max paused taking new relationships; Meg is full (Ned's request waits for her answer);
    # Mia does not want Mel; Moe does not want Mia.
    await enrolments.update_enrolment(w.program.id, w.enrolments["max"].id, w.people["max"], paused=True)
    await api.request_match(w.program.id, w.enrolments["meg"].id, "", w.people["ned"])
    await preferences.set_preferences(w.enrolments["mia"].id, [], [w.people["mel"].id], mia)
    await preferences.set_preferences(w.enrolments["moe"].id, [], [mia.id], w.people["moe"])
    assert names(await api.suggestions(w.program.id, mia)) == ["Mo"]
    # Mo and Mia were matched before (declined): Mia is not offered Mo again.
    first = await api.request_match(w.program.id, w.enrolments["mo"].id, "", mia)
    await api.decline_relationship(first.id, w.people["mo"], "no_time")
    assert await api.suggestions(w.program.id, mia) == []
    # Ola sees neither the full nor the paused mentor; Mia's and Moe's lists concern Mia only.
    assert names(await api.suggestions(w.program.id, w.people["ola"])) == ["Mo", "Mel", "Moe"]
    # Ned, whose request to Meg waits, still sees suggestions but has no place left to ask with.
    ned = await api.self_matching_view(w.program.id, w.people["ned"])
    assert names(ned.suggestions) == ["Mo", "Mel", "Moe"] and ned.remaining == 0
    assert [r.id for r in ned.sent] and ned.received == []


async def test_pending_requests_count_against_a_mentors_places(mentorkit_runtime: Any) -> None:
    w = await world(capacity=2, mentors=("mo",), mentees=("mia", "ned", "ola"))
    [mo] = await api.suggestions(w.program.id, w.people["mia"])
    assert mo.remaining == 2
    await api.request_match(w.program.id, mo.enrolment_id, "", w.people["mia"])
    [mo] = await api.suggestions(w.program.id, w.people["ned"])
    assert mo.remaining == 1
    await api.request_match(w.program.id, mo.enrolment_id, "", w.people["ned"])
    assert await api.suggestions(w.program.id, w.people["ola"]) == []
    with pytest.raises(ValidationFailed) as refused:
        await api.request_match(w.program.id, mo.enrolment_id, "", w.people["ola"])
    assert "is not one of your suggestions" in refused.value.errors["partner_enrolment_id"]


async def test_the_core_explains_shared_skills_and_orders_by_them(mentorkit_runtime: Any) -> None:
    w = await world(mentors=("mo", "max", "meg"), mentees=("mia",))
    await skills(w.people["mia"], sought=["Python", "Design", "Writing"])
    await skills(w.people["mo"], offered=["Python"])
    await skills(w.people["max"], offered=["Python", "Design"])
    # Meg offers all three but shows her skills to the program's staff only: not counted, not said.
    await skills(w.people["meg"], offered=["Python", "Design", "Writing"], visibility=VisibilityUpdate(skills="staff"))
    found = await api.suggestions(w.program.id, w.people["mia"])
    assert [(s.display_name, s.explanation) for s in found] == [
        ("Max", ["Offers 2 of the 3 skills you seek."]),
        ("Mo", ["Offers 1 of the 3 skills you seek."]),
        ("Meg", []),
    ]
    assert found[0].score > found[1].score > found[2].score == 0
    assert found[0].profile_url == f"/people/{w.people['max'].id}" and found[0].remaining == 1
    # At most k.
    assert names(await api.suggestions(w.program.id, w.people["mia"], k=1)) == ["Max"]


class Suggesting:
    """Plugin ``suggesting``: a strategy whose ``suggest`` prefers the latest enrolments."""

    class Settings(msgspec.Struct, frozen=True, kw_only=True):
        bonus: float = 0.1

    seen: list[tuple[int, list[int], int, float]] = []

    @hookimpl
    def register_matching_strategies(self, register: Any) -> None:
        async def propose(pool: MatchPool, settings: Any, progress: Any) -> list[MatchProposal]:
            return []

        async def suggest(pool: MatchPool, person: PoolEnrolment, k: int, settings: Any) -> list[MatchProposal]:
            others = [e for e in pool.enrolments if e.id != person.id]
            Suggesting.seen.append((person.id, [e.id for e in others], k, settings.bonus))
            return [
                MatchProposal(members={person.role: [person.id], e.role: [e.id]}, score=0.5 + settings.bonus * n,
                              explanation=[
                                  CriterionScore(key="recent", label="Recently joined", weight=1, value=1,
                                                 contribution=1, sentence=f"{e.display_name} joined recently."),
                                  CriterionScore(key="department", label="Department", weight=1, value=1,
                                                 contribution=1, sentence="Works in the same department."),
                              ])
                for n, e in enumerate(reversed(others))
            ][:k]

        register(MatchingStrategy(key="recent", label="Recent first", propose=propose, suggest=suggest,
                                  settings=Suggesting.Settings))


@pytest.fixture
def suggesting(mentorkit_plugins: list[tuple[str, object]]) -> type[Suggesting]:
    Suggesting.seen = []
    mentorkit_plugins.append(("suggesting", Suggesting()))
    return Suggesting


async def test_a_strategy_with_suggest_orders_and_explains(suggesting: Any, mentorkit_runtime: Any) -> None:
    w = await world(strategy="recent", settings={"bonus": 0.2}, mentors=("mo", "max", "meg"))
    await enrolments.update_enrolment(w.program.id, w.enrolments["max"].id, w.people["max"], paused=True)
    # Meg shows her department to the program's staff only: the sentence about it is left out.
    await profiles.update_profile(w.people["meg"], ProfileUpdate(visibility=VisibilityUpdate(department="staff")))
    found = await api.suggestions(w.program.id, w.people["mia"], k=3)
    # The strategy saw the participant and only the people they may ask (Max is paused), its
    # settings from the program.
    assert suggesting.seen == [(w.enrolments["mia"].id, [w.enrolments["mo"].id, w.enrolments["meg"].id], 3, 0.2)]
    assert [(s.display_name, s.score, s.explanation) for s in found] == [
        ("Meg", 0.5, ["Meg joined recently."]),
        ("Mo", 0.7, ["Mo joined recently.", "Works in the same department."]),
    ]


# --------------------------------------------------------------------------- requests


async def test_a_request_waits_for_the_mentor_who_accepts_it(mentorkit_runtime: Any) -> None:
    # The program asks nobody to accept coordinators' matches: a request still waits.
    w = await world(acceptance="none")
    mia, mo = w.people["mia"], w.people["mo"]
    requested = await api.request_match(w.program.id, w.enrolments["mo"].id, "  I'd love help with my portfolio. ",
                                        mia)
    assert requested.state == "pending" and requested.requested_by == mia.id
    accepted = {m.user_id: m.accepted_at is not None for m in requested.members}
    assert accepted == {mia.id: True, mo.id: False}
    view = await api.get_relationship(requested.id, mo)
    assert view.request_message == "I'd love help with my portfolio."
    assert view.actions == ["accept", "decline", "ask", "answer"]
    assert "withdraw" in (await api.get_relationship(requested.id, mia)).actions
    # Mo is told; the message is not in any event.
    assert await Notification.exists().where((Notification.user == mo.id)
                                             & Notification.subject.like("Mia asked to be matched with you%"))
    assert await event_types(requested.id) == ["relationship.created", "relationship.requested"]
    payloads = await EventRecord.select(EventRecord.payload).where(
        EventRecord.subject == f"relationship:{requested.id}")
    assert all("portfolio" not in str(p["payload"]) for p in payloads)
    # Mia cannot accept, decline or question her own request.
    with pytest.raises(PermissionDenied, match="you asked for this match"):
        await api.decline_relationship(requested.id, mia, "no_time")
    started = await api.accept_relationship(requested.id, mo)
    assert started.state == "active"


async def test_the_mentor_declines_with_a_reason(mentorkit_runtime: Any) -> None:
    w = await world()
    requested = await api.request_match(w.program.id, w.enrolments["mo"].id, "", w.people["mia"])
    with pytest.raises(ValidationFailed) as refused:
        await api.decline_relationship(requested.id, w.people["mo"], "other")
    assert "reason" in refused.value.errors
    declined = await api.decline_relationship(requested.id, w.people["mo"], "expertise")
    assert declined.state == "declined"
    view = await api.get_relationship(declined.id, w.people["mia"])
    assert [(t.to_state, t.reason_code) for t in view.transitions][-1] == ("declined", "expertise")
    # Mia may ask someone else now.
    assert names(await api.suggestions(w.program.id, w.people["mia"])) == ["Max", "Meg"]


async def test_an_unanswered_request_expires(mentorkit_runtime: Any, mentorkit_clock: Any) -> None:
    w = await world()
    requested = await api.request_match(w.program.id, w.enrolments["mo"].id, "", w.people["mia"])
    assert requested.accept_by == mentorkit_clock.now + dt.timedelta(days=5)
    worker = mentorkit_runtime.make_worker(name="expiry")
    mentorkit_clock.advance(days=5, minutes=1)
    await worker.drain()
    view = await api.get_relationship(requested.id, w.people["mia"])
    assert view.relationship.state == "cancelled"
    assert [(t.to_state, t.reason_code) for t in view.transitions][-1] == ("cancelled", "expired")
    # Mo has his place back for others.
    assert "Mo" in names(await api.suggestions(w.program.id, w.people["ned"]))


async def test_the_requester_withdraws_and_only_they_may(mentorkit_runtime: Any) -> None:
    w = await world()
    requested = await api.request_match(w.program.id, w.enrolments["mo"].id, "", w.people["mia"])
    with pytest.raises(PermissionDenied, match="decline it instead"):
        await api.withdraw_request(requested.id, w.people["mo"])
    with pytest.raises(NotFound):
        await api.withdraw_request(requested.id, w.people["ned"])
    withdrawn = await api.withdraw_request(requested.id, w.people["mia"], "found someone at work")
    assert withdrawn.state == "cancelled"
    with pytest.raises(ConflictError):
        await api.withdraw_request(requested.id, w.people["mia"])
    # A match a coordinator made is not a request: its members decline it instead.
    made = await api.pair(w.program.id, [w.enrolments["max"].id, w.enrolments["ned"].id], w.admin)
    with pytest.raises(ConflictError, match="only a requested match can be withdrawn"):
        await api.withdraw_request(made.id, w.people["ned"])


async def test_requests_are_refused_with_reasons(mentorkit_runtime: Any) -> None:
    w = await world(mentees=("mia", "ned"))
    mia = w.people["mia"]
    # A mentor does not pick in a mentee-led program; someone not enrolled does not either.
    with pytest.raises(PermissionDenied, match="only mentees taking part"):
        await api.suggestions(w.program.id, w.people["mo"])
    stranger = await person("sam@example.org")
    with pytest.raises(PermissionDenied):
        await api.request_match(w.program.id, w.enrolments["mo"].id, "", stranger)
    # Not a suggestion: oneself, another mentee, an enrolment of no one.
    for partner in (w.enrolments["mia"].id, w.enrolments["ned"].id, 99_999):
        with pytest.raises(ValidationFailed) as refused:
            await api.request_match(w.program.id, partner, "", mia)
        assert set(refused.value.errors) == {"partner_enrolment_id"}
    with pytest.raises(ValidationFailed) as refused:
        await api.request_match(w.program.id, w.enrolments["mo"].id, "x" * 1001, mia)
    assert refused.value.errors == {"message": "must be at most 1000 characters"}
    # One open request at a time for a mentee.
    await api.request_match(w.program.id, w.enrolments["mo"].id, "", mia)
    with pytest.raises(ConflictError, match="already take all your places"):
        await api.request_match(w.program.id, w.enrolments["max"].id, "", mia)
    assert await Relationship.count() == 1


async def test_a_program_coordinators_match_refuses_self_matching(mentorkit_runtime: Any) -> None:
    w = await world(mode="coordinator")
    with pytest.raises(ConflictError, match="people do not choose their own matches"):
        await api.suggestions(w.program.id, w.people["mia"])
    with pytest.raises(ConflictError):
        await api.request_match(w.program.id, w.enrolments["mo"].id, "", w.people["mia"])


async def test_two_requests_for_a_mentors_last_place_at_once_one_wins(
        mentorkit_runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    w = await world(capacity=2, mentors=("mo",), mentees=("mia", "ned", "ola"))
    await api.request_match(w.program.id, w.enrolments["mo"].id, "", w.people["ola"])
    # Each request, inside its transaction, waits (a while at most) for the other to get as
    # far: without a guard both would count one open relationship and both would pass.
    arrived: list[int] = []
    both = asyncio.Event()
    reading = lifecycle._enrolments

    async def meeting(program_id: int, enrolment_ids: list[int]) -> list[dict[str, Any]]:
        rows = await reading(program_id, enrolment_ids)
        arrived.append(program_id)
        if len(arrived) == 2:
            both.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both.wait(), 1.0)
        return rows

    monkeypatch.setattr(lifecycle, "_enrolments", meeting)
    results = await asyncio.gather(
        *(api.request_match(w.program.id, w.enrolments["mo"].id, "", w.people[n]) for n in ("mia", "ned")),
        return_exceptions=True)
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(made) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], ConflictError | ValidationFailed)
    held = await Relationship.count().where(Relationship.state == "pending")
    assert held == 2


async def test_in_a_mentor_led_program_mentors_pick_their_mentees(mentorkit_runtime: Any) -> None:
    w = await world(mode="mentor", capacity=2, mentors=("mo",), mentees=("mia", "ned"))
    mo = w.people["mo"]
    await skills(mo, offered=["Python"])
    await skills(w.people["ned"], sought=["Python"])
    found = await api.suggestions(w.program.id, mo)
    assert [(s.display_name, s.explanation) for s in found] == [("Ned", ["Seeks 1 skill you offer."]),
                                                                ("Mia", [])]
    with pytest.raises(PermissionDenied, match="only mentors taking part"):
        await api.suggestions(w.program.id, w.people["mia"])
    first = await api.request_match(w.program.id, w.enrolments["ned"].id, "Python together?", mo)
    second = await api.request_match(w.program.id, w.enrolments["mia"].id, "", mo)
    # Two requests out take Mo's two places.
    assert (await api.self_matching_view(w.program.id, mo)).remaining == 0
    with pytest.raises(PermissionDenied, match="you asked for this match"):
        await api.accept_relationship(first.id, mo)
    assert (await api.accept_relationship(first.id, w.people["ned"])).state == "active"
    assert (await api.decline_relationship(second.id, w.people["mia"], "not_a_fit")).state == "declined"
    assert (await api.self_matching_view(w.program.id, mo)).remaining == 1


async def test_erasure_blanks_the_request_message(mentorkit_runtime: Any) -> None:
    from mentorkit.privacy.core_data import erase_core, export_core

    w = await world()
    requested = await api.request_match(w.program.id, w.enrolments["mo"].id, "Hello Mo", w.people["mia"])
    exported = await export_core(w.people["mo"].id)
    assert exported is not None
    [row] = exported["relationships"]
    assert row["request_message"] == "Hello Mo" and row["requested_by_you"] is False
    await erase_core(w.people["mia"].id)
    row = await Relationship.select(Relationship.request_message, Relationship.requested_by).where(
        Relationship.id == requested.id).first()
    assert row == {"request_message": "(erased)", "requested_by": None}


# --------------------------------------------------------------------------- through HTTP


def _enrol(c: Any, pid: int, role: str) -> int:
    response = c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": role}, headers=csrf_headers(c))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _as(c: Any, email: str) -> dict[str, str]:
    sign_out(c)
    sign_in(c, email)
    return csrf_headers(c)


def test_the_find_a_mentor_page_suggests_requests_and_withdraws(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    create_user(c, "mo@example.org", "Mo Mentor")
    create_user(c, "mia@example.org", "Mia Mentee")
    h = _as(c, "ada@example.org")
    pid = c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring", "matching_mode": "mentee"},
                 headers=h).json()["id"]
    assert c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h).status_code == 200
    _as(c, "mo@example.org")
    mentor = _enrol(c, pid, "mentor")
    h = _as(c, "mia@example.org")
    _enrol(c, pid, "mentee")
    # The program page links to the page; the page suggests Mo with a request form.
    assert f'href="/programs/{pid}/find">Find a mentor</a>' in c.get(f"/programs/{pid}").text
    page = c.get(f"/programs/{pid}/find")
    assert page.status_code == 200 and "<h1>Find a mentor</h1>" in page.text
    assert "Mo Mentor" in page.text and "1 place left" in page.text
    assert f'name="partner_enrolment_id" value="{mentor}"' in page.text
    # Too long a message: the form says so, naming the field, and keeps what was typed.
    long = c.post(f"/programs/{pid}/find", data={"_csrf_token": csrf_token(c), "partner_enrolment_id": str(mentor),
                                                  "message": "x" * 1001})
    assert long.status_code == 400 and "Message" in long.text and "1000" in long.text
    sent = c.post(f"/programs/{pid}/find", data={"_csrf_token": csrf_token(c), "partner_enrolment_id": str(mentor),
                                                  "message": "Could you help with interviews?"},
                  follow_redirects=False)
    assert sent.status_code in (302, 303), sent.text[:500]
    page = c.get(f"/programs/{pid}/find")
    assert "Your requests" in page.text and "Withdraw request" in page.text
    rid = c.get("/api/v1/relationships", headers=h).json()[0]["id"]
    # Mo reads the message where he accepts or declines; enrolled as a mentee too, his own
    # Find a mentor page lists the request waiting for his answer.
    _as(c, "mo@example.org")
    _enrol(c, pid, "mentee")
    mine = c.get(f"/programs/{pid}/find")
    assert mine.status_code == 200 and "Requests waiting for your answer" in mine.text
    assert "Mia Mentee asked to be matched with you" in mine.text
    mo_page = c.get(f"/relationships/{rid}")
    assert "Mia Mentee (mentee) asked to be matched with you" in mo_page.text
    assert "Could you help with interviews?" in mo_page.text and "Accept the match" in mo_page.text
    # Mia withdraws from the relationship page (confirmed).
    _as(c, "mia@example.org")
    done = c.post(f"/relationships/{rid}/withdraw", data={"_csrf_token": csrf_token(c), "confirm": "on"},
                  follow_redirects=False)
    assert done.status_code in (302, 303), done.text[:500]
    assert c.get(f"/api/v1/relationships/{rid}", headers=csrf_headers(c)).json()["relationship"]["state"] == \
        "cancelled"


def test_the_api_suggests_and_requests(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada Admin", is_admin=True)
    create_user(c, "mo@example.org", "Mo Mentor")
    create_user(c, "mia@example.org", "Mia Mentee")
    h = _as(c, "ada@example.org")
    pid = c.post("/api/v1/programs", json={"slug": "spring", "name": "Spring", "matching_mode": "mentee"},
                 headers=h).json()["id"]
    c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h)
    _as(c, "mo@example.org")
    mentor = _enrol(c, pid, "mentor")
    # The mentor may not read suggestions in a mentee-led program.
    assert c.get(f"/api/v1/programs/{pid}/suggestions").status_code == 403
    h = _as(c, "mia@example.org")
    _enrol(c, pid, "mentee")
    found = c.get(f"/api/v1/programs/{pid}/suggestions?k=3")
    assert found.status_code == 200, found.text
    assert [s["enrolment_id"] for s in found.json()] == [mentor]
    assert c.get(f"/api/v1/programs/{pid}/suggestions?k=99").status_code == 400
    bad = c.post(f"/api/v1/programs/{pid}/match-requests", json={"partner_enrolment_id": 99_999}, headers=h)
    assert bad.status_code == 400 and "partner_enrolment_id" in bad.text
    made = c.post(f"/api/v1/programs/{pid}/match-requests",
                  json={"partner_enrolment_id": mentor, "message": "Hi"}, headers=h)
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "pending"
    again = c.post(f"/api/v1/programs/{pid}/match-requests", json={"partner_enrolment_id": mentor}, headers=h)
    assert again.status_code == 409
    withdrawn = c.post(f"/api/v1/relationships/{made.json()['id']}/withdraw", json={}, headers=h)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "cancelled"
