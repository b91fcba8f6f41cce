"""Relationship wire types: pairing, transitions, logged sessions and their notes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mentorkit.contracts import AgreementSection, AgreementTerms
from mentorkit.schemas import NOT_BLANK_LINE, NOT_BLANK_TEXT, Id, Input, LongText, RequiredText, Title

# A question or an answer between members: free text of some length (blank is refused by the
# service, which names the field).
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=NOT_BLANK_TEXT,
                                   description="free text, not blank")]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=600, description="minutes, 1 to 600")]
RelationshipState = Literal[
    "proposed", "pending", "active", "paused", "completed", "ended_early", "declined", "cancelled"]
# The reasons listed for declining a match and for ending a relationship early (the keys of
# ``lifecycle.DECLINE_REASONS`` and ``lifecycle.END_REASONS``).
DeclineReason = Literal["no_time", "not_a_fit", "expertise", "conflict", "other"]
EndReason = Literal["schedule", "not_a_fit", "goals_met", "left", "unresponsive", "other"]
# Each enrolment once (the service refuses repeats; the OpenAPI document says so too).
EnrolmentIds = Annotated[list[Id], msgspec.Meta(min_length=2, max_length=50, extra_json_schema={"uniqueItems": True})]


class RelationshipCreate(Input):
    """Pair enrolments of one program into a relationship (the manual strategy: a coordinator
    picks). The members' roles come from their enrolments; the format checks the mix.

    The relationship starts at once, or waits for the members' acceptance when the program
    asks for it. ``draft``: keep it as a proposal nobody is told about until it is published."""

    enrolment_ids: EnrolmentIds
    draft: bool = False


class RelationshipComplete(Input):
    """Close a relationship as completed, optionally saying why."""

    reason: LongText = ""


class RelationshipEnd(Input):
    """End a relationship early (it cannot go on): one of the listed reasons, and words of
    one's own (needed for ``other``)."""

    reason_code: EndReason
    reason: LongText = ""


class RelationshipDecline(Input):
    """Decline a proposed match: one of the listed reasons, and words of one's own (needed
    for ``other``)."""

    reason_code: DeclineReason
    reason: LongText = ""


class RelationshipReason(Input):
    """A change of state with an optional reason (accept, resume, cancel, publish); the
    pages' forms for them too."""

    reason: LongText = ""


class RelationshipPause(Input):
    """Pause a relationship until ``resume_on`` (a day after today), optionally saying why."""

    resume_on: dt.date
    reason: LongText = ""


class InquiryCreate(Input):
    """A question to the other members before accepting a proposed match."""

    question: Note


class InquiryAnswer(Input):
    """The answer to a question asked before accepting."""

    answer: Note


class Rematch(Input):
    """Re-match after a relationship ended early (or was declined or cancelled): the member
    ``keep_enrolment_id`` stays and ``enrolment_ids`` are their new partners (active
    enrolments of the same program). The new relationship records the one it follows."""

    keep_enrolment_id: Id
    enrolment_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=50,
                                                    extra_json_schema={"uniqueItems": True})]


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A member of a relationship."""

    user_id: int
    display_name: str
    role: str
    # When this member accepted the proposal; None when not asked or not yet.
    accepted_at: dt.datetime | None = None
    # The enrolment through which they are a member (what a re-match keeps).
    enrolment_id: int | None = None


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
    # While pending: when the proposal expires unanswered.
    accept_by: dt.datetime | None = None
    # While paused: the day the members expect to resume.
    resume_on: dt.date | None = None
    # The relationship this one followed after it ended early (a re-match).
    rematch_of: int | None = None
    # Self-matching: the user id of the member who requested the match (None: a coordinator
    # or a strategy made it). Their acceptance is recorded when they request it.
    requested_by: int | None = None


class Transition(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded state change."""

    from_state: str
    to_state: str
    actor_id: int | None
    reason: str
    at: dt.datetime
    # The key of a listed reason (declining, ending early); "" when none was chosen.
    reason_code: str = ""
    # Its words ("Couldn't find time to meet"); "" when none.
    reason_label: str = ""
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


