"""Enrolment pages: joining a program (open, by invitation link, by application), a person's
enrolment page, and the coordinators' questions, invitation links and applications.

Forms post back here and answer with a 303 redirect; when something is wrong the same page is
rendered again with every error and what was typed (400 for invalid input, 409 for a conflict).
Forms with several values per name (checkboxes) are read as multi-dicts, like the pairing form.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from mentorkit.errors import ConflictError, NotFound, ValidationFailed
from mentorkit.policy import current_user
from mentorkit.programs import enrolments, invitations, services
from mentorkit.programs import question_services as questions
from mentorkit.programs.enrolment_schemas import (
    DECLINE_REASONS,
    Decline,
    EnrolmentJoin,
    EnrolmentUpdate,
    InvitationCreate,
    OptionalQuestionKey,
    QuestionCreate,
    QuestionKindName,
    QuestionMove,
    QuestionUpdate,
    ScaleBound,
)
from mentorkit.programs.labels import program_role_label, role_label, upper_first
from mentorkit.programs.pages import FormData, _section_url, _sentence, failed, person_label, prefixed
from mentorkit.programs.questions import KINDS, Question
from mentorkit.runtime import current_runtime
from mentorkit.schemas import Id, Input, LongText, Title
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

PAGE_SIZE = 25
STATE_WORDS = {
    "active": "You are enrolled",
    "applied": "Your application is waiting for a coordinator's review",
    "waitlisted": "You are on the waitlist",
    "declined": "Your application was declined",
    "withdrawn": "You withdrew",
}
MODE_WORDS = {
    "open": "Anyone signed in can join.",
    "invitation": "People join through an invitation link.",
    "application": "People apply; a coordinator reviews each application.",
}


async def _submitted(request: AnyRequest) -> dict[str, str | list[str]]:
    """The posted form as a dict: one value as text, several as a list (checkboxes)."""
    form = await request.form()
    out: dict[str, str | list[str]] = {}
    for key in form:
        values = [v for v in form.getall(key) if isinstance(v, str)]
        out[key] = values[0] if len(values) == 1 else values
    return out


def _one(values: dict[str, str | list[str]], key: str) -> str:
    value = values.get(key, "")
    return value if isinstance(value, str) else (value[0] if value else "")


def _many(values: dict[str, str | list[str]], key: str) -> list[str]:
    value = values.get(key, [])
    return [value] if isinstance(value, str) else value


# --------------------------------------------------------------------------- joining


def answer_options(asked: list[Question]) -> dict[str, list[tuple[str, str]]]:
    """The (value, label) pairs of each choice and scale question, for the answer fields."""
    out: dict[str, list[tuple[str, str]]] = {}
    for q in asked:
        if q.kind == "scale":
            out[q.key] = [(str(n), str(n)) for n in range(q.scale_min, q.scale_max + 1)]
        elif q.choices:
            out[q.key] = [(c, c) for c in q.choices]
    return out


def answers_from_form(asked: list[Question], values: dict[str, str | list[str]]) -> dict[str, Any]:
    """What the join form's fields say for each question asked (field ``answers.<key>``):
    every chosen box of a multiple choice question as a list, other kinds as typed."""
    raw: dict[str, Any] = {}
    for question in asked:
        name = f"answers.{question.key}"
        if question.kind == "multiple_choice":
            raw[question.key] = [v for v in _many(values, name) if v]
        else:
            raw[question.key] = _one(values, name)
    return raw


async def _join_page(request: AnyRequest, program_id: int, *, role: str = "", token: str = "",
                     form: Form | None = None, status_code: int = 200) -> Template:
    user = request.user
    detail = await services.program_detail(program_id, user)
    program_row = await services._program_row(program_id)
    invitation_role = None
    if token:
        try:
            invitation_role = (await invitations.invitation_by_token(token))["role"]
        except NotFound:
            token = ""
    limits = enrolments.role_limits(program_row)
    roles: list[dict[str, Any]] = []
    for key in detail.roles:
        if invitation_role and key != invitation_role:
            continue
        if limits.get(key) == 0:  # a role with no places at all is closed
            continue
        full = key in limits and await enrolments.active_count(program_id, key) >= limits[key]
        roles.append({"key": key, "label": upper_first(role_label(detail.program.format, key)), "full": full})
    if invitation_role and not role:
        role = invitation_role
    if role not in {r["key"] for r in roles}:
        role = str(roles[0]["key"]) if len(roles) == 1 else ""
    asked = await questions.list_questions(program_id, user, role) if role else []
    refusal = await enrolments.join_refusal(program_row, role, user) if role else None
    form = form or Form({"role": role, "invitation": token})
    labels = {f"answers.{q.key}": q.label for q in asked} | {"role": "Join as"}
    return render(
        request, "programs/join.html", status_code=status_code, program=detail.program, detail=detail,
        mode=program_row["enrolment_mode"], mode_words=MODE_WORDS.get(program_row["enrolment_mode"], ""),
        roles=roles, role=role, questions=asked, refusal=refusal, form=form, labels=labels, token=token,
        needs_invitation=program_row["enrolment_mode"] == "invitation" and not token,
        open=services.enrolment_is_open(program_row), options=answer_options(asked),
        mine=await enrolments.live_enrolments_of(program_id, user),
    )


@get("/programs/{program_id:int}/join", opt={"policy": "program_reader"}, include_in_schema=False)
async def join_page(request: AnyRequest, program_id: FromPath[Id], role: FromQuery[str] = "",
                    invitation: FromQuery[str] = "") -> Template:
    """Choose a role (each a link that reloads the form for it) and answer its questions."""
    return await _join_page(request, program_id, role=role[:100], token=invitation[:200])


@post("/programs/{program_id:int}/enrol", opt={"policy": "program_reader"}, include_in_schema=False)
async def enrol(request: AnyRequest, program_id: FromPath[Id]) -> Response[Any]:
    """Join with the chosen role and answers (the join page's form and the overview's short form)."""
    values = await _submitted(request)
    role, token = _one(values, "role"), _one(values, "invitation")
    form = Form({k: v for k, v in values.items() if k != "_csrf_token"})  # type: ignore[misc]
    status = 400
    try:
        asked = await questions.list_questions(program_id, request.user, role) if role else []
        unknown = set(values) - {"_csrf_token", "role", "invitation"} - {f"answers.{q.key}" for q in asked}
        if unknown:
            raise ValidationFailed({name: "is not a question this program asks of this role"
                                    for name in sorted(unknown)[:3]})
        data = msgspec.convert({"role": role, "answers": answers_from_form(asked, values),
                                "invitation": token or None}, EnrolmentJoin)
    except msgspec.ValidationError:
        form.error("role", "choose the role you join as")
    except ValidationFailed as exc:
        status = failed(form, exc)
    else:
        try:
            enrolment = await enrolments.enrol(program_id, data, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            label = await program_role_label(program_id, enrolment.role)
            words = {"active": f"You are enrolled as {label}.",
                     "applied": f"Your application as {label} is sent; you will be told the decision.",
                     "waitlisted": f"Every place for {label} is taken: you are on the waitlist."}
            return redirect(f"/programs/{program_id}/enrolments/{enrolment.id}", flash=words[enrolment.state])
    return await _join_page(request, program_id, role=role, token=token, form=form, status_code=status)


@get("/join/{invitation_token:str}", opt={"policy": "public"}, include_in_schema=False)
async def invitation_landing(request: AnyRequest, invitation_token: FromPath[str]) -> Template:
    """Where an invitation link leads: which program, then sign in, or the join form."""
    try:
        row = await invitations.invitation_by_token(invitation_token)
    except NotFound as exc:
        return render(request, "programs/join.html", status_code=404, landing=True, problem=_sentence(str(exc)))
    status = invitations.status_of(row)
    program = services.program_from_row(await services._program_row(row["program"]))
    if status != "valid":
        return render(request, "programs/join.html", status_code=410, landing=True, program=program,
                      problem=_sentence(invitations.unusable_reason(status)))
    if current_user(request) is None:
        return render(request, "programs/join.html", landing=True, program=program, signed_out=True,
                      next_path=f"/join/{invitation_token}")
    try:
        return await _join_page(request, row["program"], token=invitation_token)
    except NotFound:
        return render(request, "programs/join.html", status_code=404, landing=True,
                      problem="This program is not open yet.")


# --------------------------------------------------------------------------- a person's enrolment


async def _enrolment_page(request: AnyRequest, program_id: int, enrolment_id: int, *, status_code: int = 200,
                          answers_form: Form | None = None, settings_form: Form | None = None) -> Template:
    detail = await enrolments.get_enrolment(program_id, enrolment_id, request.user)
    program_row = await services._program_row(program_id)
    e = detail.enrolment
    asked = await questions.list_questions(program_id, request.user, e.role)
    if answers_form is None:
        given = {a.key: a.value for a in detail.answers}
        answers_form = Form({f"answers.{q.key}": _shown(q, given.get(q.key)) for q in asked})
    settings_form = settings_form or Form({"capacity": str(detail.capacity), "paused": "on" if detail.paused else ""})
    fmt = current_runtime().formats.get(program_row["format"])
    slot = next((s for s in fmt.roles if s.role == e.role), None) if fmt else None
    return render(
        request, "programs/enrolment.html", status_code=status_code, detail=detail, enrolment=e,
        program=services.program_from_row(program_row), questions=asked, answers_form=answers_form,
        settings_form=settings_form, labels={f"answers.{q.key}": q.label for q in asked},
        mine=e.user_id == request.user.id, live=e.state in enrolments.LIVE_STATES, state_words=STATE_WORDS,
        person_label=person_label, options=answer_options(asked),
        # Capacity and pause are for roles that take several relationships (mentors).
        takes_capacity=slot is None or slot.takes_capacity,
    )


def _shown(question: Question, value: Any) -> Any:
    """A stored answer as its form field shows it (tags and choices lists as the form takes them)."""
    if value is None:
        return ""
    if question.kind == "tags" and isinstance(value, list):
        return ", ".join(value)
    return value if isinstance(value, list) else str(value)


@get("/programs/{program_id:int}/enrolments/{enrolment_id:int}", opt={"policy": "enrolment_holder"},
     include_in_schema=False)
async def enrolment_page(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Template:
    """A person's enrolment: role, state and decision, answers, capacity and pause."""
    return await _enrolment_page(request, program_id, enrolment_id)


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/answers", opt={"policy": "enrolment_holder"},
      include_in_schema=False)
