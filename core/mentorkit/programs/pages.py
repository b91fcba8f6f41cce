"""Program pages: the list, the new-program form, the overview with its coordinator forms.

Forms post back here and answer with a 303 redirect; when something is wrong the overview is
rendered again with every error and what was typed (400 for invalid input, 409 for a conflict).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote_plus

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.goals import services as goals
from mentorkit.programs import design, participants, policies, services
from mentorkit.programs.charts import bar_chart
from mentorkit.programs.labels import format_label, role_label, upper_first
from mentorkit.programs.schemas import (
    DESIGN_FIELDS,
    ClosingOutcome,
    Key,
    ProgramCreate,
    ProgramDuplicate,
    ProgramUpdate,
    StaffAppoint,
)
from mentorkit.relationships import services as relationships
from mentorkit.relationships.self_matching import find_link
from mentorkit.runtime import current_runtime
from mentorkit.schemas import ID_MAX, ID_MIN, Id, Input, Line, LongText
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render
from mentorkit.web.panels import page_panels

FormData = URLEncodedBody[dict[str, str]]

assert policies.POLICIES  # importing the module registers the policies these routes name

STATE_ACTIONS = {
    "enrolling": "Open enrolment", "matching": "Close enrolment and match", "running": "Start the program",
    "closed": "Close the program", "archived": "Archive", }
# Labels that differ by where the program comes from (reopening, restoring).
REOPEN, RESTORE = "Reopen enrolment", "Restore (make it closed again)"


class StateForm(Input):
    """The state buttons on the overview: the button pressed names the new state. Closing also
    needs ``confirm`` (the button on the confirmation page), so nobody closes by accident."""

    state: Key
    reason: LongText = ""
    confirm: bool = False
    open_relationships: ClosingOutcome = "complete"


def failed(form: Form, exc: ValidationFailed | ConflictError | PermissionDenied) -> int:
    """Put a service's complaint on the form; return the status to answer with (400 for bad
    fields, 403 for a refusal, 409 for a state that does not allow it)."""
    if isinstance(exc, ValidationFailed):
        for field, message in exc.errors.items():
            form.error(field, message)
        return 400
    if isinstance(exc, PermissionDenied):
        form.error("__all__", str(exc))
        return 403
    fields = getattr(exc, "fields", None) or ["__all__"]
    form.error(fields[0], str(exc))
    return 409


def _choices(keys: list[str], labels: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key, getattr(labels.get(key), "label", key)) for key in keys]


# --------------------------------------------------------------------------- list and create


@get("/programs", opt={"policy": "signed_in"}, include_in_schema=False)
async def program_list(request: AnyRequest, archived: FromQuery[bool] = False) -> Template:
    """Programs open for enrolment and the person's own; archived ones with ``?archived=1``."""
    return render(request, "programs/list.html", programs=await services.list_programs(
        request.user, include_archived=archived), archived=archived,
        can_create=await services.may_create_programs(request.user))


SETTINGS_FIELDS = ("format_settings", "strategy_settings", "role_limits")


def _design_context(form: Form, current: Any = None, posted: dict[str, str] | None = None) -> dict[str, Any]:
    """What the design form needs: the choices, and the settings fields of the format and the
    strategy chosen: as ``posted`` (an unticked box is off), else as stored in ``current``,
    else the Structs' defaults."""
    runtime = current_runtime()
    locked = current is not None and current.state != "draft"
    fmt = runtime.formats.get(current.format if locked else form.values.get("format") or "one_to_one")
    strategy = runtime.strategies.get(form.values.get("matching_strategy") or "manual")

    def values(prefix: str, registered: Any) -> dict[str, Any]:
        if posted is not None:
            return design.settings_from_form(registered.settings, posted, prefix)
        same = current is not None and registered.key == (
            current.format if prefix == "format_settings" else current.matching_strategy)
        return dict(getattr(current, prefix)) if same else {}

    return {
        "form": form,
        "formats": _choices(sorted(runtime.formats), runtime.formats),
        "strategies": _choices(sorted(runtime.strategies), runtime.strategies),
        "journeys": [(key, versions[max(versions)].label) for key, versions in sorted(runtime.journeys.items())],
        "mode_choices": {field: list(labels.items()) for field, labels in design.LABELS.items()},
        "format_fields": design.settings_fields(
            fmt.settings, values("format_settings", fmt), "format_settings") if fmt else [],
        "strategy_fields": design.settings_fields(
            strategy.settings, values("strategy_settings", strategy), "strategy_settings") if strategy else [],
        "role_limit_fields": [
            {"name": f"role_limits.{slot.role}", "label": upper_first(slot.plural)}
            for slot in (fmt.roles if fmt else [])
        ],
        "format_name": format_label(fmt.key) if fmt else "",
        "strategy_name": strategy.label if strategy else "",
        "labels": DESIGN_LABELS,
        "format_locked": locked,
        "current_format": current.format if current else "",
    }


