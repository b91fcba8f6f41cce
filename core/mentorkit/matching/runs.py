"""Match runs: the program's strategy proposes relationships for the whole pool, in the
background, with progress; the run keeps its parameters, proposals, metrics and who stayed
unmatched and why.

A run started from a page runs as an asyncio task of that web process (``background``); the
CLI runs it in its own process and waits. Progress lives in the running process's memory;
cancelling writes ``cancelled`` to the row, which the running process notices within half a
second (from any process) and the strategy's next ``progress`` call raises
``MatchRunCancelled``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from mentorkit.api.actors import Actor as PersonOrSystem
from mentorkit.background import RUNNER, runner_gone, spawn
from mentorkit.contracts import (
    CriterionScore,
    MatchingStrategy,
    MatchOutcome,
    MatchPool,
    MatchProposal,
    MatchRunCancelled,
)
from mentorkit.db import transaction
from mentorkit.db.bulk import insert_rows
from mentorkit.db.values import as_json, as_utc
from mentorkit.errors import ConflictError, NotFound, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.matching import schemas
from mentorkit.matching.tables import MatchRun, MatchRunProposal
from mentorkit.programs.services import OPEN_STATES, Actor, require_coordinator
from mentorkit.relationships.pool import match_pool
from mentorkit.runtime import current_runtime

log = logging.getLogger("mentorkit.matching")

# Runs this process is running: id -> (done, total, stage).
_progress: dict[int, tuple[int, int, str]] = {}
_cancel_requested: set[int] = set()
CANCEL_POLL_SECONDS = 0.5
RESTARTED = "the server stopped during the run; start a new run"

# A progress report for the CLI: (done, total, stage).
ProgressCallback = Callable[[int, int, str], None]


def _strategy(key: str) -> MatchingStrategy:
    strategy = current_runtime().strategies.get(key)
    if strategy is None:
        raise ConflictError(f"the matching strategy {key!r} is not installed any more")
    return strategy


def seeking_roles(pool: MatchPool) -> set[str]:
    """The roles whose people are matched to others (mentees): those that take no capacity,
    or every role when all take capacity (peers)."""
    roles = {r.role for r in pool.program.roles if not r.takes_capacity}
    return roles or {r.role for r in pool.program.roles}


async def _strategy_settings(program: dict[str, Any], strategy: MatchingStrategy) -> Any:
    try:
        return msgspec.convert(as_json(program["strategy_settings"], {}) or {}, strategy.settings)
    except msgspec.ValidationError as exc:
        raise ValidationFailed({"strategy_settings": f"the program's settings do not fit the strategy: {exc}"}) \
            from exc


async def _latest_done(program_id: int, before: int | None = None) -> dict[str, Any] | None:
    query = MatchRun.select().where((MatchRun.program == program_id) & (MatchRun.state == "done"))
    if before is not None:
        query = query.where(MatchRun.number < before)
    row: dict[str, Any] | None = await query.order_by(MatchRun.number, ascending=False).first()
    return row


async def _pins(program_id: int, pool: MatchPool) -> list[dict[str, list[int]]]:
    """The pinned, unpublished pairs of the program's latest finished run whose people are
    still in the pool."""
    latest = await _latest_done(program_id)
    if latest is None:
        return []
    active = {e.id for e in pool.enrolments}
    rows = await MatchRunProposal.select(MatchRunProposal.members).where(
        (MatchRunProposal.run == latest["id"]) & (MatchRunProposal.pinned.eq(True))
        & (MatchRunProposal.status == "proposed"))
    pins = [as_json(row["members"], {}) for row in rows]
    return [p for p in pins if all(i in active for ids in p.values() for i in ids)]


async def start_run(program_id: int, actor: Actor, *, wait: bool = False,
                    progress: ProgressCallback | None = None) -> schemas.MatchRun:
    """Start a run of the program's matching strategy (coordinators, admins, the system).

    The pool is read now; pinned pairs of the latest finished run are passed on. With
    ``wait`` (the CLI) the run happens in this call and ``progress`` hears how far it is;
    otherwise it runs in the background of this process and the run page follows it.
    """
    program = await require_coordinator(program_id, actor)
    if program["state"] not in OPEN_STATES:
        raise ConflictError(f"the program is {program['state']}; run matching while it is enrolling, "
                            "matching or running")
    strategy = _strategy(program["matching_strategy"])
    if strategy.manual or strategy.propose is None:
        raise ConflictError(f"“{strategy.label}” proposes no matches itself: choose a strategy that does in "
                            "the program's design")
    settings = await _strategy_settings(program, strategy)
    pool = await match_pool(program_id, actor)
    pool = msgspec.structs.replace(pool, pinned=await _pins(program_id, pool))
    async with transaction():
        running = await MatchRun.select(MatchRun.id, MatchRun.runner).where(
            (MatchRun.program == program_id) & (MatchRun.state == "running"))
        for row in running:
            if row["id"] in _progress or not runner_gone(row["runner"]):
                raise ConflictError("a match run of this program is under way: wait for it or cancel it")
            await _finish_failed(row["id"], RESTARTED)
        last = await MatchRun.select(MatchRun.number).where(MatchRun.program == program_id).order_by(
            MatchRun.number, ascending=False).first()
        rows = await MatchRun.insert(MatchRun(
            program=program_id, number=(last["number"] + 1) if last else 1, strategy=strategy.key,
            settings=msgspec.json.encode(settings).decode(), state="running", runner=RUNNER, started_by=actor.id,
            created_at=utcnow(),
        )).returning(MatchRun.id)
        run_id = rows[0]["id"]
        await emit("match_run.started", f"program:{program_id}",
                   {"program_id": program_id, "run_id": run_id, "strategy": strategy.key}, actor_id=actor.id)
    _progress[run_id] = (0, 0, "starting")
    work = _execute(run_id, program_id, strategy, settings, pool, progress)
    if wait:
        await work
    else:
        spawn(work)
    return await run_view(program_id, run_id, actor)


async def _finish_failed(run_id: int, error: str) -> None:
    await MatchRun.update({MatchRun.state: "failed", MatchRun.error: error, MatchRun.finished_at: utcnow()}).where(
        (MatchRun.id == run_id) & (MatchRun.state == "running"))


async def _watch_for_cancel(run_id: int) -> None:
    while True:
        await asyncio.sleep(CANCEL_POLL_SECONDS)
        row = await MatchRun.select(MatchRun.state).where(MatchRun.id == run_id).first()
        if row is None or row["state"] != "running":
            _cancel_requested.add(run_id)
            return


async def _execute(run_id: int, program_id: int, strategy: MatchingStrategy, settings: Any, pool: MatchPool,
                   listener: ProgressCallback | None) -> None:
    def progress(done: int, total: int, stage: str) -> None:
        # Called by the strategy, maybe from a worker thread: only plain assignments here.
        if run_id in _cancel_requested:
            raise MatchRunCancelled()
        _progress[run_id] = (int(done), int(total), str(stage)[:100])
        if listener is not None:
            listener(int(done), int(total), str(stage))

    watcher = asyncio.get_running_loop().create_task(_watch_for_cancel(run_id))
    try:
        assert strategy.propose is not None
        result = await strategy.propose(pool, settings, progress)
        outcome = result if isinstance(result, MatchOutcome) else MatchOutcome(proposals=list(result or ()))
        await _store(run_id, program_id, pool, outcome)
    except MatchRunCancelled:
        log.info("match run %s was cancelled", run_id)
    except Exception as exc:
        log.exception("match run %s: the strategy %r failed", run_id, strategy.key)
        await _finish_failed(run_id, f"the strategy “{strategy.label}” failed: {type(exc).__name__}: {exc}"[:2000])
    finally:
        watcher.cancel()
        _progress.pop(run_id, None)
        _cancel_requested.discard(run_id)


def pair_key(members: dict[str, list[int]]) -> str:
    """The same people make the same key, whatever the run or the order."""
    return "-".join(str(i) for i in sorted(i for ids in members.values() for i in ids))


def _checked(pool: MatchPool, proposals: Sequence[MatchProposal]) -> tuple[list[MatchProposal], list[str]]:
    """The proposals the core keeps, and why it left out the others: unknown or repeated
    enrolments, wrong roles, more relationships than someone's remaining places."""
    by_id = {e.id: e for e in pool.enrolments}
    roles = {r.role: r for r in pool.program.roles}
    room = {e.id: e.remaining for e in pool.enrolments}
    kept: list[MatchProposal] = []
    left_out: list[str] = []
    seen: set[str] = set()
    for number, proposal in enumerate(proposals, start=1):
        members = {role: list(ids) for role, ids in (proposal.members or {}).items()}
        ids = [i for group in members.values() for i in group]
        problem = ""
        if not ids or len(set(ids)) != len(ids):
            problem = "names nobody, or someone twice"
        elif unknown := [i for i in ids if i not in by_id]:
            problem = f"names enrolment {unknown[0]}, which is not in the pool"
        elif wrong := [(role, i) for role, group in members.items() for i in group
                       if role not in roles or by_id[i].role != role]:
            problem = f"puts {by_id[wrong[0][1]].display_name} in the role {wrong[0][0]!r}"
        elif pair_key(members) in seen:
            problem = "repeats an earlier proposal"
        elif full := [i for i in ids if room[i] <= 0]:
            problem = f"gives {by_id[full[0]].display_name} more relationships than they have places"
        if problem:
            left_out.append(f"Proposal {number} {problem}.")
            continue
        seen.add(pair_key(members))
        for i in ids:
            room[i] -= 1
        kept.append(MatchProposal(members=members, score=float(proposal.score), explanation=proposal.explanation))
    return kept, left_out


