"""Enrolment questions: coordinators write them, plugins contribute them, people answer them.

Reading a program's questions first syncs the plugins' questions (``enrolment_questions``
hook), so every reader sees the same list. A change that would leave stored answers not
fitting their question is refused with how many, so no answer is ever silently invalid.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Count

from mentorkit.db import transaction
from mentorkit.db.values import as_json
from mentorkit.errors import ConflictError, NotFound, ValidationFailed
from mentorkit.events import emit
from mentorkit.profiles.vocabulary import tag_index
from mentorkit.programs import services
from mentorkit.programs.enrolment_schemas import QuestionCreate, QuestionUpdate
from mentorkit.programs.questions import CHOICE_KINDS, KINDS, AnswerProblem, Question, QuestionSpec, check_answer
from mentorkit.programs.tables import EnrolmentAnswer, ProgramQuestion
from mentorkit.runtime import current_runtime

log = logging.getLogger("mentorkit.programs.questions")

KEY_MAX = 50
_KEY = re.compile(r"^[a-z0-9_]+$")
# What a question is besides its identity: compared to tell whether a plugin's question changed.
_SPEC_FIELDS = ("label", "kind", "help", "choices", "scale_min", "scale_max", "required", "asked_roles",
                "visible_roles", "matching_criterion")


def key_from_label(label: str) -> str:
    """A question key for a label: "Your main goal?" -> "your_main_goal"."""
    key = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")[:KEY_MAX].strip("_")
    return key or "question"


def question_from_row(row: dict[str, Any]) -> Question:
    """The public view of a ``mentorkit_program_question`` row."""
    return Question(
        id=row["id"], program_id=row["program"], key=row["key"], label=row["label"], kind=row["kind"],
        help=row["help"], choices=as_json(row["choices"]), scale_min=row["scale_min"],
        scale_max=row["scale_max"], required=row["required"], asked_roles=as_json(row["asked_roles"]),
        visible_roles=as_json(row["visible_roles"]),
        matching_criterion=row["matching_criterion"], position=row["position"], source=row["source"],
    )


def _question_key(program_id: int, key: str) -> str:
    return f"{program_id}:{key}"


async def _rows(program_id: int) -> list[Question]:
    rows = await ProgramQuestion.select().where(ProgramQuestion.program == program_id).order_by(
        ProgramQuestion.position).order_by(ProgramQuestion.id)
    return [question_from_row(row) for row in rows]


def _problems(spec: Any, roles: list[str]) -> dict[str, str]:
    """What is wrong with a question's definition (a QuestionSpec, a create or a merged update)."""
    problems: dict[str, str] = {}
    if spec.kind not in KINDS:
        problems["kind"] = f"must be one of: {', '.join(KINDS)}"
    if not _KEY.match(spec.key or "") or len(spec.key) > KEY_MAX:
        problems["key"] = "must be lower-case letters, digits and underscores (at most 50)"
    choices = [c.strip() for c in spec.choices]
    if spec.kind in CHOICE_KINDS:
        if len(choices) < 2:
            problems["choices"] = "give at least two choices, one per line"
        elif len({c.casefold() for c in choices}) != len(choices):
            problems["choices"] = "each choice must be different"
    elif choices:
        problems["choices"] = "only single and multiple choice questions have choices"
    if spec.kind == "scale" and spec.scale_min >= spec.scale_max:
        problems["scale_max"] = "must be greater than the lowest value"
    for field in ("asked_roles", "visible_roles"):
        unknown = [r for r in getattr(spec, field) if r not in roles]
        if unknown:
            problems[field] = f"unknown roles {', '.join(unknown)} (choose from: {', '.join(roles)})"
    return problems


# --------------------------------------------------------------------------- plugin questions


