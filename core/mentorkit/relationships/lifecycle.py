"""The relationship lifecycle: proposing a match, answering it, pausing, ending, re-matching.

```
proposed ──publish──▶ pending ──everyone asked accepts──▶ active ⇄ paused ──▶ completed
    │                    │ ╲                                 │         ╲
    └──▶ cancelled ◀─────┘  ╲──▶ declined                    └──────────▶ ended_early ──▶ re-match
```

* A coordinator (or a matching strategy) proposes a match. Kept as a draft it is
  ``proposed`` and nobody is told; otherwise it is ``pending`` when the program asks for
  acceptance (``Program.acceptance``: the format's first role, or every member) and
  ``active`` at once when it does not.
* A pending match waits ``Program.acceptance_days``; a member who is asked may ask the others
  questions first, accept, or decline with a listed reason. Unanswered, a timer cancels it.
* Every change goes through ``_change``: allowed by ``RELATIONSHIP_TRANSITIONS`` and by who
  the actor is (``_WHO``), refused or extended by the format and by plugins, stored as a
  transition (actor, time, listed reason, own words) and emitted as an event, in one
  transaction.
* Capacity: a role that takes several relationships (``RoleSlot.takes_capacity``) holds at
  most its enrolment's capacity (or the program's default) of open relationships, and none
  while paused; other roles hold one at a time. Checked whenever a match is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from mentorkit.contracts import PairingContext, ProgramFormat
from mentorkit.db import transaction
from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.events import emit, schedule, utcnow
from mentorkit.notifications.services import notify
from mentorkit.programs.services import (
    OPEN_STATES,
    Actor,
    _program_row,
    format_of,
    program_from_row,
    require_coordinator,
)
from mentorkit.programs.tables import Enrolment, Program
from mentorkit.relationships import schemas
from mentorkit.relationships.reads import relationship_by_id, viewer_of
from mentorkit.relationships.tables import (
    Relationship,
    RelationshipInquiry,
    RelationshipMember,
    RelationshipTransition,
)
from mentorkit.runtime import current_runtime

# Which state may follow which: the one place that says so.
RELATIONSHIP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("pending", "active", "cancelled"),
    "pending": ("active", "declined", "cancelled"),
    "active": ("paused", "completed", "ended_early"),
    "paused": ("active", "completed", "ended_early"),
    "completed": (),
    "ended_early": (),
    "declined": (),
    "cancelled": (),
}
# States that hold the members (their open key, their capacity): not yet ended.
OPEN_RELATIONSHIP_STATES = ("proposed", "pending", "active", "paused")
ENDED_STATES = ("completed", "ended_early", "declined", "cancelled")
# Every relationship is born a proposal; the first transition leaves it.
CREATED_FROM = "proposed"
STATE_LABELS = {
    "proposed": "proposed (draft)", "pending": "waiting for acceptance", "active": "active", "paused": "paused",
    "completed": "completed", "ended_early": "ended early", "declined": "declined", "cancelled": "cancelled",
}
# The reasons people pick from (the forms' lists); "other" needs words of one's own.
DECLINE_REASONS = {
    "no_time": "I can't take this on right now",
    "not_a_fit": "Our goals or skills don't fit",
    "expertise": "I don't have the expertise asked for",
    "conflict": "A conflict of interest",
    "other": "Another reason",
}
END_REASONS = {
    "schedule": "We couldn't find time to meet",
    "not_a_fit": "It wasn't a good fit",
    "goals_met": "The goals were met early",
    "left": "Someone left the program or the organisation",
    "unresponsive": "A member stopped responding",
    "other": "Another reason",
}
# Reasons only the system gives (not in the forms' lists).
SYSTEM_REASONS = {
    "expired": "Nobody answered in time",
    "program_closed": "The program was closed",
}
REASON_LABELS = {**DECLINE_REASONS, **END_REASONS, **SYSTEM_REASONS}
# Who may make each change: "member", "coordinator" (a coordinator of the program, a site
# admin, the system actor), "requester" (the member who asked for a self-matched match). A
# proposal starts only through acceptance (``accept``) or its publication by a coordinator
# when the program asks for none.
_BOTH = frozenset({"member", "coordinator"})
_WHO: dict[tuple[str, str], frozenset[str]] = {
    ("proposed", "pending"): frozenset({"coordinator"}),
    ("proposed", "active"): frozenset({"coordinator"}),
    ("proposed", "cancelled"): frozenset({"coordinator"}),
    ("pending", "active"): frozenset(),
    ("pending", "declined"): frozenset({"member"}),
    # A coordinator cancels a pending match; the person who requested it withdraws it.
    ("pending", "cancelled"): frozenset({"coordinator", "requester"}),
    ("active", "paused"): _BOTH,
    ("paused", "active"): _BOTH,
    ("active", "completed"): _BOTH,
    ("paused", "completed"): _BOTH,
    ("active", "ended_early"): _BOTH,
    ("paused", "ended_early"): _BOTH,
}
# A pause is for a while: at most a year ahead.
LONGEST_PAUSE = dt.timedelta(days=366)
EXPIRY_EVENT = "relationship.acceptance_expired"


def state_label(state: str) -> str:
    """The words for a state ("waiting for acceptance")."""
    return STATE_LABELS.get(state, state.replace("_", " "))


def open_key(program_id: int, user_ids: Sequence[int]) -> str:
    """The key that stops the same people holding two open relationships in one program."""
    return f"{program_id}:" + ",".join(str(u) for u in sorted(user_ids))


def asked_roles(program: Any, fmt: ProgramFormat | None, *, requested: bool = False) -> list[str]:
    """The roles whose members must accept a new relationship of this program; every role for
    a requested (self-matched) match, whose requester accepted by asking."""
    if fmt is None:
        return []
    if requested:
        return fmt.role_keys()
    acceptance = program["acceptance"] if isinstance(program, dict) else program.acceptance
    if acceptance == "none":
        return []
    if acceptance == "one_sided":
        return [fmt.roles[0].role]
    return fmt.role_keys()


# --------------------------------------------------------------------------- rules


async def _check_transition(relationship: schemas.Relationship, old: str, new: str, actor: Actor) -> None:
    """Refuse (409) when the relationship's format or any plugin refuses the change.

    The format's own rule comes first; a format that is no longer installed has no rules, so
    its relationships can still be completed."""
    runtime = current_runtime()
    refusals = []
    fmt = runtime.formats.get(relationship.format)
    if fmt is not None and (reason := await fmt.transition_refusal(relationship, old, new, actor)):
        refusals.append(reason)
    refusals += await runtime.hooks.relationship_transition_refusals(relationship, old, new, actor)
    if refusals:
        raise ConflictError("refused: " + "; ".join(refusals))


def _reason_problems(new: str, reason_code: str, reason: str) -> dict[str, str]:
    """Declining and ending early name a listed reason; "other" needs words of one's own."""
    listed = DECLINE_REASONS if new == "declined" else END_REASONS if new == "ended_early" else None
    if listed is None:
        return {}
    if not reason_code:
        return {"reason_code": "choose a reason from the list"}
    if reason_code not in listed and reason_code not in SYSTEM_REASONS:
        return {"reason_code": f"is not one of the reasons ({', '.join(listed)})"}
    if reason_code == "other" and not reason.strip():
        return {"reason": "say in a few words why (the reason is “Another reason”)"}
    return {}


