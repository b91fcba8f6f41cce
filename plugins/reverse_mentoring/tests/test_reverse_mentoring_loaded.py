"""The plugin is found through its entry point and registers the reverse format."""

from __future__ import annotations

from typing import Any

from mentorkit_reverse_mentoring import REVERSE


def test_reverse_mentoring_is_loaded(mentorkit_admin_client: Any) -> None:
    listed = mentorkit_admin_client.get("/-/plugins.json").json()
    [plugin] = [p for p in listed["plugins"] if p["name"] == "reverse_mentoring"]
    assert plugin["distribution"] == "mentorkit-reverse-mentoring"
    assert mentorkit_admin_client.app.state.runtime.formats["reverse"] is REVERSE


def test_reverse_mentoring_inverts_seniority() -> None:
    assert REVERSE.seniority_direction == "junior_mentors"
    one_to_one_direction = "senior_mentors"
    assert REVERSE.seniority_direction != one_to_one_direction


def test_reverse_pairs_one_junior_mentor_with_one_senior_mentee() -> None:
    assert REVERSE.role_problems(["mentor", "mentee"]) == []
    assert REVERSE.role_problems(["mentor", "mentee", "mentee"]) == [
        "a Reverse mentoring relationship needs 1 senior mentee(s), got 2"]


def test_a_reverse_relationship_starts_from_the_power_dynamics_agreement(mentorkit_client: Any,
                                                                        mentorkit_factory: Any) -> None:
    from mentorkit import api

    factory = mentorkit_factory
    program = factory.program(format="reverse", state="running")
    junior, senior = factory.user("Jun Ior"), factory.user("Sen Ior")
    relationship = factory.pair(program, [factory.enrol(program, junior, "mentor"),
                                          factory.enrol(program, senior, "mentee")])
    agreement = mentorkit_client.run(api.get_agreement, relationship.id, junior)
    assert agreement.terms is not None
    assert [s.title for s in agreement.terms.sections] == ["Power and candour", "Credit"]
    assert "junior mentor sets the topics" in agreement.terms.expectations
