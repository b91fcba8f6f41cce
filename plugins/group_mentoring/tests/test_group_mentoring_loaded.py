"""The plugin is found through its entry point and registers the group and peer formats."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit_group_mentoring import GROUP, PEER


def test_group_mentoring_is_loaded(mentorkit_admin_client: Any) -> None:
    listed = mentorkit_admin_client.get("/-/plugins.json").json()
    [plugin] = [p for p in listed["plugins"] if p["name"] == "group_mentoring"]
    assert plugin["distribution"] == "mentorkit-group-mentoring"
    assert plugin["hooks"] == ["register_program_formats"]
    formats = mentorkit_admin_client.app.state.runtime.formats
    assert formats["group"] is GROUP and formats["peer"] is PEER


@pytest.mark.parametrize("mentees", [2, 5, 8])
def test_group_takes_one_mentor_and_two_to_eight_mentees(mentees: int) -> None:
    assert GROUP.role_problems(["mentor"] + ["mentee"] * mentees) == []


@pytest.mark.parametrize(
    ("roles", "problem"),
    [
        (["mentor", "mentee"], "needs 2 to 8 mentee(s), got 1"),
        (["mentor"] + ["mentee"] * 9, "needs 2 to 8 mentee(s), got 9"),
        (["mentee", "mentee"], "needs 1 mentor(s), got 0"),
        (["mentor", "mentor", "mentee", "mentee"], "needs 1 mentor(s), got 2"),
        (["mentor", "mentee", "mentee", "peer"], "roles not in the Group mentoring format: peer"),
    ],
)
def test_group_refuses_other_compositions(roles: list[str], problem: str) -> None:
    assert any(problem in p for p in GROUP.role_problems(roles)), GROUP.role_problems(roles)


def test_peer_circle_has_only_peers() -> None:
    assert PEER.role_keys() == ["peer"]
    assert PEER.role_problems(["peer"] * 3) == []
    assert PEER.role_problems(["peer"]) == ["a Peer mentoring relationship needs 2 to 8 peer(s), got 1"]
    assert PEER.role_problems(["peer", "peer", "mentor"]) == [
        "roles not in the Peer mentoring format: mentor"]