def _pause_problems(resume_on: dt.date | None, today: dt.date) -> dict[str, str]:
    if resume_on is None:
        return {"resume_on": "give the day you expect to resume"}
    if resume_on <= today:
        return {"resume_on": f"must be after today ({today.isoformat()})"}
    if resume_on > today + LONGEST_PAUSE:
        return {"resume_on": "must be within a year; end the relationship if it cannot go on"}
    return {}


async def capacity_problems(program: dict[str, Any], fmt: ProgramFormat, enrolments: Sequence[dict[str, Any]],
                            names: dict[int, str]) -> list[str]:
    """Why these enrolments cannot take one more open relationship (empty when they can)."""
    counts = await _open_counts([e["id"] for e in enrolments])
    problems = []
    for enrolment in enrolments:
        slot = next((s for s in fmt.roles if s.role == enrolment["role"]), None)
        name = names.get(enrolment["user"], "someone")
        held = counts.get(enrolment["id"], 0)
        if slot is not None and not slot.takes_capacity:
            if held:
                problems.append(f"{name} is already in an open relationship in this program")
            continue
        if enrolment["paused"]:
            problems.append(f"{name} has paused taking new relationships")
            continue
        capacity = enrolment["capacity"] or program["default_capacity"]
        if held >= capacity:
            problems.append(f"{name} already has {held} open relationship{'s' if held != 1 else ''}, "
                            f"their capacity ({capacity})")
    return problems


