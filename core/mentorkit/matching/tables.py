"""Match runs and their proposals."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User
from mentorkit.programs.tables import Program
from mentorkit.relationships.tables import Relationship


class MatchRun(Table, tablename="mentorkit_match_run"):
    """One run of a program's matching strategy, kept with its parameters.

    ``state``: running (in the process named by ``runner``), done (proposals ready for
    review), failed (``error`` says why), cancelled. ``settings`` are the strategy settings it
    ran with; ``metrics`` what it found (coverage, mean and lowest score, notes, whether the
    strategy proved the result optimal); ``unmatched`` who got no proposal and why.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    # Numbered per program (run 1, 2 ...), what coordinators call it.
    number = Integer(default=1)
    strategy = Varchar(length=100)
    settings = JSON(default="{}")
    state = Varchar(length=16, default="running")
    runner = Varchar(length=200, default="")
    started_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    error = Text(default="")
    metrics = JSON(default="{}")
    # [{"enrolment_id": 3, "role": "mentee", "reason": "..."}]
    unmatched = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class MatchRunProposal(Table, tablename="mentorkit_match_run_proposal"):
    """One proposed relationship of a run: its members, score and explanation, and what the
    coordinator did with it (``status``: proposed, removed, published; ``pinned`` keeps the
    pair in the next run)."""

    id: Serial  # added by Piccolo; declared for type checkers

    run = ForeignKey(references=MatchRun, on_delete=OnDelete.cascade, index=True)
    position = Integer(default=0)
    # {"mentor": [12], "mentee": [31]}: enrolment ids by role.
    members = JSON(default="{}")
    # The sorted enrolment ids ("12-31"): the same pair in two runs has the same key.
    pair_key = Varchar(length=200, default="")
    score = DoublePrecision(default=0.0)
    # [CriterionScore as JSON, ...]
    explanation = JSON(default="[]")
    status = Varchar(length=16, default="proposed")
    pinned = Boolean(default=False)
    # Set when the coordinator changed the pair (a swap): the explanation is the strategy's
    # for the new pair.
    edited = Boolean(default=False)
    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.set_null, null=True, default=None)
