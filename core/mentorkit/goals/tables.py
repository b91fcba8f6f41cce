"""Goal tables: SMART goals of a relationship's members and the progress logged on them."""

from __future__ import annotations

from piccolo.columns import Date, DoublePrecision, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User
from mentorkit.relationships.tables import Relationship


class Goal(Table, tablename="mentorkit_goal"):
    """A member's goal within a relationship: specific (``what``), measurable (``metric``,
    ``baseline`` toward ``target``), relevant (``why``), time-bound (``due_on``).

    ``status``: suggested (a mentor's suggestion waiting for the owner) -> not_started |
    on_track | at_risk | achieved | dropped (with ``drop_reason``). ``visibility``: private
    (the owner only, counted nowhere), aggregate (the owner only, counted in the program's
    numbers), relationship (the members read it). Only through ``mentorkit.goals.services``.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, index=True)
    owner = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    # The member who suggested it (a mentor), NULL when the owner set it themselves.
    suggested_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    what = Varchar(length=200)
    metric = Varchar(length=200)
    baseline = DoublePrecision(default=0.0)
    target = DoublePrecision()
    unit = Varchar(length=30, default="")
    why = Text(default="")
    due_on = Date()
    # A journey milestone's key, stored as given (journeys are not built yet).
    milestone_key = Varchar(length=100, null=True, default=None)
    status = Varchar(length=16, default="not_started", index=True)
    visibility = Varchar(length=16, default="private")
    drop_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class GoalProgress(Table, tablename="mentorkit_goal_progress"):
    """One progress update on a goal: the measured value and a note, by the owner (or a
    member, when the goal is shared with the relationship)."""

    id: Serial  # added by Piccolo; declared for type checkers

    goal = ForeignKey(references=Goal, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    value = DoublePrecision()
    note = Text(default="")
    logged_at = Timestamptz(default=TimestamptzNow())