async def update_answers(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Response[Any]:
    """Change the answers (checked as at joining)."""
    detail = await enrolments.get_enrolment(program_id, enrolment_id, request.user)
    values = await _submitted(request)
    asked = await questions.list_questions(program_id, request.user, detail.enrolment.role)
    form = Form({k: v for k, v in values.items() if k != "_csrf_token"})  # type: ignore[misc]
    try:
        await enrolments.update_answers(program_id, enrolment_id, answers_from_form(asked, values), request.user)
    except (ValidationFailed, ConflictError) as exc:
        status = failed(form, exc)
        return await _enrolment_page(request, program_id, enrolment_id, status_code=status, answers_form=form)
    return redirect(f"/programs/{program_id}/enrolments/{enrolment_id}", flash="Your answers are saved.")


class SettingsForm(EnrolmentUpdate):
    """The capacity and pause form (an unticked box means "not paused")."""


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/settings", opt={"policy": "enrolment_holder"},
      include_in_schema=False)
async def update_settings(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                          data: FormData) -> Response[Any]:
    """Change the capacity, pause or resume taking new relationships."""
    values, form = validate_form(SettingsForm, {"paused": "", **data})
    status = 400
    if values is not None:
        try:
            await enrolments.update_enrolment(
                program_id, enrolment_id, request.user, paused=values.paused is True,
                capacity=None if values.capacity is msgspec.UNSET else values.capacity)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}/enrolments/{enrolment_id}", flash="Saved.")
    return await _enrolment_page(request, program_id, enrolment_id, status_code=status, settings_form=form)


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/withdraw", opt={"policy": "enrolment_holder"},
      include_in_schema=False)
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