def _unmatched(pool: MatchPool, proposals: list[MatchProposal], reasons: dict[int, str]) -> list[dict[str, Any]]:
    matched = {i for p in proposals for ids in p.members.values() for i in ids}
    seekers = seeking_roles(pool)
    out = []
    for e in pool.enrolments:
        wanted = e.role in seekers and e.remaining > 0 and e.id not in matched
        if wanted or (e.id in reasons and e.id not in matched):
            # No names: they are read when shown, so an erased person's name is gone everywhere.
            out.append({"enrolment_id": e.id, "role": e.role, "reason": str(reasons.get(e.id) or "no proposal")[:500]})
    return out


def _metrics(pool: MatchPool, proposals: list[MatchProposal], outcome: MatchOutcome,
             left_out: list[str]) -> schemas.RunMetrics:
    roles = seeking_roles(pool)
    wanting = [e for e in pool.enrolments if e.role in roles and e.remaining > 0]
    matched_ids = {i for p in proposals for ids in p.members.values() for i in ids}
    matched = sum(1 for e in wanting if e.id in matched_ids)
    scores = [p.score for p in proposals]
    return schemas.RunMetrics(
        seekers=len(wanting), matched=matched, proposals=len(proposals),
        coverage=matched / len(wanting) if wanting else 0.0,
        mean_score=sum(scores) / len(scores) if scores else None, min_score=min(scores) if scores else None,
        proven_optimal=outcome.proven_optimal, notes=[str(n)[:1000] for n in outcome.notes][:50],
        left_out=left_out[:200],
    )


