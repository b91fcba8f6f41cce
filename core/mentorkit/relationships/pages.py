"""Relationship pages and the home page: what a person sees of their mentoring.

Members see their relationship, log sessions and read them; the program's coordinators see
state, history and when sessions happened, never titles or notes. Private notes are shown to
their author only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from mentorkit.accounts.time_zones import NoSuchLocalTime, from_local, zone_of
from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.goals.pages import goal_context
from mentorkit.journeys.pages import journey_context
from mentorkit.matching.runs import why_matched
from mentorkit.policy import current_user
from mentorkit.programs import services as programs
from mentorkit.programs.labels import role_label
from mentorkit.programs.pages import failed, person_label, prefixed
from mentorkit.relationships import lifecycle, policies, self_matching, services
from mentorkit.relationships.agreement_pages import agreement_context
from mentorkit.relationships.next_steps import next_steps
from mentorkit.relationships.schemas import (
    CompleteForm,
    DeclineForm,
    EndForm,
    InquiryAnswer,
    InquiryCreate,
    PauseForm,
    RelationshipReason,
    RematchForm,
    SessionCreate,
    SessionForm,
)
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
        return render(request, "home.html", relationships=[], enrolments=[], staffed=[], waiting=[], panels=[],
                      steps=[], state_label=lifecycle.state_label)
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
        steps=await next_steps(user, mine),
        state_label=lifecycle.state_label,
        panels=await page_panels(request, "home"),
    )


# --------------------------------------------------------------------------- relationship

# The forms of the relationship page, by the action they post to; each renders with ids
# prefixed by its name, since several share field names ("reason", "confirm").
ACTION_FORMS = ("accept", "decline", "ask", "answer", "pause", "resume", "complete", "end", "cancel", "publish",
                "rematch", "confirm", "withdraw")
ACTION_LABELS = {
    "reason_code": "Reason", "reason": "In your own words", "confirm": "Confirmation", "resume_on": "Resume on",
    "question": "Your question", "answer": "Your answer", "keep_enrolment_id": "Who stays",
    "enrolment_ids": "New partner",
}


# The relationship page's sections (one shown at a time, each one link away) and the section
# each form lives in (the lifecycle's forms are on the overview).
SECTIONS = {"overview": "Overview", "journey": "Journey", "goals": "Goals", "agreement": "Agreement",
            "sessions": "Sessions", "history": "History"}
Section = Literal["overview", "journey", "goals", "agreement", "sessions", "history"]
_FORM_SECTION = {"agreement": "agreement", "confirm": "agreement"}


async def _relationship_page(
    request: AnyRequest,
    relationship_id: int,
    *,
    status_code: int = 200,
    session_form: Form | None = None,
    section: str | None = None,
    answering: int | None = None,
    forms: dict[str, Form] | None = None,
) -> Template:
    tz = zone_of(request.user)
    if session_form is None:
        now = dt.datetime.now(tz).replace(second=0, microsecond=0)
        session_form = Form({"held_at": now.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "60"})
    forms = dict(forms or {})
    if section is None:
        section = "sessions" if session_form.errors else next(
            (_FORM_SECTION.get(name, "overview") for name, form in forms.items() if form.errors), "overview")
    view = await services.relationship_view(relationship_id, request.user)
    agreement = await agreement_context(request, view.relationship, view.viewer, forms.pop("agreement", None))
    action_forms = {name: prefixed(forms.get(name) or Form(), name) for name in ACTION_FORMS}
    if answering is not None:  # one answer form per question: the ids say which question
        prefixed(action_forms["answer"], f"answer-{answering}")
    return render(
        request,
        "relationships/detail.html",
        **agreement,
        **await journey_context(view.relationship, view.viewer),
        why_matched=await why_matched(view.relationship, request.user) if section == "overview" else [],
        status_code=status_code,
        view=view,
        panels=await page_panels(request, "relationship", view.relationship),
        tz=tz,
        session_form=session_form,
        action_forms=action_forms,
        answering=answering,
        keep_options=[(str(m.enrolment_id), f"{m.display_name} ({role_label(view.relationship.format, m.role)})")
                      for m in view.relationship.members],
        labels=SESSION_LABELS,
        action_labels=ACTION_LABELS,
        decline_reasons=list(lifecycle.DECLINE_REASONS.items()),
        end_reasons=list(lifecycle.END_REASONS.items()),
        state_label=lifecycle.state_label,
        section=section,
        sections=SECTIONS,
        rematch_options=await _rematch_options(view, request.user) if "rematch" in view.actions else [],
        today=dt.datetime.now(tz).date(),
        **await goal_context(request, view),
    )


async def relationship_page_with(request: AnyRequest, relationship_id: int, status_code: int,
                                 **forms: Form) -> Template:
    """The relationship page showing these forms (by action name) with their errors."""
    return await _relationship_page(request, relationship_id, status_code=status_code, forms=forms)


async def _rematch_options(view: Any, user: Any) -> list[tuple[str, str]]:
    """Who a member of an ended relationship can be matched with next: the program's active
    enrolments in the roles of the other members, former partners excluded."""
    relationship = view.relationship
    former = {m.user_id for m in relationship.members}
    roles = {m.role for m in relationship.members}
    enrolments = await programs.list_enrolments(relationship.program_id, user)
    return [(str(e.id), f"{person_label(e)}: {role_label(relationship.format, e.role)}") for e in enrolments
            if e.state == "active" and e.role in roles and e.user_id not in former]


@get("/relationships/{relationship_id:int}", opt={"policy": "relationship_viewer"}, include_in_schema=False)
async def relationship_page(request: AnyRequest, relationship_id: FromPath[Id],
                            section: FromQuery[Section] = "overview") -> Template:
    """A relationship: an overview (what is next, members, what one may change), then its
    journey, goals, agreement, sessions and history, each a section of its own."""
    return await _relationship_page(request, relationship_id, section=section)


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


async def _act(
    request: AnyRequest,
    relationship_id: int,
    data: dict[str, Any],
    *,
    name: str,
    schema: type[Any],
    act: Callable[[Any], Awaitable[Any]],
    done: str | Callable[[Any], str],
    confirm: str = "",
    to: Callable[[Any], str] | None = None,
    answering: int | None = None,
) -> Response[Any]:
    """One action of the relationship page: validate its form, check the confirming box when
    it has one, call the lifecycle, and come back to the page with what happened (or the
    form's errors, with what was typed)."""
    values, form = validate_form(schema, data)
    if values is not None and confirm and not values.confirm:
        form.error("confirm", confirm)
        values = None
    status = 400
    if values is not None:
        try:
            result = await act(values)
        except (ValidationFailed, ConflictError, PermissionDenied) as exc:
            status = failed(form, exc)
        else:
            message = done(result) if callable(done) else done
            # The forms post to their card (``…/pause#change``) so that an error shows where it
            # was made; a success goes to the top of the page, where its message is.
            return redirect((to(result) if to else f"/relationships/{relationship_id}") + "#main", flash=message)
    return await _relationship_page(request, relationship_id, status_code=status, answering=answering,
                                    forms={name: form})


def _route(path: str, policy: str) -> Callable[[Any], Any]:
    return post(f"/relationships/{{relationship_id:int}}/{path}", opt={"policy": policy}, include_in_schema=False)


@_route("accept", "relationship_member")
async def accept(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Accept a match waiting for one's answer."""
    return await _act(request, relationship_id, data, name="accept", schema=RelationshipReason,
                      act=lambda v: lifecycle.accept_relationship(relationship_id, request.user, v.reason),
                      done=lambda r: "You accepted: the relationship has started." if r.state == "active"
                      else "You accepted. The others asked have yet to answer.")


@_route("decline", "relationship_member")
async def decline(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Decline a match waiting for one's answer, with a listed reason."""
    return await _act(request, relationship_id, data, name="decline", schema=DeclineForm,
                      act=lambda v: lifecycle.decline_relationship(relationship_id, request.user, v.reason_code,
                                                                   v.reason),
                      done="You declined the match. The coordinators can match you with someone else.")


@_route("questions", "relationship_member")
async def ask(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Ask the other members a question before answering."""
    return await _act(request, relationship_id, data, name="ask", schema=InquiryCreate,
                      act=lambda v: lifecycle.ask_question(relationship_id, request.user, v.question),
                      done="Question sent. You will be told when it is answered.")


@post("/relationships/{relationship_id:int}/questions/{inquiry_id:int}/answer", opt={"policy": "relationship_member"},
      include_in_schema=False)
async def answer(request: AnyRequest, relationship_id: FromPath[Id], inquiry_id: FromPath[Id],
                 data: FormData) -> Response[Any]:
    """Answer another member's question about the match."""
    return await _act(request, relationship_id, data, name="answer", schema=InquiryAnswer,
                      act=lambda v: lifecycle.answer_question(relationship_id, inquiry_id, request.user, v.answer),
                      done="Answer sent.", answering=inquiry_id)


@_route("pause", "relationship_viewer")
async def pause(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Pause the relationship until a day after today."""
    return await _act(request, relationship_id, data, name="pause", schema=PauseForm,
                      act=lambda v: lifecycle.pause_relationship(relationship_id, request.user, v.resume_on, v.reason),
                      done=lambda r: f"Paused until {r.resume_on:%Y-%m-%d}.")


@_route("resume", "relationship_viewer")
async def resume(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Resume a paused relationship."""
    return await _act(request, relationship_id, data, name="resume", schema=RelationshipReason,
                      act=lambda v: lifecycle.resume_relationship(relationship_id, request.user, v.reason),
                      done="The relationship is active again.")


@_route("complete", "relationship_viewer")
async def complete(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Close the relationship as completed, once the person has ticked the confirmation."""
    return await _act(request, relationship_id, data, name="complete", schema=CompleteForm,
                      act=lambda v: lifecycle.complete_relationship(relationship_id, request.user, v.reason),
                      confirm="tick the box to confirm that the relationship is complete",
                      done="The relationship is completed.")


@_route("end", "relationship_viewer")
async def end_early(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """End the relationship early with a listed reason, once the person has ticked the box."""
    return await _act(request, relationship_id, data, name="end", schema=EndForm,
                      act=lambda v: lifecycle.end_relationship_early(relationship_id, request.user, v.reason_code,
                                                                     v.reason),
                      confirm="tick the box to confirm that the relationship ends early",
                      done="The relationship has ended early.")


@_route("cancel", "relationship_coordinator")
async def cancel(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Cancel a draft or a match waiting for acceptance (coordinators)."""
    return await _act(request, relationship_id, data, name="cancel", schema=CompleteForm,
                      act=lambda v: lifecycle.cancel_relationship(relationship_id, request.user, v.reason),
                      confirm="tick the box to confirm the cancellation", done="The match is cancelled.")


@_route("withdraw", "relationship_member")
async def withdraw(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Withdraw one's own request for a match (self-matching) while it waits for an answer."""
    return await _act(request, relationship_id, data, name="withdraw", schema=CompleteForm,
                      act=lambda v: self_matching.withdraw_request(relationship_id, request.user, v.reason),
                      confirm="tick the box to confirm that you withdraw your request",
                      done="Request withdrawn. You can ask someone else.",
                      to=lambda r: f"/programs/{r.program_id}/find")


@_route("publish", "relationship_coordinator")
async def publish(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Publish a draft match (coordinators)."""
    return await _act(request, relationship_id, data, name="publish", schema=RelationshipReason,
                      act=lambda v: lifecycle.publish_relationship(relationship_id, request.user, v.reason),
                      done=lambda r: "Published: the members are asked to accept." if r.state == "pending"
                      else "Published: the relationship has started.")


@_route("rematch", "relationship_coordinator")
async def rematch(request: AnyRequest, relationship_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Match a member of an ended relationship with a new partner (coordinators)."""
    return await _act(request, relationship_id, data, name="rematch", schema=RematchForm,
                      act=lambda v: lifecycle.rematch(relationship_id, request.user, v.keep_enrolment_id,
                                                      [v.enrolment_ids]),
                      done=lambda r: "Re-matched " + ", ".join(m.display_name for m in r.members) + ".",
                      to=lambda r: f"/relationships/{r.id}")


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
    return [home, relationship_page, log_session, accept, decline, ask, answer, pause, resume, complete, end_early,
            cancel, publish, rematch, withdraw, session_page]
