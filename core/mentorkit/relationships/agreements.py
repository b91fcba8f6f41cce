"""The mentoring agreement: what the members of a relationship agree to, versioned and confirmed.

* A program's **template** (``Program.agreement_template``) is the starting text: set by its
  coordinators, else the format's (``ProgramFormat.agreement``), else the core's defaults
  (``AgreementTerms()``), with the end date taken from the program when it has one.
* A relationship's **agreement** starts as that template (version 1, not yet stored). A
  member edits it; an edit after anyone confirmed the current version makes a new version
  (earlier versions and their confirmations stay), an edit before that replaces the text.
* Each member **confirms** the current version once; it is agreed when every member has.
* Members read the text; coordinators see versions and who confirmed, never the text.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from mentorkit.contracts import AgreementTerms
from mentorkit.db import transaction
from mentorkit.db.values import as_json
from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.programs.services import Actor, _program_row, require_coordinator
from mentorkit.programs.tables import Program
from mentorkit.relationships import schemas
from mentorkit.relationships.reads import relationship_by_id, viewer_of
from mentorkit.relationships.tables import Agreement, AgreementConfirmation
from mentorkit.runtime import current_runtime

# States in which the members still shape their agreement.
EDITABLE_STATES = ("pending", "active", "paused")


def _terms(value: Any) -> AgreementTerms:
    return msgspec.convert(as_json(value) or {}, AgreementTerms)


def _stored(terms: AgreementTerms) -> str:
    return json.dumps(msgspec.to_builtins(terms))


def template_for(program: dict[str, Any]) -> AgreementTerms:
    """The program's agreement template: its own, the format's, or the core's; ending on the
    program's end date unless the template names one."""
    stored = as_json(program.get("agreement_template")) or {}
    if stored:
        terms = _terms(stored)
    else:
        fmt = current_runtime().formats.get(program["format"])
        terms = fmt.agreement if fmt is not None and fmt.agreement is not None else AgreementTerms()
    ends_on = program.get("ends_on")
    if terms.ends_on is None and ends_on is not None:
        ends_on = dt.date.fromisoformat(ends_on) if isinstance(ends_on, str) else ends_on
        terms = msgspec.structs.replace(terms, ends_on=ends_on)
    return terms


def _problems(terms: AgreementTerms) -> dict[str, str]:
    problems = {}
    for field in ("meeting_frequency", "channel", "confidentiality", "expectations"):
        if not getattr(terms, field).strip():
            problems[field] = "write what you agree to (a few words will do)"
    for index, section in enumerate(terms.sections):
        if not section.title.strip():
            problems[f"sections.{index}.title"] = "give the section a title"
    return problems


async def program_template(program_id: int, actor: Actor) -> AgreementTerms:
    """A program's agreement template (its coordinators and site admins)."""
    return template_for(await require_coordinator(program_id, actor))


async def set_program_template(program_id: int, terms: AgreementTerms, actor: Actor) -> AgreementTerms:
    """Change a program's agreement template; relationships whose agreement exists keep it.
    Emits ``program.updated`` (fields: agreement_template)."""
    if problems := _problems(terms):
        raise ValidationFailed(problems)
    async with transaction():
        program = await require_coordinator(program_id, actor)
        if program["state"] == "archived":
            raise ConflictError("the program is archived; restore it to change it")
        await Program.update({Program.agreement_template: _stored(terms), Program.updated_at: utcnow()}).where(
            Program.id == program_id)
        await emit("program.updated", f"program:{program_id}", {"fields": ["agreement_template"]},
                   actor_id=actor.id)
    return await program_template(program_id, actor)


async def _versions(relationship_id: int) -> list[dict[str, Any]]:
    return list(await Agreement.select(
        *Agreement.all_columns(), Agreement.created_by.display_name.as_alias("created_by_name"),
    ).where(Agreement.relationship == relationship_id).order_by(Agreement.version))


async def _confirmations(agreement_ids: list[int]) -> list[dict[str, Any]]:
    if not agreement_ids:
        return []
    return list(await AgreementConfirmation.select(
        AgreementConfirmation.agreement, AgreementConfirmation.user, AgreementConfirmation.confirmed_at,
        AgreementConfirmation.user.display_name.as_alias("display_name"),
    ).where(AgreementConfirmation.agreement.is_in(agreement_ids)).order_by(AgreementConfirmation.id))


async def get_agreement(relationship_id: int, actor: Actor) -> schemas.AgreementView:
    """The relationship's agreement: its current version (the program's template as version 1
    until a member edits or confirms it), who confirmed it, and earlier versions. Members get
    the text; coordinators and site admins ``terms=None``."""
    relationship = await relationship_by_id(relationship_id)
    viewer = await viewer_of(relationship, actor)
    return await agreement_view(relationship, viewer, actor)