def _explanation_json(explanation: Sequence[CriterionScore]) -> str:
    return msgspec.json.encode(list(explanation)).decode()


async def _store(run_id: int, program_id: int, pool: MatchPool, outcome: MatchOutcome) -> None:
    proposals, left_out = _checked(pool, outcome.proposals)
    metrics = _metrics(pool, proposals, outcome, left_out)
    unmatched = _unmatched(pool, proposals, dict(outcome.unmatched or {}))
    async with transaction():
        done = await MatchRun.update({
            MatchRun.state: "done", MatchRun.finished_at: utcnow(),
            MatchRun.metrics: msgspec.json.encode(metrics).decode(), MatchRun.unmatched: msgspec.json.encode(
                unmatched).decode(),
        }).where((MatchRun.id == run_id) & (MatchRun.state == "running")).returning(MatchRun.id)
        if not done:
            return  # cancelled meanwhile: keep nothing
        pinned = {pair_key(p) for p in pool.pinned}
        await insert_rows(MatchRunProposal, [
            {"run": run_id, "position": position, "members": msgspec.json.encode(p.members).decode(),
             "pair_key": pair_key(p.members), "score": p.score, "explanation": _explanation_json(p.explanation),
             "status": "proposed", "pinned": pair_key(p.members) in pinned, "edited": False, "relationship": None}
            for position, p in enumerate(proposals, start=1)
        ])
        await emit("match_run.finished", f"program:{program_id}",
                   {"program_id": program_id, "run_id": run_id, "proposals": len(proposals),
                    "coverage": round(metrics.coverage, 4)})