# --------------------------------------------------------------------------- applications


async def _applications_page(request: AnyRequest, program_id: int, page: int = 1, *, status_code: int = 200,
                             decline_form: Form | None = None, declining: int | None = None) -> Template:
    total = await enrolments.count_applications(program_id, request.user)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    items = await enrolments.list_applications(program_id, request.user, limit=PAGE_SIZE,
                                               offset=(page - 1) * PAGE_SIZE)
    detail = await services.program_detail(program_id, request.user)
    return render(
        request, "programs/applications.html", status_code=status_code, program=detail.program, detail=detail,
        applications=items, total=total, page=page, pages=pages, person_label=person_label,
        reasons=list(DECLINE_REASONS.items()), decline_form=decline_form or Form(), declining=declining,
    )


@get("/programs/{program_id:int}/applications", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def applications_page(request: AnyRequest, program_id: FromPath[Id], page: FromQuery[int] = 1) -> Template:
    """Applications waiting for a decision, oldest first, in pages; answers one click away."""
    return await _applications_page(request, program_id, page)


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/approve", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def approve(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Response[Any]:
    """Approve an application (the person is told)."""
    try:
        enrolment = await enrolments.approve_application(program_id, enrolment_id, request.user)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}/applications", flash=_sentence(str(exc)), level="error")
    where = "is waitlisted: the role is full" if enrolment.state == "waitlisted" else "is approved"
    return redirect(f"/programs/{program_id}/applications", flash=f"{person_label(enrolment)} {where}.")


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/decline", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def decline(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id],
                  data: FormData) -> Response[Any]:
    """Decline an application or a waitlisted place with a reason (the person is told it)."""
    values, form = validate_form(Decline, data)
    status = 400
    if values is not None:
        try:
            enrolment = await enrolments.decline_application(program_id, enrolment_id, values.reason, values.note,
                                                             request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}/applications", flash=f"{person_label(enrolment)} is declined.")
    return await _applications_page(request, program_id, status_code=status,
                                    decline_form=prefixed(form, f"decline-{enrolment_id}"), declining=enrolment_id)


