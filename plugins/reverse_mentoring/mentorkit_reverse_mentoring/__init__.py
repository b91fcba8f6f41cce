"""mentorkit-reverse-mentoring: the reverse format, where a junior colleague mentors a senior
one (on new tools, a younger generation's view, life on the front line)."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit import hookimpl
from mentorkit.contracts import AgreementSection, AgreementTerms, ProgramFormat, RoleSlot

# The agreement every reverse-mentoring relationship starts from: the usual terms, and what the
# format is about — the junior leads, and rank stays outside the room.
REVERSE_AGREEMENT = AgreementTerms(
    meeting_frequency="Every two weeks, for about 45 minutes, in the junior mentor's calendar first",
    expectations=("The junior mentor sets the topics and leads the conversation; the senior mentee comes curious, "
                  "tries things between meetings and says what did not make sense."),
    sections=[
        AgreementSection(
            title="Power and candour",
            text=("Rank stays outside the room: nothing said here counts in reviews, promotions or assignments, "
                  "and the senior mentee never brings it up with the junior mentor's manager. Either of us may say "
                  "“that felt like rank” and we talk about it."),
        ),
        AgreementSection(
            title="Credit",
            text="When an idea from these conversations is used at work, the junior mentor is named as its source.",
        ),
    ],
)

REVERSE = ProgramFormat(
    key="reverse",
    label="Reverse mentoring",
    description="A junior colleague mentors a senior one; matching inverts seniority.",
    roles=(RoleSlot("mentor", "junior mentor"), RoleSlot("mentee", "senior mentee", takes_capacity=False)),
    # Matching pairs a less senior mentor with a more senior mentee.
    seniority_direction="junior_mentors",
    agreement=REVERSE_AGREEMENT,
)


@hookimpl
def register_program_formats(register: Callable[..., None]) -> None:
    register(REVERSE)