async def agreement_view(relationship: schemas.Relationship, viewer: str, actor: Actor) -> schemas.AgreementView:
    """``get_agreement`` for a relationship already read and a viewer already known
    ("member" or "coordinator"): the relationship page reads them once for every section."""
    versions = await _versions(relationship.id)
    confirmations = await _confirmations([v["id"] for v in versions])
    if versions:
        current = versions[-1]
        terms = _terms(current["terms"])
    else:
        current, terms = None, template_for(await _program_row(relationship.program_id))

    def confirmed(agreement_id: int | None) -> list[schemas.AgreementConfirmation]:
        return [schemas.AgreementConfirmation(user_id=c["user"], display_name=c["display_name"],
                                              confirmed_at=c["confirmed_at"])
                for c in confirmations if c["agreement"] == agreement_id]

    current_confirmations = confirmed(current["id"] if current else None)
    confirmed_ids = {c.user_id for c in current_confirmations}
    return schemas.AgreementView(
        relationship_id=relationship.id,
        version=current["version"] if current else 1,
        stored=current is not None,
        terms=terms if viewer == "member" else None,
        confirmations=current_confirmations,
        waiting_for=[m.display_name for m in relationship.members if m.user_id not in confirmed_ids],
        agreed=bool(relationship.members) and all(m.user_id in confirmed_ids for m in relationship.members),
        updated_at=current["created_at"] if current else None,
        updated_by_name=current["created_by_name"] if current else None,
        can_edit=viewer == "member" and relationship.state in EDITABLE_STATES,
        can_confirm=viewer == "member" and relationship.state in EDITABLE_STATES and actor.id not in confirmed_ids,
        earlier=[schemas.AgreementVersion(version=v["version"], created_at=v["created_at"],
                                          created_by_name=v["created_by_name"], confirmations=confirmed(v["id"]),
                                          terms=_terms(v["terms"]) if viewer == "member" else None)
                 for v in versions[:-1]],
    )


async def _member_may_change(relationship: schemas.Relationship, actor: Actor) -> None:
    if await viewer_of(relationship, actor) != "member":
        raise PermissionDenied("only the members of a relationship write and confirm its agreement")
    if relationship.state not in EDITABLE_STATES:
        raise ConflictError(f"the agreement can change while the relationship waits for acceptance, is active "
                            f"or paused; it is {relationship.state.replace('_', ' ')}")


async def _store(relationship: schemas.Relationship, terms: AgreementTerms, actor: Actor) -> tuple[int, int]:
    """Store ``terms`` as the current version, or as a new one when anyone confirmed the
    current one; returns the agreement's id and version."""
    versions = await _versions(relationship.id)
    current = versions[-1] if versions else None
    if current is not None and not await AgreementConfirmation.exists().where(
            AgreementConfirmation.agreement == current["id"]):
        await Agreement.update({Agreement.terms: _stored(terms), Agreement.created_by: actor.id,
                                Agreement.created_at: utcnow()}).where(Agreement.id == current["id"])
        return current["id"], current["version"]
    version = current["version"] + 1 if current else 1
    rows = await Agreement.insert(Agreement(
        relationship=relationship.id, version=version, terms=_stored(terms),
        version_key=f"{relationship.id}:{version}", created_by=actor.id, created_at=utcnow(),
    )).returning(Agreement.id)
    return rows[0]["id"], version


async def update_agreement(relationship_id: int, terms: AgreementTerms, actor: Actor) -> schemas.AgreementView:
    """A member changes the agreement's text. After anyone confirmed the current version this
    is a new version that every member confirms again. Emits ``agreement.updated``."""
    if problems := _problems(terms):
        raise ValidationFailed(problems)
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        await _member_may_change(relationship, actor)
        _, version = await _store(relationship, terms, actor)
        await emit("agreement.updated", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "version": version}, actor_id=actor.id)
        return await agreement_view(relationship, "member", actor)


async def confirm_agreement(relationship_id: int, version: int, actor: Actor) -> schemas.AgreementView:
    """A member confirms the current ``version`` of the agreement (once). Emits
    ``agreement.confirmed`` (with ``agreed`` true when every member has)."""
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        await _member_may_change(relationship, actor)
        view = await agreement_view(relationship, "member", actor)
        if version != view.version:
            raise ConflictError(f"version {view.version} is the current agreement; read it, then confirm it")
        mine = next((c for c in view.confirmations if c.user_id == actor.id), None)
        if mine is not None:
            raise ConflictError(f"you confirmed version {version} on {mine.confirmed_at:%Y-%m-%d}")
        if view.stored:
            agreement_id = (await _versions(relationship_id))[-1]["id"]
        else:
            agreement_id, _ = await _store(relationship, view.terms or AgreementTerms(), actor)
        await AgreementConfirmation.insert(AgreementConfirmation(
            agreement=agreement_id, user=actor.id, confirmation_key=f"{agreement_id}:{actor.id}",
            confirmed_at=utcnow()))
        after = await agreement_view(relationship, "member", actor)
        await emit("agreement.confirmed", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "version": version, "user_id": actor.id,
                    "agreed": after.agreed}, actor_id=actor.id)
    return after