async def _sync_plugin_questions(program_row: dict[str, Any], stored: list[Question]) -> bool:
    """Upsert the questions plugins ask in this program (by key) against the ``stored`` ones;
    writes only what changed, and says whether it wrote."""
    hooks = current_runtime().hooks
    specs = await hooks.enrolment_questions(services.program_from_row(program_row))
    if not specs:
        return False
    program_id = program_row["id"]
    existing = {q.key: q for q in stored}
    try:
        roles = services.format_of(program_row).role_keys()
    except ConflictError:
        return False
    changes: list[tuple[str, QuestionSpec, Question | None]] = []
    for plugin, spec in specs:
        if not isinstance(spec, QuestionSpec):
            log.warning("plugin '%s' gave an enrolment question that is not a QuestionSpec: %r", plugin, spec)
            continue
        if problems := _problems(spec, roles):
            log.warning("plugin '%s' gave an invalid enrolment question %r: %s", plugin, spec.key, problems)
            continue
        current = existing.get(spec.key)
        if current is not None and current.source != plugin:
            log.warning("plugin '%s' asks %r, a key program %s already uses; the existing question stays",
                        plugin, spec.key, program_id)
            continue
        if current is None or any(getattr(current, f) != getattr(spec, f) for f in _SPEC_FIELDS):
            changes.append((plugin, spec, current))
    if not changes:
        return False
    async with transaction():
        position = max((q.position for q in existing.values()), default=0)
        for plugin, spec, current in changes:
            values: dict[Any, Any] = {f: getattr(spec, f) for f in _SPEC_FIELDS}
            if current is None:
                position += 1
                # A concurrent read may sync it first: then this insert does nothing.
                await ProgramQuestion.insert(ProgramQuestion(
                    program=program_id, question_key=_question_key(program_id, spec.key), key=spec.key,
                    position=position, source=plugin, **values,
                )).on_conflict(target=ProgramQuestion.question_key, action="DO NOTHING")
            else:
                await ProgramQuestion.update(values).where(ProgramQuestion.id == current.id)
    return True


async def program_questions(program_row: dict[str, Any]) -> list[Question]:
    """Every question of a program in order, the plugins' ones synced first (no access check:
    callers have checked the program is theirs to read). One read unless the sync wrote."""
    stored = await _rows(program_row["id"])
    if await _sync_plugin_questions(program_row, stored):
        stored = await _rows(program_row["id"])
    return stored


# --------------------------------------------------------------------------- reading


async def list_questions(program_id: int, actor: services.Actor, role: str | None = None) -> list[Question]:
    """A program's enrolment questions in order (``role``: only those asked of it), for anyone
    who may read the program."""
    row, _ = await services._access(program_id, actor)
    questions = await program_questions(row)
    return [q for q in questions if role is None or q.asks(role)]


async def get_question(program_id: int, question_id: int, actor: services.Actor) -> Question:
    """One question of the program (its coordinators and site admins)."""
    await services.require_coordinator(program_id, actor)
    row = await ProgramQuestion.select().where(
        (ProgramQuestion.id == question_id) & (ProgramQuestion.program == program_id)).first()
    if row is None:
        raise NotFound("no such question")
    return question_from_row(row)


async def answer_count(question_id: int) -> int:
    """How many enrolments answered the question (what removing it deletes)."""
    return int(await EnrolmentAnswer.count().where(EnrolmentAnswer.question == question_id))


async def answer_counts(program_id: int) -> dict[int, int]:
    """How many answers each question of the program has, in one statement (unanswered
    questions are left out)."""
    rows = await EnrolmentAnswer.select(EnrolmentAnswer.question, Count(alias="answers")).where(
        EnrolmentAnswer.question.program == program_id).group_by(EnrolmentAnswer.question)
    return {row["question"]: int(row["answers"]) for row in rows}


# --------------------------------------------------------------------------- changing


def _clean(data: QuestionCreate | Question) -> dict[Any, Any]:
    """The stored fields of a definition: trimmed texts and choices, no choices unless asked for."""
    return {
        "label": data.label.strip(), "kind": data.kind, "help": data.help.strip(),
        "choices": [c.strip() for c in data.choices], "scale_min": data.scale_min, "scale_max": data.scale_max,
        "required": data.required, "asked_roles": list(data.asked_roles), "visible_roles": list(data.visible_roles),
        "matching_criterion": data.matching_criterion,
    }


async def create_question(program_id: int, data: QuestionCreate, actor: services.Actor) -> Question:
    """Add a question at the end of the program's list (coordinators, site admins).

    Emits ``program.question_changed`` (change "added")."""
    async with transaction():
        row = await services.require_coordinator(program_id, actor)
        roles = services.format_of(row).role_keys()
        key = data.key or key_from_label(data.label)
        if problems := _problems(msgspec.structs.replace(data, key=key), roles):
            raise ValidationFailed(problems)
        if await ProgramQuestion.exists().where(ProgramQuestion.question_key == _question_key(program_id, key)):
            raise ValidationFailed({"key": f"another question of this program has the key {key!r}"})
        last = await ProgramQuestion.select(ProgramQuestion.position).where(
            ProgramQuestion.program == program_id).order_by(ProgramQuestion.position, ascending=False).first()
        inserted = await ProgramQuestion.insert(ProgramQuestion(
            program=program_id, question_key=_question_key(program_id, key), key=key,
            position=(last["position"] if last else 0) + 1, **_clean(data))).returning(ProgramQuestion.id)
        question_id = inserted[0]["id"]
        await emit("program.question_changed", f"program:{program_id}",
                   {"question_id": question_id, "key": key, "change": "added"}, actor_id=actor.id)
    return await get_question(program_id, question_id, actor)


