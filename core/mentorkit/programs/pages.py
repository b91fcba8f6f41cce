"""Program pages: the list, the new-program form, the overview with its coordinator forms.

Forms post back here and answer with a 303 redirect; when something is wrong the overview is
rendered again with every error and what was typed (400 for invalid input, 409 for a conflict).
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.programs import policies, services
from mentorkit.programs.labels import role_label, upper_first
from mentorkit.programs.schemas import Key, ProgramCreate, StaffAppoint
from mentorkit.relationships import services as relationships
from mentorkit.runtime import current_runtime
from mentorkit.schemas import ID_MAX, ID_MIN, Id, Input, LongText
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render
from mentorkit.web.panels import page_panels

FormData = URLEncodedBody[dict[str, str]]

assert policies.POLICIES  # importing the module registers the policies these routes name

STATE_ACTIONS = {"enrolling": "Open enrolment", "running": "Start the program", "closed": "Close the program"}


class StateForm(Input):
    """The state buttons on the overview: the button pressed names the new state. Closing also
    needs ``confirm`` (the button on the confirmation page), so nobody closes by accident."""

    state: Key
    reason: LongText = ""
    confirm: bool = False


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


# The overview's sections (one shown at a time, each one link away); staff see all of them.
SECTIONS = {
    "overview": "Overview",
    "participants": "Participants",
    "pairing": "Pairing",
    "relationships": "Relationships",
    "staff": "Staff",
}
PAGE_SIZE = 25


def prefixed(form: Form, prefix: str) -> Form:
    """Give the form's field ids a prefix (``f-<prefix>-<name>``): two forms on one page may
    share a field name (the enrol form's and the staff form's "role")."""
    form.id_prefix = prefix  # type: ignore[attr-defined]
    return form


def person_label(enrolment: Any) -> str:
    """How staff tell people apart: the name and the account's e-mail address (two people
    may share a name). The same text in the participants table and the pairing form."""
    return f"{enrolment.display_name} ({enrolment.email})" if enrolment.email else enrolment.display_name


def matching(enrolments: list[Any], query: str, format_key: str) -> list[Any]:
    """Enrolments whose name, e-mail address or role (its label or key) contains every word of ``query``."""
    words = query.casefold().split()
    return [
        e for e in enrolments
        if all(w in f"{e.display_name} {e.email} {e.role} {role_label(format_key, e.role)}".casefold() for w in words)
    ]


def pair_slots(detail: Any, enrolments: list[Any], paired: set[tuple[int, str]]) -> list[dict[str, Any]]:
    """One entry per role of the format: its label, how many members it takes, and the people
    enrolled with it (a select when it takes one, checkboxes when it takes more)."""
    try:
        slots = services.format_of(detail.program).roles
    except ConflictError:
        return []
    out = []
    for slot in slots:
        wanted = (
            str(slot.min_members) if slot.min_members == slot.max_members
            else f"{slot.min_members} to {slot.max_members}"
        )
        out.append({
            "role": slot.role,
            "label": upper_first(slot.label),
            "plural": upper_first(slot.plural),
            "many": slot.max_members > 1,
            "wanted": wanted,
            "hint": f"Choose {wanted}." if slot.max_members > 1 else "",
            "options": [
                (str(e.id), person_label(e) + (" (already paired)" if (e.user_id, slot.role) in paired else ""))
                for e in enrolments
                if e.role == slot.role
            ],
        })
    return out


async def _overview(
    request: AnyRequest,
    program_id: int,
    *,
    section: str = "overview",
    status_code: int = 200,
    query: str = "",
    page: int = 1,
    **forms: Form,
) -> Template:
    user = request.user
    detail = await services.program_detail(program_id, user)
    is_staff = detail.staff is not None
    can_coordinate = detail.staff_role in ("coordinator", "admin")
    sections = {
        key: label for key, label in SECTIONS.items()
        if key == "overview" or (is_staff and (key != "pairing" or can_coordinate))
    }
    if section not in sections:
        section = "overview"
    enrolments = await services.list_enrolments(program_id, user) if is_staff else []
    program_relationships = await relationships.program_relationships(program_id, user) if is_staff else []
    mine = [r for r in await relationships.my_relationships(user) if r.program_id == program_id]
    paired = {(m.user_id, m.role) for r in program_relationships if r.state in ("active", "paused") for m in r.members}
    found = matching(enrolments, query, detail.program.format)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    states: dict[str, int] = {}
    for r in program_relationships:
        states[r.state] = states.get(r.state, 0) + 1
    context: dict[str, Any] = {
        "detail": detail,
        "program": detail.program,
        "section": section,
        "sections": sections,
        "enrolments": enrolments,
        "participants": found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "participant_count": len(found),
        "query": query,
        "page": page,
        "pages": pages,
        "relationships": program_relationships,
        "relationship_states": states,
        "waiting": len({(e.user_id, e.role) for e in enrolments} - paired),
        "my_relationships": mine,
        "can_coordinate": can_coordinate,
        "state_actions": [(s, STATE_ACTIONS[s]) for s in services.PROGRAM_TRANSITIONS[detail.program.state]],
        "enrolment_open": detail.program.state in services.OPEN_STATES,
        "role_options": [(role, upper_first(role_label(detail.program.format, role))) for role in detail.roles],
        "pair_slots": pair_slots(detail, enrolments, paired),
        "pair_labels": {s["role"]: s["plural"] if s["many"] else s["label"] for s in pair_slots(detail, [], set())},
        "person_label": person_label,
        "enrol_form": Form(),
        "staff_form": prefixed(Form(), "staff"),
        "pair_form": Form(),
        "state_form": Form(),
    }
    # Plugins' panels: in the overview only, the staff slot for staff only.
    overview = section == "overview"
    program = detail.program
    context["participant_panels"] = await page_panels(request, "program.participant", program) if overview else []
    context["staff_panels"] = await page_panels(request, "program.staff", program) if overview and is_staff else []
    context.update(forms)
    return render(request, "programs/detail.html", status_code=status_code, **context)


@get("/programs/{program_id:int}", opt={"policy": "program_reader"}, include_in_schema=False)
async def program_page(
    request: AnyRequest,
    program_id: FromPath[Id],
    section: FromQuery[str] = "overview",
    q: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    """The program overview; staff also get participants (searchable, in pages), pairing,
    relationships and staff, one section at a time."""
    return await _overview(request, program_id, section=section, query=q[:200], page=page)


def _section_url(program_id: int, section: str) -> str:
    return f"/programs/{program_id}" + ("" if section == "overview" else f"?section={section}")


async def _close_page(request: AnyRequest, program_id: int, form: Form, status_code: int = 200) -> Template:
    detail = await services.program_detail(program_id, request.user)
    return render(
        request,
        "programs/close.html",
        status_code=status_code,
        program=detail.program,
        open_count=await services.open_relationship_count(program_id, request.user),
        form=form,
    )


@get("/programs/{program_id:int}/close", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def close_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """Ask before closing: how many open relationships closing will complete."""
    return await _close_page(request, program_id, Form())


@post("/programs/{program_id:int}/state", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def change_state(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Open enrolment, start or close the program (closing only from its confirmation page)."""
    values, form = validate_form(StateForm, data)
    status = 400
    if values is not None and values.state == "closed" and not values.confirm:
        return await _close_page(request, program_id, form, status_code=400)
    if values is not None:
        try:
            program = await services.change_program_state(program_id, values.state, request.user, values.reason)
        except ConflictError as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}", flash=f"The program is now {program.state}.")
    return await _overview(request, program_id, status_code=status, state_form=form)


