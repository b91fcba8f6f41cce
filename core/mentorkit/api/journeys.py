"""Journeys and mentoring agreements through the same services as the pages and API."""

from __future__ import annotations

from mentorkit.api.actors import Actor
from mentorkit.contracts import AgreementTerms
from mentorkit.journeys import services as journeys
from mentorkit.journeys.schemas import JourneyView, MigrationReport, ProgramJourney
from mentorkit.relationships import agreements
from mentorkit.relationships.schemas import AgreementView


async def get_journey(relationship_id: int, actor: Actor) -> JourneyView | None:
    """A relationship's journey (members, coordinators, site admins, the system actor): its
    milestones in order with their status ("done", "overdue", "due", "upcoming"), tasks,
    agendas and resources; None until the relationship has started."""
    return await journeys.get_journey(relationship_id, actor)


async def complete_milestone(relationship_id: int, milestone_key: str, actor: Actor) -> JourneyView:
    """A member marks a milestone reached; plugins may refuse (``milestone_completion``,
    ``ConflictError``). Emits ``journey.milestone_completed``."""
    return await journeys.complete_milestone(relationship_id, milestone_key, actor)


async def reopen_milestone(relationship_id: int, milestone_key: str, actor: Actor) -> JourneyView:
    """A member reopens a reached milestone. Emits ``journey.milestone_reopened``."""
    return await journeys.reopen_milestone(relationship_id, milestone_key, actor)


async def set_task(relationship_id: int, task_id: int, done: bool, actor: Actor) -> JourneyView:
    """A member ticks or unticks a journey task. Emits ``journey.task_changed``."""
    return await journeys.set_task(relationship_id, task_id, done, actor)


async def program_journey(program_id: int, actor: Actor) -> ProgramJourney:
    """A program's journey template, its versions and how many running relationships follow
    each (coordinators, site admins, the system actor)."""
    return await journeys.program_journey(program_id, actor)


async def migrate_journeys(program_id: int, version: int, actor: Actor) -> MigrationReport:
    """Move a program's running journeys to ``version`` of its template, keeping completed
    milestones (coordinators, site admins, the system actor). ``ValidationFailed`` on
    ``version`` when it does not exist. Emits ``journey.migrated`` per journey."""
    return await journeys.migrate_journeys(program_id, version, actor)


async def get_agreement(relationship_id: int, actor: Actor) -> AgreementView:
    """A relationship's mentoring agreement: the current version, who confirmed it, earlier
    versions. Members get the text (``terms``); coordinators and the system actor do not."""
    return await agreements.get_agreement(relationship_id, actor)


async def update_agreement(relationship_id: int, terms: AgreementTerms, actor: Actor) -> AgreementView:
    """A member changes the agreement (a new version once anyone confirmed the current one).
    Emits ``agreement.updated``."""
    return await agreements.update_agreement(relationship_id, terms, actor)


async def confirm_agreement(relationship_id: int, version: int, actor: Actor) -> AgreementView:
    """A member confirms the current ``version`` (once: again is a ``ConflictError``). Emits
    ``agreement.confirmed``."""
    return await agreements.confirm_agreement(relationship_id, version, actor)
