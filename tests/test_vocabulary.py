"""The tag vocabulary: site admins add tags, synonyms, merge and delete; every spelling names
one tag; people are found by a skill typed as any synonym."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mentorkit import api
from mentorkit.errors import ConflictError, PermissionDenied
from mentorkit.events import EventRecord
from mentorkit.profiles import services as profiles
from mentorkit.profiles import tags
from mentorkit.profiles.schemas import ProfileUpdate
from mentorkit.testing.auth import sign_in_as


def run(client: Any, fn: Any) -> Any:
    return client.run(fn)


def test_a_tag_gets_its_key_from_the_label_and_synonyms_resolve_to_it(mentorkit_client: Any,
                                                                      mentorkit_factory: Any) -> None:
    admin = mentorkit_factory.admin
    tag = run(mentorkit_client, lambda: tags.create_tag("Machine Learning", admin))
    assert (tag.key, tag.label) == ("machine-learning", "Machine Learning")
    tag = run(mentorkit_client, lambda: tags.add_synonym(tag.id, "  ML ", admin))
    assert [s.synonym for s in tag.synonyms] == ["ml"]
    resolved = run(mentorkit_client, lambda: api.resolve_tags(["ml", "MACHINE learning", "astrology"]))
    assert (resolved.keys, resolved.unknown) == (["machine-learning"], ["astrology"])


def test_a_spelling_of_another_tag_is_a_conflict_naming_that_tag(mentorkit_client: Any,
                                                                 mentorkit_factory: Any) -> None:
    admin = mentorkit_factory.admin

    async def build() -> Any:
        ml = await tags.create_tag("Machine learning", admin)
        await tags.add_synonym(ml.id, "ML", admin)
        return await tags.create_tag("Statistics", admin)

    stats = run(mentorkit_client, build)
    max_ = mentorkit_factory.user("Max")
    for attempt in (lambda: tags.add_synonym(stats.id, "ml", admin),
                    lambda: tags.add_synonym(stats.id, "machine-learning", admin),
                    lambda: tags.create_tag("machine learning", admin),
                    lambda: tags.rename_tag(stats.id, "ML", admin)):
        with pytest.raises(ConflictError, match="Machine learning"):
            run(mentorkit_client, attempt)
    with pytest.raises(PermissionDenied):
        run(mentorkit_client, lambda: tags.create_tag("Chess", max_))


def test_merging_moves_skills_and_tag_answers_and_keeps_the_old_names_as_synonyms(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    from mentorkit.programs.tables import EnrolmentAnswer, ProgramQuestion

    client, admin = mentorkit_client, mentorkit_factory.admin
    ada, bob = mentorkit_factory.user("Ada"), mentorkit_factory.user("Bob")
    program = mentorkit_factory.program()
    enrolment = mentorkit_factory.enrol(program, ada, "mentee")

    async def build() -> tuple[Any, Any, int]:
        ml = await tags.create_tag("Machine learning", admin)
        dl = await tags.create_tag("Deep learning", admin)
        await tags.add_synonym(dl.id, "DL", admin)
        await profiles.update_profile(ada, ProfileUpdate(skills_offered=["Deep learning", "machine learning"]))
        await profiles.update_profile(bob, ProfileUpdate(skills_sought=["dl"]))
        rows = await ProgramQuestion.insert(ProgramQuestion(
            program=program.id, question_key=f"{program.id}:topics", key="topics", label="Topics",
            kind="tags")).returning(ProgramQuestion.id)
        await EnrolmentAnswer.insert(EnrolmentAnswer(
            enrolment=enrolment.id, question=rows[0]["id"], answer_key=f"{enrolment.id}:{rows[0]['id']}",
            value=json.dumps(["deep-learning", "machine-learning"])))
        return ml, dl, rows[0]["id"]

    ml, dl, question = run(client, build)
    merged = run(client, lambda: tags.merge_tags(dl.id, ml.id, admin))
    assert {s.synonym for s in merged.synonyms} == {"deep learning", "deep-learning", "dl"}
    assert (merged.offered, merged.sought) == (1, 1)  # Ada offered both: once now
    ada_profile = run(client, lambda: api.get_profile(ada.id, api.SYSTEM))
    assert [t.key for t in ada_profile.skills_offered or []] == ["machine-learning"]
    bob_profile = run(client, lambda: api.get_profile(bob.id, api.SYSTEM))
    assert [t.key for t in bob_profile.skills_sought or []] == ["machine-learning"]
    [answer] = run(client, lambda: EnrolmentAnswer.select(EnrolmentAnswer.value).where(
        EnrolmentAnswer.question == question).output(load_json=True))
    assert answer["value"] == ["machine-learning"]
    assert run(client, lambda: api.resolve_tags(["DL"])).keys == ["machine-learning"]


def test_deleting_needs_the_use_count_and_removes_every_use(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client, admin = mentorkit_client, mentorkit_factory.admin
    ada = mentorkit_factory.user("Ada")

    async def build() -> Any:
        chess = await tags.create_tag("Chess", admin)
        await profiles.update_profile(ada, ProfileUpdate(skills_offered=["chess"], skills_sought=["Chess"]))
        return chess

    chess = run(client, build)
    with pytest.raises(ConflictError, match="removes 2 uses"):
        run(client, lambda: tags.delete_tag(chess.id, 0, admin))
    assert run(client, lambda: tags.delete_tag(chess.id, 2, admin)) == 2
    profile = run(client, lambda: api.get_profile(ada.id, ada))
    assert profile.skills_offered == [] and profile.skills_sought == []


def test_the_admin_pages_add_rename_synonym_merge_and_delete(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client = mentorkit_client
    sign_in_as(client, mentorkit_factory.admin)
    assert 'href="/admin/tags"' in client.get("/admin").text
    added = client.post("/admin/tags", data={"label": "Public speaking"}, follow_redirects=False)
    assert added.status_code == 303
    url = added.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and "public-speaking" in page.text
    assert client.post(f"{url}/rename", data={"label": "Speaking in public"}, follow_redirects=False).status_code == 303
    assert client.post(f"{url}/synonyms", data={"synonym": "Presenting"}, follow_redirects=False).status_code == 303
    again = client.post("/admin/tags", data={"label": "presenting"}, follow_redirects=False)
    assert again.status_code == 409 and "Speaking in public" in again.text
    listing = client.get("/admin/tags?q=present")
    assert "Speaking in public" in listing.text and "presenting" in listing.text
    assert "No tags match" in client.get("/admin/tags?q=nothing-like-it").text
    other = client.post("/admin/tags", data={"label": "Rhetoric"}, follow_redirects=False).headers["location"]
    unknown = client.post(f"{other}/merge", data={"into": "no such thing"}, follow_redirects=False)
    assert unknown.status_code == 400 and "no tag is called “no such thing”" in unknown.text
    merged = client.post(f"{other}/merge", data={"into": "presenting"}, follow_redirects=False)
    assert merged.status_code == 303 and merged.headers["location"] == url
    assert "rhetoric" in client.get(url).text
    page = client.get(url).text
    assert "removes this tag from 0 uses" in page
    assert client.post(f"{url}/delete", data={"uses": "0"}, follow_redirects=False).status_code == 303
    assert client.get(url).status_code == 404


def test_the_api_lists_tags_for_everyone_signed_in_and_writes_for_admins(mentorkit_client: Any,
                                                                         mentorkit_factory: Any) -> None:
    client = mentorkit_client
    sign_in_as(client, mentorkit_factory.admin)
    for label in ("Alpha", "Beta", "Gamma"):
        assert client.post("/api/v1/tags", json={"label": label}).status_code == 201
    sign_in_as(client, mentorkit_factory.user("Max"))
    page = client.get("/api/v1/tags?limit=2").json()
    assert [t["label"] for t in page["items"]] == ["Alpha", "Beta"] and page["next_offset"] == 2
    assert client.post("/api/v1/tags", json={"label": "Delta"}).status_code == 403


def test_vocabulary_changes_are_events(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    admin = mentorkit_factory.admin

    async def build() -> list[Any]:
        tag = await tags.create_tag("Chess", admin)
        await tags.add_synonym(tag.id, "échecs", admin)
        return await EventRecord.select(EventRecord.payload).where(
            EventRecord.type == "vocabulary.changed").order_by(EventRecord.id).output(load_json=True)

    assert [row["payload"] for row in run(mentorkit_client, build)] == [
        {"tag_key": "chess", "change": "created"}, {"tag_key": "chess", "change": "synonym_added"}]


def test_admins_find_people_by_a_skill_typed_as_any_synonym(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client, admin = mentorkit_client, mentorkit_factory.admin
    ada = mentorkit_factory.user("Ada")
    mentorkit_factory.user("Bob")

    async def build() -> None:
        ml = await tags.create_tag("Machine learning", admin)
        await tags.add_synonym(ml.id, "ML", admin)
        await profiles.update_profile(ada, ProfileUpdate(skills_offered=["machine learning"]))

    run(client, build)
    sign_in_as(client, admin)
    found = client.get("/admin?q=ml").text
    assert "Ada" in found and "Bob" not in found