def _sentence(text: str) -> str:
    return upper_first(text) + ("" if text.endswith(".") else ".")


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
            return redirect(_section_url(program_id, "staff"), flash=f"{staff.display_name} is now {staff.role}.")
    return await _overview(request, program_id, section="staff", status_code=status, staff_form=prefixed(form, "staff"))


@post("/programs/{program_id:int}/relationships", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def pair(request: AnyRequest, program_id: FromPath[Id]) -> Response[Any]:
    """Pair enrolments into a relationship (the manual strategy): one or more per role, as
    many as the format's role slots allow; the format and the service check the mix.

    The form is read as a multi-dict (a role with several members sends its name repeatedly)."""
    detail = await services.program_detail(program_id, request.user)
    submitted = await request.form()
    form = Form()
    enrolment_ids: list[int] = []
    slots = pair_slots(detail, [], set())
    for slot in slots:
        chosen = [value for value in submitted.getall(slot["role"], []) if value]
        if not chosen:
            # The summary puts the role's label before the message ("Co-supervisors: choose 1 to 2").
            form.error(slot["role"], f"choose {slot['wanted']}" if slot["many"] else "choose one")
        for value in chosen:
            if not (value.isascii() and value.isdigit() and ID_MIN <= int(value) <= ID_MAX):
                form.error(slot["role"], "choose from the list")
            else:
                enrolment_ids.append(int(value))
        form.values[slot["role"]] = chosen if slot["many"] else (chosen[0] if chosen else "")  # type: ignore[assignment]
    unknown = set(submitted.keys()) - {slot["role"] for slot in slots} - {"_csrf_token"}
    if unknown:
        form.error("__all__", "unknown fields: " + ", ".join(sorted(unknown)[:5]))
    status = 400
    if form.ok:
        try:
            relationship = await relationships.pair(program_id, enrolment_ids, request.user)
        except (ValidationFailed, ConflictError) as exc:
            if isinstance(exc, ValidationFailed) and "enrolment_ids" in exc.errors:
                exc = ValidationFailed({"__all__": exc.errors["enrolment_ids"]})
            status = failed(form, exc)
        else:
            names = ", ".join(m.display_name for m in relationship.members)
            return redirect(_section_url(program_id, "pairing"), flash=f"Paired {names}.")
    return await _overview(request, program_id, section="pairing", status_code=status, pair_form=form)


def program_page_routes() -> list[Any]:
    """Every program page route."""
    return [
        program_list, new_program, create_program, program_page, close_page, change_state, appoint_staff, pair,
    ]
