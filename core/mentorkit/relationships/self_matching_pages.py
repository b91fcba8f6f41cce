"""The "Find a mentor" (or mentee) page of a self-matching program: suggestions with why, a
request form with an optional message per suggestion, and one's requests waiting for an answer
(with "Withdraw request"). The partner answers on the relationship's page, like any match."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.programs import services as programs
from mentorkit.programs.pages import failed, prefixed
from mentorkit.relationships import policies, self_matching
from mentorkit.relationships.self_matching import MESSAGE_LENGTH, MatchRequest, find_label
from mentorkit.schemas import Id
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

FormData = URLEncodedBody[dict[str, str]]
REQUEST_LABELS = {"partner_enrolment_id": "Person", "message": "Message"}

assert policies.POLICIES  # importing the module registers the policies these routes name


async def _find_page(request: AnyRequest, program_id: int, *, status_code: int = 200,
                     failed_form: Form | None = None) -> Template:
    program = (await programs.program_detail(program_id, request.user)).program
    view = await self_matching.self_matching(program_id, request.user)
    failed_for = failed_form.values.get("partner_enrolment_id", "") if failed_form else ""
    forms = {s.enrolment_id: prefixed(failed_form if failed_form is not None and failed_for == str(s.enrolment_id)
                                      else Form(), f"request-{s.enrolment_id}")
             for s in view.suggestions}
    # An error about someone no longer suggested is shown at the top of the page.
    stray = failed_form if failed_form is not None and not any(f is failed_form for f in forms.values()) else None
    return render(request, "relationships/find.html", status_code=status_code, program=program, view=view,
                  title=find_label(program.format, view.partner_role), request_forms=forms, stray=stray,
                  labels=REQUEST_LABELS, message_length=MESSAGE_LENGTH)


@get("/programs/{program_id:int}/find", opt={"policy": "program_self_matcher"}, include_in_schema=False)
async def find_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """Suggestions for a participant of a mentee-led (or mentor-led) program, and their requests."""
    return await _find_page(request, program_id)


@post("/programs/{program_id:int}/find", opt={"policy": "program_self_matcher"}, include_in_schema=False)
async def request_match(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Request a match with one of one's suggestions, with an optional message."""
    values, form = validate_form(MatchRequest, data)
    status = 400
    if values is not None:
        try:
            relationship = await self_matching.request_match(program_id, values.partner_enrolment_id,
                                                             values.message, request.user)
        except (ValidationFailed, ConflictError, PermissionDenied) as exc:
            status = failed(form, exc)
        else:
            partner = ", ".join(m.display_name for m in relationship.members if m.user_id != request.user.id)
            return redirect(f"/programs/{program_id}/find#main",
                            flash=f"Request sent: {partner} is asked to accept or decline.")
    return await _find_page(request, program_id, status_code=status, failed_form=form)


def self_matching_page_routes() -> list[Any]:
    """The self-matching pages."""
    return [find_page, request_match]
