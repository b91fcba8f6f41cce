"""The mentoring agreement: a program's template (or the format's), each member confirms it,
a change after a confirmation is a new version confirmed again, and the history is kept.
Members read the text; coordinators see versions and confirmations only."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from mentorkit.contracts import AgreementSection, AgreementTerms
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import EventRecord
from mentorkit.programs import services as programs
from mentorkit.relationships import agreements, lifecycle
from mentorkit.relationships.tables import Agreement, AgreementConfirmation
from mentorkit.testing import csrf_headers, sign_in_as
from tests.test_relationship_lifecycle import propose, world
from tests.test_relationships import person

POWER = AgreementSection(title="Power and candour", text="The junior partner leads; the senior listens first.")


async def test_both_confirm_and_a_change_after_that_is_a_new_version_to_confirm_again(
        mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    first = await agreements.get_agreement(relationship.id, w.mentee)
    assert (first.version, first.stored, first.agreed) == (1, False, False)
    assert first.terms is not None and first.terms.meeting_frequency == AgreementTerms().meeting_frequency
    assert first.waiting_for == ["Mo", "Mia"]

    mine = await agreements.confirm_agreement(relationship.id, 1, w.mentee)
    assert [c.user_id for c in mine.confirmations] == [w.mentee.id] and not mine.agreed
    with pytest.raises(ConflictError, match="you confirmed version 1 on"):
        await agreements.confirm_agreement(relationship.id, 1, w.mentee)
    agreed = await agreements.confirm_agreement(relationship.id, 1, w.mentor)
    assert agreed.agreed and agreed.waiting_for == []

    changed = msgspec.structs.replace(agreed.terms, meeting_frequency="Weekly, 30 minutes", sections=[POWER])
    second = await agreements.update_agreement(relationship.id, changed, w.mentor)
    assert (second.version, second.agreed, second.confirmations) == (2, False, [])
    assert [v.version for v in second.earlier] == [1]
    assert [c.user_id for c in second.earlier[0].confirmations] == [w.mentee.id, w.mentor.id]
    with pytest.raises(ConflictError, match="version 2 is the current agreement"):
        await agreements.confirm_agreement(relationship.id, 1, w.mentee)
    # An edit before anyone confirmed version 2 replaces it rather than making version 3.
    third_try = await agreements.update_agreement(
        relationship.id, msgspec.structs.replace(changed, channel="In person"), w.mentee)
    assert third_try.version == 2 and third_try.terms is not None and third_try.terms.channel == "In person"
    assert await Agreement.count().where(Agreement.relationship == relationship.id) == 2
    events = await EventRecord.select(EventRecord.type, EventRecord.payload).where(
        EventRecord.type.like("agreement.%"))
    assert [e["type"] for e in events] == ["agreement.confirmed", "agreement.confirmed", "agreement.updated",
                                           "agreement.updated"]
    assert all("Weekly" not in str(e["payload"]) for e in events)  # no text in events


async def test_coordinators_see_versions_and_confirmations_but_never_the_text(mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    await agreements.confirm_agreement(relationship.id, 1, w.mentee)
    seen = await agreements.get_agreement(relationship.id, w.admin)
    assert seen.terms is None and [c.user_id for c in seen.confirmations] == [w.mentee.id]
    assert not seen.can_edit and not seen.can_confirm
    with pytest.raises(PermissionDenied):
        await agreements.confirm_agreement(relationship.id, 1, w.admin)
    with pytest.raises(PermissionDenied):
        await agreements.update_agreement(relationship.id, AgreementTerms(), w.admin)
    with pytest.raises(NotFound):
        await agreements.get_agreement(relationship.id, w.other_mentor)


async def test_bad_agreements_are_refused_and_nothing_is_written(mentorkit_runtime: Any) -> None:
    w = await world("none")
    relationship = await propose(w)
    with pytest.raises(ValidationFailed) as refused:
        await agreements.update_agreement(relationship.id, AgreementTerms(
            meeting_frequency=" ", sections=[AgreementSection(title="", text="x")]), w.mentee)
    assert set(refused.value.errors) == {"meeting_frequency", "sections.0.title"}
    await lifecycle.complete_relationship(relationship.id, w.mentee)
    with pytest.raises(ConflictError, match="it is completed"):
        await agreements.confirm_agreement(relationship.id, 1, w.mentee)
    assert await Agreement.count() == 0 and await AgreementConfirmation.count() == 0


async def test_the_program_template_and_the_formats_start_the_agreement(mentorkit_runtime: Any) -> None:
    w = await world("none")
    with pytest.raises(PermissionDenied):
        await agreements.set_program_template(w.program.id, AgreementTerms(), w.mentor)
    await agreements.set_program_template(w.program.id, AgreementTerms(channel="Our team's chat", sections=[POWER]),
                                          w.admin)
    relationship = await propose(w)
    view = await agreements.get_agreement(relationship.id, w.mentor)
    assert view.terms is not None and view.terms.channel == "Our team's chat" and view.terms.sections == [POWER]


def test_members_edit_and_confirm_on_the_page_and_the_coordinator_sees_no_text(
        mentorkit_client: Any, mentorkit_factory: Any) -> None:
    client, factory = mentorkit_client, mentorkit_factory
    program = factory.program(state="running")
    mentor, mentee = factory.user("Morgan Mentor"), factory.user("Mina Mentee")
    relationship = factory.pair(program, [factory.enrol(program, mentor, "mentor"),
                                          factory.enrol(program, mentee, "mentee")])
    sign_in_as(client, mentee)
    page = client.get(f"/relationships/{relationship.id}?section=agreement")
    assert "Mentoring agreement" in page.text and "I agree to version 1" in page.text
    form = {"_csrf_token": client.cookies.get("mentorkit_csrf", ""), "meeting_frequency": "",
            "channel": "Video", "confidentiality": "Between us", "expectations": "Be on time",
            "section_1_text": "orphan text"}
    bad = client.post(f"/relationships/{relationship.id}/agreement", data=form, headers=csrf_headers(client))
    assert bad.status_code == 400
    assert "write what you agree to" in bad.text and "give the section a title" in bad.text
    form.update(meeting_frequency="Monthly over lunch", section_1_title="Goals", section_1_text="Two per quarter")
    saved = client.post(f"/relationships/{relationship.id}/agreement", data=form, headers=csrf_headers(client),
                        follow_redirects=False)
    assert saved.status_code == 303
    confirmed = client.post(f"/api/v1/relationships/{relationship.id}/agreement/confirm", json={"version": 1},
                            headers=csrf_headers(client))
    assert confirmed.status_code == 200 and confirmed.json()["confirmations"][0]["user_id"] == mentee.id
    twice = client.post(f"/api/v1/relationships/{relationship.id}/agreement/confirm", json={"version": 1},
                        headers=csrf_headers(client))
    assert twice.status_code == 409 and "you confirmed version 1" in twice.json()["detail"]

    sign_in_as(client, factory.admin)
    seen = client.get(f"/api/v1/relationships/{relationship.id}/agreement").json()
    assert seen["terms"] is None and seen["version"] == 1
    page = client.get(f"/relationships/{relationship.id}?section=agreement")
    assert "Monthly over lunch" not in page.text and "Two per quarter" not in page.text
    template = client.get(f"/programs/{program.id}/agreement")
    assert template.status_code == 200 and "Mentoring agreement template" in template.text


async def test_a_person_is_erased_from_agreements_and_exports_carry_theirs(mentorkit_runtime: Any) -> None:
    from mentorkit.privacy.core_data import export_core

    w = await world("none")
    relationship = await propose(w)
    await agreements.update_agreement(relationship.id, AgreementTerms(channel="Tea room"), w.mentee)
    await agreements.confirm_agreement(relationship.id, 1, w.mentor)
    exported = await export_core(w.mentor.id)
    agreement = exported["relationships"][0]["agreements"]
    assert agreement[0]["version"] == 1 and agreement[0]["terms"]["channel"] == "Tea room"
    assert agreement[0]["confirmed_by_you"] is True
    assert programs  # (the program module is the same one the world uses)
    stranger = await person("stan@example.org")
    assert (await export_core(stranger.id))["relationships"] == []
