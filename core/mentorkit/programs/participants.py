"""A program's participant list for its coordinators: search, filters and paging, all in SQL.

One page costs a fixed number of statements whatever the program's size: the question named
by an answer filter (one), the tag vocabulary when that question takes tags (one), and the
page itself with the total count (one, ``COUNT(*) OVER ()``). Answers are JSON documents, so
an answer filter compares their JSON text: a choice or a tag is found as a quoted JSON string
(inside a list for multiple choices and tags), written both the ways a JSON encoder may
write non-ASCII text (and, for a single choice, as the bare text a JSON column may keep when
handed a string), so it matches whoever stored the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, cast

import msgspec

from mentorkit.api.paging import check_page
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_json, as_utc
from mentorkit.errors import ValidationFailed
from mentorkit.profiles.vocabulary import normalise, tag_index
from mentorkit.programs.schemas import Participant, ParticipantPage
from mentorkit.programs.services import Actor, require_coordinator
from mentorkit.runtime import current_runtime

STATES = ("active", "applied", "waitlisted", "declined", "withdrawn")
LIVE_STATES = ("active", "applied", "waitlisted")
# Words of a search, at most (each must appear in the name or the e-mail address).
MAX_WORDS = 5
_ESCAPE = "!"
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")

_MATCHED = """EXISTS (SELECT 1 FROM mentorkit_relationship_member m
    JOIN mentorkit_relationship r ON r.id = m.relationship
    WHERE m.enrolment = e.id AND r.state IN ('proposed', 'pending', 'active', 'paused'))"""

_QUESTION = """SELECT id, kind, choices FROM mentorkit_program_question WHERE program = {} AND key = {}"""


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """What the list is narrowed to. ``state``: ``""``/``"live"`` (active, applied,
    waitlisted), ``"any"``, or one enrolment state; ``matched``: None for both."""

    q: str = ""
    role: str = ""
    state: str = ""
    matched: bool | None = None
    question: str = ""
    answer: str = ""


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its wildcards escaped."""
    for char in (_ESCAPE, "%", "_"):
        text = text.replace(char, _ESCAPE + char)
    return f"%{text}%"


def _encodings(value: str) -> list[str]:
    """The JSON text of a string as either kind of encoder writes it."""
    return list(dict.fromkeys([json.dumps(value), json.dumps(value, ensure_ascii=False)]))


async def _answer_condition(program_id: int, filters: Filters) -> tuple[str, list[Any]]:
    """The SQL condition (and its values) for the answer filter; ``ValidationFailed`` names
    the parameter when the question is unknown or the answer cannot be one of its answers."""
    rows = await fetch(_QUESTION, program_id, filters.question)
    if not rows:
        raise ValidationFailed({"question": "is not a question of this program"})
    question_id, kind = int(rows[0]["id"]), str(rows[0]["kind"])
    answer = filters.answer.strip()
    if not answer:
        raise ValidationFailed({"answer": "give the answer to look for"})
    values: list[Any] = [question_id]
    column = "CAST(a.value AS TEXT)"
    if kind in ("short_text", "long_text"):
        patterns = [_like(answer.casefold()), _like(json.dumps(answer.casefold())[1:-1])]
        test = " OR ".join(f"LOWER({column}) LIKE {{}} ESCAPE '{_ESCAPE}'" for _ in patterns)
        values += patterns
    elif kind == "scale":
        if not _WHOLE_NUMBER.fullmatch(answer):
            raise ValidationFailed({"answer": "must be a whole number for this question"})
        test = f"{column} = {{}}"
        values.append(str(int(answer)))
    else:
        if kind == "tags":
            key = (await tag_index()).resolve(answer)
            if key is None:
                raise ValidationFailed({"answer": "is not a tag of the vocabulary (nor a synonym of one)"})
            answer = key
        else:  # a choice: the question's own spelling of it
            choices = as_json(rows[0]["choices"], [])
            answer = next((c for c in choices if normalise(str(c)) == normalise(answer)), answer)
        patterns = [_like(text) for text in _encodings(answer)]
        if kind == "single_choice":
            # A JSON column handed a bare string may keep it as it is: that spelling too.
            patterns = [*_encodings(answer), answer]
            test = " OR ".join(f"{column} = {{}}" for _ in patterns)
        else:
            test = " OR ".join(f"{column} LIKE {{}} ESCAPE '{_ESCAPE}'" for _ in patterns)
        values += patterns
    condition = f"""EXISTS (SELECT 1 FROM mentorkit_enrolment_answer a
        WHERE a.enrolment = e.id AND a.question = {{}} AND ({test}))"""
    return condition, values


