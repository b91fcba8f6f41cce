"""Relationship pages and the home page: what a person sees of their mentoring.

Members see their relationship, log sessions and read them; the program's coordinators see
state, history and when sessions happened, never titles or notes. Private notes are shown to
their author only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from mentorkit.accounts.time_zones import NoSuchLocalTime, from_local, zone_of
from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.policy import current_user
from mentorkit.programs import services as programs
from mentorkit.programs.pages import failed, prefixed
from mentorkit.relationships import policies, services
from mentorkit.relationships.schemas import CompleteForm, SessionCreate, SessionForm
from mentorkit.schemas import Id
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render
from mentorkit.web.panels import page_panels

FormData = URLEncodedBody[dict[str, str]]

assert policies.POLICIES  # importing the module registers the policies these routes name

SESSION_LABELS = {
    "held_at": "Date and time",
    "duration_minutes": "Duration (minutes)",
    "title": "Title",
    "shared_notes": "Shared notes",
    "private_note": "Private note",
}


# --------------------------------------------------------------------------- home


@get("/", opt={"policy": "public"}, include_in_schema=False)
async def home(request: AnyRequest) -> Template:
    """The start page: a welcome for visitors, one's mentoring for people signed in."""
    user = current_user(request)
    if user is None:
        return render(request, "home.html", relationships=[], enrolments=[], staffed=[], waiting=[], panels=[])
    mine = await services.my_relationships(user)
    enrolments, staffed = await programs.my_programs(user)
    # Each relationship with the person's own role and the others' names, worked out here
    # rather than with Jinja filters (cheaper, and plain to read in the template).
    rows = [
        (r, next((m.role for m in r.members if m.user_id == user.id), ""),
         ", ".join(m.display_name for m in r.members if m.user_id != user.id))
        for r in mine
    ]
    in_open = {(r.program_id, role) for r, role, _ in rows if r.state in services.OPEN_RELATIONSHIP_STATES}
    waiting = [e.id for _, e in enrolments if (e.program_id, e.role) not in in_open]
    return render(
        request,
        "home.html",
        relationships=rows,
        enrolments=enrolments,
        staffed=staffed,
        waiting=waiting,
        panels=await page_panels(request, "home"),
    )


# --------------------------------------------------------------------------- relationship


async def _relationship_page(
    request: AnyRequest,
    relationship_id: int,
    *,
    status_code: int = 200,
    session_form: Form | None = None,
    complete_form: Form | None = None,
    end_form: Form | None = None,
) -> Template:
    tz = zone_of(request.user)
    if session_form is None:
        now = dt.datetime.now(tz).replace(second=0, microsecond=0)
        session_form = Form({"held_at": now.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "60"})
    view = await services.relationship_view(relationship_id, request.user)
    return render(
        request,
        "relationships/detail.html",
        status_code=status_code,
        view=view,
        panels=await page_panels(request, "relationship", view.relationship),
        tz=tz,
        session_form=session_form,
        complete_form=complete_form or Form(),
        # Both closing forms have "reason" and "confirm": the ending-early one's ids are prefixed.
        end_form=prefixed(end_form or Form(), "end"),
        labels=SESSION_LABELS,
    )


@get("/relationships/{relationship_id:int}", opt={"policy": "relationship_viewer"}, include_in_schema=False)
async def relationship_page(request: AnyRequest, relationship_id: FromPath[Id]) -> Template:
    """A relationship: members, history, sessions; the log-a-session and complete forms."""
    return await _relationship_page(request, relationship_id)


@post("/relationships/{relationship_id:int}/sessions", opt={"policy": "relationship_member"}, include_in_schema=False)
async def log_session(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Log a session; the date and time are read in the person's time zone."""
    values, form = validate_form(SessionForm, data)
    if "duration_minutes" in form.errors and data.get("duration_minutes"):
        form.errors["duration_minutes"] = "must be a whole number of minutes from 1 to 600"
    if "held_at" in form.errors and data.get("held_at"):
        form.errors["held_at"] = "must be a date and time, like 2026-03-02 09:30"
    status = 400
    if values is not None:
        try:
            held_at = from_local(values.held_at, zone_of(request.user))
        except NoSuchLocalTime as exc:
            form.error("held_at", str(exc))
            values = None
    if values is not None:
        try:
            session = await services.log_session(
                relationship_id,
                SessionCreate(
                    held_at=held_at,
                    duration_minutes=values.duration_minutes,
                    title=values.title,
                    shared_notes=values.shared_notes,
                    private_note=values.private_note,
                ),
                request.user,
            )
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/relationships/{relationship_id}/sessions/{session.id}", flash="Session logged.")
    return await _relationship_page(request, relationship_id, status_code=status, session_form=form)


async def _close(
    request: AnyRequest,
    relationship_id: int,
    data: dict[str, Any],
    *,
    close: Callable[[int, Any, str], Awaitable[Any]],
    unconfirmed: str,
    done: str,
    form_name: str,
) -> Response[Any]:
    """Complete or end a relationship early, once the person has ticked the confirmation."""
    values, form = validate_form(CompleteForm, data)
    if values is not None and not values.confirm:
        form.error("confirm", unconfirmed)
        values = None
    status = 400
    if values is not None:
        try:
            await close(relationship_id, request.user, values.reason)
        except ConflictError as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/relationships/{relationship_id}", flash=done)
    return await _relationship_page(request, relationship_id, status_code=status, **{form_name: form})


@post("/relationships/{relationship_id:int}/complete", opt={"policy": "relationship_viewer"}, include_in_schema=False)
async def complete(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Close the relationship as completed, once the person has ticked the confirmation."""
    return await _close(request, relationship_id, data, close=services.complete_relationship,
                        unconfirmed="tick the box to confirm that the relationship is complete",
                        done="The relationship is completed.", form_name="complete_form")


@post("/relationships/{relationship_id:int}/end", opt={"policy": "relationship_viewer"}, include_in_schema=False)
async def end_early(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """End the relationship early, once the person has ticked the confirmation."""
    return await _close(request, relationship_id, data, close=services.end_relationship_early,
                        unconfirmed="tick the box to confirm that the relationship ends early",
                        done="The relationship has ended early.", form_name="end_form")


@get(
    "/relationships/{relationship_id:int}/sessions/{session_id:int}",
    opt={"policy": "session_member"},
    include_in_schema=False,
)
async def session_page(request: AnyRequest, relationship_id: FromPath[Id], session_id: FromPath[Id]) -> Template:
    """One session for a member: shared notes and their own private note."""
    view = await services.relationship_view(relationship_id, request.user)
    return render(
        request,
        "relationships/session.html",
        view=view,
        session=await services.get_session(relationship_id, session_id, request.user),
    )


def relationship_page_routes() -> list[Any]:
    """Every relationship page route, and the home page."""
    return [home, relationship_page, log_session, complete, end_early, session_page]
