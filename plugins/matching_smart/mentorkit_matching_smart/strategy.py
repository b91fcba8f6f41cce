"""The "Smart matching" strategy: score every pair, assign the whole cohort, explain each pair.

``propose`` scores seekers (the role without capacity: mentees) against offerers (the role
with capacity: mentors), hands the scores to the solver (``mentorkit_matching_smart.solver``:
a min-cost flow proven optimal, or a best-pair-first greedy), and explains every proposal.
``suggest`` does the same for one person and keeps the ``k`` best. Both are pure: the pool
comes in, proposals go out.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from mentorkit.contracts import (
    MatchCriterion,
    MatchingStrategy,
    MatchOutcome,
    MatchPool,
    MatchProgress,
    MatchProposal,
    PoolEnrolment,
)
from mentorkit_matching_smart.explain import Explainer
from mentorkit_matching_smart.scoring import PairScorer
from mentorkit_matching_smart.settings import SmartMatchingSettings
from mentorkit_matching_smart.solver import ScoreBlocks, solve

DENSE_LIMIT = 20_000_000  # pairs scored into one matrix; above, the solver streams blocks
EXPLAIN_CHUNK = 5_000


# --------------------------------------------------------------------------- roles and inputs


@dataclass(frozen=True)
class Sides:
    """Which role offers (takes capacity) and which seeks, with their labels."""

    offering: str
    seeking: str
    offering_label: str
    seeking_label: str
    offering_plural: str
    seeking_plural: str


def sides_of(pool: MatchPool) -> Sides | str:
    """The offering and seeking roles of the pool's format, or why there are none."""
    roles = list(pool.program.roles)
    if not roles:
        present = {e.role for e in pool.enrolments}
        if {"mentor", "mentee"} <= present or not present:
            return Sides("mentor", "mentee", "Mentor", "Mentee", "mentors", "mentees")
        return f"The format {pool.program.format!r} is not installed, so its roles are unknown."
    offering = next((r for r in roles if r.takes_capacity), None)
    if offering is None:
        return "Smart matching pairs a role that takes capacity (mentors) with another; this format has none."
    seeking = next((r for r in roles if r.role != offering.role), None)
    if seeking is None:
        return (f"Smart matching pairs two roles; this format has only one ({offering.label}). "
                "Use a strategy for peers or groups.")
    return Sides(offering.role, seeking.role, offering.label, seeking.label,
                 offering.label.lower() + "s", seeking.label.lower() + "s")


def settings_of(settings: Any) -> SmartMatchingSettings:
    """The strategy's settings, whatever form they came in (a Struct, a dict, none)."""
    if isinstance(settings, SmartMatchingSettings):
        return settings
    raw = settings if isinstance(settings, Mapping) else msgspec.to_builtins(settings) if settings else {}
    return msgspec.convert(dict(raw or {}), SmartMatchingSettings, strict=False)


def registered_criteria() -> dict[str, MatchCriterion]:
    """Criteria other plugins registered (none outside a running Mentorkit)."""
    from mentorkit.runtime import current_runtime

    try:
        return dict(current_runtime().match_criteria)
    except RuntimeError:
        return {}


def _no_progress(done: int, total: int, stage: str) -> None:
    return None


# --------------------------------------------------------------------------- solving


@dataclass
class _Solution:
    pairs: np.ndarray
    scores: np.ndarray
    proven_optimal: bool = False
    notes: list[str] = field(default_factory=list)
    method: str = "optimal"


def _solve(scorer: PairScorer, offerer_cap: np.ndarray, seeker_cap: np.ndarray, settings: SmartMatchingSettings,
           progress: Callable[[int, int, str], None]) -> _Solution:
    if scorer.n * scorer.m <= DENSE_LIMIT:
        scores: Any = scorer.dense(lambda done, total: progress(done, total, "scoring pairs"))
    else:
        scores = ScoreBlocks(scorer.n, scorer.m, scorer.block)
    solution = solve(scores, offerer_cap, mentee_capacity=seeker_cap, objective=settings.objective,
                     fairness_floor=settings.fairness_floor, method=settings.method, min_score=settings.min_score,
                     progress=lambda done, total, stage: progress(done, total, "solving"))
    pairs = np.asarray(solution.pairs, dtype=np.int64).reshape(-1, 2)
    notes = []
    floor = getattr(solution, "floor", None)
    if settings.fairness_floor and floor is not None and not math.isnan(float(floor)):
        notes.append(f"Fairness floor: every proposed pair scores at least {float(floor):.2f}.")
    return _Solution(pairs, np.asarray(solution.scores, dtype=np.float32), bool(solution.proven_optimal), notes,
                     method=settings.method)