def _roles_named(format_key: str, word: str) -> list[str]:
    """The format's roles whose key or label (singular or plural) contains ``word``."""
    fmt = current_runtime().formats.get(format_key)
    return [slot.role for slot in (fmt.roles if fmt else [])
            if word in f"{slot.role} {slot.role.replace('_', ' ')} {slot.label} {slot.plural}".casefold()]


async def search(program_id: int, filters: Filters, actor: Actor, *, limit: int = 50,
                 offset: int = 0) -> ParticipantPage:
    """One page of the program's participants matching ``filters``, oldest enrolment first
    (``q``: every word in the name, the e-mail address or the role),
    with how many match in all: coordinators and site admins only (names and e-mails)."""
    check_page(limit, offset)
    row = await require_coordinator(program_id, actor)
    conditions = ["e.program = {}"]
    values: list[Any] = [program_id]
    for word in filters.q.casefold().split()[:MAX_WORDS]:
        # A word may also name a role, by its key or its label ("doctoral" finds doctoral students).
        roles = _roles_named(row["format"], word)
        in_roles = f" OR e.role IN ({', '.join('{}' for _ in roles)})" if roles else ""
        conditions.append(f"(LOWER(u.display_name) LIKE {{}} ESCAPE '{_ESCAPE}'"
                          f" OR LOWER(u.email) LIKE {{}} ESCAPE '{_ESCAPE}'{in_roles})")
        values += [_like(word), _like(word), *roles]
    if filters.role:
        conditions.append("e.role = {}")
        values.append(filters.role)
    state = filters.state or "live"
    if state == "live":
        conditions.append("e.state IN ('active', 'applied', 'waitlisted')")
    elif state in STATES:
        conditions.append("e.state = {}")
        values.append(state)
    elif state != "any":
        raise ValidationFailed({"state": f"must be live, any or one of: {', '.join(STATES)}"})
    if filters.matched is not None:
        conditions.append(_MATCHED if filters.matched else f"NOT {_MATCHED}")
    if filters.question or filters.answer:
        if not filters.question:
            raise ValidationFailed({"question": "choose the question whose answer to look for"})
        condition, more = await _answer_condition(program_id, filters)
        conditions.append(condition)
        values += more
    statement = f"""
        SELECT e.id AS id, e."user" AS user_id, u.display_name AS display_name, u.email AS email,
               e.role AS role, e.state AS state, e.created_at AS created_at,
               CASE WHEN {_MATCHED} THEN 1 ELSE 0 END AS matched, COUNT(*) OVER () AS total
        FROM mentorkit_enrolment e JOIN mentorkit_user u ON u.id = e."user"
        WHERE {" AND ".join(conditions)}
        ORDER BY e.id LIMIT {{}} OFFSET {{}}
    """
    rows = await fetch(statement, *values, limit, offset)
    items = [
        Participant(
            enrolment_id=int(r["id"]), user_id=int(r["user_id"]), display_name=r["display_name"], email=r["email"],
            role=r["role"], state=r["state"], created_at=cast(dt.datetime, as_utc(r["created_at"])),
            matched=bool(r["matched"]),
        )
        for r in rows
    ]
    total = int(rows[0]["total"]) if rows else 0
    if not rows and offset:  # past the end: the count comes from the first page
        total = (await search(program_id, filters, actor, limit=1, offset=0)).total
    return ParticipantPage(items=items, total=total, limit=limit, offset=offset,
                           next_offset=offset + limit if offset + limit < total else None)