# --------------------------------------------------------------------------- reading


async def _run_row(program_id: int, run_id: int, actor: Actor) -> dict[str, Any]:
    await require_coordinator(program_id, actor)
    row: dict[str, Any] | None = await MatchRun.select(
        *MatchRun.all_columns(), MatchRun.started_by.display_name.as_alias("started_by_name")).where(
        (MatchRun.id == run_id) & (MatchRun.program == program_id)).first()
    if row is None:
        raise NotFound("no such match run")
    if row["state"] == "running" and row["id"] not in _progress and runner_gone(row["runner"]):
        await _finish_failed(row["id"], RESTARTED)
        row["state"], row["error"] = "failed", RESTARTED
    return row


def _label(strategy_key: str) -> str:
    strategy = current_runtime().strategies.get(strategy_key)
    return strategy.label if strategy else strategy_key


def _unmatched_ids(row: dict[str, Any]) -> set[int]:
    return {item["enrolment_id"] for item in as_json(row["unmatched"], []) or []}


def _view(row: dict[str, Any], names: dict[int, dict[str, Any]], diff: schemas.RunDiff | None = None
          ) -> schemas.MatchRun:
    done, total, stage = _progress.get(row["id"], (0, 0, ""))
    unmatched = [schemas.Unmatched(enrolment_id=item["enrolment_id"], role=item["role"], reason=item["reason"],
                                   display_name=names[item["enrolment_id"]]["display_name"]
                                   if item["enrolment_id"] in names else "someone who left")
                 for item in as_json(row["unmatched"], []) or []]
    return schemas.MatchRun(
        id=row["id"], program_id=row["program"], number=row["number"], strategy=row["strategy"],
        strategy_label=_label(row["strategy"]), settings=as_json(row["settings"], {}), state=row["state"],
        error=row["error"], done=done, total=total, stage=stage,
        metrics=msgspec.convert(as_json(row["metrics"], {}) or {}, schemas.RunMetrics),
        unmatched=unmatched,
        started_by=row.get("started_by_name") or ("the system" if row["started_by"] is None else ""),
        created_at=as_utc(row["created_at"]), finished_at=as_utc(row["finished_at"]),  # type: ignore[arg-type]
        diff=diff,
    )


async def _names(enrolment_ids: set[int]) -> dict[int, dict[str, Any]]:
    from mentorkit.programs.tables import Enrolment

    if not enrolment_ids:
        return {}
    rows = await Enrolment.select(Enrolment.id, Enrolment.user, Enrolment.role,
                                  Enrolment.user.display_name.as_alias("display_name")).where(
        Enrolment.id.is_in(list(enrolment_ids)))
    return {row["id"]: row for row in rows}


async def _pair_keys(run_id: int) -> dict[str, dict[str, list[int]]]:
    rows = await MatchRunProposal.select(MatchRunProposal.pair_key, MatchRunProposal.members).where(
        (MatchRunProposal.run == run_id) & (MatchRunProposal.status != "removed"))
    return {row["pair_key"]: as_json(row["members"], {}) for row in rows}