# --------------------------------------------------------------------------- propose


def _pins(pool: MatchPool, sides: Sides, ids: set[int]) -> tuple[list[tuple[int, int]], list[str]]:
    pins, notes = [], []
    for pin in pool.pinned:
        offering, seeking = pin.get(sides.offering, []), pin.get(sides.seeking, [])
        if len(offering) == 1 and len(seeking) == 1 and offering[0] in ids and seeking[0] in ids:
            pins.append((seeking[0], offering[0]))
        else:
            notes.append(f"A pinned pair was left out: it needs one active {sides.offering_label.lower()} "
                         f"and one active {sides.seeking_label.lower()} ({pin}).")
    return pins, notes


def _fields_in_use(pool: MatchPool) -> set[str]:
    """The profile fields someone in the pool filled in (a field nobody gave is neutral for all)."""
    used: set[str] = set()
    for e in pool.enrolments:
        used.update(name for name, value in (("skills sought", e.skills_sought), ("availability", e.availability),
                                             ("languages", e.languages)) if value)
    return used


def _missing_answers(pool: MatchPool, person: PoolEnrolment, settings: SmartMatchingSettings,
                     in_use: set[str]) -> list[str]:
    weights: dict[str, float] = {"skills sought": settings.skills_weight, "availability": settings.availability_weight,
               "languages": settings.language_weight + settings.require_shared_language}
    given: dict[str, list[Any]] = {"skills sought": list(person.skills_sought), "availability": person.availability,
             "languages": person.languages}
    missing: list[str] = [name for name in ("skills sought", "availability", "languages")
               if weights[name] > 0 and name in in_use and not given[name]]
    missing += [f"'{q.label}'" for q in pool.questions
                if q.matching_criterion and person.answers.get(q.key) in (None, "", [])]
    return missing


def run(pool: MatchPool, settings: SmartMatchingSettings, progress: MatchProgress,
        criteria: Mapping[str, MatchCriterion]) -> MatchOutcome:
    """The whole match run, synchronously (``propose`` runs it in a worker thread)."""
    sides = sides_of(pool)
    if isinstance(sides, str):
        return MatchOutcome(proposals=[], notes=[sides])
    seekers_all, offerers_all = pool.in_role(sides.seeking), pool.in_role(sides.offering)
    by_id = {e.id: e for e in (*seekers_all, *offerers_all)}
    pins, notes = _pins(pool, sides, set(by_id))
    pinned_count = Counter(x for pin in pins for x in pin)
    unmatched: dict[int, str] = {}
    seekers, seeker_cap, offerers, offerer_cap = [], [], [], []
    for e in seekers_all:
        cap = min(e.remaining, settings.mentors_per_mentee) - pinned_count[e.id]
        if e.paused:
            unmatched[e.id] = "paused"
        elif cap > 0:
            seekers.append(e)
            seeker_cap.append(cap)
        elif not pinned_count[e.id]:
            unmatched[e.id] = f"already in {e.open_relationships} open relationship(s), as many as allowed"
    for e in offerers_all:
        cap = e.remaining - pinned_count[e.id]
        if e.paused:
            unmatched[e.id] = "paused"
        elif cap > 0:
            offerers.append(e)
            offerer_cap.append(cap)
    demand, supply = int(sum(seeker_cap)), int(sum(offerer_cap))
    s_plural, o_plural = sides.seeking_plural, sides.offering_plural
    notes.append(f"{len(seekers)} {s_plural} to match, {len(offerers)} {o_plural} with "
                 f"{supply} place(s) left.")
    s_index = {e.id: i for i, e in enumerate(seekers)}
    o_index = {e.id: j for j, e in enumerate(offerers)}
    proposals = (_pinned_proposals(PairScorer(pool, settings, seekers_all, offerers_all, criteria), sides, pins)
                 if pins else [])
    if not seekers:
        notes.append(f"Nobody to match: no {sides.seeking_label.lower()} is waiting for a "
                     f"{sides.offering_label.lower()}." if seekers_all else
                     f"Nobody to match: no {sides.seeking_label.lower()} is enrolled.")
        return MatchOutcome(proposals=proposals, unmatched=unmatched, notes=notes)
    if not offerers:
        reason = (f"no {sides.offering_label.lower()} has room left" if offerers_all else
                  f"no {sides.offering_label.lower()} is enrolled")
        unmatched.update({e.id: reason for e in seekers})
        notes.append(f"Nobody can be matched: {reason}.")
        return MatchOutcome(proposals=proposals, unmatched=unmatched, notes=notes)
    forbid = [(s_index[s], o_index[o]) for s, o in pins if s in s_index and o in o_index]
    scorer = PairScorer(pool, settings, seekers, offerers, criteria, forbid_pairs=forbid)
    progress(0, scorer.n, "scoring pairs")
    solution = _solve(scorer, np.array(offerer_cap, np.int64), np.array(seeker_cap, np.int64), settings, progress)
    notes += solution.notes
    rows, cols = solution.pairs[:, 0], solution.pairs[:, 1]
    explainer = Explainer(scorer, sides.offering_label)
    order = np.argsort(-solution.scores, kind="stable")
    for start in range(0, len(order), EXPLAIN_CHUNK):
        part = order[start:start + EXPLAIN_CHUNK]
        progress(start, len(order), "explaining")
        for k, explanation in zip(part.tolist(), explainer.explain_pairs(rows[part], cols[part]), strict=True):
            proposals.append(MatchProposal(
                members={sides.offering: [offerers[int(cols[k])].id], sides.seeking: [seekers[int(rows[k])].id]},
                score=round(float(solution.scores[k]), 4), explanation=explanation))
    progress(len(order), len(order), "explaining")
    matched = set(rows.tolist())
    in_use = _fields_in_use(pool)
    for r, e in enumerate(seekers):
        if r not in matched and not pinned_count[e.id]:
            unmatched[e.id] = _reason(pool, scorer, sides, settings, r, demand, supply, in_use)
    notes += _summary(settings, solution, len(matched), len(seekers), demand, supply, sides)
    return MatchOutcome(proposals=proposals, unmatched=unmatched, notes=notes,
                        proven_optimal=solution.proven_optimal)


