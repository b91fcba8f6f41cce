"""mentorkit-group-mentoring: the group format (one mentor, a circle of mentees) and the peer
format (a circle of equals who mentor each other)."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit import hookimpl
from mentorkit.contracts import ProgramFormat, RoleSlot

GROUP = ProgramFormat(
    key="group",
    label="Group mentoring",
    description="One mentor meets a circle of two to eight mentees, who also learn from each other.",
    roles=(
        RoleSlot("mentor", "mentor"),
        RoleSlot("mentee", "mentee", min_members=2, max_members=8, takes_capacity=False),
    ),
)

PEER = ProgramFormat(
    key="peer",
    label="Peer mentoring",
    description="Two to eight peers at a similar stage meet and mentor each other; nobody leads.",
    roles=(RoleSlot("peer", "peer", min_members=2, max_members=8),),
)


@hookimpl
def register_program_formats(register: Callable[..., None]) -> None:
    register(GROUP)
    register(PEER)