async def _diff(row: dict[str, Any]) -> tuple[schemas.RunDiff | None, set[str]]:
    """How the run differs from the program's previous finished run, and that run's keys."""
    if row["state"] != "done":
        return None, set()
    previous = await _latest_done(row["program"], before=row["number"])
    if previous is None:
        return None, set()
    mine, theirs = await _pair_keys(row["id"]), await _pair_keys(previous["id"])
    dropped = [members for key, members in theirs.items() if key not in mine]
    names = await _names({i for members in dropped for ids in members.values() for i in ids})
    return schemas.RunDiff(
        previous_run_id=previous["id"], previous_number=previous["number"],
        kept=len(mine.keys() & theirs.keys()), new=len(mine.keys() - theirs.keys()),
        dropped=[" & ".join(names[i]["display_name"] for ids in members.values() for i in ids if i in names)
                 for members in dropped],
    ), set(theirs)


async def run_view(program_id: int, run_id: int, actor: Actor) -> schemas.MatchRun:
    """One match run of the program, with its progress or results and its difference from
    the previous run (coordinators, admins)."""
    row = await _run_row(program_id, run_id, actor)
    diff, _ = await _diff(row)
    return _view(row, await _names(_unmatched_ids(row)), diff)


async def list_runs(program_id: int, actor: Actor, *, limit: int = 20, offset: int = 0) -> tuple[
        list[schemas.MatchRun], int]:
    """The program's runs, newest first, and how many there are (coordinators, admins)."""
    await require_coordinator(program_id, actor)
    rows = await MatchRun.select(
        *MatchRun.all_columns(), MatchRun.started_by.display_name.as_alias("started_by_name")).where(
        MatchRun.program == program_id).order_by(MatchRun.number, ascending=False).limit(limit).offset(offset)
    total = await MatchRun.count().where(MatchRun.program == program_id)
    names = await _names({i for row in rows for i in _unmatched_ids(row)})
    return [_view(row, names) for row in rows], total


async def run_proposals(program_id: int, run_id: int, actor: Actor, *, search: str = "",
                        limit: int | None = None, offset: int = 0) -> tuple[list[schemas.RunProposal], int]:
    """The run's proposals in the strategy's order (best first), optionally only those naming
    someone whose name contains ``search`` (or one of its comma-separated parts), and how many
    match (coordinators, admins)."""
    row = await _run_row(program_id, run_id, actor)
    rows = await MatchRunProposal.select().where(MatchRunProposal.run == run_id).order_by(MatchRunProposal.position)
    diff, previous = await _diff(row)
    names = await _names({i for r in rows for ids in as_json(r["members"], {}).values() for i in ids})
    out = []
    for r in rows:
        members = [schemas.ProposalMember(enrolment_id=i, user_id=names[i]["user"], role=role,
                                          display_name=names[i]["display_name"])
                   for role, ids in as_json(r["members"], {}).items() for i in ids if i in names]
        out.append(schemas.RunProposal(
            id=r["id"], position=r["position"], members=members, score=r["score"],
            explanation=msgspec.convert(as_json(r["explanation"], []), list[CriterionScore]), status=r["status"],
            pinned=bool(r["pinned"]), edited=bool(r["edited"]), relationship_id=r["relationship"],
            change="" if diff is None else "kept" if r["pair_key"] in previous else "new",
        ))
    out = naming(out, search)
    return (out[offset:offset + limit] if limit is not None else out[offset:]), len(out)


def naming(proposals: list[schemas.RunProposal], search: str) -> list[schemas.RunProposal]:
    """The proposals naming someone whose name contains ``search``, or one of its
    comma-separated parts ("Mia, Leo": so two pairs on different pages meet to swap)."""
    needles = [part.strip().casefold() for part in search.split(",") if part.strip()]
    if not needles:
        return proposals
    return [p for p in proposals if any(n in m.display_name.casefold() for m in p.members for n in needles)]


