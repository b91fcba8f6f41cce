"""Relationship tables: relationships, members, transitions, logged sessions, private notes."""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User
from mentorkit.programs.tables import Enrolment, Program


class Relationship(Table, tablename="mentorkit_relationship"):
    """Members of one program working together in the program's format.

    ``state``: proposed -> pending -> active <-> paused -> completed | ended_early, or
    declined | cancelled before it starts; only through
    ``mentorkit.relationships.lifecycle`` (``RELATIONSHIP_TRANSITIONS``).
    """

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    format = Varchar(length=100)
    state = Varchar(length=16, default="active", index=True)
    # The matching strategy that proposed it ("manual": a coordinator picked the members).
    source = Varchar(length=100, default="manual")
    # "<program>:<sorted user ids>" while the relationship is open (proposed to paused), NULL once
    # it has ended: the same people cannot hold two open relationships in one program.
    open_key = Varchar(length=200, null=True, default=None, unique=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
    # While pending: when an unanswered proposal expires (the program's acceptance window).
    accept_by = Timestamptz(null=True, default=None)
    # While paused: the day the members expect to resume.
    resume_on = Date(null=True, default=None)
    # The relationship this one replaces after it ended early (a re-match); a plain id so that
    # erasing or deleting the earlier one never touches this one.
    rematch_of = Integer(null=True, default=None, index=True)
    # Self-matching: the person who asked for this match from their suggestions (their own
    # acceptance is recorded when it is made) and the message they wrote to the partner.
    requested_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    request_message = Text(default="")


class RelationshipMember(Table, tablename="mentorkit_relationship_member"):
    """One member of a relationship, through their enrolment, with the role they hold."""

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, index=True)
    enrolment = ForeignKey(references=Enrolment, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=50)
    # When this member accepted the proposal (NULL: not asked, or not yet).
    accepted_at = Timestamptz(null=True, default=None)


class RelationshipTransition(Table, tablename="mentorkit_relationship_transition"):
    """Every state change of a relationship: who, when, from what to what, and why."""

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, index=True)
    from_state = Varchar(length=16)
    to_state = Varchar(length=16)
    actor = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    # A key of the reasons listed for this change (declining, ending early), "" for none.
    reason_code = Varchar(length=32, default="")
    reason = Text(default="")
    at = Timestamptz(default=TimestamptzNow())


class RelationshipInquiry(Table, tablename="mentorkit_relationship_inquiry"):
    """A question a member asks before accepting a proposal, and the answer of another member.

    Read by the relationship's members and its program's coordinators (it is part of deciding
    the match), like the history."""

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, index=True)
    asked_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    question = Text()
    asked_at = Timestamptz(default=TimestamptzNow())
    answered_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)


class MentoringSession(Table, tablename="mentorkit_mentoring_session"):
    """A meeting the members held and logged. ``shared_notes`` are for the members only."""

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, index=True)
    held_at = Timestamptz()
    duration_minutes = Integer()
    title = Varchar(length=200)
    shared_notes = Text(default="")
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SessionPrivateNote(Table, tablename="mentorkit_session_private_note"):
    """A member's own note about a session: readable by its author and nobody else."""

    id: Serial  # added by Piccolo; declared for type checkers

    session = ForeignKey(references=MentoringSession, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    body = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class Agreement(Table, tablename="mentorkit_agreement"):
    """One version of a relationship's mentoring agreement (``terms``: ``AgreementTerms`` as
    JSON). A change after anyone confirmed makes a new version; earlier ones stay."""

    id: Serial  # added by Piccolo; declared for type checkers

    relationship = ForeignKey(references=Relationship, on_delete=OnDelete.cascade, index=True)
    version = Integer(default=1)
    terms = JSON(default="{}")
    # "<relationship>:<version>": one row per version.
    version_key = Varchar(length=50, unique=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AgreementConfirmation(Table, tablename="mentorkit_agreement_confirmation"):
    """A member's confirmation of one version of an agreement."""

    id: Serial  # added by Piccolo; declared for type checkers

    agreement = ForeignKey(references=Agreement, on_delete=OnDelete.cascade, index=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    # "<agreement>:<user>": a member confirms a version once.
    confirmation_key = Varchar(length=50, unique=True)
    confirmed_at = Timestamptz(default=TimestamptzNow())
