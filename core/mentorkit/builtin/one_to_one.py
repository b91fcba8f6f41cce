"""The built-in 1:1 format: one mentor, one mentee."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit.contracts import ProgramFormat, RoleSlot
from mentorkit.hookspecs import hookimpl

ONE_TO_ONE = ProgramFormat(
    key="one_to_one",
    label="1:1 mentoring",
    description="One mentor and one mentee meet regularly to work on the mentee's goals.",
    roles=(RoleSlot("mentor", "mentor"), RoleSlot("mentee", "mentee", takes_capacity=False)),
)


@hookimpl(trylast=True)
def register_program_formats(register: Callable[..., None]) -> None:
    register(ONE_TO_ONE)
