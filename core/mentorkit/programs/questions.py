"""Enrolment questions: their kinds, and the one check every answer goes through.

The enrolment form, the JSON API and the CSV import all read answers with ``check_answers``,
so an answer that does not fit its question is refused the same way everywhere, with the
question named. Answers are stored in the form ``check_answer`` returns:

============== ========================================= ==========================
kind           what people give                          stored as
============== ========================================= ==========================
short_text     one line (at most 200 characters)         ``str``
long_text      free text (at most 5,000 characters)      ``str``
single_choice  one of ``choices``                        ``str``
multiple_choice any of ``choices`` (a list, or one text   ``list[str]``
               with commas or semicolons)
scale          a whole number from ``scale_min`` to      ``int``
               ``scale_max``
tags           tags of the managed vocabulary (synonyms  ``list[str]`` of canonical
               accepted)                                 tag keys
============== ========================================= ==========================

An empty answer (``None``, ``""``, ``[]``) is "not answered": refused for a required
question, otherwise stored as nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from mentorkit.profiles.vocabulary import TagIndex, split_labels
from mentorkit.schemas import control_problem

QuestionKind = Literal["short_text", "long_text", "single_choice", "multiple_choice", "scale", "tags"]
KINDS: dict[str, str] = {
    "short_text": "Short text",
    "long_text": "Long text",
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "scale": "Scale",
    "tags": "Tags",
}
CHOICE_KINDS = ("single_choice", "multiple_choice")
SHORT_MAX, LONG_MAX = 200, 5000


class QuestionSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A question's content: what a plugin asks through the ``enrolment_questions`` hook, and
    what every stored ``Question`` carries.

    The core stores a plugin's question with the program's questions (``source`` = the
    plugin's name), keyed by ``key`` (``^[a-z0-9_]+$``, unique in the program); ``kind`` is
    one of ``KINDS``; ``asked_roles`` empty means every role; ``visible_roles`` are the roles
    that may read a person's answer besides the person and the coordinators.
    """

    key: str
    label: str
    kind: str
    help: str = ""
    choices: list[str] = msgspec.field(default_factory=list)
    scale_min: int = 1
    scale_max: int = 5
    required: bool = False
    asked_roles: list[str] = msgspec.field(default_factory=list)
    visible_roles: list[str] = msgspec.field(default_factory=list)
    matching_criterion: bool = False

    def asks(self, role: str) -> bool:
        """Whether people enrolling with ``role`` are asked this question."""
        return not self.asked_roles or role in self.asked_roles


class Question(QuestionSpec, frozen=True, kw_only=True):
    """An enrolment question of a program, as services, pages, the API and plugins see it."""

    id: int
    program_id: int
    position: int = 0
    source: str = ""


class AnswerProblem(ValueError):
    """An answer that does not fit its question; the message names what is wrong."""


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list) and not raw)


def _as_list(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return split_labels(raw)
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return [item.strip() for item in raw if item.strip()]
    raise AnswerProblem("must be a list of texts")


def _choice(question: Question, value: str) -> str:
    for choice in question.choices:
        if value.casefold() == choice.casefold():
            return choice
    raise AnswerProblem(f"“{value}” is not one of the choices ({', '.join(question.choices)})")


def check_answer(question: Question, raw: Any, tags: TagIndex | None = None) -> Any:
    """The answer to store for ``raw`` (None: not answered), or ``AnswerProblem``.

    ``tags`` is needed for ``tags`` questions only (read it once with ``tag_index()``).
    """
    if _empty(raw):
        if question.required:
            raise AnswerProblem("is required")
        return None
    kind = question.kind
    if kind in ("short_text", "long_text"):
        if not isinstance(raw, str):
            raise AnswerProblem("must be text")
        limit = SHORT_MAX if kind == "short_text" else LONG_MAX
        text = raw.strip()
        if len(text) > limit:
            raise AnswerProblem(f"must be at most {limit} characters (got {len(text)})")
        if problem := control_problem(text, multi_line=kind == "long_text"):
            raise AnswerProblem(problem)
        return text
    if kind == "single_choice":
        if not isinstance(raw, str):
            raise AnswerProblem("must be one of the choices")
        return _choice(question, raw.strip())
    if kind == "multiple_choice":
        chosen: list[str] = []
        for value in _as_list(raw):
            choice = _choice(question, value)
            if choice not in chosen:
                chosen.append(choice)
        return chosen
    if kind == "scale":
        if isinstance(raw, bool):
            raise AnswerProblem("must be a whole number")
        if isinstance(raw, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", raw):
            raw = int(raw)
        if not isinstance(raw, int):
            raise AnswerProblem(f"must be a whole number from {question.scale_min} to {question.scale_max}")
        if not question.scale_min <= raw <= question.scale_max:
            raise AnswerProblem(f"must be from {question.scale_min} to {question.scale_max} (got {raw})")
        return raw
    if kind == "tags":
        if tags is None:
            raise RuntimeError("check_answer needs the tag index for a tags question")
        keys, unknown = tags.canonical(_as_list(raw))
        if unknown:
            raise AnswerProblem("unknown tags: " + ", ".join(unknown))
        if not keys and question.required:
            raise AnswerProblem("is required")
        return keys or None
    raise AnswerProblem(f"has an unknown kind {kind!r}")


def named(question: QuestionSpec, problem: str) -> str:
    """A problem with an answer, naming the question: "“Goal” is required", and with a colon
    when the problem is a sentence of its own: "“Goal”: “Z” is not one of the choices"."""
    verb = problem.split(" ", 1)[0]
    return f"“{question.label}” {problem}" if verb in ("is", "must", "has") else f"“{question.label}”: {problem}"


def check_answers(
    questions: Sequence[Question], role: str, raw: Mapping[str, Any], tags: TagIndex | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the answers of someone enrolling with ``role`` to a program's ``questions``.

    ``raw`` maps question keys to what was given. Returns the answers to store (by key; not
    answered questions left out) and the problems, by question key, each message naming the
    question. A key that is not a question asked of ``role`` is a problem too.
    """
    asked = {q.key: q for q in questions if q.asks(role)}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, question in asked.items():
        try:
            value = check_answer(question, raw.get(key), tags)
        except AnswerProblem as exc:
            problems[key] = named(question, str(exc))
        else:
            if value is not None:
                values[key] = value
    for key in raw:
        if key not in asked:
            problems[key] = f"“{key}” is not a question this program asks of this role"
    return values, problems
