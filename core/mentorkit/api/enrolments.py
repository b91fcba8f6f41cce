"""Enrolment through the same services as the join page, the coordinators' pages and the API:
questions, applications, invitation links, a person's enrolment and the
answers a viewer may read. (Joining is ``mentorkit.api.enrol``, in ``api/programs.py``.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mentorkit.api.actors import Actor
from mentorkit.programs import enrolments, invitations
from mentorkit.programs import question_services as questions
from mentorkit.programs.enrolment_schemas import (
    Answer,
    EnrolmentDetail,
    Invitation,
    InvitationCreate,
)
from mentorkit.programs.questions import Question
from mentorkit.programs.schemas import Enrolment


async def list_questions(program_id: int, actor: Actor, *, role: str | None = None) -> list[Question]:
    """A program's enrolment questions in order (with ``role``: those asked of it), plugins'
    questions synced first (their ``source`` names the plugin). Anyone who may read the program;
    ``NotFound`` for a draft the actor may not know."""
    return await questions.list_questions(program_id, actor, role)


async def get_enrolment(program_id: int, enrolment_id: int, actor: Actor) -> EnrolmentDetail:
    """One enrolment with its decision, capacity, pause, waitlist place and the answers the
    actor may read: the person, the program's coordinators, site admins and the system actor
    (``NotFound`` for anyone else)."""
    return await enrolments.get_enrolment(program_id, enrolment_id, actor)


async def update_enrolment(program_id: int, enrolment_id: int, actor: Actor, *, capacity: int | None = None,
                           paused: bool | None = None, answers: Mapping[str, Any] | None = None) -> EnrolmentDetail:
    """Change a live enrolment: ``capacity`` (1 to 50 relationships at once), ``paused`` (takes
    no new matches), ``answers`` (the questions named; checked like at joining). The person or a
    coordinator. Emits ``enrolment.updated`` with the fields that changed."""
    if answers is not None:
        await enrolments.update_answers(program_id, enrolment_id, dict(answers), actor)
    return await enrolments.update_enrolment(program_id, enrolment_id, actor, capacity=capacity, paused=paused)


async def approve_application(program_id: int, enrolment_id: int, actor: Actor) -> Enrolment:
    """Approve an application (coordinators, site admins, the system actor): ``active``, or
    ``waitlisted`` when the role is full. The applicant is notified. Emits ``enrolment.approved``."""
    return await enrolments.approve_application(program_id, enrolment_id, actor)


async def decline_application(program_id: int, enrolment_id: int, reason: str, actor: Actor, *,
                              note: str = "") -> Enrolment:
    """Decline an application or a waitlisted place with ``reason`` (``full``, ``criteria``,
    ``incomplete`` or ``other``) and an optional ``note``; the person is notified with both.
    Emits ``enrolment.declined``."""
    return await enrolments.decline_application(program_id, enrolment_id, reason, note, actor)


async def visible_answers(enrolment_id: int, viewer: Actor) -> list[Answer]:
    """The answers of an enrolment ``viewer`` may read, in question order: every one for the
    person, the program's coordinators, site admins and the system actor; for someone active in
    the program, those whose question lists their role in ``visible_roles``; none otherwise."""
    return await enrolments.visible_answers(enrolment_id, viewer)


async def create_invitation(program_id: int, actor: Actor, *, label: str = "", role: str | None = None,
                            expires_in_days: int = 30, max_uses: int | None = None) -> Invitation:
    """Make an invitation link to the program (coordinators, site admins, the system actor):
    for ``role`` or any role, expiring in 1 to 365 days, ``max_uses`` people or unlimited. The
    answer's ``link`` is the full address. Emits ``program.invitation_created``."""
    from mentorkit.errors import ValidationFailed

    if not 1 <= expires_in_days <= 365:
        raise ValidationFailed({"expires_in_days": "must be from 1 to 365"})
    if max_uses is not None and max_uses < 1:
        raise ValidationFailed({"max_uses": "must be 1 or more (None: unlimited)"})
    data = InvitationCreate(label=label, role=role, expires_in_days=expires_in_days, max_uses=max_uses)
    return await invitations.create_invitation(program_id, data, actor)


async def revoke_invitation(program_id: int, invitation_id: int, actor: Actor) -> Invitation:
    """Revoke an invitation link: nobody can join with it any more; who joined stays. Emits
    ``program.invitation_revoked``."""
    return await invitations.revoke_invitation(program_id, invitation_id, actor)
