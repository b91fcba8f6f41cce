"""SMART goals of relationships through the same services as the pages and API.

A goal's text is read by its owner; by the mentor who suggested it while it waits for an
answer; by the relationship's members when its visibility is ``"relationship"``; and by
nobody else: not coordinators, observers, site admins or the system actor, who read
``goal_aggregates`` (numbers by status) instead. Events carry ids and statuses, never text.
"""

from __future__ import annotations

from mentorkit.api.actors import Actor
from mentorkit.goals import services
from mentorkit.goals.schemas import Goal, GoalAggregates, GoalCreate, GoalSuggest, GoalUpdate, ProgressCreate


async def list_goals(relationship_id: int, actor: Actor) -> list[Goal]:
    """The relationship's goals the actor may read, oldest first, each with its progress (two
    statements). Members only: coordinators, site admins and the system actor get
    ``PermissionDenied`` (they read ``goal_aggregates``), anyone else ``NotFound``."""
    return await services.list_goals(relationship_id, actor)


async def get_goal(relationship_id: int, goal_id: int, actor: Actor) -> Goal:
    """One goal with its progress; ``NotFound`` for anyone who may not read it."""
    return await services.get_goal(relationship_id, goal_id, actor)


async def create_goal(relationship_id: int, goal: GoalCreate, actor: Actor) -> Goal:
    """A member sets themselves a goal in an active or paused relationship. ``ValidationFailed``
    names each field that is not SMART: ``target`` missing or equal to ``baseline``,
    ``due_on`` missing or before today (UTC). Emits ``goal.created``."""
    return await services.create_goal(relationship_id, goal, actor)


async def update_goal(relationship_id: int, goal_id: int, changes: GoalUpdate, actor: Actor) -> Goal:
    """The owner changes a goal (only the fields set in ``changes``): its text, numbers, due
    date (not before today when moved), status (``"dropped"`` needs ``drop_reason``) or
    visibility. Emits ``goal.updated`` with the names of the changed fields."""
    return await services.update_goal(relationship_id, goal_id, changes, actor)


async def log_progress(relationship_id: int, goal_id: int, progress: ProgressCreate, actor: Actor) -> Goal:
    """Log the measured value now, with an optional note: the owner, or any member when the
    goal's visibility is ``"relationship"``. Emits ``goal.progress_logged``."""
    return await services.log_progress(relationship_id, goal_id, progress, actor)


async def suggest_goal(relationship_id: int, goal: GoalSuggest, actor: Actor) -> Goal:
    """A mentor (a member in the format's first role) suggests a goal for another member
    (``goal.owner_id``, or the only member of another role). It is stored ``"suggested"``,
    read by the two of them only, until the owner answers. Emits ``goal.suggested``."""
    return await services.suggest_goal(relationship_id, goal, actor)


async def answer_suggestion(relationship_id: int, goal_id: int, accept: bool, actor: Actor) -> Goal:
    """The owner accepts a suggested goal (it becomes ``"not_started"``) or declines it (it is
    deleted; the goal is returned once more with status ``"declined"``). Emits
    ``goal.suggestion_answered`` (``answer``: ``"accepted"`` or ``"declined"``)."""
    return await services.answer_suggestion(relationship_id, goal_id, accept, actor)


async def goal_aggregates(program_id: int, actor: Actor) -> GoalAggregates:
    """A program's goals in numbers by status (its coordinators and observers, site admins,
    the system actor): goals of visibility ``"relationship"`` or ``"aggregate"``, never private
    goals or suggestions, never text (one statement)."""
    return await services.goal_aggregates(program_id, actor)
