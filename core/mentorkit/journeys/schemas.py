"""Journey read models and inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from mentorkit.schemas import Input


class Task(msgspec.Struct, frozen=True, kw_only=True):
    """A checklist item of a milestone."""

    id: int
    title: str
    done_at: dt.datetime | None = None
    done_by_name: str | None = None


class Resource(msgspec.Struct, frozen=True, kw_only=True):
    """Reading or a tool attached to a milestone."""

    title: str
    url: str


class Milestone(msgspec.Struct, frozen=True, kw_only=True):
    """A milestone of a relationship's journey; ``status``: "done", "overdue", "due" (within
    a week) or "upcoming"."""

    key: str
    title: str
    description: str
    due_on: dt.date
    status: str
    tasks: list[Task]
    agenda: list[str] = msgspec.field(default_factory=list)
    resources: list[Resource] = msgspec.field(default_factory=list)
    surveys: list[str] = msgspec.field(default_factory=list)
    completed_at: dt.datetime | None = None
    completed_by_name: str | None = None


class JourneyView(msgspec.Struct, frozen=True, kw_only=True):
    """A relationship's journey: its template and version, milestones in order, the next one,
    and whether a newer version of the template exists."""

    relationship_id: int
    template_key: str
    label: str
    version: int
    latest_version: int
    started_on: dt.date
    milestones: list[Milestone]
    next_key: str | None
    done: int
    total: int
    can_change: bool


class TaskChange(Input):
    """Tick or untick a task."""

    done: bool


class JourneyMigration(Input):
    """Move the program's running journeys to ``version`` of its template (completed
    milestones are kept)."""

    version: Annotated[int, msgspec.Meta(ge=1, le=10_000, description="a registered version")]


class VersionCount(msgspec.Struct, frozen=True, kw_only=True):
    """How many running relationships follow one version."""

    version: int
    relationships: int


class ProgramJourney(msgspec.Struct, frozen=True, kw_only=True):
    """A program's journey template: its versions and how many running relationships follow
    each."""

    template_key: str
    label: str
    latest_version: int
    versions: list[int]
    milestones: list[str]
    running: list[VersionCount]


class MigrationReport(msgspec.Struct, frozen=True, kw_only=True):
    """What moving journeys to a version did."""

    version: int
    moved: int
    kept_completed: int
