"""Wire types of enrolment: joining with answers, questions, invitation links, applications
and a person's enrolment page (what the API accepts and returns)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec

from mentorkit.programs.schemas import Enrolment, Key
from mentorkit.schemas import END, NOT_BLANK_LINE, SINGLE_LINE, Input, LongText, Title

QuestionKey = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=50, pattern=rf"^[a-z0-9_]+{END}",
                 description="lower-case letters, digits and underscores"),
]
OptionalQuestionKey = Annotated[str, msgspec.Meta(max_length=50, pattern=rf"^[a-z0-9_]*{END}",
                                                 description="a question key, or empty to derive it")]
Choice = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK_LINE, description="one choice")]
LinkLabel = Annotated[str, msgspec.Meta(max_length=100, pattern=SINGLE_LINE, description="one line")]
ScaleBound = Annotated[int, msgspec.Meta(ge=-1000, le=1000)]
Token = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=rf"^[A-Za-z0-9_-]+{END}",
                                    description="an invitation link's token")]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=50, description="relationships taken at once (1 to 50)")]
ExpiresInDays = Annotated[int, msgspec.Meta(ge=1, le=365, description="days from now (1 to 365)")]
MaxUses = Annotated[int, msgspec.Meta(ge=1, le=100_000, description="how many people may use the link")]
QuestionKindName = Literal["short_text", "long_text", "single_choice", "multiple_choice", "scale", "tags"]
Direction = Literal["up", "down"]
DeclineCode = Literal["full", "criteria", "incomplete", "other"]
# Answers as given: text, a number, or a list of texts (multiple choice, tags).
RawAnswer = str | int | list[str] | None

DECLINE_REASONS: dict[str, str] = {
    "full": "The program has no place left",
    "criteria": "The application does not meet the program's criteria",
    "incomplete": "The application is incomplete",
    "other": "Another reason",
}


class EnrolmentJoin(Input):
    """Join a program with one of its format's roles, answering the questions asked of it.

    ``invitation`` is the token of an invitation link (required when the program enrols by
    invitation)."""

    role: Key
    answers: dict[QuestionKey, RawAnswer] = {}
    invitation: Token | None = None


class QuestionCreate(Input):
    """A new enrolment question. ``key`` is derived from the label when left empty."""

    label: Title
    kind: QuestionKindName
    key: OptionalQuestionKey = ""
    help: LongText = ""
    choices: Annotated[list[Choice], msgspec.Meta(max_length=50)] = []
    scale_min: ScaleBound = 1
    scale_max: ScaleBound = 5
    required: bool = False
    asked_roles: Annotated[list[Key], msgspec.Meta(max_length=20)] = []
    visible_roles: Annotated[list[Key], msgspec.Meta(max_length=20)] = []
    matching_criterion: bool = False


class QuestionUpdate(Input):
    """Change an enrolment question: only the fields given change."""

    label: Title | msgspec.UnsetType = msgspec.UNSET
    kind: QuestionKindName | msgspec.UnsetType = msgspec.UNSET
    key: QuestionKey | msgspec.UnsetType = msgspec.UNSET
    help: LongText | msgspec.UnsetType = msgspec.UNSET
    choices: Annotated[list[Choice], msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    scale_min: ScaleBound | msgspec.UnsetType = msgspec.UNSET
    scale_max: ScaleBound | msgspec.UnsetType = msgspec.UNSET
    required: bool | msgspec.UnsetType = msgspec.UNSET
    asked_roles: Annotated[list[Key], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    visible_roles: Annotated[list[Key], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    matching_criterion: bool | msgspec.UnsetType = msgspec.UNSET


class QuestionMove(Input):
    """Move a question one place up or down the list."""

    direction: Direction


class InvitationCreate(Input):
    """A new invitation link. ``role`` None lets the person choose; ``max_uses`` None: unlimited."""

    label: LinkLabel = ""
    role: Key | None = None
    expires_in_days: ExpiresInDays = 30
    max_uses: MaxUses | None = None


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation link as coordinators see it (``link`` is the full, usable address)."""

    id: int
    program_id: int
    label: str
    role: str | None
    max_uses: int | None
    uses: int
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    created_at: dt.datetime
    link: str
    # "valid", "expired", "revoked" or "used up".
    status: str


class Decline(Input):
    """Decline an application: a reason from the short list, and optionally more words."""

    reason: DeclineCode
    note: LongText = ""


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """One answer of an enrolment, with its question's key, label and kind."""

    question_id: int
    key: str
    label: str
    kind: str
    value: Any


class EnrolmentDetail(msgspec.Struct, frozen=True, kw_only=True):
    """A person's enrolment page: the enrolment, its decision, capacity, pause and the answers
    the viewer may read."""

    enrolment: Enrolment
    program_name: str
    capacity: int
    paused: bool
    decided_at: dt.datetime | None
    decision_reason: str
    # Their place in the queue while waitlisted (1: next to get a place).
    waitlist_place: int | None
    answers: list[Answer]


class EnrolmentUpdate(Input):
    """Change an enrolment's capacity or pause it (only the fields given change)."""

    capacity: Capacity | msgspec.UnsetType = msgspec.UNSET
    paused: bool | msgspec.UnsetType = msgspec.UNSET


class AnswersUpdate(Input):
    """Change answers: the questions named get the new answer (empty: not answered)."""

    answers: dict[QuestionKey, RawAnswer]
