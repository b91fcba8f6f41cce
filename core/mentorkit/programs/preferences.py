"""Matching preferences of one enrolment: a wish list and "not with" exclusions (one's own
manager, say), about other participants of the same program.

Who sees them: the enrolled person, and the program's coordinators (and site admins, and the
system actor a matching strategy runs as), who need both lists to match; observers and other
participants never do, not even that a list exists. Only the enrolled person changes them.
Rules: at most ``MAX_EACH`` wishes and ``MAX_EACH`` exclusions, a person on one list only,
never oneself, and only people with a live enrolment in the program in another role.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.errors import NotFound, PermissionDenied, ValidationFailed
from mentorkit.events.emit import emit
from mentorkit.programs.tables import EnrolmentPreference
from mentorkit.schemas import Id, Input

if TYPE_CHECKING:  # importing mentorkit.api here would import this module half-made
    from mentorkit.api.actors import Actor

MAX_EACH = 10
CANDIDATES_PAGE_SIZE = 20


class PreferencePerson(msgspec.Struct, frozen=True, kw_only=True):
    """Someone on a wish list or an exclusion list, with the role they are enrolled with."""

    user_id: int
    display_name: str
    role: str


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    """One enrolment's wish list (``wishes``) and "not with" list (``exclusions``)."""

    enrolment_id: int
    program_id: int
    user_id: int
    role: str
    wishes: list[PreferencePerson]
    exclusions: list[PreferencePerson]


class PreferencesUpdate(Input):
    """The whole of both lists, as user ids (replacing what was there)."""

    wishes: list[Id] = []
    exclusions: list[Id] = []


_ENROLMENT = """
    SELECT e.id AS id, e.program AS program, e."user" AS holder, e.role AS role, e.active_key AS live,
           s.role AS staff_role
    FROM mentorkit_enrolment e
    LEFT JOIN mentorkit_program_staff s ON s.program = e.program AND s."user" = {}
    WHERE e.id = {}
"""
# The people a preference may name: a live enrolment in the program in another role than the
# holder's, not the holder. Each person once (with one of their roles).
_CANDIDATES = """
    SELECT u.id AS user_id, u.display_name AS display_name, MIN(e.role) AS role
    FROM mentorkit_enrolment e JOIN mentorkit_user u ON u.id = e."user"
    WHERE e.program = {} AND e.active_key IS NOT NULL AND e.role != {} AND u.id != {} AND u.active = {}
      {extra}
    GROUP BY u.id, u.display_name
    ORDER BY LOWER(u.display_name), u.id
"""
_LISTED = """
    SELECT p.kind AS kind, u.id AS user_id, u.display_name AS display_name,
           (SELECT MIN(e.role) FROM mentorkit_enrolment e
            WHERE e.program = {} AND e."user" = u.id AND e.active_key IS NOT NULL) AS role
    FROM mentorkit_enrolment_preference p JOIN mentorkit_user u ON u.id = p.other
    WHERE p.enrolment = {}
    ORDER BY p.id
"""


async def _enrolment(enrolment_id: int, actor: Actor, program_id: int | None) -> tuple[Any, bool]:
    """The enrolment and whether the actor holds it; ``NotFound`` for anyone who may not see
    its preferences (observers and other participants among them)."""
    rows = await fetch(_ENROLMENT, actor.id if actor.id is not None else 0, enrolment_id)
    if not rows or (program_id is not None and rows[0]["program"] != program_id):
        raise NotFound("no such enrolment")
    row = rows[0]
    holder = actor.id is not None and row["holder"] == actor.id
    if not (holder or actor.is_admin or row["staff_role"] == "coordinator"):
        raise NotFound("no such enrolment")
    return row, holder


async def get_preferences(enrolment_id: int, actor: Actor, *, program_id: int | None = None) -> Preferences:
    """The enrolment's wish list and exclusions: for the enrolled person, the program's
    coordinators, site admins and ``SYSTEM``; ``NotFound`` for everyone else."""
    row, _ = await _enrolment(enrolment_id, actor, program_id)
    listed = await fetch(_LISTED, row["program"], enrolment_id)
    people = {kind: [PreferencePerson(user_id=r["user_id"], display_name=r["display_name"], role=r["role"] or "")
                     for r in listed if r["kind"] == kind] for kind in ("wish", "avoid")}
    return Preferences(enrolment_id=enrolment_id, program_id=row["program"], user_id=row["holder"],
                       role=row["role"], wishes=people["wish"], exclusions=people["avoid"])


async def require_holder(enrolment_id: int, actor: Actor, *, program_id: int | None = None) -> None:
    """``PermissionDenied`` unless the actor holds the enrolment (``NotFound`` if they may not
    know it): forms check this before reading what was sent."""
    _, holder = await _enrolment(enrolment_id, actor, program_id)
    if not holder:
        raise PermissionDenied("only the enrolled person chooses their preferences")


