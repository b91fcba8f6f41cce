"""Objects plugins register through ``register_*`` hooks: formats, strategies, channels.

They are plain frozen dataclasses holding callables, so a plugin builds one with keyword
arguments and the core can add optional fields later without breaking anybody.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec


class EmptySettings(msgspec.Struct, forbid_unknown_fields=True):
    """Settings of an object that has none."""


@dataclass(frozen=True)
class RoleSlot:
    """A role in a relationship of some format, and how many members may hold it.

    ``label`` and ``plural`` are what pages show for the role ("Co-supervisor",
    "Co-supervisors"); ``plural`` left empty is ``label`` + "s".
    """

    role: str
    label: str
    min_members: int = 1
    max_members: int = 1
    plural: str = ""

    def __post_init__(self) -> None:
        if not self.plural:
            object.__setattr__(self, "plural", self.label + "s")


@dataclass(frozen=True)
class ProgramFormat:
    """A mentoring format: which roles a relationship has (1:1, group, peer, reverse ...)."""

    key: str
    label: str
    roles: Sequence[RoleSlot]
    description: str = ""
    # Matching direction: "senior_mentors" (classic) or "junior_mentors" (reverse mentoring).
    seniority_direction: str = "senior_mentors"
    settings: type[msgspec.Struct] = EmptySettings

    def role_keys(self) -> list[str]:
        """The role names members of this format can enrol with."""
        return [slot.role for slot in self.roles]

    def validate_members(self, roles_by_member: Sequence[str]) -> list[str]:
        """Problems with a proposed relationship whose members hold these roles."""
        problems = []
        for slot in self.roles:
            count = sum(1 for role in roles_by_member if role == slot.role)
            if not slot.min_members <= count <= slot.max_members:
                wanted = (
                    str(slot.min_members) if slot.min_members == slot.max_members
                    else f"{slot.min_members} to {slot.max_members}"
                )
                problems.append(f"a {self.label} relationship needs {wanted} {slot.label}(s), got {count}")
        unknown = sorted(set(roles_by_member) - set(self.role_keys()))
        if unknown:
            problems.append(f"roles not in the {self.label} format: {', '.join(unknown)}")
        return problems


@dataclass(frozen=True)
class MatchProposal:
    """One proposed relationship: enrolment ids per role, a score and why."""

    members: dict[str, list[int]]
    score: float = 0.0
    explanation: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchingStrategy:
    """A way of proposing matches. ``propose`` is async and never touches the database."""

    key: str
    label: str
    description: str = ""
    # True when a coordinator chooses the pairs by hand (the strategy proposes nothing itself).
    manual: bool = False
    propose: Callable[[Any, Any], Awaitable[list[MatchProposal]]] | None = None
    settings: type[msgspec.Struct] = EmptySettings


@dataclass(frozen=True)
class Message:
    """A notification for one person, rendered and ready for a channel."""

    recipient_id: int
    recipient_email: str
    subject: str
    body: str
    key: str
    link: str | None = None


@dataclass(frozen=True)
class NotificationChannel:
    """A way of reaching people. ``send`` raises to ask for a retry."""

    key: str
    label: str
    send: Callable[[Message], Awaitable[None]]
    settings: type[msgspec.Struct] = EmptySettings
