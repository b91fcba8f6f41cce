"""People: who someone is (display name, time zone), as far as the actor may know them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from mentorkit.api.actors import Actor
from mentorkit.api.paging import MAX_LIMIT
from mentorkit.errors import NotFound, ValidationFailed


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A person with an active account.

    ``email`` is filled for the person themselves, site admins and the system actor only;
    everyone else gets None.
    """

    id: int
    display_name: str
    time_zone: str
    email: str | None = None


def _known_to(actor: Actor) -> Any:
    """Who a person may look up: themselves, their relationship partners, and the people
    enrolled in or staffing the programs they staff (the people core pages show them)."""
    from mentorkit.accounts.tables import User
    from mentorkit.programs.tables import Enrolment, ProgramStaff
    from mentorkit.relationships.tables import RelationshipMember

    theirs = RelationshipMember.select(RelationshipMember.relationship).where(RelationshipMember.user == actor.id)
    partners = RelationshipMember.select(RelationshipMember.user).where(RelationshipMember.relationship.is_in(theirs))
    staffed = ProgramStaff.select(ProgramStaff.program).where(ProgramStaff.user == actor.id)
    enrolled = Enrolment.select(Enrolment.user).where(Enrolment.program.is_in(staffed))
    colleagues = ProgramStaff.select(ProgramStaff.user).where(ProgramStaff.program.is_in(staffed))
    return ((User.id == actor.id) | User.id.is_in(partners) | User.id.is_in(enrolled)
            | User.id.is_in(colleagues))


async def get_people(user_ids: Sequence[int], actor: Actor) -> list[Person]:
    """The people among ``user_ids`` the actor may know, in one statement, in id order.

    Ids of unknown, deactivated or hidden accounts are left out (nothing tells them apart).
    At most ``MAX_LIMIT`` ids at once.
    """
    from mentorkit.accounts.tables import User

    if len(user_ids) > MAX_LIMIT:
        raise ValidationFailed({"user_ids": f"at most {MAX_LIMIT} at once"})
    if not user_ids:
        return []
    where = User.id.is_in(list(user_ids)) & User.active.eq(True)
    if not actor.is_admin:
        where = where & _known_to(actor)
    rows = await User.select(User.id, User.display_name, User.time_zone, User.email).where(where).order_by(User.id)
    sees_email = actor.is_admin  # site admins and the system actor
    return [Person(id=row["id"], display_name=row["display_name"], time_zone=row["time_zone"],
                   email=row["email"] if sees_email or row["id"] == actor.id else None) for row in rows]


async def get_person(user_id: int, actor: Actor) -> Person:
    """One person the actor may know; ``NotFound`` otherwise."""
    found = await get_people([user_id], actor)
    if not found:
        raise NotFound("no such person")
    return found[0]