async def candidates(enrolment_id: int, actor: Actor, *, query: str = "", page: int = 1,
                     program_id: int | None = None) -> tuple[list[PreferencePerson], int, int]:
    """People the holder may put on a list (every word of ``query`` in their name), a page at a
    time: (people, page, pages). The holder only."""
    row, holder = await _enrolment(enrolment_id, actor, program_id)
    if not holder:
        raise PermissionDenied("only the enrolled person chooses their preferences")
    extra, params = "", []
    for word in query.split()[:5]:
        extra += " AND LOWER(u.display_name) LIKE {}"
        params.append(f"%{word.casefold()}%")
    sql = _CANDIDATES.replace("{extra}", extra)
    base = [row["program"], row["role"], row["holder"], True, *params]
    count = len(await fetch(sql, *base))
    pages = max(1, -(-count // CANDIDATES_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await fetch(sql + " LIMIT {} OFFSET {}", *base, CANDIDATES_PAGE_SIZE, (page - 1) * CANDIDATES_PAGE_SIZE)
    return [PreferencePerson(user_id=r["user_id"], display_name=r["display_name"], role=r["role"])
            for r in rows], page, pages


async def set_preferences(enrolment_id: int, wishes: Sequence[int], exclusions: Sequence[int], actor: Actor,
                          *, program_id: int | None = None) -> Preferences:
    """Replace both lists (the enrolled person only). Every problem is reported at once;
    emits ``enrolment.preferences_changed`` with the lists' sizes (never who is on them)."""
    row, holder = await _enrolment(enrolment_id, actor, program_id)
    if not holder:
        raise PermissionDenied("only the enrolled person chooses their preferences")
    if row["live"] is None:
        raise ValidationFailed({"__all__": "this enrolment has ended"})
    wishes, exclusions = list(dict.fromkeys(wishes)), list(dict.fromkeys(exclusions))
    problems: dict[str, str] = {}
    allowed = {r["user_id"] for r in await fetch(_CANDIDATES.replace("{extra}", ""), row["program"], row["role"],
                                                 row["holder"], True)}
    # Someone already listed may stay there after they withdrew; only new names must qualify.
    allowed |= {r["other"] for r in await EnrolmentPreference.select(EnrolmentPreference.other).where(
        EnrolmentPreference.enrolment == enrolment_id)}
    for field, ids in (("wishes", wishes), ("exclusions", exclusions)):
        if len(ids) > MAX_EACH:
            problems[field] = f"at most {MAX_EACH} people"
        elif row["holder"] in ids:
            problems[field] = "you cannot name yourself"
        elif not set(ids) <= allowed:
            problems[field] = "name only people taking part in this program in another role"
    if both := set(wishes) & set(exclusions):
        problems.setdefault("exclusions", f"{len(both)} {'person is' if len(both) == 1 else 'people are'} "
                                          "also on your wish list; a person can be on one list only")
    if problems:
        raise ValidationFailed(problems)
    async with transaction():
        await EnrolmentPreference.delete().where(EnrolmentPreference.enrolment == enrolment_id)
        rows = [EnrolmentPreference(enrolment=enrolment_id, other=other, kind=kind,
                                    preference_key=f"{enrolment_id}:{other}")
                for kind, ids in (("wish", wishes), ("avoid", exclusions)) for other in ids]
        if rows:
            await EnrolmentPreference.insert(*rows)
        await emit("enrolment.preferences_changed", f"enrolment:{enrolment_id}",
                   {"enrolment_id": enrolment_id, "wishes": len(wishes), "exclusions": len(exclusions)},
                   actor_id=actor.id)
    return await get_preferences(enrolment_id, actor)


async def add_preference(enrolment_id: int, other: int, kind: str, actor: Actor, *,
                         program_id: int | None = None) -> Preferences:
    """Put one person on the wish list (``wish``) or the exclusions (``avoid``); moving them
    from the other list if they were there."""
    current = await get_preferences(enrolment_id, actor, program_id=program_id)
    wishes = [p.user_id for p in current.wishes if p.user_id != other]
    exclusions = [p.user_id for p in current.exclusions if p.user_id != other]
    (wishes if kind == "wish" else exclusions).append(other)
    return await set_preferences(enrolment_id, wishes, exclusions, actor, program_id=program_id)


async def remove_preference(enrolment_id: int, other: int, actor: Actor, *,
                            program_id: int | None = None) -> Preferences:
    """Take one person off whichever list they are on."""
    current = await get_preferences(enrolment_id, actor, program_id=program_id)
    return await set_preferences(enrolment_id, [p.user_id for p in current.wishes if p.user_id != other],
                                 [p.user_id for p in current.exclusions if p.user_id != other], actor,
                                 program_id=program_id)
