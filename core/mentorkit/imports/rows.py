"""Checking each line of a participants CSV on its own, and the file's lines against each other.

Nothing here reads the database: the service hands in what the checks need (the program's
roles and questions, the tag vocabulary, read once) and checks the lines against the
database itself (``service.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from mentorkit.accounts.services import normalise_email
from mentorkit.accounts.time_zones import is_time_zone
from mentorkit.imports.csv_reader import ANSWER_PREFIX, Problem
from mentorkit.profiles.vocabulary import TagIndex, normalise, split_labels
from mentorkit.programs.questions import Question, check_answers
from mentorkit.schemas import Email, Name, control_problem

CAPACITY_MIN, CAPACITY_MAX = 1, 50
HEADLINE_MAX, DEPARTMENT_MAX = 150, 100


class Line(msgspec.Struct, kw_only=True):
    """One good line: a person (by e-mail address) enrolling with one role."""

    number: int
    email: str
    display_name: str
    role: str
    capacity: int | None
    time_zone: str | None
    offered: list[str]
    sought: list[str]
    headline: str
    department: str
    answers: dict[str, Any]


class Rules(msgspec.Struct, frozen=True, kw_only=True):
    """What a line is checked against: ``roles`` maps each spelling of a role (its key and
    labels, normalised) to the key."""

    roles: dict[str, str]
    role_names: str
    questions: Sequence[Question]
    tags: TagIndex


def _text(value: str, column: str, limit: int, problems: list[Problem], number: int) -> str:
    text = value.strip()
    if len(text) > limit:
        problems.append(Problem(line=number, column=column,
                                message=f"must be at most {limit} characters (got {len(text)})"))
    elif problem := control_problem(text):
        problems.append(Problem(line=number, column=column, message=problem))
    return text


def _tags(value: str, column: str, tags: TagIndex, problems: list[Problem], number: int) -> list[str]:
    keys, unknown = tags.canonical(split_labels(value))
    if unknown:
        problems.append(Problem(line=number, column=column,
                                message="unknown tags: " + ", ".join(unknown)
                                + " (ask a site admin to add them to the vocabulary, or use a synonym)"))
    return keys


def check_line(number: int, names: list[str], cells: list[str], rules: Rules) -> tuple[Line | None, list[Problem]]:
    """The line as a ``Line``, or None and every problem it has (column by column)."""
    problems: list[Problem] = []
    if len(cells) != len(names):
        return None, [Problem(line=number, column=None,
                              message=f"has {len(cells)} cells; the header has {len(names)} columns")]
    cell = dict(zip(names, cells, strict=True))
    get = lambda name: cell.get(name, "").strip()  # noqa: E731 - a local shorthand

    email = normalise_email(cell["email"])
    try:
        msgspec.convert(email, Email)
    except msgspec.ValidationError:
        problems.append(Problem(line=number, column="email",
                                message=f"“{cell['email'].strip()}” is not an e-mail address" if email
                                else "is required"))
    display_name = get("display_name")
    if display_name:
        try:
            msgspec.convert(display_name, Name)
        except msgspec.ValidationError:
            problems.append(Problem(line=number, column="display_name",
                                    message="must be one line of at most 100 characters"))
    raw_role = get("role")
    role = rules.roles.get(normalise(raw_role))
    if role is None:
        problems.append(Problem(line=number, column="role",
                                message=(f"“{raw_role}” is not a role of this program" if raw_role else "is required")
                                + f" (roles: {rules.role_names})"))
    capacity: int | None = None
    if raw := get("capacity"):
        if raw.isdigit() and CAPACITY_MIN <= int(raw) <= CAPACITY_MAX:
            capacity = int(raw)
        else:
            problems.append(Problem(line=number, column="capacity",
                                    message=f"must be a whole number from {CAPACITY_MIN} to {CAPACITY_MAX}"))
    time_zone = get("time_zone") or None
    if time_zone and not is_time_zone(time_zone):
        problems.append(Problem(line=number, column="time_zone",
                                message=f"“{time_zone}” is not a time zone; use a name like Europe/Berlin"))
    offered = _tags(get("skills_offered"), "skills_offered", rules.tags, problems, number)
    sought = _tags(get("skills_sought"), "skills_sought", rules.tags, problems, number)
    headline = _text(cell.get("headline", ""), "headline", HEADLINE_MAX, problems, number)
    department = _text(cell.get("department", ""), "department", DEPARTMENT_MAX, problems, number)
    answers: dict[str, Any] = {}
    if role is not None:
        asked = {q.key for q in rules.questions if q.asks(role)}
        given = {name[len(ANSWER_PREFIX):]: value for name, value in cell.items() if name.startswith(ANSWER_PREFIX)}
        # A column for a question this role is not asked is fine when the cell is empty (one
        # file holds mentors and mentees); an answer in it is a problem.
        raw_answers = {key: value for key, value in given.items() if key in asked or value.strip()}
        answers, answer_problems = check_answers(rules.questions, role, raw_answers, rules.tags)
        problems.extend(Problem(line=number, column=ANSWER_PREFIX + key, message=message)
                        for key, message in answer_problems.items())
    if problems or role is None:
        return None, problems
    return Line(number=number, email=email, display_name=display_name, role=role, capacity=capacity,
                time_zone=time_zone, offered=offered, sought=sought, headline=headline,
                department=department, answers=answers), []


def duplicate_problems(lines: Sequence[Line]) -> list[Problem]:
    """The same person with the same role on two lines: both lines named, each pointing at
    the other."""
    first: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    reported: set[int] = set()
    for line in lines:
        key = (line.email, line.role)
        if key not in first:
            first[key] = line.number
            continue
        earlier = first[key]
        if earlier not in reported:
            reported.add(earlier)
            problems.append(Problem(line=earlier, column="email",
                                    message=f"{line.email} with this role is also on line {line.number}"))
        problems.append(Problem(line=line.number, column="email",
                                message=f"{line.email} with this role is already on line {earlier}"))
    return problems