# The form's labels, also used by the error summary.
DESIGN_LABELS = {
    "name": "Name", "slug": "Short name", "description": "Description", "format": "Format",
    "matching_strategy": "Matching strategy", "matching_mode": "Who makes the matches",
    "enrolment_mode": "How people join", "intake": "Intake", "default_capacity": "Mentees per mentor",
    "meeting_cadence": "Meeting cadence", "duration_weeks": "Duration in weeks", "starts_on": "Starts on",
    "ends_on": "Ends on", "allow_rejoin": "People who withdrew may join again",
    "acceptance": "Matches must be accepted", "acceptance_days": "Days to answer a match",
    "journey_template": "Journey",
}


def _design_form(data: dict[str, str]) -> tuple[ProgramCreate | None, Form]:
    """The posted design form: the plain fields through ``validate_form``, the settings and
    role limits (``<group>.<field>`` names) checked by the service; every error at once."""
    runtime = current_runtime()
    plain = {k: v for k, v in data.items() if k.partition(".")[0] not in SETTINGS_FIELDS}
    plain.setdefault("allow_rejoin", "off")  # an unticked box sends nothing
    values, form = validate_form(ProgramCreate, plain)
    form.values.update({k: str(v) for k, v in data.items() if k.partition(".")[0] in SETTINGS_FIELDS})
    fmt = runtime.formats.get(data.get("format") or "one_to_one")
    strategy = runtime.strategies.get(data.get("matching_strategy") or "manual")
    limits: dict[str, int] = {}
    for slot in fmt.roles if fmt else []:
        raw = (data.get(f"role_limits.{slot.role}") or "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 1_000_000):
            form.error(f"role_limits.{slot.role}", "must be a whole number from 1, or empty for no limit")
        elif raw:
            limits[slot.role] = int(raw)
    settings = {}
    for prefix, registered in (("format_settings", fmt), ("strategy_settings", strategy)):
        settings[prefix] = design.settings_from_form(registered.settings, data, prefix) if registered else {}
        if registered:  # checked here too, so these errors come with the others, all at once
            for field, message in design.settings_problems(registered.settings, settings[prefix], prefix)[1].items():
                form.error(field, message)
    if values is None or not form.ok:
        return None, form
    return msgspec.structs.replace(values, **settings, role_limits=limits), form


def _new_page(request: AnyRequest, form: Form, status_code: int = 200,
              posted: dict[str, str] | None = None) -> Template:
    return render(request, "programs/new.html", status_code=status_code, **_design_context(form, posted=posted))


@get("/programs/new", opt={"policy": "program_creator"}, include_in_schema=False)
async def new_program(request: AnyRequest) -> Template:
    """The new-program form (site admins; coordinators too where the site allows it)."""
    return _new_page(request, Form({"format": "one_to_one", "matching_strategy": "manual", "allow_rejoin": "on",
                                    "default_capacity": "1", "meeting_cadence": "fortnightly",
                                    "acceptance": "none", "acceptance_days": "7",
                                    "matching_mode": "coordinator", "enrolment_mode": "open", "intake": "cohort"}))


@post("/programs", opt={"policy": "program_creator"}, include_in_schema=False)
async def create_program(request: AnyRequest, data: FormData) -> Response[Any]:
    """Create a draft program and go to its overview."""
    values, form = _design_form(data)
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
    return _new_page(request, form, status, posted=data)


def _as_form(program: Any) -> Form:
    """A program's design as the edit form's values."""
    values = {name: getattr(program, name) for name in DESIGN_FIELDS if name not in SETTINGS_FIELDS}
    form = Form({k: "" if v is None or v is False else "on" if v is True else str(v) for k, v in values.items()})
    form.values.update({f"role_limits.{role}": str(n) for role, n in program.role_limits.items()})
    return form


async def _edit_page(request: AnyRequest, program_id: int, form: Form, status_code: int = 200,
                     posted: dict[str, str] | None = None) -> Template:
    detail = await services.program_detail(program_id, request.user)
    return render(request, "programs/edit.html", status_code=status_code, program=detail.program,
                  **_design_context(form, detail.program, posted))


@get("/programs/{program_id:int}/edit", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def edit_program(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The design form, filled in with the program's design (coordinators)."""
    detail = await services.program_detail(program_id, request.user)
    return await _edit_page(request, program_id, _as_form(detail.program))


@post("/programs/{program_id:int}/edit", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def save_program(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Save the design form: every field as sent (the service records what changed)."""
    values, form = _design_form(data)
    status = 400
    if values is not None:
        try:
            program = await services.update_program(
                program_id, ProgramUpdate(**{name: getattr(values, name) for name in DESIGN_FIELDS}), request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program.id}", flash="The program's design is saved.")
    return await _edit_page(request, program_id, form, status, posted=data)


async def _duplicate_page(request: AnyRequest, program_id: int, form: Form, status_code: int = 200) -> Template:
    detail = await services.program_detail(program_id, request.user)
    return render(request, "programs/duplicate.html", status_code=status_code, program=detail.program, form=form)


@get("/programs/{program_id:int}/duplicate", opt={"policy": "program_duplicator"}, include_in_schema=False)
async def duplicate_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """Ask the next cohort's name and short name."""
    program = (await services.program_detail(program_id, request.user)).program
    suggestion = Form({"name": f"{program.name} (next cohort)"[:100], "slug": f"{program.slug}-next"[:100]})
    return await _duplicate_page(request, program_id, suggestion)


@post("/programs/{program_id:int}/duplicate", opt={"policy": "program_duplicator"}, include_in_schema=False)
async def duplicate_program(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Create the next cohort as a draft and go to it."""
    values, form = validate_form(ProgramDuplicate, data)
    status = 400
    if values is not None:
        try:
            program = await services.duplicate_program(program_id, values, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program.id}", flash=f"“{program.name}” created as a draft from this one.")
    return await _duplicate_page(request, program_id, form, status)


# --------------------------------------------------------------------------- overview


# The overview's sections (one shown at a time, each one link away). Coordinators see all of
# them; observers the overview (numbers only) and the staff.
SECTIONS = {
    "overview": "Overview",
    "participants": "Participants",
    "pairing": "Pairing",
    "relationships": "Relationships",
    "staff": "Staff",
}
PAGE_SIZE = 25
MAX_PAGE = 100_000  # beyond it the offset means nothing (and would overflow SQLite's integers)
STATE_FILTERS = [("", "Taking part or waiting"), ("active", "Active"), ("applied", "Applied"),
                 ("waitlisted", "Waitlisted"), ("declined", "Declined"), ("withdrawn", "Withdrawn"),
                 ("any", "Any state")]


def prefixed(form: Form, prefix: str) -> Form:
    """Give the form's field ids a prefix (``f-<prefix>-<name>``): two forms on one page may
    share a field name (the enrol form's and the staff form's "role")."""
    form.id_prefix = prefix  # type: ignore[attr-defined]
    return form


def person_label(enrolment: Any) -> str:
    """How staff tell people apart: the name and the account's e-mail address (two people
    may share a name). The same text in the participants table and the pairing form."""
    return f"{enrolment.display_name} ({enrolment.email})" if enrolment.email else enrolment.display_name


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


def design_summary(program: Any) -> list[tuple[str, str]]:
    """The design at a glance, as (label, value) pairs in the words of the design form."""
    strategy = current_runtime().strategies.get(program.matching_strategy)
    limits = ", ".join(f"{upper_first(role_label(program.format, role, plural=True))}: {n}"
                       for role, n in program.role_limits.items()) or "No limit"
    dates = " to ".join(d.isoformat() for d in (program.starts_on, program.ends_on) if d) or "Not set"
    return [
        ("Format", format_label(program.format)),
        ("Matching strategy", strategy.label if strategy else program.matching_strategy),
        ("Who makes the matches", design.short_label("matching_mode", program.matching_mode)),
        ("How people join", design.short_label("enrolment_mode", program.enrolment_mode)),
        ("Intake", design.short_label("intake", program.intake)),
        ("Dates", dates),
        ("Duration", f"{program.duration_weeks} weeks" if program.duration_weeks else "Not set"),
        ("Meeting cadence", design.short_label("meeting_cadence", program.meeting_cadence)),
        ("Mentees per mentor", str(program.default_capacity)),
        ("Role limits", limits),
        ("People who withdrew may join again", "Yes" if program.allow_rejoin else "No"),
        ("Matches must be accepted", design.short_label("acceptance", program.acceptance)
         + (f" (within {program.acceptance_days} days)" if program.acceptance != "none" else "")),
    ]


def aggregate_charts(program: Any, aggregates: Any) -> list[Any]:
    """The numbers observers (and every staff member) see, as bar charts."""
    def role(key: str) -> str:
        return upper_first(role_label(program.format, key, plural=True))

    enrolled = [(f"{role(r)}, {state}", n) for r, states in aggregates.enrolments.items()
                for state, n in sorted(states.items())]
    matched = [(f"{role(r)}, {word}", n) for r in aggregates.matched
               for word, n in (("matched", aggregates.matched[r]), ("not matched", aggregates.unmatched.get(r, 0)))]
    relationships_by_state = [(state.replace("_", " ").capitalize(), n)
                              for state, n in sorted(aggregates.relationships.items())]
    charts = [bar_chart("Enrolments by role and state", enrolled), bar_chart("Matched and not matched", matched),
              bar_chart("Relationships by state", relationships_by_state)]
    return [chart for chart in charts if chart]


async def goal_charts(program_id: int, user: Any) -> list[Any]:
    """The program's goals by status, counts only (goals shared with a relationship or counted
    as aggregate; never private ones); nothing until there is a goal."""
    numbers = await goals.goal_aggregates(program_id, user)
    bars = [(goals.STATUS_LABELS[status].capitalize(), n) for status, n in numbers.by_status.items()]
    chart = bar_chart(f"Goals by status ({round(100 * numbers.completion)}% achieved)", bars) if numbers.total else None
    return [chart] if chart else []


def state_actions(program: Any) -> list[tuple[str, str]]:
    """The state buttons for the program's next states, in words that say what happens."""
    actions = []
    for state in services.PROGRAM_TRANSITIONS[program.state]:
        label = STATE_ACTIONS[state]
        if program.state == "matching" and state == "enrolling":
            label = REOPEN
        elif program.state == "archived" and state == "closed":
            label = RESTORE
        actions.append((state, label))
    return actions


def staff_links(program: Any) -> list[tuple[str, str]]:
    """Coordinators' links to the pages other parts of the program live on."""
    base = f"/programs/{program.id}"
    links = [(f"{base}/questions", "Questions")]
    if program.enrolment_mode == "invitation":
        links.append((f"{base}/invitations", "Invitations"))
    if program.enrolment_mode == "application":
        links.append((f"{base}/applications", "Applications"))
    links += [(f"{base}/import", "Import CSV"), (f"{base}/export.csv", "Export CSV")]
    return links


class ParticipantQuery(Input):
    """The participants section's search and filters (query parameters)."""

    q: Line = ""
    role: Line = ""
    state: Line = ""
    matched: Line = ""
    question: Line = ""
    answer: Line = ""


async def _participant_page(program_id: int, user: Any, query: ParticipantQuery, page: int
                            ) -> tuple[Any, Form, int]:
    """One page of the participant list (the last one for a page beyond it), the filter form
    (with its error, if any) and the page number shown."""
    form = Form({k: v for k, v in msgspec.structs.asdict(query).items() if v})
    filters = participants.Filters(
        q=query.q, role=query.role, state=query.state, question=query.question, answer=query.answer,
        matched={"yes": True, "no": False}.get(query.matched))
    try:
        found = await participants.search(program_id, filters, user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except ValidationFailed as exc:
        failed(form, exc)
        filters, page = participants.Filters(), 1
        found = await participants.search(program_id, filters, user, limit=PAGE_SIZE)
    if not found.items and found.total:
        page = -(-found.total // PAGE_SIZE)
        found = await participants.search(program_id, filters, user, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return found, form, page


async def _overview(
    request: AnyRequest,
    program_id: int,
    *,
    section: str = "overview",
    status_code: int = 200,
    query: str = "",
    page: int = 1,
    filters: ParticipantQuery | None = None,
    **forms: Form,
) -> Template:
    user = request.user
    detail = await services.program_detail(program_id, user)
    program = detail.program
    is_staff = detail.staff is not None
    can_coordinate = detail.staff_role in ("coordinator", "admin")
    sections = {
        key: label for key, label in SECTIONS.items()
        if key == "overview" or can_coordinate or (is_staff and key == "staff")
    }
    if section not in sections:
        section = "overview"
    page = min(max(page, 1), MAX_PAGE)
    # Lists of people for coordinators only, and only in the section that shows them.
    enrolments = await services.list_enrolments(program_id, user) if section == "pairing" else []
    program_relationships = (
        await relationships.program_relationships(program_id, user) if section in ("pairing", "relationships") else [])
    mine = [r for r in await relationships.my_relationships(user) if r.program_id == program_id]
    paired = {(m.user_id, m.role) for r in program_relationships if r.state in relationships.OPEN_RELATIONSHIP_STATES
              for m in r.members}
    aggregates = detail.aggregates
    found = filter_form = None
    if section == "participants":
        filters = filters or ParticipantQuery(q=query)
        found, filter_form, page = await _participant_page(program_id, user, filters, page)
    pages = max(1, -(-found.total // PAGE_SIZE)) if found else 1
    questions = await _question_choices(program_id) if section == "participants" else []
    context: dict[str, Any] = {
        "detail": detail,
        "program": program,
        "section": section,
        "sections": sections,
        "participant_total": sum(n for by_state in aggregates.enrolments.values() for state, n in by_state.items()
                                 if state in participants.LIVE_STATES) if aggregates else 0,
        "relationship_total": sum(aggregates.relationships.values()) if aggregates else 0,
        "found": found,
        "filter_form": filter_form,
        "filter_query": _filter_query(filters) if filters else "",
        "state_filters": STATE_FILTERS,
        "question_options": questions,
        "page": min(page, pages),
        "pages": pages,
        "relationships": program_relationships,
        "waiting": sum(aggregates.unmatched.values()) if aggregates else 0,
        "charts": [*aggregate_charts(program, aggregates), *await goal_charts(program_id, user)]
        if aggregates and section == "overview" else [],
        "design": design_summary(program),
        "staff_links": staff_links(program) if can_coordinate else [],
        "my_relationships": mine,
        "find_link": find_link(program, detail.my_enrolments),
        "can_coordinate": can_coordinate,
        "can_duplicate": can_coordinate and await services.may_create_programs(user),
        "state_actions": state_actions(program),
        "enrolment_open": services.enrolment_is_open(program),
        "pairing_open": program.state in services.OPEN_STATES,
        "role_options": [(role, upper_first(role_label(program.format, role))) for role in detail.roles],
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
    context["participant_panels"] = await page_panels(request, "program.participant", program) if overview else []
    context["staff_panels"] = await page_panels(request, "program.staff", program) if overview and is_staff else []
    context.update(forms)
    return render(request, "programs/detail.html", status_code=status_code, **context)


async def _question_choices(program_id: int) -> list[tuple[str, str]]:
    from mentorkit.programs.tables import ProgramQuestion

    rows = await ProgramQuestion.select(ProgramQuestion.key, ProgramQuestion.label).where(
        ProgramQuestion.program == program_id).order_by(ProgramQuestion.position)
    return [(r["key"], r["label"]) for r in rows]


def _filter_query(filters: ParticipantQuery) -> str:
    """The filters as query parameters, for the page links."""
    return "".join(f"&{k}={quote_plus(v)}" for k, v in msgspec.structs.asdict(filters).items() if v)


@get("/programs/{program_id:int}", opt={"policy": "program_reader"}, include_in_schema=False)
async def program_page(
    request: AnyRequest,
    program_id: FromPath[Id],
    section: FromQuery[str] = "overview",
    q: FromQuery[str] = "",
    role: FromQuery[str] = "",
    enrolment_state: Annotated[str, QueryParameter(name="state")] = "",  # "state" is reserved by Litestar
    matched: FromQuery[str] = "",
    question: FromQuery[str] = "",
    answer: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> Template:
    """The program overview; coordinators also get participants (searchable and filtered, in
    pages), pairing, relationships and staff, one section at a time; observers numbers only."""
    filters = ParticipantQuery(q=q[:200], role=role[:100], state=enrolment_state[:20], matched=matched[:5],
                               question=question[:50], answer=answer[:200])
    return await _overview(request, program_id, section=section, page=page, filters=filters)


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
    return await _close_page(request, program_id, Form({"open_relationships": "complete"}))


@post("/programs/{program_id:int}/state", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def change_state(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Move the program to another state (closing only from its confirmation page)."""
    values, form = validate_form(StateForm, data)
    status = 400
    if values is not None and values.state == "closed" and not values.confirm:
        return await _close_page(request, program_id, form, status_code=400)
    if values is not None:
        try:
            program = await services.change_program_state(program_id, values.state, request.user, values.reason,
                                                          values.open_relationships)
        except (ValidationFailed, ConflictError) as exc:
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


@post(
    "/programs/{program_id:int}/staff/{user_id:int}/remove",
    opt={"policy": "program_coordinator"},
    include_in_schema=False,
)
async def remove_staff(request: AnyRequest, program_id: FromPath[Id], user_id: FromPath[Id]) -> Response[Any]:
    """Take a coordinator or observer off the staff (asked first on the page)."""
    try:
        staff = await services.remove_staff(program_id, user_id, request.user)
    except ConflictError as exc:
        return redirect(_section_url(program_id, "staff"), flash=_sentence(str(exc)), level="error")
    if staff.user_id == request.user.id:
        return redirect("/", flash=f"You are no longer {staff.role} of this program.")
    return redirect(_section_url(program_id, "staff"), flash=f"{staff.display_name} is no longer {staff.role}.")


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
    draft = submitted.get("draft") == "on"
    form.values["draft"] = "on" if draft else ""
    unknown = set(submitted.keys()) - {slot["role"] for slot in slots} - {"_csrf_token", "draft"}
    if unknown:
        form.error("__all__", "unknown fields: " + ", ".join(sorted(unknown)[:5]))
    status = 400
    if form.ok:
        try:
            relationship = await relationships.pair(program_id, enrolment_ids, request.user, draft=draft)
        except (ValidationFailed, ConflictError) as exc:
            if isinstance(exc, ValidationFailed) and "enrolment_ids" in exc.errors:
                exc = ValidationFailed({"__all__": exc.errors["enrolment_ids"]})
            status = failed(form, exc)
        else:
            names = ", ".join(m.display_name for m in relationship.members)
            done = {"proposed": f"Saved a draft match of {names}: publish it from its page.",
                    "pending": f"Proposed {names}: they are asked to accept."}
            return redirect(_section_url(program_id, "pairing"), flash=done.get(relationship.state, f"Paired {names}."))
    return await _overview(request, program_id, section="pairing", status_code=status, pair_form=form)


def program_page_routes() -> list[Any]:
    """Every program page route."""
    return [
        program_list, new_program, create_program, program_page, edit_program, save_program, duplicate_page,
        duplicate_program, close_page, change_state, appoint_staff, remove_staff, pair,
    ]
