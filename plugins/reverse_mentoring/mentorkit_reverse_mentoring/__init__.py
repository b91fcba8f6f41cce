"""mentorkit-reverse-mentoring: the reverse format, where a junior colleague mentors a senior
one (on new tools, a younger generation's view, life on the front line)."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit import hookimpl
from mentorkit.contracts import ProgramFormat, RoleSlot

REVERSE = ProgramFormat(
    key="reverse",
    label="Reverse mentoring",
    description="A junior colleague mentors a senior one; matching inverts seniority.",
    roles=(RoleSlot("mentor", "junior mentor"), RoleSlot("mentee", "senior mentee", takes_capacity=False)),
    # Matching pairs a less senior mentor with a more senior mentee.
    seniority_direction="junior_mentors",
)


@hookimpl
def register_program_formats(register: Callable[..., None]) -> None:
    register(REVERSE)
