"""Goal wire types: a SMART goal, its progress updates, suggestions and the program's counts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from mentorkit.schemas import NOT_BLANK_LINE, SINGLE_LINE, Id, Input, LongText, Title

# Measured values: finite, and within what anyone measures (no infinities or NaN).
Number = Annotated[float, msgspec.Meta(ge=-1e12, le=1e12, description="a number")]
Unit = Annotated[str, msgspec.Meta(max_length=30, pattern=SINGLE_LINE, description="a short unit (km, %, books)")]
MilestoneKey = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NOT_BLANK_LINE,
                                           description="a journey milestone's key")]
GoalStatus = Literal["not_started", "on_track", "at_risk", "achieved", "dropped"]
Visibility = Literal["private", "aggregate", "relationship"]


class GoalCreate(Input):
    """A SMART goal: ``what`` (specific), ``metric`` and a ``target`` that differs from the
    ``baseline`` (measurable), ``why`` (relevant), ``due_on`` not before today, UTC (time-bound).

    ``target`` and ``due_on`` are required: the service refuses a goal without them naming
    the field (``ValidationFailed``), like a target equal to the baseline.
    ``visibility``: ``private`` (the owner only, counted nowhere), ``aggregate`` (the owner
    only, counted in the program's numbers), ``relationship`` (the members read it)."""

    what: Title
    metric: Title
    baseline: Number = 0.0
    target: Number | None = None
    unit: Unit = ""
    why: LongText = ""
    due_on: dt.date | None = None
    milestone_key: MilestoneKey | None = None
    visibility: Visibility = "private"


class GoalSuggest(GoalCreate):
    """A mentor's suggestion of a goal for another member (``owner_id``; the only member of
    another role when left out). It waits, ``suggested``, for the owner's answer."""

    owner_id: Id | None = None


class GoalUpdate(Input):
    """A change to a goal by its owner: only the fields sent change (PATCH). Dropping a goal
    (``status`` ``dropped``) needs a ``drop_reason``."""

    what: Title | UnsetType = UNSET
    metric: Title | UnsetType = UNSET
    baseline: Number | UnsetType = UNSET
    target: Number | UnsetType = UNSET
    unit: Unit | UnsetType = UNSET
    why: LongText | UnsetType = UNSET
    due_on: dt.date | UnsetType = UNSET
    milestone_key: MilestoneKey | UnsetType | None = UNSET
    status: GoalStatus | UnsetType = UNSET
    visibility: Visibility | UnsetType = UNSET
    drop_reason: LongText | UnsetType = UNSET


class ProgressCreate(Input):
    """A progress update: the measured ``value`` now, and an optional note."""

    value: Number
    note: LongText = ""


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """One progress update on a goal."""

    id: int
    value: float
    note: str
    author_id: int | None
    logged_at: dt.datetime


class Goal(msgspec.Struct, frozen=True, kw_only=True):
    """A goal as one who may read it sees it: its owner; the suggester while it is suggested;
    the relationship's members when its visibility is ``relationship``. Nobody else, ever."""

    id: int
    relationship_id: int
    owner_id: int
    owner_name: str
    suggested_by: int | None
    what: str
    metric: str
    baseline: float
    target: float
    unit: str
    why: str
    due_on: dt.date
    milestone_key: str | None
    # "suggested" (waiting for the owner's answer), "not_started", "on_track", "at_risk",
    # "achieved", "dropped"; "declined" only in the answer to a declined suggestion (it is deleted).
    status: str
    visibility: str
    drop_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime
    progress: list[Progress] = msgspec.field(default_factory=list)


class GoalAggregates(msgspec.Struct, frozen=True, kw_only=True):
    """A program's goals in numbers only (coordinators, observers, site admins): goals shared
    with the relationship or counted as ``aggregate``, by status; never private goals,
    suggestions, owners or text. ``completion``: achieved goals out of those not dropped (0
    to 1; 0 when there are none)."""

    by_status: dict[str, int]
    total: int
    achieved: int
    completion: float


class StatusForm(Input):
    """The status form of a goal on the relationship page."""

    status: GoalStatus
    drop_reason: LongText = ""


class AnswerForm(Input):
    """Accepting or declining a suggestion (no fields; the action is the address)."""
