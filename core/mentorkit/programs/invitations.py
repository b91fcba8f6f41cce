"""Invitation links to a program: expiring, revocable, with a use limit.

A link's token is an HMAC of the site's secret key over ``program-invitation:<id>:<nonce>``;
only its hash is stored, so a leaked database holds no usable link, yet coordinators can be
shown the link again at any time. A use is counted in the enrolment's own transaction, by an
UPDATE whose WHERE re-checks expiry, revocation and the limit, so two people can never take
the last use together.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from mentorkit.accounts.tokens import derived_token, hash_token
from mentorkit.db import transaction
from mentorkit.db.values import as_utc
from mentorkit.errors import ConflictError, NotFound, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.programs import services
from mentorkit.programs.enrolment_schemas import Invitation, InvitationCreate
from mentorkit.programs.tables import ProgramInvitation
from mentorkit.runtime import current_runtime

PURPOSE = "program-invitation"


def _token(invitation_id: int, nonce: str) -> str:
    return derived_token(current_runtime().settings.secret_key, PURPOSE, invitation_id, nonce)


def invitation_link(token: str) -> str:
    """The address people open to join with this token."""
    return f"{current_runtime().settings.base_url}/join/{token}"


def status_of(row: dict[str, Any], now: dt.datetime | None = None) -> str:
    """"valid", "revoked", "expired" or "used up"."""
    now = now or utcnow()
    if row["revoked_at"] is not None:
        return "revoked"
    if as_utc(row["expires_at"]) <= now:  # type: ignore[operator]
        return "expired"
    if row["max_uses"] is not None and row["uses"] >= row["max_uses"]:
        return "used up"
    return "valid"


def _invitation(row: dict[str, Any]) -> Invitation:
    return Invitation(
        id=row["id"], program_id=row["program"], label=row["label"], role=row["role"], max_uses=row["max_uses"],
        uses=row["uses"], expires_at=as_utc(row["expires_at"]),  # type: ignore[arg-type]
        revoked_at=as_utc(row["revoked_at"]), created_at=as_utc(row["created_at"]),  # type: ignore[arg-type]
        link=invitation_link(_token(row["id"], row["nonce"])), status=status_of(row),
    )


async def create_invitation(program_id: int, data: InvitationCreate, actor: services.Actor) -> Invitation:
    """Make an invitation link (coordinators, site admins). Emits ``program.invitation_created``."""
    async with transaction():
        row = await services.require_coordinator(program_id, actor)
        roles = services.format_of(row).role_keys()
        if data.role is not None and data.role not in roles:
            raise ValidationFailed({"role": f"must be one of: {', '.join(roles)}"})
        nonce = secrets.token_hex(16)
        expires_at = utcnow() + dt.timedelta(days=data.expires_in_days)
        # The hash needs the id: insert with a unique placeholder, then store the real hash.
        inserted = await ProgramInvitation.insert(ProgramInvitation(
            program=program_id, token_hash=f"pending-{nonce}", nonce=nonce, label=data.label.strip(),
            role=data.role, max_uses=data.max_uses, expires_at=expires_at, created_by=actor.id,
        )).returning(ProgramInvitation.id)
        invitation_id = inserted[0]["id"]
        await ProgramInvitation.update({ProgramInvitation.token_hash: hash_token(_token(invitation_id, nonce))}).where(
            ProgramInvitation.id == invitation_id)
        await emit("program.invitation_created", f"program:{program_id}",
                   {"invitation_id": invitation_id, "role": data.role, "max_uses": data.max_uses,
                    "expires_at": expires_at.isoformat()}, actor_id=actor.id)
    return await get_invitation(program_id, invitation_id, actor)


async def get_invitation(program_id: int, invitation_id: int, actor: services.Actor) -> Invitation:
    """One invitation link of the program (coordinators, site admins)."""
    await services.require_coordinator(program_id, actor)
    row = await ProgramInvitation.select().where(
        (ProgramInvitation.id == invitation_id) & (ProgramInvitation.program == program_id)).first()
    if row is None:
        raise NotFound("no such invitation link")
    return _invitation(row)


async def list_invitations(program_id: int, actor: services.Actor, *, limit: int | None = None,
                           offset: int = 0) -> list[Invitation]:
    """The program's invitation links, newest first (coordinators, site admins)."""
    await services.require_coordinator(program_id, actor)
    query = ProgramInvitation.select().where(ProgramInvitation.program == program_id).order_by(
        ProgramInvitation.id, ascending=False)
    return [_invitation(row) for row in await services.page_of(query, limit, offset)]


async def revoke_invitation(program_id: int, invitation_id: int, actor: services.Actor) -> Invitation:
    """Revoke a link: nobody can join with it any more (who joined stays). Emits
    ``program.invitation_revoked``."""
    async with transaction():
        invitation = await get_invitation(program_id, invitation_id, actor)
        if invitation.revoked_at is not None:
            raise ConflictError("this invitation link is already revoked")
        await ProgramInvitation.update({ProgramInvitation.revoked_at: utcnow()}).where(
            ProgramInvitation.id == invitation_id)
        await emit("program.invitation_revoked", f"program:{program_id}", {"invitation_id": invitation_id},
                   actor_id=actor.id)
    return await get_invitation(program_id, invitation_id, actor)


async def invitation_by_token(token: str) -> dict[str, Any]:
    """The invitation row of a link's token; ``NotFound`` for a token nobody made."""
    row = await ProgramInvitation.select().where(ProgramInvitation.token_hash == hash_token(token)).first()
    if row is None:
        raise NotFound("this invitation link is not known; check that it was copied whole")
    return dict(row)


def unusable_reason(status: str) -> str:
    """Why a link cannot be used, for people."""
    return {
        "revoked": "this invitation link was revoked by the program's coordinators",
        "expired": "this invitation link has expired",
        "used up": "this invitation link has been used as many times as it allows",
    }.get(status, "this invitation link cannot be used")


async def use_invitation(token: str, program_id: int, role: str) -> int:
    """Count one use of the link for someone joining ``program_id`` with ``role``; returns the
    invitation's id. Call inside the enrolment's transaction (a refusal later undoes the use).
    ``ConflictError`` naming why when the link is for another program or role, or unusable."""
    row = await invitation_by_token(token)
    if row["program"] != program_id:
        raise ConflictError("this invitation link is for another program")
    if row["role"] is not None and row["role"] != role:
        from mentorkit.programs.labels import program_role_label

        role_name = await program_role_label(program_id, row["role"])
        raise ConflictError(f"this invitation link is for joining as {role_name}")
    now = utcnow()
    counted = await ProgramInvitation.update({ProgramInvitation.uses: ProgramInvitation.uses + 1}).where(
        (ProgramInvitation.id == row["id"])
        & ProgramInvitation.revoked_at.is_null()
        & (ProgramInvitation.expires_at > now)
        & (ProgramInvitation.max_uses.is_null() | (ProgramInvitation.uses < ProgramInvitation.max_uses))
    ).returning(ProgramInvitation.id)
    if not counted:
        raise ConflictError(unusable_reason(status_of(row, now)))
    return int(row["id"])