async def _open_counts(enrolment_ids: list[int]) -> dict[int, int]:
    rows = await RelationshipMember.select(RelationshipMember.enrolment, RelationshipMember.relationship).where(
        RelationshipMember.enrolment.is_in(enrolment_ids)
        & RelationshipMember.relationship.is_in(
            Relationship.select(Relationship.id).where(Relationship.state.is_in(list(OPEN_RELATIONSHIP_STATES))))
    ) if enrolment_ids else []
    counts: dict[int, int] = {}
    for row in rows:
        counts[row["enrolment"]] = counts.get(row["enrolment"], 0) + 1
    return counts


# --------------------------------------------------------------------------- proposing


async def pair(
    program_id: int,
    enrolment_ids: list[int],
    actor: Actor,
    *,
    strategy: str = "manual",
    reason: str = "",
    draft: bool = False,
    rematch_of: int | None = None,
) -> schemas.Relationship:
    """Propose a relationship of enrolments of one program (coordinators, admins, the system).

    It starts at once when the program asks for no acceptance, waits for the asked members
    otherwise (``pending``), and stays a ``proposed`` draft nobody is told about with
    ``draft``. The format checks the roles (and its ``validate_members``), capacities are
    checked, the format's ``allow_transition`` and every plugin's ``relationship_transition``
    may refuse, and the same people cannot hold two open relationships in one program. The
    format's ``on_relationship_created`` runs in the same transaction.
    """
    if len(set(enrolment_ids)) != len(enrolment_ids):
        raise ValidationFailed({"enrolment_ids": "lists an enrolment twice"})
    if strategy not in current_runtime().strategies:
        raise ValidationFailed({"strategy": f"{strategy!r} is not an installed matching strategy"})
    async with transaction():
        program = await require_coordinator(program_id, actor)
        return await propose(program, enrolment_ids, actor, strategy=strategy, reason=reason, draft=draft,
                             rematch_of=rematch_of)


async def propose(program: dict[str, Any], enrolment_ids: list[int], actor: Actor, *, strategy: str,
                  reason: str = "", draft: bool = False, rematch_of: int | None = None,
                  requested_by: int | None = None, request_message: str = "") -> schemas.Relationship:
    """Create the relationship ``pair`` describes, inside the caller's transaction, once the
    caller has checked who may (``pair``: a coordinator; ``self_matching.request_match``:
    the participant whose suggestion it is, ``requested_by``, whose acceptance is recorded now:
    the match waits for the others, whatever the program's acceptance setting).

    The enrolments are locked first (PostgreSQL: ``FOR UPDATE``; SQLite writes one
    transaction at a time), so two matches made at once for the last place of the same person
    cannot both pass the capacity check."""
    program_id = program["id"]
    if program["state"] not in OPEN_STATES:
        raise ConflictError(f"the program is {program['state']}; pair people while it is enrolling or running")
    fmt = format_of(program)
    await _lock_enrolments(enrolment_ids)
    rows = await _enrolments(program_id, enrolment_ids)
    user_ids = [row["user"] for row in rows]
    if len(set(user_ids)) != len(user_ids):
        raise ValidationFailed({"enrolment_ids": "a person cannot be paired with themselves"})
    key = open_key(program_id, user_ids)
    now = utcnow()
    names = {row["user"]: row["display_name"] for row in rows}
    requested = requested_by is not None
    target = CREATED_FROM if draft else "pending" if asked_roles(program, fmt, requested=requested) else "active"
    proposal = schemas.Relationship(
        id=0, program_id=program_id, program_name=program["name"], format=fmt.key, state=CREATED_FROM,
        source=strategy, created_at=now, ended_at=None, rematch_of=rematch_of,
        members=[schemas.Member(user_id=r["user"], display_name=r["display_name"], role=r["role"],
                                accepted_at=now if r["user"] == requested_by else None, enrolment_id=r["id"])
                 for r in rows],
        requested_by=requested_by,
    )
    context = PairingContext(program=program_from_row(program), relationship=proposal, actor=actor)
    if problems := await fmt.member_problems(proposal.members, context):
        raise ValidationFailed({"enrolment_ids": "; ".join(problems)})
    if await Relationship.exists().where(Relationship.open_key == key):
        raise ConflictError("these people already have an open relationship in this program")
    if problems := await capacity_problems(program, fmt, rows, names):
        raise ConflictError("; ".join(problems))
    if not draft:
        await _check_transition(proposal, CREATED_FROM, target, actor)
    inserted = await Relationship.insert(Relationship(
        program=program_id, format=fmt.key, state=target, source=strategy, open_key=key,
        created_by=actor.id, created_at=now, rematch_of=rematch_of, requested_by=requested_by,
        request_message=request_message,
    )).returning(Relationship.id)
    relationship_id = inserted[0]["id"]
    await RelationshipMember.insert(*[
        RelationshipMember(relationship=relationship_id, enrolment=r["id"], user=r["user"], role=r["role"],
                           accepted_at=now if r["user"] == requested_by else None)
        for r in rows
    ])
    await emit(
        "relationship.created",
        f"relationship:{relationship_id}",
        {
            "program_id": program_id, "format": fmt.key, "source": strategy, "state": target,
            "rematch_of": rematch_of,
            "members": [{"user_id": r["user"], "role": r["role"], "enrolment_id": r["id"]} for r in rows],
        },
        actor_id=actor.id,
    )
    if requested:
        # No message in the event: events reach every plugin.
        requester = next(r for r in rows if r["user"] == requested_by)
        await emit("relationship.requested", f"relationship:{relationship_id}",
                   {"program_id": program_id, "user_id": requested_by, "role": requester["role"],
                    "enrolment_id": requester["id"],
                    "partner_enrolment_ids": [r["id"] for r in rows if r["user"] != requested_by]},
                   actor_id=actor.id)
    if not draft:
        await _record(relationship_id, program, CREATED_FROM, target, actor, reason=reason, now=now,
                      announce=False)
    created = await relationship_by_id(relationship_id)
    await fmt.relationship_created(created, actor)
    return created


