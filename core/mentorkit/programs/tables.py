"""Program tables: programs, their staff, enrolments, enrolment questions and answers,
invitation links and matching preferences.

JSON columns hold small documents the services read and write whole (a format's settings,
a question's choices); anything searched or joined on is a column of its own.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User


class Program(Table, tablename="mentorkit_program"):
    """A mentoring program: one format, one matching strategy, a life cycle.

    ``state`` moves draft -> enrolling -> matching -> running -> closed -> archived, only
    through ``mentorkit.programs.services.change_program_state``.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    slug = Varchar(length=100, unique=True)
    name = Varchar(length=100)
    description = Text(default="")
    format = Varchar(length=100, default="one_to_one")
    matching_strategy = Varchar(length=100, default="manual")
    state = Varchar(length=16, default="draft", index=True)
    # Validated against the format's and the strategy's settings Structs on every save.
    format_settings = JSON(default="{}")
    strategy_settings = JSON(default="{}")
    # coordinator | mentee | mentor | automatic: who makes the matches.
    matching_mode = Varchar(length=16, default="coordinator")
    # open | invitation | application: how people join.
    enrolment_mode = Varchar(length=16, default="open")
    # cohort (everyone starts together) | rolling (people join and are matched any time).
    intake = Varchar(length=16, default="cohort")
    # {"mentee": 40}: at most this many live enrolments per role; beyond it people wait.
    role_limits = JSON(default="{}")
    # How many mentees (relationships) a mentor takes unless their enrolment says otherwise.
    default_capacity = Integer(default=1)
    # weekly | fortnightly | monthly | as_needed
    meeting_cadence = Varchar(length=16, default="fortnightly")
    duration_weeks = Integer(null=True, default=None)
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    # Whether someone who withdrew may enrol again with the same role.
    allow_rejoin = Boolean(default=True)
    # Who must accept a new relationship before it starts: "none", "one_sided" (the members
    # of the format's first role, mentors in 1:1) or "two_sided" (every member); and the days
    # they have before an unanswered proposal expires.
    acceptance = Varchar(length=16, default="none")
    acceptance_days = Integer(default=7)
    # The mentoring agreement's starting text (``AgreementTerms`` as JSON; {} means the
    # format's or the core's).
    agreement_template = JSON(default="{}")
    # The journey template's key ("": the format's, else the core's 1:1 journey).
    journey_template = Varchar(length=100, default="")
    # The program this one was duplicated from (its previous cohort).
    duplicated_from: ForeignKey[Any] = ForeignKey(
        references="self", on_delete=OnDelete.set_null, null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


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


class ProgramInvitation(Table, tablename="mentorkit_program_invitation"):
    """An invitation link to enrol in a program: expiring, revocable, with a use limit.

    The link's token is an HMAC of the site's secret key over ``invitation:<id>:<nonce>``:
    only its hash is stored, and the link can be shown to coordinators again at any time.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    nonce = Varchar(length=64)
    label = Varchar(length=100, default="")
    # The role the link enrols with; NULL lets the person choose.
    role = Varchar(length=50, null=True, default=None)
    max_uses = Integer(null=True, default=None)
    uses = Integer(default=0)
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Enrolment(Table, tablename="mentorkit_enrolment"):
    """A person taking part in a program with one of the format's roles.

    ``state``: active, applied (waiting for a coordinator's review), waitlisted (the role was
    full), declined (an application a coordinator turned down), withdrawn.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=50)
    state = Varchar(length=16, default="active", index=True)
    # "<program>:<user>:<role>" while the enrolment is live (active, applied or waitlisted),
    # NULL once declined or withdrawn: one live enrolment per person, program and role, any
    # number of ended ones (NULLs never collide, on SQLite and PostgreSQL alike).
    active_key = Varchar(length=150, null=True, default=None, unique=True)
    # Relationships this person takes at once in this role (NULL: the program's default).
    capacity = Integer(null=True, default=None)
    # A mentor who pauses takes no new mentees until they resume.
    paused = Boolean(default=False)
    invitation = ForeignKey(references=ProgramInvitation, on_delete=OnDelete.set_null, null=True, default=None)
    # The coordinator's decision on an application (or a waitlisted place), and why.
    decided_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)


class ProgramQuestion(Table, tablename="mentorkit_program_question"):
    """A question people answer when they enrol: written by a coordinator or contributed by a
    plugin (``source`` names it). ``kind``: short_text, long_text, single_choice,
    multiple_choice, scale, tags."""

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    # "<program>:<key>": a question's key is unique within its program.
    question_key = Varchar(length=160, unique=True)
    key = Varchar(length=50)
    label = Varchar(length=200)
    help = Text(default="")
    kind = Varchar(length=20)
    choices = JSON(default="[]")
    scale_min = Integer(default=1)
    scale_max = Integer(default=5)
    required = Boolean(default=False)
    # Roles asked this question (empty: every role).
    asked_roles = JSON(default="[]")
    # Roles that may read a person's answer besides the person and the program's staff.
    visible_roles = JSON(default="[]")
    matching_criterion = Boolean(default=False)
    position = Integer(default=0)
    source = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class EnrolmentAnswer(Table, tablename="mentorkit_enrolment_answer"):
    """One enrolment's answer to one question; ``value`` is JSON of the question's kind."""

    id: Serial  # added by Piccolo; declared for type checkers

    enrolment = ForeignKey(references=Enrolment, on_delete=OnDelete.cascade, index=True)
    question = ForeignKey(references=ProgramQuestion, on_delete=OnDelete.cascade, index=True)
    # "<enrolment>:<question>": one answer per question.
    answer_key = Varchar(length=50, unique=True)
    value = JSON(default="null")
    updated_at = Timestamptz(default=TimestamptzNow())


class EnrolmentPreference(Table, tablename="mentorkit_enrolment_preference"):
    """A matching preference of one enrolment about another person: ``wish`` (a wish list)
    or ``avoid`` ("not with", e.g. one's own manager)."""

    id: Serial  # added by Piccolo; declared for type checkers

    enrolment = ForeignKey(references=Enrolment, on_delete=OnDelete.cascade, index=True)
    other = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=8)
    # "<enrolment>:<other>": one preference per enrolment and person.
    preference_key = Varchar(length=50, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
