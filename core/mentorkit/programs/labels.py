"""What people read instead of a format's keys: role and format labels.

Pages, forms, flash messages and notifications name roles and formats only through these
helpers (templates through the globals ``role_label`` and ``format_label``), so a format's
``RoleSlot.label`` and ``plural`` and its ``label`` are shown everywhere and a raw key
(``co_supervisor``, ``one_to_one``) never is.
"""

from __future__ import annotations

from mentorkit.contracts import RoleSlot
from mentorkit.runtime import current_runtime


def _slot(format_key: str, role: str) -> RoleSlot | None:
    fmt = current_runtime().formats.get(format_key)
    return next((slot for slot in fmt.roles if slot.role == role), None) if fmt else None


def role_label(format_key: str, role: str, plural: bool = False) -> str:
    """The label of ``role`` in the format ``format_key`` ("Co-supervisor"; with ``plural``,
    "Co-supervisors"), as the format writes it. A role whose format is not installed (or that
    the format no longer has) is its key in words ("co supervisor")."""
    slot = _slot(format_key, role)
    if slot is None:
        words = role.replace("_", " ")
        return words + "s" if plural else words
    return slot.plural if plural else slot.label


async def program_role_label(program_id: int, role: str, plural: bool = False) -> str:
    """``role_label`` for a role in the program ``program_id`` (reads the program's format),
    for messages about an enrolment, which does not carry its format."""
    from mentorkit.programs.tables import Program

    row = await Program.select(Program.format).where(Program.id == program_id).first()
    return role_label(row["format"] if row else "", role, plural)


def format_label(format_key: str) -> str:
    """The label of a format ("1:1 mentoring"); its key in words when it is not installed."""
    fmt = current_runtime().formats.get(format_key)
    return fmt.label if fmt else format_key.replace("_", " ")


def upper_first(text: str) -> str:
    """``text`` with its first letter capitalised and the rest as written, for a label that
    starts a heading, a table cell or a sentence ("mentor" → "Mentor", "PhD student" stays)."""
    return text[:1].upper() + text[1:]
