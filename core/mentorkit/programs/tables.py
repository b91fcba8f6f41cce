"""Program tables: programs, their staff (coordinators, observers) and enrolments."""

from __future__ import annotations

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User


class Program(Table, tablename="mentorkit_program"):
    """A mentoring program: one format, one matching strategy, a life cycle.

    ``state`` moves draft -> enrolling -> running -> closed, only through
    ``mentorkit.programs.services.change_program_state``.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    slug = Varchar(length=100, unique=True)
    name = Varchar(length=100)
    description = Text(default="")
    format = Varchar(length=100, default="one_to_one")
    matching_strategy = Varchar(length=100, default="manual")
    state = Varchar(length=16, default="draft", index=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ProgramStaff(Table, tablename="mentorkit_program_staff"):
    """A person who runs (coordinator) or watches (observer) one program."""

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=16)
    appointed_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    # "<program>:<user>": one staff role per person and program. (A key column rather than a
    # composite constraint: Piccolo adds those with ALTER TABLE, which SQLite cannot do.)
    staff_key = Varchar(length=50, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Enrolment(Table, tablename="mentorkit_enrolment"):
    """A person taking part in a program with one of the format's roles."""

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=50)
    state = Varchar(length=16, default="active", index=True)
    # "<program>:<user>:<role>" while active, NULL once withdrawn: one active enrolment per
    # person, program and role, any number of withdrawn ones (NULLs never collide, on SQLite and
    # PostgreSQL alike).
    active_key = Varchar(length=150, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
