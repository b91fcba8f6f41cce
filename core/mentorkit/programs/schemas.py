"""Program wire types: what the API accepts (``*Create``) and returns, and what hooks receive."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

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
ProgramState = Literal["draft", "enrolling", "matching", "running", "closed", "archived"]
StaffRole = Literal["coordinator", "observer"]
MatchingMode = Literal["coordinator", "mentee", "mentor", "automatic"]
EnrolmentMode = Literal["open", "invitation", "application"]
Intake = Literal["cohort", "rolling"]
Cadence = Literal["weekly", "fortnightly", "monthly", "as_needed"]
# Who must accept a new relationship before it starts (see ``relationships.lifecycle``).
Acceptance = Literal["none", "one_sided", "two_sided"]
AcceptanceDays = Annotated[int, msgspec.Meta(ge=1, le=60, description="days to answer a proposed match, 1 to 60")]
# What closing does to the program's open relationships: complete them, or end them early.
ClosingOutcome = Literal["complete", "end_early"]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=50, description="relationships a mentor takes at once")]
Weeks = Annotated[int, msgspec.Meta(ge=1, le=520, description="weeks")]
RoleLimit = Annotated[int, msgspec.Meta(ge=1, le=1_000_000, description="live enrolments at most")]
# A format's or strategy's settings as sent: checked against its settings Struct by the service.
Settings = Annotated[dict[str, Any], msgspec.Meta(max_length=100)]
RoleLimits = Annotated[dict[Key, RoleLimit], msgspec.Meta(max_length=50)]


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
    # The design (added with defaults, so plugins that build Programs keep working).
    format_settings: dict[str, Any] = msgspec.field(default_factory=dict)
    strategy_settings: dict[str, Any] = msgspec.field(default_factory=dict)
    matching_mode: str = "coordinator"
    enrolment_mode: str = "open"
    intake: str = "cohort"
    role_limits: dict[str, int] = msgspec.field(default_factory=dict)
    default_capacity: int = 1
    meeting_cadence: str = "fortnightly"
    duration_weeks: int | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    allow_rejoin: bool = True
    acceptance: str = "none"
    acceptance_days: int = 7
    journey_template: str = ""
    duplicated_from: int | None = None
    updated_at: dt.datetime | None = None


# The design fields a coordinator sets: what ProgramUpdate may change and duplicating copies.
DESIGN_FIELDS = (
    "name", "slug", "description", "format", "format_settings", "matching_strategy", "strategy_settings",
    "matching_mode", "enrolment_mode", "intake", "role_limits", "default_capacity", "meeting_cadence",
    "duration_weeks", "starts_on", "ends_on", "allow_rejoin", "acceptance", "acceptance_days",
    "journey_template",
)


class ProgramCreate(Input):
    """A new program (created in the draft state; the creator becomes its coordinator).

    ``format_settings`` and ``strategy_settings`` are checked against the format's and the
    strategy's settings Structs (missing fields take their defaults); ``role_limits`` maps a
    role of the format to the most live enrolments it takes (absent: no limit)."""

    slug: Slug
    name: Name
    description: LongText = ""
    format: Key = "one_to_one"
    matching_strategy: Key = "manual"
    format_settings: Settings = msgspec.field(default_factory=dict)
    strategy_settings: Settings = msgspec.field(default_factory=dict)
    matching_mode: MatchingMode = "coordinator"
    enrolment_mode: EnrolmentMode = "open"
    intake: Intake = "cohort"
    role_limits: RoleLimits = msgspec.field(default_factory=dict)
    default_capacity: Capacity = 1
    meeting_cadence: Cadence = "fortnightly"
    duration_weeks: Weeks | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    allow_rejoin: bool = True
    acceptance: Acceptance = "none"
    acceptance_days: AcceptanceDays = 7
    # A registered journey template's key; "" for the format's (else the core's 1:1 journey).
    journey_template: Key | Literal[""] = ""


class ProgramUpdate(Input):
    """A change to a program's design: only the fields sent change (PATCH). ``null`` clears
    the duration and the dates. The format can change only while the program is a draft."""

    slug: Slug | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    format: Key | UnsetType = UNSET
    matching_strategy: Key | UnsetType = UNSET
    format_settings: Settings | UnsetType = UNSET
    strategy_settings: Settings | UnsetType = UNSET
    matching_mode: MatchingMode | UnsetType = UNSET
    enrolment_mode: EnrolmentMode | UnsetType = UNSET
    intake: Intake | UnsetType = UNSET
    role_limits: RoleLimits | UnsetType = UNSET
    default_capacity: Capacity | UnsetType = UNSET
    meeting_cadence: Cadence | UnsetType = UNSET
    duration_weeks: Weeks | UnsetType | None = UNSET
    starts_on: dt.date | UnsetType | None = UNSET
    ends_on: dt.date | UnsetType | None = UNSET
    allow_rejoin: bool | UnsetType = UNSET
    acceptance: Acceptance | UnsetType = UNSET
    acceptance_days: AcceptanceDays | UnsetType = UNSET
    journey_template: Key | Literal[""] | UnsetType = UNSET


class ProgramDuplicate(Input):
    """The next cohort of a program: its new name and slug (everything else is copied)."""

    slug: Slug
    name: Name


class ProgramStateChange(Input):
    """Move a program to another state (draft -> enrolling -> matching -> running -> closed
    -> archived, see ``PROGRAM_TRANSITIONS``). Closing applies ``open_relationships`` to the
    program's active and paused relationships."""

    state: ProgramState
    reason: LongText = ""
    open_relationships: ClosingOutcome = "complete"


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
    # Counts only, for every member of the staff (observers see nothing else about people).
    aggregates: ProgramAggregates | None = None


class ProgramAggregates(msgspec.Struct, frozen=True, kw_only=True):
    """How a program is going, in numbers only: no names, e-mails, answers or members.

    ``enrolments`` maps each role to its count per enrolment state; ``matched`` and
    ``unmatched`` count active enrolments per role in an open (active or paused) relationship
    or not; ``relationships`` counts relationships per state."""

    enrolments: dict[str, dict[str, int]]
    relationships: dict[str, int]
    matched: dict[str, int]
    unmatched: dict[str, int]


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a program's participant list (coordinators): an enrolment and its person."""

    enrolment_id: int
    user_id: int
    display_name: str
    email: str
    role: str
    state: str
    created_at: dt.datetime
    # In an open (active or paused) relationship of the program.
    matched: bool


# The participant list's state filter: "" or "live" (active, applied, waitlisted), "any", or one state.
ParticipantState = Literal["", "live", "any", "active", "applied", "waitlisted", "declined", "withdrawn"]


class ParticipantPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of participants, with how many match the filters in all."""

    items: list[Participant]
    total: int
    limit: int
    offset: int
    next_offset: int | None
