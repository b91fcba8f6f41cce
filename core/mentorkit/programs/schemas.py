"""Program wire types: what the API accepts (``*Create``) and returns, and what hooks receive."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mentorkit.schemas import END, Email, Input, LongText, Name

Slug = Annotated[
    str,
    msgspec.Meta(
        min_length=2,
        max_length=100,
        pattern=rf"^[a-z0-9]+(?:-[a-z0-9]+)*{END}",
        description="lower-case letters, digits and single hyphens",
    ),
]
Key = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=100, pattern=rf"^[a-z0-9_]+{END}", description="a registered key"),
]
ProgramState = Literal["draft", "enrolling", "running", "closed"]
StaffRole = Literal["coordinator", "observer"]


class Program(msgspec.Struct, frozen=True, kw_only=True):
    """A program as the API returns it and as ``validate_program``/``program_transition`` see it."""

    id: int
    slug: str
    name: str
    description: str
    format: str
    matching_strategy: str
    state: str
    created_by: int | None
    created_at: dt.datetime


class ProgramCreate(Input):
    """A new program (created in the draft state; the creator becomes its coordinator)."""

    slug: Slug
    name: Name
    description: LongText = ""
    format: Key = "one_to_one"
    matching_strategy: Key = "manual"


class ProgramStateChange(Input):
    """Move a program to another state (draft -> enrolling -> running -> closed)."""

    state: ProgramState
    reason: LongText = ""


class EnrolmentCreate(Input):
    """Enrol the caller in a program with one of its format's roles (the overview's short
    form; the join page and the API take ``EnrolmentJoin`` with answers)."""

    role: Key


class Enrolment(msgspec.Struct, frozen=True, kw_only=True):
    """A person's enrolment in a program."""

    id: int
    program_id: int
    user_id: int
    display_name: str
    role: str
    state: str
    created_at: dt.datetime
    # The account's e-mail address: returned to the person themselves and to the program's
    # staff only, who need it to tell two people with the same name apart.
    email: str = ""
    # Relationships taken at once in this role (None: the program's default) and whether the
    # person has paused taking new ones.
    capacity: int | None = None
    paused: bool = False


class StaffAppoint(Input):
    """Appoint a person (by the e-mail of their account) as coordinator or observer."""

    email: Email
    role: StaffRole


class Staff(msgspec.Struct, frozen=True, kw_only=True):
    """A coordinator or observer of a program."""

    user_id: int
    display_name: str
    role: str


class ProgramDetail(msgspec.Struct, frozen=True, kw_only=True):
    """One program for the caller: their own part in it, and staff-only parts for staff."""

    program: Program
    format_label: str
    roles: list[str]
    # "coordinator", "observer", "admin" (site admin without a staff role) or None.
    staff_role: str | None
    my_enrolments: list[Enrolment]
    staff: list[Staff] | None = None
    enrolment_counts: dict[str, int] | None = None
