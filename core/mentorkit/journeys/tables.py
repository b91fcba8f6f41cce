"""Journey tables: a relationship's journey, its milestones and their tasks (copied from the
template when the relationship started, so later template changes never alter it)."""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User
from mentorkit.relationships.tables import Relationship


class Journey(Table, tablename="mentorkit_journey"):
    """One relationship's journey: which template and version it follows, from which day."""

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, unique=True)
    template_key = Varchar(length=100)
    version = Integer(default=1)
    label = Varchar(length=200)
    started_on = Date()
    created_at = Timestamptz(default=TimestamptzNow())


class JourneyMilestone(Table, tablename="mentorkit_journey_milestone"):
    """A milestone of a journey: due on a day, completed by a member (or not yet)."""

    id: Serial  # added by Piccolo; declared for type checkers

    journey: ForeignKey[Journey] = ForeignKey(references=Journey, on_delete=OnDelete.cascade, index=True)
    key = Varchar(length=100)
    # "<journey>:<key>": a key once per journey.
    milestone_ref = Varchar(length=150, unique=True)
    title = Varchar(length=200)
    description = Text(default="")
    position = Integer(default=0)
    due_on = Date(index=True)
    agenda = JSON(default="[]")
    resources = JSON(default="[]")
    surveys = JSON(default="[]")
    completed_at = Timestamptz(null=True, default=None)
    completed_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)


class JourneyTask(Table, tablename="mentorkit_journey_task"):
    """A checklist item of a milestone."""

    id: Serial  # added by Piccolo; declared for type checkers

    milestone: ForeignKey[JourneyMilestone] = ForeignKey(references=JourneyMilestone, on_delete=OnDelete.cascade,
                                                         index=True)
    position = Integer(default=0)
    title = Varchar(length=300)
    done_at = Timestamptz(null=True, default=None)
    done_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
