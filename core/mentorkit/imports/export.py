"""The participants CSV: one row per live enrolment, with skills and answers, spreadsheet-safe.

The columns are the import's (``docs/import.md``), so an exported file can be imported again
(into the next cohort, or another site). ``state`` is there to read; the import ignores it.

Spreadsheet-safe: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be run as a formula by Excel or LibreOffice (``=cmd|' /C calc'!A0``), so it gets a
leading ``'``, which spreadsheets show as nothing more than "this is text". Plain numbers
(``-3``) are left alone: they are not formulas. The file is UTF-8 with a BOM, which Excel
needs to read UTF-8.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from typing import Any

from mentorkit.db.reads import fetch
from mentorkit.db.values import as_json
from mentorkit.imports.csv_reader import ANSWER_PREFIX
from mentorkit.profiles.vocabulary import tag_index
from mentorkit.programs.labels import role_label
from mentorkit.programs.question_services import program_questions
from mentorkit.programs.services import Actor, require_coordinator

BOM = "\ufeff"
COLUMNS = ["email", "display_name", "role", "state", "capacity", "time_zone", "skills_offered",
           "skills_sought", "headline", "department"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
LIST_SEPARATOR = "; "

_ENROLMENTS = """
    SELECT e.id AS id, e."user" AS user_id, e.role AS role, e.state AS state, e.capacity AS capacity,
           u.email AS email, u.display_name AS display_name, u.time_zone AS time_zone,
           p.headline AS headline, p.department AS department
    FROM mentorkit_enrolment e JOIN mentorkit_user u ON u.id = e."user"
    LEFT JOIN mentorkit_profile p ON p."user" = e."user"
    WHERE e.program = {} AND e.active_key IS NOT NULL
    ORDER BY e.id
"""
_TAGS = """
    SELECT pt."user" AS user_id, pt.kind AS kind, t.key AS key
    FROM mentorkit_profile_tag pt JOIN mentorkit_tag t ON t.id = pt.tag
    WHERE pt."user" IN (SELECT "user" FROM mentorkit_enrolment WHERE program = {} AND active_key IS NOT NULL)
    ORDER BY pt.id
"""
_ANSWERS = """
    SELECT a.enrolment AS enrolment, q.key AS key, a.value AS value
    FROM mentorkit_enrolment_answer a JOIN mentorkit_program_question q ON q.id = a.question
    JOIN mentorkit_enrolment e ON e.id = a.enrolment
    WHERE e.program = {} AND e.active_key IS NOT NULL
"""


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet will take it as text, never as a formula."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _cell(value: Any, labels: Any = None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(labels(item) if labels else item) for item in value)
    return str(value)


async def participants_csv(program_id: int, actor: Actor) -> tuple[str, str]:
    """The program's live enrolments as CSV text (with the BOM), and a file name for it.
    Coordinators and site admins."""
    program = await require_coordinator(program_id, actor)
    questions = await program_questions(program)
    tags = await tag_index()
    skills: dict[tuple[int, str], list[str]] = defaultdict(list)
    for row in await fetch(_TAGS, program_id):
        skills[(row["user_id"], row["kind"])].append(row["key"])
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in await fetch(_ANSWERS, program_id):
        answers[row["enrolment"]][row["key"]] = as_json(row["value"])
    tag_questions = {q.key for q in questions if q.kind == "tags"}

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS + [ANSWER_PREFIX + q.key for q in questions])
    for row in await fetch(_ENROLMENTS, program_id):
        cells = [
            row["email"], row["display_name"], role_label(program["format"], row["role"]), row["state"],
            _cell(row["capacity"]), row["time_zone"],
            _cell(skills[(row["user_id"], "offered")], tags.label),
            _cell(skills[(row["user_id"], "sought")], tags.label),
            row["headline"] or "", row["department"] or "",
        ]
        mine = answers.get(row["id"], {})
        cells += [_cell(mine.get(q.key), tags.label if q.key in tag_questions else None) for q in questions]
        writer.writerow([safe_cell(cell) for cell in cells])
    return f"{program['slug']}-participants.csv", BOM + out.getvalue()