_LOCK_ENROLMENTS = "SELECT id FROM mentorkit_enrolment WHERE id IN ({ids}) ORDER BY id FOR UPDATE"


async def _lock_enrolments(enrolment_ids: Sequence[int]) -> None:
    """Lock the enrolments' rows until the transaction ends (PostgreSQL), in id order so two
    transactions never wait for each other; SQLite runs one writing transaction at a time."""
    from mentorkit.db.reads import fetch
    from mentorkit.events.emit import database_engine

    if database_engine() == "postgres" and enrolment_ids:
        ids = sorted(set(enrolment_ids))
        await fetch(_LOCK_ENROLMENTS.replace("{ids}", ", ".join(["{}"] * len(ids))), *ids)


async def _enrolments(program_id: int, enrolment_ids: list[int]) -> list[dict[str, Any]]:
    """The active enrolments of the program with these ids, with their people's names and
    e-mail addresses; a field error unless every id is one."""
    rows = list(await Enrolment.select(
        *Enrolment.all_columns(), Enrolment.user.display_name.as_alias("display_name"),
        Enrolment.user.email.as_alias("email"),
    ).where(
        Enrolment.id.is_in(enrolment_ids) & (Enrolment.program == program_id) & (Enrolment.state == "active")
    ).order_by(Enrolment.id))
    if len(rows) != len(enrolment_ids):
        raise ValidationFailed({"enrolment_ids": "every enrolment must be an active enrolment of this program"})
    return rows


# --------------------------------------------------------------------------- changing state


async def _record(relationship_id: int, program: dict[str, Any], old: str, new: str, actor: Actor, *,
                  reason: str = "", reason_code: str = "", now: dt.datetime,
                  resume_on: dt.date | None = None, announce: bool = True) -> None:
    """Store the transition, emit its event (``announce``: a new relationship has
    ``relationship.created`` instead), and do what entering ``new`` brings: the acceptance
    window and its timer, the members' requests to answer."""
    await RelationshipTransition.insert(RelationshipTransition(
        relationship=relationship_id, from_state=old, to_state=new, actor=actor.id, reason=reason,
        reason_code=reason_code, at=now,
    ))
    if announce:
        payload: dict[str, Any] = {"program_id": program["id"], "from": old, "to": new, "reason_code": reason_code}
        if resume_on is not None:
            payload["resume_on"] = resume_on.isoformat()
        await emit("relationship.state_changed", f"relationship:{relationship_id}", payload, actor_id=actor.id)
    if new == "pending":
        await _open_acceptance(relationship_id, program, now)
    if new == "active" and old in ("proposed", "pending"):
        from mentorkit.journeys.services import start_journey

        await start_journey(await relationship_by_id(relationship_id), program, now.date())


