"""The built-in 1:1 format: one mentor, one mentee."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit.contracts import JourneyTemplate, MilestoneSpec, ProgramFormat, RoleSlot
from mentorkit.hookspecs import hookimpl

ONE_TO_ONE = ProgramFormat(
    key="one_to_one",
    label="1:1 mentoring",
    description="One mentor and one mentee meet regularly to work on the mentee's goals.",
    roles=(RoleSlot("mentor", "mentor"), RoleSlot("mentee", "mentee", takes_capacity=False)),
    journey="one_to_one",
)

# The core's journey: four steps most 1:1 programs share, due from the day the pair starts.
ONE_TO_ONE_JOURNEY = JourneyTemplate(
    key="one_to_one",
    version=1,
    label="1:1 mentoring journey",
    description="Kick-off and agreement, goals, a mid-point review and a closing reflection.",
    milestones=(
        MilestoneSpec(
            "kick_off", "Kick-off and agreement", due_days=14,
            description="Meet, get to know each other and agree how you will work together.",
            tasks=("Hold a first meeting", "Agree and confirm the mentoring agreement",
                   "Share what each of you hopes to get from the relationship"),
            agenda=("Introductions: background and what brought you here", "Hopes and worries",
                    "Read the mentoring agreement together")),
        MilestoneSpec(
            "goals_set", "Goals set", due_days=30,
            description="The mentee has two or three SMART goals the pair will work on.",
            tasks=("Write two or three SMART goals", "Agree how progress will be measured"),
            agenda=("Where would you like to be in six months?", "Turn wishes into measurable goals")),
        MilestoneSpec(
            "midpoint", "Mid-point review", due_days=90,
            description="Look back on the first half and adjust course.",
            tasks=("Review progress on each goal", "Adjust or drop goals that no longer fit",
                   "Give each other feedback on how the relationship works"),
            agenda=("What has changed since we started?", "What should we do more or less of?")),
        MilestoneSpec(
            "closing", "Closing reflection", due_days=180,
            description="Reflect on what changed, celebrate it and end well.",
            tasks=("Reflect on what you learned", "Celebrate what you achieved", "Decide how you will stay in touch"),
            agenda=("What are you proudest of?", "What next, on your own?")),
    ),
)


@hookimpl(trylast=True)
def register_program_formats(register: Callable[..., None]) -> None:
    register(ONE_TO_ONE)


@hookimpl(trylast=True)
def register_journey_templates(register: Callable[..., None]) -> None:
    register(ONE_TO_ONE_JOURNEY)
