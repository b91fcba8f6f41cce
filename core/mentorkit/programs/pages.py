"""Program pages: the list, the new-program form, the overview with its coordinator forms.

Forms post back here and answer with a 303 redirect; when something is wrong the overview is
rendered again with every error and what was typed (400 for invalid input, 409 for a conflict).
"""

from __future__ import annotations

from typing import Any, cast

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.programs import policies, services
from mentorkit.programs.schemas import EnrolmentCreate, Key, ProgramCreate, StaffAppoint
from mentorkit.relationships import services as relationships
from mentorkit.runtime import current_runtime
from mentorkit.schemas import Id, Input, LongText
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

FormData = URLEncodedBody[dict[str, str]]

assert policies.POLICIES  # importing the module registers the policies these routes name

STATE_ACTIONS = {"enrolling": "Open enrolment", "running": "Start the program", "closed": "Close the program"}


class StateForm(Input):
    """The state buttons on the overview: the button pressed names the new state."""

    state: Key
    reason: LongText = ""


def failed(form: Form, exc: ValidationFailed | ConflictError) -> int:
    """Put a service's complaint on the form; return the status to answer with."""
    if isinstance(exc, ValidationFailed):
        for field, message in exc.errors.items():
            form.error(field, message)
        return 400
    fields = getattr(exc, "fields", None) or ["__all__"]
    form.error(fields[0], str(exc))
    return 409


def _choices(keys: list[str], labels: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key, getattr(labels.get(key), "label", key)) for key in keys]


# --------------------------------------------------------------------------- list and create


@get("/programs", opt={"policy": "signed_in"}, include_in_schema=False)
async def program_list(request: AnyRequest) -> Template:
    """Programs open for enrolment and the person's own."""
    return render(request, "programs/list.html", programs=await services.list_programs(request.user))


def _new_page(request: AnyRequest, form: Form, status_code: int = 200) -> Template:
    runtime = current_runtime()
    return render(
        request,
        "programs/new.html",
        status_code=status_code,
        form=form,
        formats=_choices(sorted(runtime.formats), runtime.formats),
        strategies=_choices(sorted(runtime.strategies), runtime.strategies),
    )


@get("/programs/new", opt={"policy": "admin"}, include_in_schema=False)
async def new_program(request: AnyRequest) -> Template:
    """The new-program form (site admins)."""
    return _new_page(request, Form({"format": "one_to_one", "matching_strategy": "manual"}))


@post("/programs", opt={"policy": "admin"}, include_in_schema=False)
async def create_program(request: AnyRequest, data: FormData) -> Response[Any]:
    """Create a draft program and go to its overview."""
    values, form = validate_form(ProgramCreate, data)
    # Checked here too so an unknown format shows up with the other errors, all at once.
    for field, message in services.registry_problems(
        data.get("format") or "one_to_one", data.get("matching_strategy") or "manual"
    ).items():
        form.error(field, message)
        values = None
    status = 400
    if values is not None:
        try:
            program = await services.create_program(values, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program.id}", flash=f"Program “{program.name}” created as a draft.")
    return _new_page(request, form, status)


# --------------------------------------------------------------------------- overview


async def _overview(request: AnyRequest, program_id: int, *, status_code: int = 200, **forms: Form) -> Template:
    user = request.user
    detail = await services.program_detail(program_id, user)
    is_staff = detail.staff is not None
    enrolments = await services.list_enrolments(program_id, user) if is_staff else []
    program_relationships = await relationships.program_relationships(program_id, user) if is_staff else []
    mine = [r for r in await relationships.my_relationships(user) if r.program_id == program_id]
    paired = {(m.user_id, m.role) for r in program_relationships if r.state in ("active", "paused") for m in r.members}
    context: dict[str, Any] = {
        "detail": detail,
        "program": detail.program,
        "enrolments": enrolments,
        "relationships": program_relationships,
        "my_relationships": mine,
        "can_coordinate": detail.staff_role in ("coordinator", "admin"),
        "state_actions": [(s, STATE_ACTIONS[s]) for s in services.PROGRAM_TRANSITIONS[detail.program.state]],
        "enrolment_open": detail.program.state in services.OPEN_STATES,
        "role_options": [(role, role.capitalize()) for role in detail.roles],
        "pair_options": {
            role: [
                (str(e.id), e.display_name + (" (already paired)" if (e.user_id, role) in paired else ""))
                for e in enrolments
                if e.role == role
            ]
            for role in detail.roles
        },
        "enrol_form": Form(),
        "staff_form": Form(),
        "pair_form": Form(),
        "state_form": Form(),
    }
    context.update(forms)
    return render(request, "programs/detail.html", status_code=status_code, **context)


