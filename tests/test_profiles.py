"""Profiles: people fill in their own, section by section; others see each field only as its
visibility allows (everyone signed in, members of the person's programs, their staff)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from mentorkit import api
from mentorkit.events import EventRecord
from mentorkit.profiles import services as profiles
from mentorkit.profiles import tags
from mentorkit.profiles.schemas import ProfileUpdate
from mentorkit.testing.auth import sign_in_as


def vocabulary(client: Any, admin: Any) -> None:
    async def build() -> None:
        ml = await tags.create_tag("Machine learning", admin)
        await tags.add_synonym(ml.id, "ML", admin)
        await tags.create_tag("Python", admin)
        await tags.create_tag("Public speaking", admin)

    client.run(build)


def update(client: Any, user: Any, **fields: Any) -> Any:
    """Change ``user``'s profile through the service, the fields given as the API takes them."""
    return client.run(lambda: profiles.update_profile(user, msgspec.convert(fields, ProfileUpdate)))


def profile_events(client: Any) -> list[dict[str, Any]]:
    async def read() -> list[Any]:
        return await EventRecord.select(EventRecord.payload).where(EventRecord.type == "profile.updated").order_by(
            EventRecord.id).output(load_json=True)

    return [row["payload"] for row in client.run(read)]


def test_the_about_section_saves_every_field_and_the_event_names_fields_not_values(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    ada = mentorkit_factory.user("Ada")
    sign_in_as(client, ada)
    page = client.get("/profile")
    assert page.status_code == 200 and "<h1>Your profile</h1>" in page.text and "Headline" in page.text
    response = client.post("/profile/about", data={
        "headline": "Data engineer", "bio": "I like pipelines.\n\nAnd tea.", "seniority": "senior",
        "years_experience": "12", "department": "Research", "time_zone": "Europe/Lisbon",
        "languages": ["en", "pt-BR"], "link_label_1": "Blog", "link_url_1": "https://ada.example.org",
    }, follow_redirects=False)
    assert response.status_code == 303, (response.status_code, response.text[-3000:])
    mine = client.get("/api/v1/profile").json()
    assert (mine["headline"], mine["seniority"], mine["years_experience"], mine["department"]) == (
        "Data engineer", "senior", 12, "Research")
    assert mine["languages"] == ["en", "pt-BR"] and mine["time_zone"] == "Europe/Lisbon"
    assert mine["links"] == [{"label": "Blog", "url": "https://ada.example.org"}]
    [event] = profile_events(client)
    assert event["fields"] == sorted(["headline", "bio", "seniority", "years_experience", "department",
                                      "languages", "links", "time_zone"])
    assert "Data engineer" not in str(event)


def test_bad_about_input_is_reported_field_by_field_and_kept(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    sign_in_as(client, mentorkit_factory.user("Ada"))
    response = client.post("/profile/about", data={
        "headline": "Keeps this", "years_experience": "-3", "time_zone": "Mars/Olympus", "languages": ["xx-Klingon"],
        "link_label_1": "Evil", "link_url_1": "javascript:alert(1)", "link_url_2": "https://no-label.example.org",
    }, follow_redirects=False)
    assert response.status_code == 400
    text = response.text
    assert 'value="Keeps this"' in text
    assert "Years of experience: must be at least 0" in text
    assert "Link 1 address:" in text and "Link 2 label: this field is required" in text
    assert client.get("/api/v1/profile").json()["headline"] == ""
    assert "Languages: not in the list of languages: xx-Klingon" in text
    assert "Time zone: must be a time zone from the list" in text
    for body, key in (({"languages": ["xx"]}, "languages[0]"), ({"time_zone": "Mars/Olympus"}, "time_zone"),
                      ({"visibility": {"bio": "the world"}}, "visibility.bio"),
                      ({"visibility": {"password": "staff"}}, "unknown field `password`")):
        api_answer = client.patch("/api/v1/profile", json=body)
        assert api_answer.status_code == 400 and key in api_answer.text, (body, api_answer.text)


def test_skills_resolve_synonyms_to_canonical_tags_and_unknown_ones_are_named_with_a_suggestion(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    vocabulary(client, mentorkit_factory.admin)
    sign_in_as(client, mentorkit_factory.user("Ada"))
    response = client.post("/profile/skills", data={"skills_offered": "ml, PYTHON", "skills_sought": "Pubic speaking"},
                           follow_redirects=False)
    assert response.status_code == 400
    assert "Pubic speaking" in response.text and "did you mean “Public speaking”" in response.text
    assert client.post("/profile/skills", data={"skills_offered": "ml, PYTHON, machine learning",
                                                "skills_sought": "public speaking"},
                       follow_redirects=False).status_code == 303
    mine = client.get("/api/v1/profile").json()
    assert [t["key"] for t in mine["skills_offered"]] == ["machine-learning", "python"]
    assert [t["label"] for t in mine["skills_sought"]] == ["Public speaking"]
    page = client.get("/profile?section=skills").text
    assert '<span class="chip">Machine learning</span>' in page


def test_availability_needs_end_after_start_and_no_overlaps(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    sign_in_as(client, mentorkit_factory.user("Ada", time_zone="Asia/Tokyo"))
    assert "Asia/Tokyo" in client.get("/profile?section=availability").text
    backwards = client.post("/profile/availability", data={"day_1": "0", "start_1": "12:00", "end_1": "09:00"},
                            follow_redirects=False)
    assert backwards.status_code == 400 and "end must be after the start" in backwards.text
    overlap = client.post("/profile/availability", data={
        "day_1": "2", "start_1": "09:00", "end_1": "12:00", "day_2": "2", "start_2": "11:00", "end_2": "13:00"},
        follow_redirects=False)
    assert overlap.status_code == 400 and "overlaps" in overlap.text
    fine = client.post("/profile/availability", data={
        "day_1": "2", "start_1": "09:00", "end_1": "12:00", "day_2": "0", "start_2": "18:00", "end_2": "20:00"},
        follow_redirects=False)
    assert fine.status_code == 303
    assert client.get("/api/v1/profile").json()["availability"] == [
        {"day": 0, "start": "18:00", "end": "20:00"}, {"day": 2, "start": "09:00", "end": "12:00"}]


def test_privacy_defaults_and_changes(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    sign_in_as(client, mentorkit_factory.user("Ada"))
    visibility = client.get("/api/v1/profile").json()["visibility"]
    assert visibility["headline"] == visibility["skills"] == visibility["languages"] == "signed_in"
    assert visibility["bio"] == visibility["photo"] == visibility["availability"] == "members"
    assert visibility["years_experience"] == "staff"
    assert client.post("/profile/privacy", data={"bio": "signed_in", "headline": "staff"},
                       follow_redirects=False).status_code == 303
    visibility = client.get("/api/v1/profile").json()["visibility"]
    assert (visibility["bio"], visibility["headline"], visibility["links"]) == ("signed_in", "staff", "members")
    assert client.post("/profile/privacy", data={"bio": "the world"}, follow_redirects=False).status_code == 400


@pytest.fixture
def cast(mentorkit_client: Any, mentorkit_factory: Any) -> dict[str, Any]:
    """Ada (enrolled as a mentee) with one field per visibility level, and the readers:
    a stranger, a co-member (a mentor in Ada's program), its coordinator and a site admin."""
    f = mentorkit_factory
    people = {name: f.user(name.title()) for name in ("ada", "stranger", "member", "coordinator")}
    people["admin"] = f.user("Admin", admin=True)
    program = f.program(coordinators=[people["coordinator"]])
    f.enrol(program, people["ada"], "mentee")
    f.enrol(program, people["member"], "mentor")
    update(mentorkit_client, people["ada"], headline="Open to all", bio="For members", department="For staff",
           visibility={"headline": "signed_in", "bio": "members", "department": "staff"})
    return people


EXPECTED = {
    "stranger": {"headline"},
    "member": {"headline", "bio"},
    "coordinator": {"headline", "bio", "department"},
    "admin": {"headline", "bio", "department"},
}


@pytest.mark.parametrize("reader", list(EXPECTED))
def test_each_reader_sees_the_fields_visibility_allows_on_the_page_and_in_the_api(
        mentorkit_client: Any, cast: dict[str, Any], reader: str) -> None:
    client = mentorkit_client
    sign_in_as(client, cast[reader])
    ada = cast["ada"].id
    answer = client.get(f"/api/v1/people/{ada}/profile").json()
    shown = {field for field, text in (("headline", "Open to all"), ("bio", "For members"),
                                       ("department", "For staff")) if answer[field] == text}
    assert shown == EXPECTED[reader]
    assert answer["visibility"] is None if reader != "admin" else answer["visibility"]["department"] == "staff"
    page = client.get(f"/people/{ada}")
    assert page.status_code == 200 and "<h1>Ada</h1>" in page.text
    assert {field for field, text in (("headline", "Open to all"), ("bio", "For members"),
                                      ("department", "For staff")) if text in page.text} == EXPECTED[reader]


def test_a_person_sharing_nothing_shows_the_name_and_unknown_or_deactivated_people_are_404(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    from mentorkit.accounts.services import set_active

    client = mentorkit_client
    ada, stranger = mentorkit_factory.user("Ada"), mentorkit_factory.user("Stranger")
    update(client, ada, visibility={"headline": "members", "skills": "members", "languages": "members"})
    sign_in_as(client, stranger)
    page = client.get(f"/people/{ada.id}")
    assert page.status_code == 200 and "<h1>Ada</h1>" in page.text and "shares nothing else with you" in page.text
    assert client.get("/people/999999").status_code == 404
    assert client.get("/api/v1/people/999999/profile").status_code == 404
    client.run(set_active, ada.id, False, mentorkit_factory.admin)
    assert client.get(f"/people/{ada.id}").status_code == 404
    assert client.get(f"/api/v1/people/{ada.id}/profile").status_code == 404


def test_get_profiles_reads_many_at_once_with_visibility_and_system_sees_all(
        mentorkit_client: Any, mentorkit_factory: Any, cast: dict[str, Any]) -> None:
    ids = [cast["ada"].id, cast["member"].id, 999999]
    for_stranger = mentorkit_client.run(api.get_profiles, ids, cast["stranger"])
    assert [p.user_id for p in for_stranger] == sorted(ids[:2])
    ada = next(p for p in for_stranger if p.user_id == cast["ada"].id)
    assert ada.bio is None and "bio" in ada.hidden and ada.headline == "Open to all"
    for_system = mentorkit_client.run(api.get_profiles, ids, api.SYSTEM)
    assert next(p for p in for_system if p.user_id == cast["ada"].id).department == "For staff"
    with pytest.raises(api.ValidationFailed):
        mentorkit_client.run(api.get_profiles, list(range(1, api.MAX_LIMIT + 2)), api.SYSTEM)


def test_the_account_page_and_the_header_link_to_the_profile(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    sign_in_as(mentorkit_client, mentorkit_factory.user("Ada"))
    assert 'href="/profile"' in mentorkit_client.get("/account").text
    assert 'href="/profile"' in mentorkit_client.get("/").text