def _editable(question: Question) -> None:
    if question.source:
        raise ConflictError(f"this question comes from the plugin {question.source!r}; it cannot be changed here")


async def _answers_not_fitting(old: Question, new: Question) -> int:
    """How many stored answers to ``old`` would not fit ``new`` (required-ness aside: it
    applies to new answers only)."""
    rows = await EnrolmentAnswer.select(EnrolmentAnswer.value).where(EnrolmentAnswer.question == old.id)
    if not rows:
        return 0
    tags = await tag_index() if new.kind == "tags" else None
    loose = msgspec.structs.replace(new, required=False)
    bad = 0
    for answer in rows:
        value = as_json(answer["value"])
        if old.kind != new.kind:
            bad += 1
            continue
        try:
            check_answer(loose, value, tags)
        except AnswerProblem:
            bad += 1
    return bad


async def update_question(program_id: int, question_id: int, data: QuestionUpdate,
                          actor: services.Actor) -> Question:
    """Change a coordinator's question (only the fields given). Refused with a 409 naming how
    many answers would no longer fit when the kind, choices or scale change under them.

    Emits ``program.question_changed`` (change "changed")."""
    async with transaction():
        old = await get_question(program_id, question_id, actor)
        _editable(old)
        row = await services.require_coordinator(program_id, actor)
        given = {f: v for f in data.__struct_fields__ if (v := getattr(data, f)) is not msgspec.UNSET}
        new = msgspec.structs.replace(old, **given)
        if problems := _problems(new, services.format_of(row).role_keys()):
            raise ValidationFailed(problems)
        if new.key != old.key and await ProgramQuestion.exists().where(
                ProgramQuestion.question_key == _question_key(program_id, new.key)):
            raise ValidationFailed({"key": f"another question of this program has the key {new.key!r}"})
        structural = given.keys() & {"kind", "choices", "scale_min", "scale_max"}
        if structural and (bad := await _answers_not_fitting(old, new)):
            noun = "answer" if bad == 1 else "answers"
            raise ConflictError(f"{bad} {noun} given already would no longer fit this question; "
                                "keep what they chose, or remove the question and add a new one")
        await ProgramQuestion.update({**_clean(new), "key": new.key,
                                      "question_key": _question_key(program_id, new.key)}).where(
            ProgramQuestion.id == question_id)
        await emit("program.question_changed", f"program:{program_id}",
                   {"question_id": question_id, "key": new.key, "change": "changed", "fields": sorted(given)},
                   actor_id=actor.id)
    return await get_question(program_id, question_id, actor)


async def delete_question(program_id: int, question_id: int, actor: services.Actor) -> Question:
    """Remove a coordinator's question and every answer to it (coordinators, site admins).

    Emits ``program.question_changed`` (change "removed", with how many answers went)."""
    async with transaction():
        question = await get_question(program_id, question_id, actor)
        _editable(question)
        answers = await answer_count(question_id)
        await ProgramQuestion.delete().where(ProgramQuestion.id == question_id)
        await emit("program.question_changed", f"program:{program_id}",
                   {"question_id": question_id, "key": question.key, "change": "removed", "answers": answers},
                   actor_id=actor.id)
    return question


async def move_question(program_id: int, question_id: int, direction: str, actor: services.Actor) -> list[Question]:
    """Swap a question with its neighbour above or below; returns the list in its new order."""
    async with transaction():
        row = await services.require_coordinator(program_id, actor)
        questions = await program_questions(row)
        index = next((i for i, q in enumerate(questions) if q.id == question_id), None)
        if index is None:
            raise NotFound("no such question")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(questions):
            order = [q.id for q in questions]
            order[index], order[other] = order[other], order[index]
            for position, qid in enumerate(order, start=1):
                await ProgramQuestion.update({ProgramQuestion.position: position}).where(ProgramQuestion.id == qid)
            await emit("program.question_changed", f"program:{program_id}",
                       {"question_id": question_id, "key": questions[index].key, "change": "moved"},
                       actor_id=actor.id)
    return await _rows(program_id)
