"""The goal API under ``/api/v1/relationships/{id}/goals``: the twins of the goals section of
the relationship page, and the program's goal numbers for its staff."""

from __future__ import annotations

from typing import Any

from litestar import get, patch, post
from litestar.params import FromPath, JSONBody

from mentorkit.goals import policies, services
from mentorkit.goals.schemas import Goal, GoalAggregates, GoalCreate, GoalSuggest, GoalUpdate, ProgressCreate
from mentorkit.programs import policies as program_policies
from mentorkit.relationships import policies as relationship_policies
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

TAGS = ["goals"]
_PATH = "/api/v1/relationships/{relationship_id:int}/goals"
_GOAL = _PATH + "/{goal_id:int}"

# Importing the modules registers the policies these routes name.
assert policies.POLICIES and relationship_policies.POLICIES and program_policies.POLICIES


@get(_PATH, opt={"policy": "relationship_member"}, tags=TAGS)
async def list_goals(request: AnyRequest, relationship_id: FromPath[Id]) -> list[Goal]:
    """The relationship's goals the caller may read, with their progress (members only:
    coordinators read the program's goal numbers)."""
    return await services.list_goals(relationship_id, request.user)


@post(_PATH, opt={"policy": "relationship_member"}, tags=TAGS)
async def create_goal(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[GoalCreate]) -> Goal:
    """Set oneself a SMART goal (a target that differs from the baseline, a due date not
    before today)."""
    return await services.create_goal(relationship_id, data, request.user)


@post(f"{_PATH}/suggestions", opt={"policy": "relationship_member"}, tags=TAGS)
async def suggest_goal(request: AnyRequest, relationship_id: FromPath[Id], data: JSONBody[GoalSuggest]) -> Goal:
    """A mentor suggests a goal for another member, who accepts or declines it."""
    return await services.suggest_goal(relationship_id, data, request.user)


@get(_GOAL, opt={"policy": "goal_reader"}, tags=TAGS)
async def get_goal(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id]) -> Goal:
    """One goal with its progress, for those who may read it (404 for everyone else)."""
    return await services.get_goal(relationship_id, goal_id, request.user)


@patch(_GOAL, opt={"policy": "goal_reader"}, tags=TAGS)
async def update_goal(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id],
                      data: JSONBody[GoalUpdate]) -> Goal:
    """Change a goal (its owner): only the fields sent; dropping needs ``drop_reason``."""
    return await services.update_goal(relationship_id, goal_id, data, request.user)


@post(f"{_GOAL}/progress", opt={"policy": "goal_reader"}, tags=TAGS)
async def log_progress(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id],
                       data: JSONBody[ProgressCreate]) -> Goal:
    """Log the measured value now (the owner; any member of a goal shared with them)."""
    return await services.log_progress(relationship_id, goal_id, data, request.user)


@post(f"{_GOAL}/accept", opt={"policy": "goal_reader"}, tags=TAGS, status_code=200)
async def accept_suggestion(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id]) -> Goal:
    """Accept a goal suggested to the caller: it becomes theirs, not started."""
    return await services.answer_suggestion(relationship_id, goal_id, True, request.user)


@post(f"{_GOAL}/decline", opt={"policy": "goal_reader"}, tags=TAGS, status_code=200)
async def decline_suggestion(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id]) -> Goal:
    """Decline a goal suggested to the caller: it is deleted (returned once, ``declined``)."""
    return await services.answer_suggestion(relationship_id, goal_id, False, request.user)


@get("/api/v1/programs/{program_id:int}/goals/aggregates", opt={"policy": "program_staff"}, tags=TAGS)
async def goal_aggregates(request: AnyRequest, program_id: FromPath[Id]) -> GoalAggregates:
    """The program's goals in numbers by status (coordinators, observers, site admins): never
    private goals, never text."""
    return await services.goal_aggregates(program_id, request.user)


def goal_api_routes() -> list[Any]:
    """Every goal API route."""
    return [list_goals, create_goal, suggest_goal, get_goal, update_goal, log_progress, accept_suggestion,
            decline_suggestion, goal_aggregates]
