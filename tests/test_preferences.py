"""Matching preferences: a wish list and "not with" exclusions per enrolment, chosen by the
enrolled person among the program's participants in other roles; coordinators read them to
match, nobody else sees them."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit import api
from mentorkit.errors import NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.programs import preferences
from mentorkit.programs import services as programs
from mentorkit.testing.auth import sign_in_as


@pytest.fixture
def cohort(mentorkit_client: Any, mentorkit_factory: Any) -> dict[str, Any]:
    f = mentorkit_factory
    people = {name: f.user(name.title()) for name in (
        "mentee", "other_mentee", "manager", "mentor_a", "mentor_b", "coordinator", "observer", "outsider")}
    program = f.program(coordinators=[people["coordinator"]])
    mentorkit_client.run(programs.appoint_staff, program.id, people["observer"].email, "observer", f.admin)
    enrolment = f.enrol(program, people["mentee"], "mentee")
    f.enrol(program, people["other_mentee"], "mentee")
    for name in ("manager", "mentor_a", "mentor_b"):
        f.enrol(program, people[name], "mentor")
    return {**people, "program": program, "enrolment": enrolment}


def url(cohort: dict[str, Any]) -> str:
    return f"/programs/{cohort['program'].id}/enrolments/{cohort['enrolment'].id}/preferences"


def test_the_mentee_wishes_for_a_mentor_and_excludes_their_manager_on_the_page(
        mentorkit_client: Any, cohort: dict[str, Any]) -> None:
    client = mentorkit_client
    sign_in_as(client, cohort["mentee"])
    page = client.get(url(cohort))
    assert page.status_code == 200 and "<h1>Matching preferences</h1>" in page.text
    assert "Mentor_A" in page.text and "Other_Mentee" not in page.text  # only the other role
    assert "Manager" in client.get(url(cohort) + "?q=mana").text
    assert "Mentor_A" not in client.get(url(cohort) + "?q=mana").text
    for person, kind in ((cohort["mentor_a"], "wish"), (cohort["manager"], "avoid")):
        response = client.post(url(cohort), data={"user_id": str(person.id), "kind": kind}, follow_redirects=False)
        assert response.status_code == 303
    prefs = client.get("/api/v1" + url(cohort)).json()
    assert [p["display_name"] for p in prefs["wishes"]] == ["Mentor_A"]
    assert [p["display_name"] for p in prefs["exclusions"]] == ["Manager"]
    removed = client.post(url(cohort) + "/remove", data={"user_id": str(cohort["manager"].id)},
                          follow_redirects=False)
    assert removed.status_code == 303
    assert client.get("/api/v1" + url(cohort)).json()["exclusions"] == []


def test_the_rules_one_list_per_person_not_yourself_only_participants_at_most_ten(
        mentorkit_client: Any, mentorkit_factory: Any, cohort: dict[str, Any]) -> None:
    client = mentorkit_client
    mentee, eid = cohort["mentee"], cohort["enrolment"].id
    a, b = cohort["mentor_a"].id, cohort["mentor_b"].id

    def attempt(wishes: list[int], exclusions: list[int]) -> dict[str, str]:
        with pytest.raises(ValidationFailed) as refused:
            client.run(lambda: preferences.set_preferences(eid, wishes, exclusions, mentee))
        return refused.value.errors

    assert "one list only" in attempt([a], [a])["exclusions"]
    assert "yourself" in attempt([mentee.id], [])["wishes"]
    assert "taking part" in attempt([cohort["outsider"].id], [])["wishes"]
    assert "taking part" in attempt([], [cohort["other_mentee"].id])["exclusions"]
    many = [mentorkit_factory.user(f"Mentor {n}") for n in range(11)]
    for person in many:
        mentorkit_factory.enrol(cohort["program"], person, "mentor")
    assert "at most 10" in attempt([p.id for p in many], [])["wishes"]
    result = client.run(lambda: preferences.set_preferences(eid, [a], [b], mentee))
    assert ([p.user_id for p in result.wishes], [p.user_id for p in result.exclusions]) == ([a], [b])
    sign_in_as(client, mentee)
    put = client.put("/api/v1" + url(cohort), json={"wishes": [b], "exclusions": [b]})
    assert put.status_code == 400 and "exclusions" in put.text


def test_coordinators_and_the_system_read_them_observers_and_others_never(
        mentorkit_client: Any, cohort: dict[str, Any]) -> None:
    client, eid = mentorkit_client, cohort["enrolment"].id
    client.run(lambda: preferences.set_preferences(eid, [cohort["mentor_a"].id], [cohort["manager"].id],
                                                   cohort["mentee"]))
    for reader in (cohort["coordinator"], api.SYSTEM):
        seen = client.run(api.get_preferences, eid, reader)
        assert [p.user_id for p in seen.exclusions] == [cohort["manager"].id]
    for reader in ("observer", "manager", "mentor_a", "outsider"):
        with pytest.raises(NotFound):
            client.run(api.get_preferences, eid, cohort[reader])
        sign_in_as(client, cohort[reader])
        assert client.get(url(cohort)).status_code == 404
        assert client.get("/api/v1" + url(cohort)).status_code == 404
    sign_in_as(client, cohort["coordinator"])
    page = client.get(url(cohort))
    assert page.status_code == 200 and "Manager" in page.text and "Add to wish list" not in page.text
    with pytest.raises(PermissionDenied):
        client.run(lambda: preferences.set_preferences(eid, [], [], cohort["coordinator"]))
    assert client.post(url(cohort), data={"user_id": str(cohort["mentor_b"].id), "kind": "wish"},
                       follow_redirects=False).status_code == 403


def test_a_change_is_one_event_without_names(mentorkit_client: Any, cohort: dict[str, Any]) -> None:
    eid = cohort["enrolment"].id

    async def change() -> list[Any]:
        await preferences.set_preferences(eid, [cohort["mentor_a"].id], [cohort["manager"].id], cohort["mentee"])
        return await EventRecord.select(EventRecord.subject, EventRecord.payload).where(
            EventRecord.type == "enrolment.preferences_changed").output(load_json=True)

    [event] = mentorkit_client.run(change)
    assert event["subject"] == f"enrolment:{eid}"
    assert event["payload"] == {"enrolment_id": eid, "wishes": 1, "exclusions": 1}