class Inquiry(msgspec.Struct, frozen=True, kw_only=True):
    """A question asked before accepting, and its answer once given."""

    id: int
    asked_by: int | None
    asked_by_name: str | None
    question: str
    asked_at: dt.datetime
    answered_by: int | None = None
    answered_by_name: str | None = None
    answer: str = ""
    answered_at: dt.datetime | None = None


class LinkedRelationship(msgspec.Struct, frozen=True, kw_only=True):
    """A relationship before or after this one (a re-match), as far as the viewer may know."""

    id: int
    state: str
    members: list[Member]
    # "before": this relationship followed it; "after": it followed this one.
    direction: str


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
    # What the viewer may do now, by action: "accept", "decline", "ask", "answer", "pause",
    # "resume", "complete", "end_early", "cancel", "publish", "rematch", "withdraw" (the
    # requester of a self-matched match, while it waits).
    actions: list[str] = msgspec.field(default_factory=list)
    # While pending: the user ids of the members asked to accept.
    asked: list[int] = msgspec.field(default_factory=list)
    inquiries: list[Inquiry] = msgspec.field(default_factory=list)
    # Relationships before and after this one through re-matches.
    linked: list[LinkedRelationship] = msgspec.field(default_factory=list)
    # Self-matching: what the requester wrote to the other members when asking (members and
    # coordinators, like the questions before accepting).
    request_message: str = ""


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
    Cancelling is the same."""

    confirm: bool = False
    reason: LongText = ""


class EndForm(Input):
    """The end-early form: a listed reason, own words, and the confirming box."""

    reason_code: EndReason | Literal[""] = ""
    reason: LongText = ""
    confirm: bool = False


class DeclineForm(Input):
    """The decline form: a listed reason and own words."""

    reason_code: DeclineReason | Literal[""] = ""
    reason: LongText = ""


class RematchForm(Input):
    """The re-match form: who stays and their new partner (the API takes several)."""

    keep_enrolment_id: Id
    enrolment_ids: Id


class PauseForm(Input):
    """The pause form: the day the members expect to resume, and why."""

    resume_on: dt.date | None = None
    reason: LongText = ""


# --------------------------------------------------------------------------- agreements


class AgreementSectionInput(Input):
    """A further section of an agreement: a title and its text."""

    title: Title
    text: LongText = ""


class AgreementUpdate(Input):
    """The text of a mentoring agreement (a relationship's, or a program's template)."""

    meeting_frequency: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK_LINE,
                                                   description="one line")]
    channel: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK_LINE,
                                         description="one line")]
    confidentiality: RequiredText
    expectations: RequiredText
    ends_on: dt.date | None = None
    sections: Annotated[list[AgreementSectionInput], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list)

    def terms(self) -> AgreementTerms:
        """The same text as the contract's ``AgreementTerms``."""
        return AgreementTerms(
            meeting_frequency=self.meeting_frequency.strip(), channel=self.channel.strip(),
            confidentiality=self.confidentiality, expectations=self.expectations, ends_on=self.ends_on,
            sections=[AgreementSection(title=s.title.strip(), text=s.text) for s in self.sections])


class AgreementConfirm(Input):
    """Confirm the agreement's current version (the one read)."""

    version: Annotated[int, msgspec.Meta(ge=1, le=10_000, description="the version read")]


class AgreementConfirmation(msgspec.Struct, frozen=True, kw_only=True):
    """Who confirmed a version of an agreement, and when."""

    user_id: int
    display_name: str
    confirmed_at: dt.datetime


class AgreementVersion(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier version of an agreement (``terms`` for members only)."""

    version: int
    created_at: dt.datetime
    created_by_name: str | None
    confirmations: list[AgreementConfirmation]
    terms: AgreementTerms | None = None


class AgreementView(msgspec.Struct, frozen=True, kw_only=True):
    """A relationship's agreement as the caller may see it: members read ``terms``;
    coordinators see the version and who confirmed it (``terms`` is null)."""

    relationship_id: int
    version: int
    # False while the agreement is still the program's template, untouched.
    stored: bool
    terms: AgreementTerms | None
    confirmations: list[AgreementConfirmation]
    waiting_for: list[str]
    agreed: bool
    updated_at: dt.datetime | None
    updated_by_name: str | None
    can_edit: bool
    can_confirm: bool
    earlier: list[AgreementVersion]