@post("/programs/{program_id:int}/enrolments/{enrolment_id:int}/promote", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def promote(request: AnyRequest, program_id: FromPath[Id], enrolment_id: FromPath[Id]) -> Response[Any]:
    """Give a waitlisted person a place now."""
    try:
        enrolment = await enrolments.promote(program_id, enrolment_id, request.user)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}/enrolments/{enrolment_id}", flash=_sentence(str(exc)),
                        level="error")
    return redirect(f"/programs/{program_id}/enrolments/{enrolment_id}",
                    flash=f"{person_label(enrolment)} has a place now.")


# --------------------------------------------------------------------------- questions


@get("/programs/{program_id:int}/questions", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def questions_page(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The program's enrolment questions in order: add, edit, move, remove."""
    detail = await services.program_detail(program_id, request.user)
    listed = await questions.list_questions(program_id, request.user)
    counts = await questions.answer_counts(program_id)
    return render(request, "programs/questions.html", program=detail.program, detail=detail, questions=listed,
                  answer_counts={q.id: counts.get(q.id, 0) for q in listed}, kinds=KINDS)


class QuestionForm(Input):
    """The question form's one-value fields (choices one per line; roles are checkboxes)."""

    label: Title
    kind: QuestionKindName
    key: OptionalQuestionKey = ""
    help: LongText = ""
    choices: LongText = ""
    scale_min: ScaleBound = 1
    scale_max: ScaleBound = 5
    required: bool = False
    matching_criterion: bool = False


ROLE_FIELDS = ("asked_roles", "visible_roles")


async def _question_form_page(request: AnyRequest, program_id: int, form: Form, *, question: Question | None = None,
                              status_code: int = 200) -> Template:
    detail = await services.program_detail(program_id, request.user)
    role_options = [(r, upper_first(role_label(detail.program.format, r))) for r in detail.roles]
    return render(request, "programs/question_form.html", status_code=status_code, program=detail.program,
                  form=form, question=question, kinds=list(KINDS.items()), role_options=role_options)


def _question_values(question: Question) -> dict[str, Any]:
    return {
        "label": question.label, "key": question.key, "help": question.help, "kind": question.kind,
        "choices": "\n".join(question.choices), "scale_min": str(question.scale_min),
        "scale_max": str(question.scale_max), "required": "on" if question.required else "",
        "matching_criterion": "on" if question.matching_criterion else "",
        "asked_roles": question.asked_roles, "visible_roles": question.visible_roles,
    }


async def _read_question_form(request: AnyRequest) -> tuple[dict[str, Any] | None, Form]:
    """The question form's fields as ``QuestionCreate`` data, or None with the form's errors."""
    submitted = await _submitted(request)
    single = {k: _one(submitted, k) for k in submitted if k not in ROLE_FIELDS}
    values, form = validate_form(QuestionForm, single)
    for name in ROLE_FIELDS:
        form.values[name] = [v for v in _many(submitted, name) if v]  # type: ignore[assignment]
    if values is None:
        return None, form
    data = msgspec.structs.asdict(values)
    data["choices"] = [line.strip() for line in data["choices"].splitlines() if line.strip()]
    if data["kind"] != "scale":
        data["scale_min"], data["scale_max"] = 1, 5
    for name in ROLE_FIELDS:
        data[name] = form.values[name]
    return data, form


@get("/programs/{program_id:int}/questions/new", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def new_question(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The form for a new question."""
    return await _question_form_page(request, program_id, Form({"kind": "short_text", "scale_min": "1",
                                                                "scale_max": "5"}))


@post("/programs/{program_id:int}/questions", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def create_question(request: AnyRequest, program_id: FromPath[Id]) -> Response[Any]:
    """Add a question at the end of the list."""
    data, form = await _read_question_form(request)
    status = 400
    if data is not None:
        try:
            question = await questions.create_question(program_id, msgspec.convert(data, QuestionCreate),
                                                       request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        except msgspec.ValidationError as exc:
            form.error("__all__", str(exc))
        else:
            return redirect(f"/programs/{program_id}/questions", flash=f"Question “{question.label}” added.")
    return await _question_form_page(request, program_id, form, status_code=status)


@get("/programs/{program_id:int}/questions/{question_id:int}", opt={"policy": "program_coordinator"},
     include_in_schema=False)
async def edit_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id]) -> Template:
    """The form for changing a question (plugins' questions are shown, not editable)."""
    question = await questions.get_question(program_id, question_id, request.user)
    return await _question_form_page(request, program_id, Form(_question_values(question)), question=question)


@post("/programs/{program_id:int}/questions/{question_id:int}", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def update_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id]) -> Response[Any]:
    """Save a changed question; refused when answers given would no longer fit."""
    question = await questions.get_question(program_id, question_id, request.user)
    data, form = await _read_question_form(request)
    status = 400
    if data is not None:
        if not data["key"]:
            data["key"] = question.key
        try:
            changed = await questions.update_question(program_id, question_id, msgspec.convert(data, QuestionUpdate),
                                                      request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        except msgspec.ValidationError as exc:
            form.error("__all__", str(exc))
        else:
            return redirect(f"/programs/{program_id}/questions", flash=f"Question “{changed.label}” saved.")
    return await _question_form_page(request, program_id, form, question=question, status_code=status)


@post("/programs/{program_id:int}/questions/{question_id:int}/delete", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def delete_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id]) -> Response[Any]:
    """Remove a question and its answers (asked first on the list page)."""
    try:
        question = await questions.delete_question(program_id, question_id, request.user)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}/questions", flash=_sentence(str(exc)), level="error")
    return redirect(f"/programs/{program_id}/questions", flash=f"Question “{question.label}” removed.")


@post("/programs/{program_id:int}/questions/{question_id:int}/move", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def move_question(request: AnyRequest, program_id: FromPath[Id], question_id: FromPath[Id],
                        data: FormData) -> Response[Any]:
    """Move a question one place up or down."""
    values, _ = validate_form(QuestionMove, data)
    if values is None:
        return redirect(f"/programs/{program_id}/questions", flash="Choose up or down.", level="error")
    await questions.move_question(program_id, question_id, values.direction, request.user)
    return redirect(f"/programs/{program_id}/questions", flash="Question moved.")


# --------------------------------------------------------------------------- invitation links


class InvitationForm(InvitationCreate):
    """The invitation form: "any role" is the empty choice, no use limit an empty field."""


async def _invitations_page(request: AnyRequest, program_id: int, page: int = 1, *, form: Form | None = None,
                            status_code: int = 200) -> Template:
    detail = await services.program_detail(program_id, request.user)
    items = await invitations.list_invitations(program_id, request.user, limit=PAGE_SIZE + 1,
                                               offset=(max(page, 1) - 1) * PAGE_SIZE)
    role_options = [(r, upper_first(role_label(detail.program.format, r))) for r in detail.roles]
    return render(request, "programs/invitations.html", status_code=status_code, program=detail.program,
                  detail=detail, invitations=items[:PAGE_SIZE], more=len(items) > PAGE_SIZE, page=max(page, 1),
                  form=form or Form({"expires_in_days": "30"}), role_options=role_options)


@get("/programs/{program_id:int}/invitations", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def invitations_page(request: AnyRequest, program_id: FromPath[Id], page: FromQuery[int] = 1) -> Template:
    """The program's invitation links (full link shown, uses, expiry) and the form for a new one."""
    return await _invitations_page(request, program_id, page)


@post("/programs/{program_id:int}/invitations", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def create_invitation(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Make an invitation link."""
    values, form = validate_form(InvitationForm, data)
    status = 400
    if values is not None:
        try:
            await invitations.create_invitation(program_id, values, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}/invitations", flash="Invitation link created: copy it below.")
    return await _invitations_page(request, program_id, form=form, status_code=status)


@post("/programs/{program_id:int}/invitations/{invitation_id:int}/revoke", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def revoke_invitation(request: AnyRequest, program_id: FromPath[Id],
                            invitation_id: FromPath[Id]) -> Response[Any]:
    """Revoke an invitation link (confirmed on the list)."""
    try:
        await invitations.revoke_invitation(program_id, invitation_id, request.user)
    except ConflictError as exc:
        return redirect(f"/programs/{program_id}/invitations", flash=_sentence(str(exc)), level="error")
    return redirect(f"/programs/{program_id}/invitations", flash="The invitation link is revoked.")


def enrolment_page_routes() -> list[Any]:
    """Every enrolment page route."""
    return [
        join_page, enrol, invitation_landing,
        enrolment_page, update_answers, update_settings, withdraw,
        applications_page, approve, decline, promote,
        questions_page, new_question, create_question, edit_question, update_question, delete_question,
        move_question,
        invitations_page, create_invitation, revoke_invitation,
    ]