# --------------------------------------------------------------------------- changing


async def cancel_run(program_id: int, run_id: int, actor: Actor) -> schemas.MatchRun:
    """Stop a running run; nothing of it is kept (coordinators, admins)."""
    await _run_row(program_id, run_id, actor)
    stopped = await MatchRun.update({MatchRun.state: "cancelled", MatchRun.finished_at: utcnow()}).where(
        (MatchRun.id == run_id) & (MatchRun.state == "running")).returning(MatchRun.id)
    if not stopped:
        raise ConflictError("this run is not running any more")
    if run_id in _progress:  # this process runs it: stop at the strategy's next progress call
        _cancel_requested.add(run_id)
    return await run_view(program_id, run_id, actor)


async def _open_proposal(program_id: int, run_id: int, proposal_id: int, actor: Actor) -> dict[str, Any]:
    run = await _run_row(program_id, run_id, actor)
    if run["state"] != "done":
        raise ConflictError("only a finished run's proposals can be changed")
    row: dict[str, Any] | None = await MatchRunProposal.select().where(
        (MatchRunProposal.id == proposal_id) & (MatchRunProposal.run == run_id)).first()
    if row is None:
        raise NotFound("no such proposal in this run")
    if row["status"] == "published":
        raise ConflictError("this proposal is published already: change the relationship instead")
    return row


_ACTIONS: dict[str, dict[Any, Any]] = {
    "remove": {MatchRunProposal.status: "removed"}, "restore": {MatchRunProposal.status: "proposed"},
    "pin": {MatchRunProposal.pinned: True}, "unpin": {MatchRunProposal.pinned: False},
}


async def change_proposal(program_id: int, run_id: int, proposal_id: int, change: schemas.ProposalChange,
                          actor: Actor) -> schemas.RunProposal:
    """Remove or restore a proposal, pin or unpin it (a pinned pair is kept by the next run)."""
    await _open_proposal(program_id, run_id, proposal_id, actor)
    await MatchRunProposal.update(_ACTIONS[change.action]).where(MatchRunProposal.id == proposal_id)
    return await _proposal(program_id, run_id, proposal_id, actor)


async def _proposal(program_id: int, run_id: int, proposal_id: int, actor: Actor) -> schemas.RunProposal:
    proposals, _ = await run_proposals(program_id, run_id, actor)
    return next(p for p in proposals if p.id == proposal_id)


def _offering_role(pool: MatchPool, members: dict[str, list[int]]) -> str:
    seekers = seeking_roles(pool)
    offering = [role for role in members if role not in seekers]
    if not offering:
        raise ValidationFailed({"other_id": "these proposals have no partner role to swap"})
    return offering[0]


async def swap_partners(program_id: int, run_id: int, proposal_id: int, other_id: int,
                        actor: Actor) -> list[schemas.RunProposal]:
    """Swap the partners of two proposals (mentee A gets B's mentor and B gets A's). The
    strategy scores and explains both new pairs; a rule that forbids either refuses the swap."""
    if proposal_id == other_id:
        raise ValidationFailed({"other_id": "choose another proposal to swap with"})
    first = await _open_proposal(program_id, run_id, proposal_id, actor)
    second = await _open_proposal(program_id, run_id, other_id, actor)
    run = await _run_row(program_id, run_id, actor)
    strategy = _strategy(run["strategy"])
    pool = await match_pool(program_id, actor)
    a, b = as_json(first["members"], {}), as_json(second["members"], {})
    role = _offering_role(pool, a)
    if role not in b:
        raise ValidationFailed({"other_id": "the two proposals do not have the same roles"})
    new_a, new_b = {**a, role: b[role]}, {**b, role: a[role]}
    settings = msgspec.convert(as_json(run["settings"], {}) or {}, strategy.settings)
    scored = []
    for members in (new_a, new_b):
        explained = await strategy.explain(pool, members, settings) if strategy.explain else \
            MatchProposal(members=members)
        if explained is None:
            raise ConflictError("a matching rule forbids one of the new pairs (see the strategy's rules)")
        scored.append(explained)
    async with transaction():
        for row, proposal in ((first, scored[0]), (second, scored[1])):
            await MatchRunProposal.update({
                MatchRunProposal.members: msgspec.json.encode(proposal.members).decode(),
                MatchRunProposal.pair_key: pair_key(proposal.members), MatchRunProposal.score: proposal.score,
                MatchRunProposal.explanation: _explanation_json(proposal.explanation),
                MatchRunProposal.edited: True, MatchRunProposal.status: "proposed",
            }).where(MatchRunProposal.id == row["id"])
    return [await _proposal(program_id, run_id, i, actor) for i in (proposal_id, other_id)]


