"""The goals section of the relationship page and its forms.

``goal_context`` gives the relationship page what ``goals/_goals.html`` shows: to a member,
the goals they may read (each with its progress line) and the forms to set, suggest, update
and answer goals; to coordinators and site admins, nothing but a word on why (they read the
program's goal numbers). Each form posts here and comes back to ``/relationships/{id}?section=goals``
with a message, or with the form's errors and what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, post
from litestar.params import FromPath, URLEncodedBody
from markupsafe import Markup

from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.goals import policies, services
from mentorkit.goals.progress_line import progress_line
from mentorkit.goals.schemas import AnswerForm, GoalCreate, GoalSuggest, GoalUpdate, ProgressCreate, StatusForm
from mentorkit.programs.pages import failed, prefixed
from mentorkit.relationships import policies as relationship_policies
from mentorkit.schemas import Id
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect

FormData = URLEncodedBody[dict[str, str]]

# Importing the modules registers the policies these routes name.
assert policies.POLICIES and relationship_policies.POLICIES

GOAL_LABELS = {
    "what": "What you will achieve", "metric": "How it is measured", "baseline": "Where you start",
    "target": "Target", "unit": "Unit", "why": "Why it matters", "due_on": "Due on",
    "milestone_key": "Milestone", "visibility": "Who sees it", "owner_id": "For", "value": "Value now",
    "note": "Note", "status": "Status", "drop_reason": "Why it is dropped",
}
# The form state of a failed post, kept on the request for ``goal_context``.
_FAILED_FORMS = "goal_forms"


async def journey_milestones(relationship_id: int) -> dict[str, str]:
    """The relationship's journey milestones, key to title (in order), for linking goals."""
    from mentorkit.journeys.tables import JourneyMilestone

    rows = await JourneyMilestone.select(JourneyMilestone.key, JourneyMilestone.title).where(
        JourneyMilestone.journey.relationship == relationship_id).order_by(JourneyMilestone.due_on)
    return {row["key"]: row["title"] for row in rows}


async def goal_context(request: AnyRequest, view: Any) -> dict[str, Any]:
    """The template variables of ``goals/_goals.html`` for the relationship page's ``view``."""
    if view.viewer != "member":
        return {"goals_shown": False}
    user = request.user
    relationship = view.relationship
    failed_forms: dict[str, Form] = getattr(request.state, _FAILED_FORMS, None) or {}

    def form(name: str, **defaults: str) -> Form:
        return prefixed(failed_forms.get(name) or Form(defaults), name)

    goals = await services.list_goals(relationship.id, user)
    mentor_role = services.mentoring_role(relationship)
    rows = [{
        "goal": goal,
        "line": Markup(progress_line(  # noqa: S704 - progress_line escapes every text it holds
            goal.baseline, goal.target, [(p.logged_at, p.value) for p in goal.progress], title=goal.metric,
            unit=goal.unit, start=goal.created_at, id_prefix=f"goal-{goal.id}-line")),
        "is_owner": goal.owner_id == user.id,
        "can_log": services.may_log_progress(
            {"owner": goal.owner_id, "status": goal.status, "visibility": goal.visibility}, user.id),
        "progress_form": form(f"progress-{goal.id}"),
        "status_form": form(f"status-{goal.id}", status=goal.status),
    } for goal in goals]
    milestones = await journey_milestones(relationship.id)
    return {
        "goals_shown": True,
        "goal_rows": rows,
        "goal_milestone_options": [(key, title) for key, title in milestones.items()],
        "goal_milestone_titles": milestones,
        "goal_working": relationship.state in services.WORKING_STATES,
        "goal_form": form("goal", visibility="private"),
        "suggest_form": form("suggest", visibility="relationship"),
        "goal_labels": GOAL_LABELS,
        "goal_status_labels": services.STATUS_LABELS,
        "goal_status_options": [(k, v.capitalize()) for k, v in services.STATUS_LABELS.items() if k != "suggested"],
        "goal_visibility_options": list(services.VISIBILITY_LABELS.items()),
        "goal_visibility_labels": services.VISIBILITY_LABELS,
        "goal_can_suggest": any(m.user_id == user.id and m.role == mentor_role for m in relationship.members),
        "goal_owner_options": [(str(m.user_id), m.display_name) for m in relationship.members
                               if m.role != mentor_role],
    }


