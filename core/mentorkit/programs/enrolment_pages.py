"""Enrolment pages: joining a program (open, by invitation link, by application), withdrawing.

Forms post back here and answer with a 303 redirect; when something is wrong the program
overview is rendered again with every error and what was typed.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, post
from litestar.params import FromPath

from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.programs import services
from mentorkit.programs.labels import program_role_label
from mentorkit.programs.pages import FormData, _overview, _section_url, _sentence, failed, person_label
from mentorkit.programs.schemas import EnrolmentCreate
from mentorkit.schemas import Id
from mentorkit.web.forms import validate_form
from mentorkit.web.pages import AnyRequest, redirect


@post("/programs/{program_id:int}/enrol", opt={"policy": "program_reader"}, include_in_schema=False)
async def enrol(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Enrol the signed-in person with the chosen role."""
    values, form = validate_form(EnrolmentCreate, data)
    status = 400
    if values is not None:
        try:
            enrolment = await services.enrol(program_id, values.role, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            role = await program_role_label(program_id, enrolment.role)
            return redirect(f"/programs/{program_id}", flash=f"You are enrolled as {role}.")
    return await _overview(request, program_id, status_code=status, enrol_form=form)


@post(
    "/programs/{program_id:int}/enrolments/{enrolment_id:int}/withdraw",
    opt={"policy": "enrolment_holder"},
    include_in_schema=False,
)
async def withdraw(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Response[Any]:
    """Withdraw an enrolment (the enrolled person, or a coordinator)."""
    try:
        enrolment = await services.withdraw_enrolment(program_id, enrolment_id, request.user)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}", flash=_sentence(str(exc)), level="error")
    if enrolment.user_id == request.user.id:
        return redirect(f"/programs/{program_id}", flash="Your enrolment is withdrawn.")
    role = await program_role_label(program_id, enrolment.role)
    message = f"{person_label(enrolment)} is withdrawn as {role}."
    return redirect(_section_url(program_id, "participants"), flash=message)


def enrolment_page_routes() -> list[Any]:
    """Every enrolment page route."""
    return [enrol, withdraw]
