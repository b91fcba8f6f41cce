"""Who may read which profile field: the reader's ties to each person, in one statement.

A field's visibility is ``signed_in`` (everyone signed in), ``members`` (the reader and the
person share a program: each has a live enrolment in it or staffs it) or ``staff`` (the
reader coordinates or observes a program the person has a live enrolment in). Staff of such a
program are members too. The person themselves, site admins and the system actor read
everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mentorkit.profiles.schemas import DEFAULT_VISIBILITY

# The reader's programs (live enrolments and staff roles) and the ones they staff; then,
# per person, whether they share one of the first and are enrolled in one of the second.
# The person's own row and profile come along, so a page of profiles is this one statement
# plus one for the skills.
_PROFILES = """
    WITH mine AS (
        SELECT program FROM mentorkit_enrolment WHERE "user" = {} AND active_key IS NOT NULL
        UNION SELECT program FROM mentorkit_program_staff WHERE "user" = {}
    ), staffed AS (
        SELECT program FROM mentorkit_program_staff WHERE "user" = {}
    )
    SELECT u.id AS id, u.display_name AS display_name, u.time_zone AS time_zone,
           p.headline AS headline, p.bio AS bio, p.photo AS photo, p.seniority AS seniority,
           p.years_experience AS years_experience, p.department AS department,
           p.languages AS languages, p.links AS links, p.availability AS availability,
           p.visibility AS visibility,
           (EXISTS (SELECT 1 FROM mentorkit_enrolment e
                    WHERE e."user" = u.id AND e.active_key IS NOT NULL AND e.program IN (SELECT program FROM mine))
            OR EXISTS (SELECT 1 FROM mentorkit_program_staff s
                       WHERE s."user" = u.id AND s.program IN (SELECT program FROM mine))) AS member,
           EXISTS (SELECT 1 FROM mentorkit_enrolment e
                   WHERE e."user" = u.id AND e.active_key IS NOT NULL
                     AND e.program IN (SELECT program FROM staffed)) AS staff
    FROM mentorkit_user u LEFT JOIN mentorkit_profile p ON p."user" = u.id
    WHERE u.active = {} AND u.id IN ({ids})
    ORDER BY u.id
"""


def profiles_sql(count: int) -> str:
    """The statement for ``count`` ids (compiled once per count and engine)."""
    return _PROFILES.replace("{ids}", ", ".join(["{}"] * count))


def field_levels(stored: Mapping[str, Any] | None) -> dict[str, str]:
    """Each field's visibility: the person's choice, else the default."""
    levels = dict(DEFAULT_VISIBILITY)
    for name, level in (stored or {}).items():
        if name in levels and level in ("signed_in", "members", "staff"):
            levels[name] = level
    return levels


def visible_fields(levels: Mapping[str, str], *, member: bool, staff: bool, everything: bool) -> set[str]:
    """The fields a reader with these ties may see."""
    if everything:
        return set(levels)
    allowed = {"signed_in"} | ({"members"} if member or staff else set()) | ({"staff"} if staff else set())
    return {name for name, level in levels.items() if level in allowed}


def reader_ids(actor_id: int | None, user_ids: Sequence[int]) -> list[Any]:
    """The statement's parameters for a reader (no one, for the system actor) and the ids."""
    reader = actor_id if actor_id is not None else 0  # 0 is no account: the system has no ties
    return [reader, reader, reader, True, *user_ids]