async def _goal_act(request: AnyRequest, relationship_id: int, data: dict[str, Any], *, name: str,
                    schema: type[Any], act: Callable[[Any], Awaitable[Any]], done: str) -> Response[Any]:
    """One goal form: validate it, call the service, come back to the goals section with
    what happened, or show the relationship page again with the form's errors."""
    from mentorkit.relationships.pages import _relationship_page

    values, form = validate_form(schema, data)
    status = 400
    if values is not None:
        try:
            await act(values)
        except PermissionDenied as exc:
            form.error("__all__", str(exc))
            status = 403
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/relationships/{relationship_id}?section=goals", flash=done)
    setattr(request.state, _FAILED_FORMS, {name: form})
    return await _relationship_page(request, relationship_id, status_code=status, section="goals")


def _route(path: str, policy: str) -> Callable[[Any], Any]:
    return post(f"/relationships/{{relationship_id:int}}/goals{path}", opt={"policy": policy},
                include_in_schema=False)


@_route("", "relationship_member")
async def create_goal(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Set oneself a goal."""
    return await _goal_act(request, relationship_id, data, name="goal", schema=GoalCreate,
                           act=lambda v: services.create_goal(relationship_id, v, request.user),
                           done="Goal set.")


@_route("/suggestions", "relationship_member")
async def suggest_goal(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Suggest a goal for one's mentee."""
    return await _goal_act(request, relationship_id, data, name="suggest", schema=GoalSuggest,
                           act=lambda v: services.suggest_goal(relationship_id, v, request.user),
                           done="Goal suggested. It is theirs once they accept it.")


@_route("/{goal_id:int}/progress", "goal_reader")
async def log_progress(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id],
                       data: FormData) -> Response[Any]:
    """Log progress on a goal."""
    return await _goal_act(request, relationship_id, data, name=f"progress-{goal_id}", schema=ProgressCreate,
                           act=lambda v: services.log_progress(relationship_id, goal_id, v, request.user),
                           done="Progress logged.")


@_route("/{goal_id:int}/status", "goal_reader")
async def change_status(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id],
                        data: FormData) -> Response[Any]:
    """Change a goal's status (dropping needs a reason)."""
    return await _goal_act(request, relationship_id, data, name=f"status-{goal_id}", schema=StatusForm,
                           act=lambda v: services.update_goal(relationship_id, goal_id, GoalUpdate(
                               status=v.status, drop_reason=v.drop_reason), request.user),
                           done="Goal updated.")


def _answer(request: AnyRequest, relationship_id: int, goal_id: int, data: dict[str, Any],
            accept: bool) -> Awaitable[Response[Any]]:
    return _goal_act(request, relationship_id, data, name=f"status-{goal_id}", schema=AnswerForm,
                     act=lambda _: services.answer_suggestion(relationship_id, goal_id, accept, request.user),
                     done="Suggestion accepted: the goal is yours." if accept else "Suggestion declined.")


@_route("/{goal_id:int}/accept", "goal_reader")
async def accept_suggestion(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id],
                            data: FormData) -> Response[Any]:
    """Accept a suggested goal."""
    return await _answer(request, relationship_id, goal_id, data, True)


@_route("/{goal_id:int}/decline", "goal_reader")
async def decline_suggestion(request: AnyRequest, relationship_id: FromPath[Id], goal_id: FromPath[Id],
                             data: FormData) -> Response[Any]:
    """Decline a suggested goal (it is deleted)."""
    return await _answer(request, relationship_id, goal_id, data, False)


def goal_page_routes() -> list[Any]:
    """Every goal page route."""
    return [create_goal, suggest_goal, log_progress, change_status, accept_suggestion, decline_suggestion]