def _pinned_proposals(scorer: PairScorer, sides: Sides, pins: Sequence[tuple[int, int]]) -> list[MatchProposal]:
    if not pins:
        return []
    s_index = {e.id: i for i, e in enumerate(scorer.seekers)}
    o_index = {e.id: j for j, e in enumerate(scorer.offerers)}
    rows = np.array([s_index[s] for s, _ in pins])
    cols = np.array([o_index[o] for _, o in pins])
    values = scorer.values(rows, cols)
    total = scorer.total_weight or 1.0
    explanations = Explainer(scorer, sides.offering_label).explain_pairs(rows, cols)
    out = []
    for i, (s, o) in enumerate(pins):
        score = sum(c.weight * float(values[c.key][i]) for c in scorer.criteria) / total
        out.append(MatchProposal(members={sides.offering: [o], sides.seeking: [s]}, score=round(score, 4),
                                 explanation=explanations[i]))
    return out


def _reason(pool: MatchPool, scorer: PairScorer, sides: Sides, settings: SmartMatchingSettings, r: int,
            demand: int, supply: int, in_use: set[str]) -> str:
    mentor = sides.offering_label.lower()
    row = scorer.block(slice(r, r + 1))[0]
    missing = _missing_answers(pool, scorer.seekers[r], settings, in_use)
    hint = f"; missing profile answers: {', '.join(missing)}" if missing else ""
    allowed = ~np.isnan(row)
    if not allowed.any():
        counts = scorer.rule_counts(r, np.arange(scorer.m))
        rules = ", ".join(f"{reason} ({n})" for reason, n in counts.most_common())
        return f"every {mentor} with room is excluded by a rule: {rules}"
    best = float(row[allowed].max())
    if best < settings.min_score - 1e-7:
        return (f"every possible {mentor} scores below the minimum score {settings.min_score:.2f} "
                f"(best {best:.2f}){hint}")
    if demand > supply:
        return f"capacity below demand: {demand} {sides.seeking_plural} for {supply} places{hint}"
    return f"the {sides.offering_plural} who suit them were matched with others who fit them better{hint}"


def _summary(settings: SmartMatchingSettings, solution: _Solution, matched: int, seekers: int, demand: int,
             supply: int, sides: Sides) -> list[str]:
    notes = []
    if settings.objective == "participation":
        notes.append(f"Objective: match as many {sides.seeking_plural} as possible, then the best total score.")
    else:
        notes.append("Objective: the best total score, even if fewer people are matched.")
    notes.append(f"Method: {'optimal (min-cost flow)' if solution.method == 'optimal' else 'greedy, best pair first'}; "
                 f"pairs below {settings.min_score:.2f} are never proposed.")
    if solution.proven_optimal:
        notes.append("Proven optimal: no other assignment scores higher.")
    if demand > supply:
        notes.append(f"Capacity below demand: {demand} {sides.seeking_plural} for {supply} places.")
    if len(solution.scores):
        notes.append(f"Matched {matched} of {seekers} {sides.seeking_plural}; mean score "
                     f"{float(solution.scores.mean()):.2f}, lowest {float(solution.scores.min()):.2f}.")
    return notes