async def _open_acceptance(relationship_id: int, program: dict[str, Any], now: dt.datetime) -> None:
    accept_by = now + dt.timedelta(days=program["acceptance_days"])
    await Relationship.update({Relationship.accept_by: accept_by}).where(Relationship.id == relationship_id)
    # The key names the deadline: a timer of an earlier window can never cancel a later one.
    await schedule(f"relationship:{relationship_id}:accept-by:{accept_by.isoformat()}", accept_by, EXPIRY_EVENT,
                   f"relationship:{relationship_id}",
                   {"relationship_id": relationship_id, "accept_by": accept_by.isoformat()})
    relationship = await relationship_by_id(relationship_id)
    asked = _asked_roles_of(relationship, program)
    waiting = [m.user_id for m in relationship.members if m.role in asked and m.accepted_at is None]
    requester = next((m for m in relationship.members if m.user_id == relationship.requested_by), None)
    if requester is not None:
        await _tell_members(relationship, waiting, "request",
                            f"{requester.display_name} asked to be matched with you in {program['name']}",
                            f"Read their message on the relationship's page. Please accept or decline by "
                            f"{accept_by:%Y-%m-%d}; you can ask a question first.")
        return
    await _tell_members(relationship, waiting,
                        "match", f"A match is waiting for your answer in {program['name']}",
                        f"You have been matched in {program['name']}. Please accept or decline by "
                        f"{accept_by:%Y-%m-%d}; you can ask a question first.")


def _asked_roles_of(relationship: schemas.Relationship, program: Any) -> list[str]:
    """The roles whose members must accept this relationship (every role of a request)."""
    return asked_roles(program, current_runtime().formats.get(relationship.format),
                       requested=relationship.requested_by is not None)


async def _tell_members(relationship: schemas.Relationship, user_ids: Sequence[int], what: str, subject: str,
                        body: str) -> None:
    """An in-app notification (and whatever channels are installed) to these members."""
    from mentorkit.accounts.tables import User

    if not user_ids:
        return
    rows = await User.select(User.id, User.email).where(User.id.is_in(list(user_ids)))
    for row in rows:
        await notify(key=f"relationship:{relationship.id}:{what}:{row['id']}:{utcnow().timestamp()}",
                     email=row["email"], subject=subject, body=body, user_id=row["id"],
                     link=f"/relationships/{relationship.id}")


async def _change(relationship_id: int, new: str, actor: Actor, *, reason: str = "", reason_code: str = "",
                  resume_on: dt.date | None = None, expected: str | None = None,
                  by_acceptance: bool = False) -> schemas.Relationship:
    """The one place relationship state changes (inside the caller's transaction)."""
    relationship = await relationship_by_id(relationship_id)
    viewer = await viewer_of(relationship, actor)
    old = relationship.state
    if expected is not None and old != expected:
        raise ConflictError(f"the relationship is {state_label(old)}, not {state_label(expected)}")
    if new not in RELATIONSHIP_TRANSITIONS.get(old, ()):
        raise ConflictError(f"a relationship that is {state_label(old)} cannot become {state_label(new)}")
    if not by_acceptance and not _standing(relationship, viewer, actor) & _WHO.get((old, new), frozenset()):
        raise PermissionDenied(_who_message(old, new))
    problems = _reason_problems(new, reason_code, reason)
    now = utcnow()
    if new == "paused":
        problems.update(_pause_problems(resume_on, now.date()))
    if problems:
        raise ValidationFailed(problems)
    await _check_transition(relationship, old, new, actor)
    program = await _program_row(relationship.program_id)
    values: dict[Any, Any] = {Relationship.state: new}
    if new in ENDED_STATES:
        values.update({Relationship.open_key: None, Relationship.ended_at: now})
    if old == "pending":
        values[Relationship.accept_by] = None
    values[Relationship.resume_on] = resume_on if new == "paused" else None
    changed = await Relationship.update(values).where(
        (Relationship.id == relationship_id) & (Relationship.state == old)).returning(Relationship.id)
    if not changed:
        raise ConflictError("the relationship changed meanwhile; reload and try again")
    await _record(relationship_id, program, old, new, actor, reason=reason, reason_code=reason_code, now=now,
                  resume_on=resume_on if new == "paused" else None)
    changed_relationship = await relationship_by_id(relationship_id)
    fmt = current_runtime().formats.get(relationship.format)
    if fmt is not None:
        await fmt.relationship_transitioned(changed_relationship, old, new, actor)
    return changed_relationship


def _standing(relationship: schemas.Relationship, viewer: str, actor: Actor) -> frozenset[str]:
    """Who the actor is to the relationship in ``_WHO``'s terms: the viewer ("member",
    "coordinator"), and "requester" too for the member who asked for it."""
    if viewer == "member" and actor.id is not None and relationship.requested_by == actor.id:
        return frozenset({viewer, "requester"})
    return frozenset({viewer})