async def publish_proposals(program_id: int, run_id: int, proposal_ids: Sequence[int],
                            actor: Actor) -> schemas.PublishReport:
    """Make relationships of the run's proposals: the listed ones, or every proposed one when
    the list is empty. Each becomes a relationship through the lifecycle (waiting for
    acceptance when the program asks for it), one at a time: a proposal that cannot be made
    any more (someone withdrew or filled up since the run) is reported, the others go on."""
    from mentorkit.errors import MentorkitError
    from mentorkit.relationships.lifecycle import pair

    run = await _run_row(program_id, run_id, actor)
    if run["state"] != "done":
        raise ConflictError("only a finished run can be published")
    rows = await MatchRunProposal.select().where(MatchRunProposal.run == run_id).order_by(MatchRunProposal.position)
    wanted = set(proposal_ids)
    if unknown := wanted - {r["id"] for r in rows}:
        raise ValidationFailed({"proposal_ids": f"{min(unknown)} is not a proposal of this run"})
    chosen = [r for r in rows if r["status"] == "proposed" and (not wanted or r["id"] in wanted)]
    if not chosen:
        raise ValidationFailed({"proposal_ids": "choose at least one proposal that is not removed or published"})
    published: list[int] = []
    problems: dict[int, str] = {}
    for row in chosen:
        members = as_json(row["members"], {})
        try:
            async with transaction():  # the relationship and the proposal's mark, or neither
                relationship = await pair(program_id, [i for ids in members.values() for i in ids], actor,
                                          strategy=run["strategy"])
                await MatchRunProposal.update({MatchRunProposal.status: "published",
                                               MatchRunProposal.relationship: relationship.id}).where(
                    MatchRunProposal.id == row["id"])
        except MentorkitError as exc:
            problems[row["id"]] = str(exc)
            continue
        published.append(relationship.id)
    return schemas.PublishReport(published=published, problems=problems)



async def why_matched(relationship: Any, actor: PersonOrSystem) -> list[str]:
    """Why a member's relationship was proposed, when it came from a match run whose strategy
    settings let participants read it: the explanation's sentences, without those about
    fields another member hides from them. Empty for anyone else."""
    from mentorkit.profiles.services import get_profiles
    from mentorkit.relationships.self_matching import visible_sentences

    if actor.id is None or not any(m.user_id == actor.id for m in relationship.members):
        return []
    row = await MatchRunProposal.select(MatchRunProposal.explanation, MatchRunProposal.run.strategy.as_alias(
        "strategy"), MatchRunProposal.run.settings.as_alias("settings")).where(
        MatchRunProposal.relationship == relationship.id).first()
    if row is None:
        return []
    strategy = current_runtime().strategies.get(row["strategy"])
    if strategy is None or strategy.explains_to_participants is None:
        return []
    try:
        settings = msgspec.convert(as_json(row["settings"], {}) or {}, strategy.settings)
    except msgspec.ValidationError:
        return []
    if not strategy.explains_to_participants(settings):
        return []
    others = [m.user_id for m in relationship.members if m.user_id != actor.id]
    hidden = {field for profile in await get_profiles(others, actor) for field in profile.hidden}
    explanation = msgspec.convert(as_json(row["explanation"], []) or [], list[CriterionScore])
    return visible_sentences(explanation, hidden)