@get("/programs/{program_id:int}", opt={"policy": "program_reader"}, include_in_schema=False)
async def program_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The program overview: for coordinators also enrolments, pairing and relationships."""
    return await _overview(request, program_id)


@post("/programs/{program_id:int}/state", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def change_state(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Open enrolment, start or close the program."""
    values, form = validate_form(StateForm, data)
    status = 400
    if values is not None:
        try:
            program = await services.change_program_state(program_id, values.state, request.user, values.reason)
        except ConflictError as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}", flash=f"The program is now {program.state}.")
    return await _overview(request, program_id, status_code=status, state_form=form)


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
            return redirect(f"/programs/{program_id}", flash=f"You are enrolled as {enrolment.role}.")
    return await _overview(request, program_id, status_code=status, enrol_form=form)


@post(
    "/programs/{program_id:int}/enrolments/{enrolment_id:int}/withdraw",
    opt={"policy": "enrolment_holder"},
    include_in_schema=False,
)
async def withdraw(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Response[Any]:
    """Withdraw an enrolment (the enrolled person, or a coordinator)."""
    try:
        await services.withdraw_enrolment(program_id, enrolment_id, request.user)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}", flash=str(exc), level="error")
    return redirect(f"/programs/{program_id}", flash="The enrolment is withdrawn.")


@post("/programs/{program_id:int}/staff", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def appoint_staff(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Appoint a coordinator or observer by e-mail address."""
    values, form = validate_form(StaffAppoint, data)
    status = 400
    if values is not None:
        try:
            staff = await services.appoint_staff(program_id, values.email, values.role, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}", flash=f"{staff.display_name} is now {staff.role}.")
    return await _overview(request, program_id, status_code=status, staff_form=form)


def pair_form_struct(roles: list[str]) -> type[Input]:
    """A form with one enrolment field per role of the format (mentor, mentee for 1:1)."""
    struct = msgspec.defstruct("PairForm", [(role, Id) for role in roles], bases=(Input,), kw_only=True)
    return cast(type[Input], struct)


@post("/programs/{program_id:int}/relationships", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def pair(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Pair one enrolment per role into a relationship (the manual strategy)."""
    detail = await services.program_detail(program_id, request.user)
    values, form = validate_form(pair_form_struct(detail.roles), data)
    for role in detail.roles:
        if role in form.errors and not data.get(role):
            form.errors[role] = f"choose a {role}"
    status = 400
    if values is not None:
        try:
            relationship = await relationships.pair(
                program_id, [getattr(values, role) for role in detail.roles], request.user
            )
        except (ValidationFailed, ConflictError) as exc:
            if isinstance(exc, ValidationFailed) and "enrolment_ids" in exc.errors:
                exc = ValidationFailed({"__all__": exc.errors["enrolment_ids"]})
            status = failed(form, exc)
        else:
            names = " and ".join(m.display_name for m in relationship.members)
            return redirect(f"/programs/{program_id}", flash=f"Paired {names}.")
    return await _overview(request, program_id, status_code=status, pair_form=form)


def program_page_routes() -> list[Any]:
    """Every program page route."""
    return [program_list, new_program, create_program, program_page, change_state, enrol, withdraw, appoint_staff, pair]