def _who_message(old: str, new: str) -> str:
    who = _WHO.get((old, new), frozenset())
    if who == {"coordinator"}:
        return f"only the program's coordinators may make a relationship {state_label(new)} from {state_label(old)}"
    if who == {"coordinator", "requester"}:
        return (f"only the program's coordinators, or the person who requested the match, may make a relationship "
                f"{state_label(new)} from {state_label(old)}")
    if who == {"member"}:
        return f"only the members may make the relationship {state_label(new)}"
    return "a proposed match starts when the members asked accept it"


async def transition_relationship(relationship_id: int, new: str, actor: Actor, reason: str = "", *,
                                  reason_code: str = "", resume_on: dt.date | None = None) -> schemas.Relationship:
    """Move a relationship along ``RELATIONSHIP_TRANSITIONS`` as ``_WHO`` allows the actor
    (a member; a coordinator of its program, a site admin or the system): declining and ending
    early need a listed ``reason_code``, pausing a ``resume_on`` after today. The format and
    plugins may refuse; the change is stored with its reason and emitted as
    ``relationship.state_changed``. Only the members asked to accept may decline, as with
    ``decline_relationship``."""
    async with transaction():
        if new == "declined":
            await _asked_member(await relationship_by_id(relationship_id), actor)
        return await _change(relationship_id, new, actor, reason=reason, reason_code=reason_code,
                             resume_on=resume_on)


