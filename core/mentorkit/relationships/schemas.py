"""Relationship wire types: pairing, transitions, logged sessions and their notes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mentorkit.schemas import Id, Input, LongText, Title

Minutes = Annotated[int, msgspec.Meta(ge=1, le=600, description="minutes, 1 to 600")]
RelationshipState = Literal["active", "paused", "completed", "ended_early"]
# Listing an enrolment twice is refused (by the service, which names the field); the document says so.
EnrolmentIds = Annotated[list[Id], msgspec.Meta(min_length=2, max_length=50, extra_json_schema={"uniqueItems": True})]


class RelationshipCreate(Input):
    """Pair enrolments of one program into a relationship (the manual strategy: a coordinator
    picks). The members' roles come from their enrolments; the format checks the mix."""

    enrolment_ids: EnrolmentIds


class RelationshipComplete(Input):
    """Close a relationship as completed, optionally saying why."""

    reason: LongText = ""


class RelationshipEnd(Input):
    """End a relationship early (it cannot go on), optionally saying why."""

    reason: LongText = ""


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A member of a relationship."""

    user_id: int
    display_name: str
    role: str


class Relationship(msgspec.Struct, frozen=True, kw_only=True):
    """A relationship as its members and its program's coordinators see it (never any notes).

    Also what ``relationship_transition`` hooks receive.
    """

    id: int
    program_id: int
    program_name: str
    format: str
    state: str
    source: str
    members: list[Member]
    created_at: dt.datetime
    ended_at: dt.datetime | None
    session_count: int = 0
    last_session_at: dt.datetime | None = None


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded state change."""

    from_state: str
    to_state: str
    actor_id: int | None
    reason: str
    at: dt.datetime
    # Who made the change, by display name; None when no person did (the system, or an
    # account since removed).
    actor_name: str | None = None


class SessionCreate(Input):
    """Log a meeting. ``private_note`` is stored for its author alone."""

    held_at: dt.datetime
    duration_minutes: Minutes
    title: Title
    shared_notes: LongText = ""
    private_note: LongText = ""

    def __post_init__(self) -> None:
        if self.held_at.tzinfo is None:
            raise ValueError("held_at needs a time zone (e.g. 2026-03-01T10:00:00Z)")


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """A logged session. Members get ``title`` and ``shared_notes`` and their own
    ``private_note``; coordinators get only that it happened, when and for how long."""

    id: int
    relationship_id: int
    held_at: dt.datetime
    duration_minutes: int
    created_by: int | None
    created_at: dt.datetime
    title: str | None = None
    shared_notes: str | None = None
    private_note: str | None = None


class RelationshipView(msgspec.Struct, frozen=True, kw_only=True):
    """A relationship with its history and sessions, as the caller may see it."""

    relationship: Relationship
    # "member" (sees session titles and shared notes) or "coordinator" (dates and durations only).
    viewer: str
    my_role: str | None
    transitions: list[Transition]
    sessions: list[Session]
    can_complete: bool
    can_end_early: bool = False


# Parsed while the form is validated, so a date that does not exist (February 31st) is a
# field error rather than a failure after validation.
LocalDateTime = Annotated[dt.datetime, msgspec.Meta(tz=False, description="date and time (local), YYYY-MM-DDTHH:MM")]


class SessionForm(Input):
    """The log-a-session form: like ``SessionCreate`` with a local date and time."""

    held_at: LocalDateTime
    duration_minutes: Minutes
    title: Title
    shared_notes: LongText = ""
    private_note: LongText = ""


class CompleteForm(Input):
    """The complete-this-relationship form: the box must be ticked (works without JavaScript).
    The end-early form is the same."""

    confirm: bool = False
    reason: LongText = ""
