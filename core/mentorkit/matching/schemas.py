"""What pages, ``/api/v1`` and the CLI show of match runs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mentorkit.contracts import CriterionScore
from mentorkit.schemas import Id

RUN_STATES = {"running": "running", "done": "ready for review", "failed": "failed", "cancelled": "cancelled"}
PROPOSAL_STATUSES = {"proposed": "proposed", "removed": "removed", "published": "published"}


class ProposalMember(msgspec.Struct, frozen=True, kw_only=True):
    """A person in a proposed relationship."""

    enrolment_id: int
    user_id: int
    display_name: str
    role: str


class RunProposal(msgspec.Struct, frozen=True, kw_only=True):
    """One proposed relationship of a run. ``change`` compares it with the previous run:
    ``"new"`` (not proposed then) or ``"kept"``; empty for a first run."""

    id: int
    position: int
    members: list[ProposalMember]
    score: float
    explanation: list[CriterionScore]
    status: str
    pinned: bool
    edited: bool
    relationship_id: int | None
    change: str = ""


class Unmatched(msgspec.Struct, frozen=True, kw_only=True):
    """Someone the run found no partner for, and why."""

    enrolment_id: int
    display_name: str
    role: str
    reason: str


class RunMetrics(msgspec.Struct, frozen=True, kw_only=True):
    """What a run found: ``seekers`` is how many people of the seeking roles (mentees) wanted a
    match, ``matched`` how many of them the proposals cover."""

    seekers: int = 0
    matched: int = 0
    proposals: int = 0
    coverage: float = 0.0
    mean_score: float | None = None
    min_score: float | None = None
    proven_optimal: bool | None = None
    notes: list[str] = []
    left_out: list[str] = []
    """Proposals the core refused to keep (an unknown enrolment, a full mentor ...), in words."""


class RunDiff(msgspec.Struct, frozen=True, kw_only=True):
    """How a run differs from the program's previous finished run."""

    previous_run_id: int
    previous_number: int
    kept: int
    new: int
    dropped: list[str]
    """The previous run's pairs this run does not propose, as "Mo & Mia"."""


class MatchRun(msgspec.Struct, frozen=True, kw_only=True):
    """A match run. While it runs, ``done`` of ``total`` in ``stage`` is its progress (0 of 0
    when another process runs it)."""

    id: int
    program_id: int
    number: int
    strategy: str
    strategy_label: str
    settings: dict[str, object]
    state: str
    error: str
    done: int
    total: int
    stage: str
    metrics: RunMetrics
    unmatched: list[Unmatched]
    started_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    diff: RunDiff | None = None


class PublishReport(msgspec.Struct, frozen=True, kw_only=True):
    """What publishing did: the relationships made, and the proposals that could not be
    (with why: someone withdrew, a mentor filled up since the run ...)."""

    published: list[int]
    """The new relationships' ids."""
    problems: dict[int, str]
    """Proposal id -> why it was not published."""


class PublishRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Publish these proposals of the run (all proposed ones when ``proposal_ids`` is empty)."""

    proposal_ids: Annotated[list[Id],
                            msgspec.Meta(max_length=100_000)] = []


class SwapRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Swap the partners (mentors) of two proposals of the run."""

    other_id: Id


ProposalAction = Literal["remove", "restore", "pin", "unpin"]


class ProposalChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What to do with a proposal: ``remove`` it (``restore`` undoes that), ``pin`` it (the next
    run keeps the pair) or ``unpin`` it."""

    action: ProposalAction