async def propose(pool: MatchPool, settings: Any, progress: MatchProgress | None = None) -> MatchOutcome:
    """Proposals for the whole pool, with reasons for those left out (see the module docstring)."""
    criteria = registered_criteria()
    return await asyncio.to_thread(run, pool, settings_of(settings), progress or _no_progress, criteria)


# --------------------------------------------------------------------------- suggest


def suggestions(pool: MatchPool, person: PoolEnrolment, k: int, settings: SmartMatchingSettings,
                criteria: Mapping[str, MatchCriterion]) -> list[MatchProposal]:
    """The ``k`` best partners for ``person``, synchronously."""
    sides = sides_of(pool)
    if isinstance(sides, str) or person.paused or k <= 0 or person.role not in (sides.offering, sides.seeking):
        return []
    offering = person.role == sides.offering
    others = [e for e in pool.in_role(sides.seeking if offering else sides.offering)
              if e.remaining > 0 and e.id != person.id]
    if not others:
        return []
    seekers, offerers = (others, [person]) if offering else ([person], others)
    scorer = PairScorer(pool, settings, seekers, offerers, criteria)
    scores = scorer.dense()
    flat = scores[:, 0] if offering else scores[0]
    flat = np.where(np.isnan(flat) | (flat < settings.min_score - 1e-7), -np.inf, flat)
    best = [int(i) for i in np.argsort(-flat, kind="stable")[:k] if np.isfinite(flat[i])]
    rows = np.array(best if offering else [0] * len(best), dtype=np.int64)
    cols = np.array([0] * len(best) if offering else best, dtype=np.int64)
    explanations = (Explainer(scorer, sides.offering_label, for_participants=True).explain_pairs(rows, cols)
                    if settings.explain_to_participants else [[] for _ in best])
    return [MatchProposal(members={sides.offering: [offerers[int(c)].id], sides.seeking: [seekers[int(r)].id]},
                          score=round(float(flat[i]), 4), explanation=explanation)
            for i, r, c, explanation in zip(best, rows.tolist(), cols.tolist(), explanations, strict=True)]


async def suggest(pool: MatchPool, person: PoolEnrolment, k: int, settings: Any) -> list[MatchProposal]:
    """Up to ``k`` partners of the other role for ``person``, best first, each explained."""
    criteria = registered_criteria()
    return await asyncio.to_thread(suggestions, pool, person, k, settings_of(settings), criteria)


# --------------------------------------------------------------------------- explain one pair


def explained(pool: MatchPool, members: Mapping[str, Sequence[int]], settings: SmartMatchingSettings,
              criteria: Mapping[str, MatchCriterion]) -> MatchProposal | None:
    """The score and explanation of one given pair, or None when a rule forbids it."""
    sides = sides_of(pool)
    if isinstance(sides, str):
        return None
    by_id = {e.id: e for e in pool.enrolments}
    offering, seeking = list(members.get(sides.offering, [])), list(members.get(sides.seeking, []))
    if len(offering) != 1 or len(seeking) != 1 or offering[0] not in by_id or seeking[0] not in by_id:
        return None
    scorer = PairScorer(pool, settings, [by_id[seeking[0]]], [by_id[offering[0]]], criteria)
    zero = np.zeros(1, np.int64)
    score = float(scorer.pair_scores(zero, zero)[0])
    if math.isnan(score):
        return None
    explanation = Explainer(scorer, sides.offering_label).explain_pairs(zero, zero)[0]
    return MatchProposal(members={sides.offering: offering, sides.seeking: seeking}, score=round(score, 4),
                         explanation=explanation)


async def explain_members(pool: MatchPool, members: dict[str, list[int]], settings: Any) -> MatchProposal | None:
    """``MatchingStrategy.explain``: one pair (after a coordinator swapped partners), scored and
    explained, or None when a must rule forbids it."""
    criteria = registered_criteria()
    return await asyncio.to_thread(explained, pool, members, settings_of(settings), criteria)


SMART = MatchingStrategy(
    key="smart",
    label="Smart matching",
    description=("Scores every mentor for every mentee on skills, goals, seniority, availability, language, "
                 "time zone and your questions, then finds the best whole-cohort assignment and explains each pair."),
    propose=propose,
    suggest=suggest,
    explain=explain_members,
    explains_to_participants=lambda settings: bool(settings.explain_to_participants),
    settings=SmartMatchingSettings,
)
