"""Journey pages and API: the relationship page's journey section (timeline, milestones,
tasks), its forms, and the program's journey page where coordinators move running journeys
to a new version."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, patch, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events import utcnow
from mentorkit.journeys import services
from mentorkit.journeys.schemas import JourneyMigration, JourneyView, MigrationReport, ProgramJourney, TaskChange
from mentorkit.journeys.timeline import timeline
from mentorkit.programs import services as programs
from mentorkit.programs.pages import failed
from mentorkit.relationships import policies
from mentorkit.schemas import Id, Line
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

FormData = URLEncodedBody[dict[str, str]]
TAGS = ["relationships"]
_RELATIONSHIP = "/relationships/{relationship_id:int}/journey"
_API = "/api/v1/relationships/{relationship_id:int}/journey"

assert policies.POLICIES  # importing the module registers the policies these routes name


async def journey_context(relationship: Any, viewer: str) -> dict[str, Any]:
    """What the relationship page's journey section needs (``relationship`` and ``viewer``
    as the page read them)."""
    view = await services.journey_view(relationship, viewer)
    return {"journey": view,
            "journey_timeline": timeline(view.milestones, view.started_on, utcnow().date()) if view else None}


async def _act(request: AnyRequest, relationship_id: int, call: Any, done: str) -> Response[Any]:
    """Run one journey change from the relationship page; refusals come back as a flash."""
    try:
        await call
    except (ConflictError, ValidationFailed, PermissionDenied, NotFound) as exc:
        return redirect(f"/relationships/{relationship_id}?section=journey", flash=str(exc), level="error")
    return redirect(f"/relationships/{relationship_id}?section=journey", flash=done)


@post(f"{_RELATIONSHIP}/milestones/{{milestone_key:str}}/complete", opt={"policy": "relationship_member"},
      include_in_schema=False)
async def complete_page(request: AnyRequest, relationship_id: FromPath[Id], milestone_key: FromPath[Line]
                        ) -> Response[Any]:
    """Mark a milestone complete."""
    return await _act(request, relationship_id, services.complete_milestone(relationship_id, milestone_key,
                                                                            request.user), "Milestone completed.")


@post(f"{_RELATIONSHIP}/milestones/{{milestone_key:str}}/reopen", opt={"policy": "relationship_member"},
      include_in_schema=False)
async def reopen_page(request: AnyRequest, relationship_id: FromPath[Id], milestone_key: FromPath[Line]
                      ) -> Response[Any]:
    """Reopen a completed milestone."""
    return await _act(request, relationship_id, services.reopen_milestone(relationship_id, milestone_key,
                                                                          request.user), "Milestone reopened.")


@post(f"{_RELATIONSHIP}/tasks/{{task_id:int}}", opt={"policy": "relationship_member"}, include_in_schema=False)
async def task_page(request: AnyRequest, relationship_id: FromPath[Id], task_id: FromPath[Id],
                    data: FormData) -> Response[Any]:
    """Tick or untick a task."""
    values, form = validate_form(TaskChange, {"done": "", **data})
    if values is None:
        return redirect(f"/relationships/{relationship_id}?section=journey", flash="; ".join(form.errors.values()),
                        level="error")
    return await _act(request, relationship_id, services.set_task(relationship_id, task_id, values.done,
                                                                  request.user),
                      "Task done." if values.done else "Task open again.")


@get(_API, opt={"policy": "relationship_viewer"}, tags=TAGS)
async def get_journey(request: AnyRequest, relationship_id: FromPath[Id]) -> JourneyView:
    """The relationship's journey: milestones with their status, tasks, agendas and resources
    (404 until the relationship has started)."""
    view = await services.get_journey(relationship_id, request.user)
    if view is None:
        raise NotFound("this relationship has no journey yet: it starts when the relationship does")
    return view


@post(f"{_API}/milestones/{{milestone_key:str}}/complete", opt={"policy": "relationship_member"}, tags=TAGS,
      status_code=200)
async def complete_milestone(request: AnyRequest, relationship_id: FromPath[Id],
                             milestone_key: FromPath[Line]) -> JourneyView:
    """Mark a milestone complete (members; plugins may refuse with a reason: 409)."""
    return await services.complete_milestone(relationship_id, milestone_key, request.user)


@post(f"{_API}/milestones/{{milestone_key:str}}/reopen", opt={"policy": "relationship_member"}, tags=TAGS,
      status_code=200)
async def reopen_milestone(request: AnyRequest, relationship_id: FromPath[Id],
                           milestone_key: FromPath[Line]) -> JourneyView:
    """Reopen a completed milestone (members)."""
    return await services.reopen_milestone(relationship_id, milestone_key, request.user)


@patch(f"{_API}/tasks/{{task_id:int}}", opt={"policy": "relationship_member"}, tags=TAGS)
async def change_task(request: AnyRequest, relationship_id: FromPath[Id], task_id: FromPath[Id],
                      data: JSONBody[TaskChange]) -> JourneyView:
    """Tick or untick a task: ``{"done": true}`` (members)."""
    return await services.set_task(relationship_id, task_id, data.done, request.user)


# --------------------------------------------------------------------------- a program's journey


async def _program_page(request: AnyRequest, program_id: int, form: Form | None = None,
                        status_code: int = 200, report: MigrationReport | None = None) -> Template:
    detail = await programs.program_detail(program_id, request.user)
    journey = await services.program_journey(program_id, request.user)
    return render(request, "journeys/program.html", status_code=status_code, program=detail.program,
                  journey=journey, form=form or Form({"version": str(journey.latest_version)}),
                  versions=[(str(v), f"Version {v}") for v in journey.versions], report=report)


@get("/programs/{program_id:int}/journey", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def program_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The program's journey: its milestones, versions, and which version running relationships follow."""
    return await _program_page(request, program_id)


class MigrationForm(JourneyMigration):
    """The move-to-a-version form, confirmed by a ticked box."""

    confirm: bool = False


@post("/programs/{program_id:int}/journey/migrate", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def migrate_page(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Move running journeys to a version, once the coordinator has ticked the confirmation."""
    values, form = validate_form(MigrationForm, {"confirm": "", **data})
    if values is not None and not values.confirm:
        form.error("confirm", "tick the box to confirm the move")
        values = None
    status = 400
    if values is not None:
        try:
            report = await services.migrate_journeys(program_id, values.version, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}/journey",
                            flash=f"Moved {report.moved} relationship{'s' if report.moved != 1 else ''} to version "
                                  f"{report.version}; {report.kept_completed} completed milestones kept.")
    return await _program_page(request, program_id, form, status)


@get("/api/v1/programs/{program_id:int}/journey", opt={"policy": "program_coordinator"}, tags=["programs"])
async def get_program_journey(request: AnyRequest, program_id: FromPath[Id]) -> ProgramJourney:
    """The program's journey template, its versions and the running relationships on each."""
    return await services.program_journey(program_id, request.user)


@post("/api/v1/programs/{program_id:int}/journey/migrate", opt={"policy": "program_coordinator"},
      tags=["programs"], status_code=200)
async def migrate(request: AnyRequest, program_id: FromPath[Id], data: JSONBody[JourneyMigration]) -> MigrationReport:
    """Move the running journeys to ``version`` (completed milestones are kept); a version that
    does not exist is a 400 naming ``version``."""
    return await services.migrate_journeys(program_id, data.version, request.user)


def journey_routes() -> list[Any]:
    """Every journey page and API route."""
    return [complete_page, reopen_page, task_page, get_journey, complete_milestone, reopen_milestone, change_task,
            program_page, migrate_page, get_program_journey, migrate]
