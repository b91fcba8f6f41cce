"""SMART goals of a relationship: set, measured, suggested, answered, shared or kept private.

The privacy promise is tested role by role and channel by channel: a private goal is read by
its owner and by nobody else (the other member, a coordinator, a site admin, an observer, an
outsider), whether through the domain API, the JSON API, the pages, the coordinators' pages
or the data export; coordinators get numbers only."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest

from mentorkit import api
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.goals.progress_line import describe, progress_line
from mentorkit.goals.schemas import GoalCreate, GoalSuggest, GoalUpdate, ProgressCreate
from mentorkit.goals.tables import Goal, GoalProgress
from mentorkit.testing.auth import sign_in_as, sign_out

SECRET = "Negotiate a raise before my partner finds out"
SHARED = "Run a half marathon"
COUNTED = "Read twelve books on leadership"
CORE = "mentorkit.builtin.data_rights"


@dataclass
class World:
    """An active 1:1 relationship of program X, with every role around it."""

    client: Any
    mentee: Any
    mentor: Any
    coordinator: Any
    observer: Any
    admin: Any
    outsider: Any
    program: Any
    relationship: Any

    def run(self, fn: Any, *args: Any) -> Any:
        return self.client.run(fn, *args)

    def as_(self, user: Any) -> Any:
        sign_out(self.client)
        self.client.cookies.clear()
        return sign_in_as(self.client, user)

    def goals_url(self, goal_id: int | None = None) -> str:
        base = f"/api/v1/relationships/{self.relationship.id}/goals"
        return base if goal_id is None else f"{base}/{goal_id}"


@pytest.fixture
def world(mentorkit_client: Any, mentorkit_factory: Any) -> World:
    f = mentorkit_factory
    people = {name: f.user(name.title()) for name in ("mentee", "mentor", "coordinator", "observer", "outsider")}
    program = f.program(coordinators=[people["coordinator"]])

    async def observe() -> None:
        from mentorkit.programs import services as programs

        await programs.appoint_staff(program.id, people["observer"].email, "observer", f.admin)

    mentorkit_client.run(observe)
    mentor_enrolment = f.enrol(program, people["mentor"], "mentor")
    mentee_enrolment = f.enrol(program, people["mentee"], "mentee")
    relationship = f.pair(program, [mentor_enrolment, mentee_enrolment])
    assert relationship.state == "active"
    return World(client=mentorkit_client, admin=f.user("Site Admin", admin=True), program=program,
                 relationship=relationship, **people)


def goal(what: str = SHARED, **changes: Any) -> GoalCreate:
    values: dict[str, Any] = {"what": what, "metric": "kilometres in one run", "baseline": 5, "target": 21.1,
                              "unit": "km", "why": "I want to prove I can", "due_on": _in(days=90),
                              "visibility": "private"}
    values.update(changes)
    return GoalCreate(**values)


def _in(**delta: float) -> dt.date:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).date()


def create(w: World, actor: Any, data: GoalCreate) -> Any:
    return w.run(api.create_goal, w.relationship.id, data, actor)


async def _events(types: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = await EventRecord.select(EventRecord.type, EventRecord.payload).where(
        EventRecord.type.is_in(list(types))).order_by(EventRecord.id)
    return [{"type": r["type"], "payload": r["payload"] if isinstance(r["payload"], dict)
             else json.loads(r["payload"])} for r in rows]


# --------------------------------------------------------------------------- privacy


def test_a_private_goal_is_seen_by_its_owner_only(world: World) -> None:
    w = world
    private = create(w, w.mentee, goal(SECRET, visibility="private"))
    rid = w.relationship.id

    # The domain API.
    assert [g.what for g in w.run(api.list_goals, rid, w.mentee)] == [SECRET]
    assert w.run(api.get_goal, rid, private.id, w.mentee).what == SECRET
    assert w.run(api.list_goals, rid, w.mentor) == []
    with pytest.raises(NotFound):
        w.run(api.get_goal, rid, private.id, w.mentor)
    for staff in (w.coordinator, w.admin):
        with pytest.raises(PermissionDenied, match="numbers only"):
            w.run(api.list_goals, rid, staff)
        with pytest.raises(NotFound):
            w.run(api.get_goal, rid, private.id, staff)
    for stranger in (w.observer, w.outsider):
        with pytest.raises(NotFound):
            w.run(api.list_goals, rid, stranger)
        with pytest.raises(NotFound):
            w.run(api.get_goal, rid, private.id, stranger)
    with pytest.raises(PermissionDenied):
        w.run(api.list_goals, rid, api.SYSTEM)

    # The JSON API and the pages.
    w.as_(w.mentee)
    assert [g["what"] for g in w.client.get(w.goals_url()).json()] == [SECRET]
    assert w.client.get(w.goals_url(private.id)).json()["what"] == SECRET
    assert SECRET in w.client.get(f"/relationships/{rid}?section=goals").text
    for other in (w.mentor, w.coordinator, w.admin, w.observer, w.outsider):
        w.as_(other)
        assert w.client.get(w.goals_url(private.id)).status_code == 404, other.display_name
        listed = w.client.get(w.goals_url())
        assert SECRET not in listed.text and listed.status_code in (200, 403, 404)
        for page in (f"/relationships/{rid}", f"/programs/{w.program.id}",
                     f"/programs/{w.program.id}?section=relationships", "/"):
            assert SECRET not in w.client.get(page).text, (other.display_name, page)
        aggregates = w.client.get(f"/api/v1/programs/{w.program.id}/goals/aggregates")
        assert SECRET not in aggregates.text

    # The data export: the owner's has it, the partner's does not.
    from mentorkit.privacy.services import export_user

    mine = w.run(export_user, w.mentee.id)
    assert [g["what"] for g in mine["data"][CORE]["goals"]] == [SECRET]
    for other in (w.mentor, w.coordinator, w.admin, w.observer):
        assert SECRET not in json.dumps(w.run(export_user, other.id), default=str), other.display_name


def test_a_goal_shared_with_the_relationship_is_read_and_worked_on_by_both_members(world: World) -> None:
    w = world
    shared = create(w, w.mentee, goal(SHARED, visibility="relationship"))
    assert [g.what for g in w.run(api.list_goals, w.relationship.id, w.mentor)] == [SHARED]
    after = w.run(api.log_progress, w.relationship.id, shared.id, ProgressCreate(value=8, note="first long run"),
                  w.mentor)
    assert [(p.value, p.note, p.author_id) for p in after.progress] == [(8.0, "first long run", w.mentor.id)]
    # Only the owner changes it.
    with pytest.raises(PermissionDenied, match="owner"):
        w.run(api.update_goal, w.relationship.id, shared.id, GoalUpdate(status="on_track"), w.mentor)


def test_an_aggregate_goal_is_text_for_its_owner_and_a_number_for_coordinators(world: World) -> None:
    w = world
    create(w, w.mentee, goal(COUNTED, visibility="aggregate"))
    create(w, w.mentee, goal(SECRET, visibility="private"))
    shared = create(w, w.mentor, goal(SHARED, visibility="relationship"))
    w.run(api.update_goal, w.relationship.id, shared.id, GoalUpdate(status="achieved"), w.mentor)

    assert [g.what for g in w.run(api.list_goals, w.relationship.id, w.mentor)] == [SHARED]
    for staff in (w.coordinator, w.observer, w.admin, api.SYSTEM):
        numbers = w.run(api.goal_aggregates, w.program.id, staff)
        assert numbers.by_status == {"not_started": 1, "on_track": 0, "at_risk": 0, "achieved": 1, "dropped": 0}
        assert (numbers.total, numbers.achieved, numbers.completion) == (2, 1, 0.5)
    for nobody in (w.mentee, w.outsider):
        with pytest.raises((PermissionDenied, NotFound)):
            w.run(api.goal_aggregates, w.program.id, nobody)
    w.as_(w.observer)
    response = w.client.get(f"/api/v1/programs/{w.program.id}/goals/aggregates")
    assert response.status_code == 200 and response.json()["total"] == 2
    assert COUNTED not in response.text and SHARED not in response.text
    # The program's overview shows the numbers to its staff, never the words.
    for staff in (w.observer, w.coordinator):
        w.as_(staff)
        page = w.client.get(f"/programs/{w.program.id}").text
        assert "Goals by status (50% achieved)" in page and "Not started: 1" in page
        assert COUNTED not in page and SHARED not in page and SECRET not in page


def test_coordinators_see_no_goal_text_on_the_relationship_page(world: World) -> None:
    w = world
    create(w, w.mentee, goal(SHARED, visibility="relationship"))
    w.as_(w.coordinator)
    page = w.client.get(f"/relationships/{w.relationship.id}?section=goals")
    assert page.status_code == 200
    assert SHARED not in page.text and "never what they say" in page.text
    assert w.client.get(w.goals_url()).status_code == 403


# --------------------------------------------------------------------------- SMART


def test_a_goal_without_a_measurable_target_is_refused_and_nothing_is_written(world: World) -> None:
    w = world
    for data in (goal(target=None), goal(baseline=3, target=3)):
        with pytest.raises(ValidationFailed) as refused:
            create(w, w.mentee, data)
        assert "target" in refused.value.errors
    assert w.run(lambda: Goal.count()) == 0
    w.as_(w.mentee)
    response = w.client.post(w.goals_url(), json={"what": "Be better", "metric": "mood", "baseline": 1,
                                                 "target": 1, "due_on": _in(days=3).isoformat()})
    assert response.status_code == 400 and "target" in response.text
    assert w.client.post(w.goals_url(), json={"what": "x", "metric": "y", "target": 2, "due_on": "2099-01-01",
                                              "colour": "red"}).status_code == 400


def test_a_due_date_before_today_is_refused(world: World, mentorkit_clock: Any) -> None:
    w = world
    today = mentorkit_clock.now.date()
    with pytest.raises(ValidationFailed) as refused:
        create(w, w.mentee, goal(due_on=today - dt.timedelta(days=1)))
    assert refused.value.errors == {"due_on": f"must be today ({today.isoformat()}) or later"}
    with pytest.raises(ValidationFailed) as refused:
        create(w, w.mentee, goal(due_on=None, target=None))
    assert set(refused.value.errors) == {"due_on", "target"}
    made = create(w, w.mentee, goal(due_on=today))
    # Time passes: the goal is overdue, yet it can still be updated without moving its date.
    mentorkit_clock.advance(days=3)
    changed = w.run(api.update_goal, w.relationship.id, made.id, GoalUpdate(status="at_risk"), w.mentee)
    assert changed.status == "at_risk"
    with pytest.raises(ValidationFailed, match="due_on"):
        w.run(api.update_goal, w.relationship.id, made.id, GoalUpdate(due_on=today + dt.timedelta(days=1)),
              w.mentee)


def test_dropping_a_goal_needs_a_reason(world: World) -> None:
    w = world
    made = create(w, w.mentee, goal())
    with pytest.raises(ValidationFailed) as refused:
        w.run(api.update_goal, w.relationship.id, made.id, GoalUpdate(status="dropped"), w.mentee)
    assert set(refused.value.errors) == {"drop_reason"}
    assert w.run(api.get_goal, w.relationship.id, made.id, w.mentee).status == "not_started"
    dropped = w.run(api.update_goal, w.relationship.id, made.id,
                    GoalUpdate(status="dropped", drop_reason="injured my knee"), w.mentee)
    assert (dropped.status, dropped.drop_reason) == ("dropped", "injured my knee")


def test_goals_are_set_while_the_relationship_is_active_or_paused(world: World) -> None:
    w = world
    w.run(api.transition_relationship, w.relationship.id, "completed", w.mentor)
    with pytest.raises(ConflictError, match="active or paused"):
        create(w, w.mentee, goal())


# --------------------------------------------------------------------------- progress


def test_progress_is_logged_and_drawn_as_a_line_toward_the_target(world: World) -> None:
    w = world
    made = create(w, w.mentee, goal(visibility="private"))
    for value in (7, 10.5):
        made = w.run(api.log_progress, w.relationship.id, made.id, ProgressCreate(value=value), w.mentee)
    assert [p.value for p in made.progress] == [7.0, 10.5]
    with pytest.raises(NotFound):  # the partner cannot even find a private goal
        w.run(api.log_progress, w.relationship.id, made.id, ProgressCreate(value=21), w.mentor)
    w.as_(w.mentee)
    page = w.client.get(f"/relationships/{w.relationship.id}?section=goals").text
    assert '<svg class="goal-line" role="img"' in page
    assert "From 5 km toward 21.1 km: 2 updates, the latest 10.5 km on" in page


def test_the_progress_line_is_a_pure_accessible_svg() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    points = [(start + dt.timedelta(days=7), 2.0), (start + dt.timedelta(days=14), 6.0)]
    svg = progress_line(0, 10, points, title="Books <read>", unit="books", start=start, id_prefix="g1")
    assert svg.startswith('<svg class="goal-line" role="img"') and svg.endswith("</svg>")
    assert '<title id="g1-title">Books &lt;read&gt;</title>' in svg
    assert 'aria-labelledby="g1-title g1-desc"' in svg
    assert "<desc id=\"g1-desc\">From 0 books toward 10 books: 2 updates, the latest 6 books on 2026-01-15, " \
           "60% of the way.</desc>" in svg
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert svg == progress_line(0, 10, points, title="Books <read>", unit="books", start=start, id_prefix="g1")
    assert describe(3, 1, []) == "From 3 toward 1: no progress logged yet."
    assert "<polyline" not in progress_line(3, 1, [], title="Down")


def test_the_goal_forms_keep_what_was_typed_and_name_the_field(world: World) -> None:
    w = world
    w.as_(w.mentee)
    url = f"/relationships/{w.relationship.id}/goals"
    response = w.client.post(url, data={"what": "Speak at a meetup", "metric": "talks given", "baseline": "0",
                                        "target": "0", "due_on": _in(days=30).isoformat(),
                                        "visibility": "private"})
    assert response.status_code == 400
    assert "must differ from the baseline" in response.text and 'value="Speak at a meetup"' in response.text
    assert w.run(lambda: Goal.count()) == 0
    response = w.client.post(url, data={"what": "Speak at a meetup", "metric": "talks given", "baseline": "0",
                                        "target": "1", "due_on": _in(days=30).isoformat(),
                                        "visibility": "private"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/relationships/{w.relationship.id}?section=goals"
    [made] = w.run(api.list_goals, w.relationship.id, w.mentee)
    response = w.client.post(f"{url}/{made.id}/progress", data={"value": "1", "note": "did it"},
                             follow_redirects=False)
    assert response.status_code == 303
    response = w.client.post(f"{url}/{made.id}/status", data={"status": "dropped"})
    assert response.status_code == 400 and "why the goal is dropped" in response.text
    response = w.client.post(f"{url}/{made.id}/status", data={"status": "achieved"}, follow_redirects=False)
    assert response.status_code == 303
    assert w.run(api.get_goal, w.relationship.id, made.id, w.mentee).status == "achieved"


def test_the_owner_changes_a_goal_and_logs_progress_through_the_json_api(world: World) -> None:
    w = world
    w.as_(w.mentee)
    made = w.client.post(w.goals_url(), json={"what": "Ship a side project", "metric": "features shipped",
                                              "target": 3, "due_on": _in(days=60).isoformat(),
                                              "visibility": "relationship", "milestone_key": "month-2"})
    assert made.status_code == 400 and "is not a milestone of this relationship's journey" in made.text
    made = w.client.post(w.goals_url(), json={"what": "Ship a side project", "metric": "features shipped",
                                              "target": 3, "due_on": _in(days=60).isoformat(),
                                              "visibility": "relationship", "milestone_key": "goals_set"})
    assert made.status_code == 201, made.text
    goal_id = made.json()["id"]
    assert made.json()["milestone_key"] == "goals_set"
    changed = w.client.patch(w.goals_url(goal_id), json={"status": "on_track", "target": 4})
    assert changed.status_code == 200 and (changed.json()["status"], changed.json()["target"]) == ("on_track", 4)
    assert w.client.patch(w.goals_url(goal_id), json={"baseline": 4}).status_code == 400
    logged = w.client.post(f"{w.goals_url(goal_id)}/progress", json={"value": 1, "note": "login page"})
    assert logged.status_code == 201 and [p["value"] for p in logged.json()["progress"]] == [1]
    w.as_(w.mentor)  # shared with the relationship: the partner reads it, but only the owner changes it
    assert w.client.get(w.goals_url(goal_id)).json()["what"] == "Ship a side project"
    assert w.client.patch(w.goals_url(goal_id), json={"status": "achieved"}).status_code == 403


# --------------------------------------------------------------------------- suggestions


def suggestion(**changes: Any) -> GoalSuggest:
    values = {name: getattr(goal(COUNTED, visibility="relationship"), name) for name in GoalCreate.__struct_fields__}
    return GoalSuggest(**{**values, **changes})


def test_a_mentor_suggests_a_goal_and_the_mentee_accepts_it(world: World) -> None:
    w = world
    rid = w.relationship.id
    suggested = w.run(api.suggest_goal, rid, suggestion(), w.mentor)
    assert (suggested.status, suggested.owner_id, suggested.suggested_by) == ("suggested", w.mentee.id, w.mentor.id)
    # The suggester and the owner see it; nobody else does, and nobody counts it yet.
    assert [g.id for g in w.run(api.list_goals, rid, w.mentee)] == [suggested.id]
    assert [g.id for g in w.run(api.list_goals, rid, w.mentor)] == [suggested.id]
    assert w.run(api.goal_aggregates, w.program.id, w.coordinator).total == 0
    with pytest.raises(PermissionDenied, match="suggested for answers"):
        w.run(api.answer_suggestion, rid, suggested.id, True, w.mentor)
    with pytest.raises(ConflictError, match="accept or decline"):
        w.run(api.update_goal, rid, suggested.id, GoalUpdate(status="on_track"), w.mentee)

    w.as_(w.mentee)
    assert "Suggested for you" in w.client.get(f"/relationships/{rid}?section=goals").text
    response = w.client.post(f"/api/v1/relationships/{rid}/goals/{suggested.id}/accept")
    assert response.status_code == 200 and response.json()["status"] == "not_started"
    assert w.client.post(f"/api/v1/relationships/{rid}/goals/{suggested.id}/accept").status_code == 409
    assert w.run(api.goal_aggregates, w.program.id, w.coordinator).total == 1


def test_a_mentee_declines_a_suggestion_and_it_is_deleted(world: World) -> None:
    w = world
    rid = w.relationship.id
    suggested = w.run(api.suggest_goal, rid, suggestion(visibility="private"), w.mentor)
    w.as_(w.mentee)
    response = w.client.post(f"/relationships/{rid}/goals/{suggested.id}/decline", follow_redirects=False)
    assert response.status_code == 303
    assert w.run(lambda: Goal.count()) == 0
    assert w.run(api.list_goals, rid, w.mentor) == []


def test_only_mentors_suggest_goals(world: World) -> None:
    w = world
    with pytest.raises(PermissionDenied, match="mentors suggest"):
        w.run(api.suggest_goal, w.relationship.id, suggestion(), w.mentee)
    with pytest.raises(ValidationFailed) as refused:
        w.run(api.suggest_goal, w.relationship.id, suggestion(owner_id=w.mentor.id), w.mentor)
    assert set(refused.value.errors) == {"owner_id"}
    w.as_(w.mentee)
    response = w.client.post(f"/api/v1/relationships/{w.relationship.id}/goals/suggestions",
                             json={"what": "a", "metric": "b", "target": 1, "due_on": _in(days=2).isoformat()})
    assert response.status_code == 403


# --------------------------------------------------------------------------- events and data rights


def test_every_change_emits_an_event_with_ids_and_statuses_but_no_text(world: World) -> None:
    w = world
    rid = w.relationship.id
    made = create(w, w.mentee, goal(SECRET))
    w.run(api.update_goal, rid, made.id, GoalUpdate(status="on_track", why="a reason nobody else reads"), w.mentee)
    w.run(api.log_progress, rid, made.id, ProgressCreate(value=9, note="a note nobody else reads"), w.mentee)
    suggested = w.run(api.suggest_goal, rid, suggestion(), w.mentor)
    w.run(api.answer_suggestion, rid, suggested.id, False, w.mentee)
    events = w.run(_events, ("goal.created", "goal.updated", "goal.progress_logged", "goal.suggested",
                             "goal.suggestion_answered"))
    assert [e["type"] for e in events] == ["goal.created", "goal.updated", "goal.progress_logged",
                                           "goal.suggested", "goal.suggestion_answered"]
    assert events[1]["payload"]["fields"] == ["status", "why"]
    assert events[4]["payload"]["answer"] == "declined"
    text = json.dumps(events)
    for words in (SECRET, COUNTED, "kilometres", "a reason nobody", "a note nobody", "prove I can"):
        assert words not in text


def test_erasing_the_owner_deletes_their_goals_and_progress(world: World) -> None:
    from mentorkit.privacy.services import erase_user

    w = world
    rid = w.relationship.id
    own = create(w, w.mentee, goal(SECRET))
    w.run(api.log_progress, rid, own.id, ProgressCreate(value=6), w.mentee)
    partners = create(w, w.mentor, goal(SHARED, visibility="relationship"))
    w.run(api.log_progress, rid, partners.id, ProgressCreate(value=6, note="cheering you on"), w.mentee)
    w.run(erase_user, w.mentee.id, w.admin)
    assert w.run(lambda: Goal.select(Goal.id)) == [{"id": partners.id}]
    assert w.run(lambda: GoalProgress.select(GoalProgress.note, GoalProgress.author)) == [
        {"note": "(erased)", "author": None}]