async def complete_relationship(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """Close a relationship as completed (a member, a coordinator of its program, an admin)."""
    return await transition_relationship(relationship_id, "completed", actor, reason)


async def end_relationship_early(relationship_id: int, actor: Actor, reason_code: str,
                                 reason: str = "") -> schemas.Relationship:
    """End a relationship early, when it cannot go on (a member, a coordinator, an admin), with
    a reason from ``END_REASONS`` ("other" needs ``reason``)."""
    return await transition_relationship(relationship_id, "ended_early", actor, reason, reason_code=reason_code)


async def pause_relationship(relationship_id: int, actor: Actor, resume_on: dt.date | None,
                             reason: str = "") -> schemas.Relationship:
    """Pause an active relationship until ``resume_on`` (after today, within a year)."""
    return await transition_relationship(relationship_id, "paused", actor, reason, resume_on=resume_on)


async def resume_relationship(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """Resume a paused relationship (any day, the expected one or not)."""
    async with transaction():
        return await _change(relationship_id, "active", actor, reason=reason, expected="paused")


async def cancel_relationship(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """Withdraw a proposed or pending match before it starts (coordinators, admins)."""
    async with transaction():
        return await _change(relationship_id, "cancelled", actor, reason=reason)


async def withdraw_request(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """The member who requested a match (self-matching) withdraws it while it waits for the
    other members' answer: it is cancelled and everyone is back in the pool."""
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        await viewer_of(relationship, actor)
        if relationship.requested_by is None:
            raise ConflictError("only a requested match can be withdrawn; this one was made by the program")
        if relationship.requested_by != actor.id:
            raise PermissionDenied("only the person who requested this match may withdraw the request; "
                                   "decline it instead")
        return await _change(relationship_id, "cancelled", actor, reason=reason, expected="pending")


async def publish_relationship(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """Publish a draft proposal: it waits for acceptance, or starts when the program asks for
    none (coordinators, admins)."""
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        program = await _program_row(relationship.program_id)
        target = "pending" if asked_roles(program, current_runtime().formats.get(relationship.format)) else "active"
        return await _change(relationship_id, target, actor, reason=reason, expected="proposed")


# --------------------------------------------------------------------------- answering


async def _asked_member(relationship: schemas.Relationship, actor: Actor) -> schemas.Member:
    """The actor as a member whose answer the pending match waits for; refusals say why."""
    member = next((m for m in relationship.members if m.user_id == actor.id), None)
    if member is None:
        raise PermissionDenied("only the members of a match answer it")
    if relationship.state != "pending":
        raise ConflictError("only a match waiting for acceptance can be answered; "
                            f"it is {state_label(relationship.state)}")
    program = await _program_row(relationship.program_id)
    if relationship.requested_by == actor.id:
        raise PermissionDenied("you asked for this match: it waits for the other members' answer "
                               "(you may withdraw your request)")
    if member.role not in _asked_roles_of(relationship, program):
        raise PermissionDenied("this program does not ask your role to accept matches")
    return member


async def accept_relationship(relationship_id: int, actor: Actor, reason: str = "") -> schemas.Relationship:
    """A member who is asked accepts a pending match; when the last one asked has, it starts
    (``relationship.accepted``, then ``relationship.state_changed`` to active)."""
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        member = await _asked_member(relationship, actor)
        if member.accepted_at is not None:
            raise ConflictError(f"you accepted this match on {member.accepted_at:%Y-%m-%d}")
        now = utcnow()
        await RelationshipMember.update({RelationshipMember.accepted_at: now}).where(
            (RelationshipMember.relationship == relationship_id) & (RelationshipMember.user == actor.id))
        await emit("relationship.accepted", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "user_id": actor.id, "role": member.role},
                   actor_id=actor.id)
        program = await _program_row(relationship.program_id)
        asked = _asked_roles_of(relationship, program)
        waiting = [m for m in relationship.members
                   if m.role in asked and m.accepted_at is None and m.user_id != actor.id]
        if waiting:
            return await relationship_by_id(relationship_id)
        return await _change(relationship_id, "active", actor, reason=reason, by_acceptance=True)


async def decline_relationship(relationship_id: int, actor: Actor, reason_code: str,
                               reason: str = "") -> schemas.Relationship:
    """A member who is asked declines a pending match, with a reason from ``DECLINE_REASONS``
    ("other" needs ``reason``). The people return to the pool."""
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        await _asked_member(relationship, actor)
        return await _change(relationship_id, "declined", actor, reason=reason, reason_code=reason_code)


async def expire_acceptance(relationship_id: int, accept_by: str) -> bool:
    """Cancel a match nobody answered by ``accept_by`` (the timer's deadline); nothing when it
    was answered, or given a new deadline, meanwhile. True when it was cancelled."""
    from mentorkit.api.actors import SYSTEM

    async with transaction():
        row = await Relationship.select(Relationship.state, Relationship.accept_by).where(
            Relationship.id == relationship_id).first()
        if row is None or row["state"] != "pending" or row["accept_by"] is None:
            return False
        if abs((row["accept_by"] - dt.datetime.fromisoformat(accept_by)).total_seconds()) > 1:
            return False
        await _change(relationship_id, "cancelled", SYSTEM, reason_code="expired",
                      reason=f"nobody answered by {accept_by[:10]}")
    return True


# --------------------------------------------------------------------------- questions


async def ask_question(relationship_id: int, actor: Actor, question: str) -> schemas.Inquiry:
    """A member asked to accept asks the other members something first (a pending match)."""
    if not question.strip():
        raise ValidationFailed({"question": "write your question"})
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        await _asked_member(relationship, actor)
        rows = await RelationshipInquiry.insert(RelationshipInquiry(
            relationship=relationship_id, asked_by=actor.id, question=question.strip(), asked_at=utcnow(),
        )).returning(RelationshipInquiry.id)
        # No text in the event: events reach every plugin.
        await emit("relationship.question_asked", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "inquiry_id": rows[0]["id"]}, actor_id=actor.id)
        await _tell_members(relationship, [m.user_id for m in relationship.members if m.user_id != actor.id],
                            "question", f"{actor.display_name} asked you a question about your match",
                            "Answer it on the relationship's page so they can decide.")
    return next(i for i in await inquiries(relationship_id) if i.id == rows[0]["id"])


async def answer_question(relationship_id: int, inquiry_id: int, actor: Actor, answer: str) -> schemas.Inquiry:
    """Another member answers a question asked about a pending match (once)."""
    if not answer.strip():
        raise ValidationFailed({"answer": "write your answer"})
    async with transaction():
        relationship = await relationship_by_id(relationship_id)
        if not any(m.user_id == actor.id for m in relationship.members):
            raise PermissionDenied("only the members of a match answer its questions")
        if relationship.state != "pending":
            raise ConflictError(f"questions are answered while the match waits for acceptance; it is "
                                f"{state_label(relationship.state)}")
        row = await RelationshipInquiry.select().where(
            (RelationshipInquiry.id == inquiry_id) & (RelationshipInquiry.relationship == relationship_id)).first()
        if row is None:
            raise ValidationFailed({"inquiry_id": "is not a question about this match"})
        if row["asked_by"] == actor.id:
            raise PermissionDenied("the other members answer your question")
        if row["answered_at"] is not None:
            raise ConflictError("this question has been answered already")
        await RelationshipInquiry.update({
            RelationshipInquiry.answer: answer.strip(), RelationshipInquiry.answered_by: actor.id,
            RelationshipInquiry.answered_at: utcnow(),
        }).where(RelationshipInquiry.id == inquiry_id)
        await emit("relationship.question_answered", f"relationship:{relationship_id}",
                   {"program_id": relationship.program_id, "inquiry_id": inquiry_id}, actor_id=actor.id)
        if row["asked_by"] is not None:
            await _tell_members(relationship, [row["asked_by"]], "answer",
                                f"{actor.display_name} answered your question about your match",
                                "Read the answer and accept or decline the match.")
    return next(i for i in await inquiries(relationship_id) if i.id == inquiry_id)


async def inquiries(relationship_id: int) -> list[schemas.Inquiry]:
    """A relationship's questions and answers, oldest first (callers check who may read)."""
    rows = await RelationshipInquiry.select(
        *RelationshipInquiry.all_columns(),
        RelationshipInquiry.asked_by.display_name.as_alias("asked_by_name"),
        RelationshipInquiry.answered_by.display_name.as_alias("answered_by_name"),
    ).where(RelationshipInquiry.relationship == relationship_id).order_by(RelationshipInquiry.id)
    return [schemas.Inquiry(
        id=r["id"], asked_by=r["asked_by"], asked_by_name=r["asked_by_name"], question=r["question"],
        asked_at=r["asked_at"], answered_by=r["answered_by"], answered_by_name=r["answered_by_name"],
        answer=r["answer"], answered_at=r["answered_at"],
    ) for r in rows]


# --------------------------------------------------------------------------- re-matching


async def rematch(relationship_id: int, actor: Actor, keep_enrolment_id: int,
                  enrolment_ids: Sequence[int]) -> schemas.Relationship:
    """After a relationship ended early (or was declined or cancelled), a coordinator matches
    one of its members (``keep_enrolment_id``) with new partners. The new relationship starts
    like any other (acceptance included) and records the one it follows; both histories stay."""
    relationship = await relationship_by_id(relationship_id)
    await require_coordinator(relationship.program_id, actor)
    if relationship.state not in ("ended_early", "declined", "cancelled"):
        raise ConflictError(f"re-match after a relationship ended early, was declined or cancelled; "
                            f"it is {state_label(relationship.state)}")
    members = await RelationshipMember.select(RelationshipMember.enrolment).where(
        RelationshipMember.relationship == relationship_id)
    if keep_enrolment_id not in {m["enrolment"] for m in members}:
        raise ValidationFailed({"keep_enrolment_id": "is not a member of this relationship"})
    if keep_enrolment_id in enrolment_ids:
        raise ValidationFailed({"enrolment_ids": "lists the member who stays"})
    return await pair(relationship.program_id, [keep_enrolment_id, *enrolment_ids], actor,
                      reason=f"re-match after relationship #{relationship_id}", rematch_of=relationship_id)


# --------------------------------------------------------------------------- what one may do


async def asked_members(relationship: schemas.Relationship) -> list[int]:
    """The user ids of the members whose acceptance the relationship's program asks for."""
    program = await Program.select(Program.acceptance).where(Program.id == relationship.program_id).first()
    asked = _asked_roles_of(relationship, program) if program else []
    return [m.user_id for m in relationship.members if m.role in asked]


async def actions_for(relationship: schemas.Relationship, viewer: str, actor: Actor,
                      asked: Sequence[int]) -> list[str]:
    """What the viewer may do with the relationship now (the page shows these buttons);
    ``asked``: the members whose acceptance the program asks for."""
    state = relationship.state
    actions: list[str] = []
    member = next((m for m in relationship.members if m.user_id == actor.id), None)
    requester = member is not None and relationship.requested_by == member.user_id
    if state == "pending" and member is not None:
        if requester:
            actions.append("withdraw")
        elif member.user_id in asked:
            if member.accepted_at is None:
                actions += ["accept", "decline"]
            actions.append("ask")
        actions.append("answer")
    for new, action in (("pending", "publish"), ("paused", "pause"), ("completed", "complete"),
                        ("ended_early", "end_early"), ("cancelled", "cancel")):
        if new in RELATIONSHIP_TRANSITIONS.get(state, ()) and viewer in _WHO.get((state, new), frozenset()):
            actions.append(action)
    if state == "paused" and viewer in _WHO[("paused", "active")]:
        actions.append("resume")
    if state in ("ended_early", "declined", "cancelled") and viewer == "coordinator":
        actions.append("rematch")
    return actions
