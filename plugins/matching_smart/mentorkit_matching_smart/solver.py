"""The exact matching solver: mentees (rows) to mentors (columns), with capacities.

``solve`` is pure numeric: give it scores (higher is better, normally 0 to 1) and capacities,
get a ``Solution``. The default ``method="optimal"`` is a min-cost flow (OR-Tools
SimpleMinCostFlow) over each mentee's best candidates, grown by column generation until no
allowed pair anywhere can improve it, so ``proven_optimal`` is a proof over *all* allowed
pairs, not only the candidates. ``method="greedy"`` is best-pair-first, an instant preview.

Precision: the flow works on integer costs ``round(score * 1e6)``; two totals closer than
about 1e-6 per pair are treated as equal. Reported scores and totals are the given floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._flow import (
    NO_FLOOR,
    SCALE,
    Arcs,
    Network,
    Outcome,
    Progress,
    column_generation,
    empty_arcs,
    solve_flow,
    to_cost,
    top_candidates,
)
from ._sources import ArcSource, Candidates, IntArray, ScoreBlocks, Source, make_source

__all__ = ["Candidates", "ScoreBlocks", "Solution", "solve"]

Objective = Literal["participation", "score"]
Method = Literal["optimal", "greedy"]
# Candidates per mentee before column generation (the research note measured 20 as best).
TOP_K = 20
GREEDY_K = 50


@dataclass(frozen=True)
class Solution:
    """A matching. ``pairs`` are (mentee row, mentor column), sorted; ``scores`` line up with them."""

    pairs: np.ndarray  # int64, shape (k, 2)
    scores: np.ndarray  # float64, shape (k,)
    total: float
    proven_optimal: bool  # True only when optimality over all allowed pairs was proven
    unmatched: np.ndarray  # rows with fewer mentors than their mentee capacity
    floor: float | None  # the lowest matched score when fairness_floor was asked, else None
    rounds: int  # flow solves (pricing rounds) used
    arcs: int  # candidate arcs in the last graph


def _capacity(value: Any, size: int, name: str) -> IntArray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(size, arr)
    if arr.shape != (size,):
        raise ValueError(f"{name}: expected one capacity or {size} of them, got shape {arr.shape}")
    if arr.size and not np.all(np.equal(np.mod(arr, 1), 0)):
        raise ValueError(f"{name}: capacities must be whole numbers")
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError(f"{name}: capacity {int(arr.min())} is negative (at index {int(np.argmin(arr))})")
    return arr


def _pinned(src: Source, pinned: Iterable[Any], mentee_cap: IntArray, mentor_cap: IntArray) -> IntArray:
    """Pinned pairs as sorted unique keys, each checked: allowed, within both capacities."""
    n, m = src.n, src.m
    arr = np.asarray(list(pinned), dtype=np.int64).reshape(-1, 2) if pinned else np.zeros((0, 2), np.int64)
    keys: list[int] = []
    rows_used = np.zeros(n, np.int64)
    cols_used = np.zeros(m, np.int64)
    for r, c in arr:
        r, c = int(r), int(c)
        if not (0 <= r < n and 0 <= c < m):
            raise ValueError(f"pinned: pair ({r}, {c}) is outside the {n} x {m} score matrix")
        if r * m + c in keys:
            continue
        if not np.isfinite(src.score(r, c)):
            raise ValueError(f"pinned: pair ({r}, {c}) is forbidden (forbidden, no score, or below min_score)")
        rows_used[r] += 1
        cols_used[c] += 1
        if rows_used[r] > mentee_cap[r]:
            raise ValueError(f"pinned: pair ({r}, {c}) exceeds mentee {r}'s capacity of {mentee_cap[r]}")
        if cols_used[c] > mentor_cap[c]:
            raise ValueError(f"pinned: pair ({r}, {c}) exceeds mentor {c}'s capacity of {mentor_cap[c]}")
        keys.append(r * m + c)
    return np.array(sorted(keys), dtype=np.int64)


def solve(scores: Any, mentor_capacity: Any, *, mentee_capacity: Any = 1, forbidden: Any = None,
          pinned: Iterable[Any] = (), objective: Objective = "participation", fairness_floor: bool = False,
          method: Method = "optimal", min_score: float | None = None, progress: Progress = None) -> Solution:
    """Match mentees (rows) to mentors (columns), maximising the objective.

    scores: higher is better (normally 0..1); NaN or -inf forbids a pair. One of
        * a dense (n, m) array;
        * a sparse matrix (anything with ``.tocoo()``, e.g. scipy.sparse or ``Candidates``):
          only the listed entries are allowed pairs (an explicit 0 is a pair scoring 0);
        * ``ScoreBlocks(n, m, block)``: rows computed on demand, so n x m is never held.
    mentor_capacity / mentee_capacity: an int or one int per mentor / mentee. A mentee never
        gets the same mentor twice.
    forbidden: a bool (n, m) mask or (row, col) pairs; these pairs are simply not arcs.
    pinned: (row, col) pairs that must be in the result (ValueError naming the pair when it
        is not allowed or does not fit a capacity). The rest is optimised around them.
    min_score: pairs scoring below this are not allowed.
    objective: "participation" matches the largest possible number of mentee slots, then
        maximises the total score among those matchings; "score" maximises the total score
        only, so a pair scoring <= 0 is never worth matching and a mentee may stay unmatched
        when her only possible mentor adds more to the total with someone else (with scores
        in [0, 1] and enough capacity the two usually agree).
    fairness_floor: with "participation", first maximise the lowest score among matched
        pairs (keeping the maximum number matched), then the total among matchings at that
        floor. Exact: bisection over score values with flow feasibility tests, each proven
        over all pairs by the same pricing.
    method: "optimal" (min-cost flow + column generation; ``proven_optimal`` True once proven)
        or "greedy" (best pair first; fast, not optimal, no OR-Tools needed).
    progress: called as ``progress(done, total, stage)`` while rows are read; an exception it
        raises propagates, which is how a caller cancels.
    """
    if objective not in ("participation", "score"):
        raise ValueError(f"objective: unknown objective {objective!r} (expected 'participation' or 'score')")
    if method not in ("optimal", "greedy"):
        raise ValueError(f"method: unknown method {method!r} (expected 'optimal' or 'greedy')")
    if fairness_floor and objective != "participation":
        raise ValueError("fairness_floor: only defined with objective='participation' (the floor is maximised "
                         "while keeping the maximum number matched)")
    src = make_source(scores, forbidden, min_score)
    n, m = src.n, src.m
    mentor_cap = _capacity(mentor_capacity, m, "mentor_capacity")
    mentee_cap = _capacity(mentee_capacity, n, "mentee_capacity")
    pins = _pinned(src, pinned, mentee_cap, mentor_cap)
    pin_rows, pin_cols = pins // max(m, 1), pins % max(m, 1)
    supply = mentee_cap - np.bincount(pin_rows, minlength=n)
    cap = mentor_cap - np.bincount(pin_cols, minlength=m)
    pin_s = np.array([src.score(int(r), int(c)) for r, c in zip(pin_rows, pin_cols, strict=True)], np.float64)
    if n == 0 or m == 0:
        return _result(empty_arcs(), pin_rows, pin_cols, pin_s, mentee_cap, True, None, 0, 0)
    if method == "greedy":
        arcs = _greedy(src, supply, cap, pins, objective, progress)
        floor = _lowest(arcs.s, pin_s) if fairness_floor else None
        return _result(arcs, pin_rows, pin_cols, pin_s, mentee_cap, False, floor, 0, len(arcs))
    if isinstance(src, ArcSource):
        arcs = Arcs(src.rows, src.cols, to_cost(src.vals).astype(np.int64), src.vals)
        arcs = arcs.subset(~np.isin(arcs.keys(m), pins))
        cmin, cmax = (int(arcs.c.min()), int(arcs.c.max())) if len(arcs) else (0, 0)
    else:
        arcs, cmin, cmax = top_candidates(src, TOP_K + int(mentee_cap.max(initial=0)), pins, progress)
    total = int(supply.sum())
    # "participation": one unmatched slot costs more than any change of total score a matching
    # of `total` slots can make, so the flow first maximises the number matched.
    slack = total * (cmax - cmin) + total * max(0, -cmin) + 1 if objective == "participation" else 0
    net = Network(n, m, supply, cap, slack, lexicographic=objective == "participation")
    out = column_generation(src, net, arcs, min_c=NO_FLOOR, excluded=pins, progress=progress)
    rounds, floor, proven = out.rounds, None, out.proven
    if fairness_floor:
        out, extra, floor_proven = _floor(src, net, out, pins, to_cost(pin_s), progress)
        rounds += extra
        proven = proven and floor_proven and out.proven
        floor = _lowest(out.arcs.s[out.flow.used], pin_s)
    chosen = out.arcs.subset(out.flow.used)
    return _result(chosen, pin_rows, pin_cols, pin_s, mentee_cap, proven, floor, rounds, len(out.arcs))


def _lowest(a: np.ndarray, b: np.ndarray) -> float | None:
    both = np.concatenate([a, b])
    return float(both.min()) if both.size else None


def _floor(src: Source, net: Network, out: Outcome, pins: IntArray, pin_c: np.ndarray,
           progress: Progress) -> tuple[Outcome, int, bool]:
    """The highest floor t such that the maximum number of slots is still matched using only
    pairs scoring >= t, then the best total at that floor: (outcome, flow solves, proven).

    Bisection runs on the candidate arcs (cheap); the answer is then certified over all pairs
    by asking for a maximum matching among pairs scoring *above* it (column generation in
    cardinality mode). If one exists, the pairs it found join the candidates and the
    bisection resumes higher; if the pricing proves none exists, the floor is exact.
    """
    need = out.flow.matched(net)
    if need == 0:
        return out, 0, True
    cap_c = int(pin_c.min()) if pin_c.size else None  # a pinned pair caps the floor
    lo = int(out.arcs.c[out.flow.used].min())
    card = Network(net.n, net.m, net.supply, net.cap, 1, zero_cost=True, lexicographic=True)
    arcs, rounds, proven = out.arcs, 0, True

    def feasible(t: int) -> bool:
        nonlocal rounds
        rounds += 1
        return solve_flow(card, arcs.subset(arcs.c >= t)).matched(card) >= need

    while cap_c is None or lo < cap_c:
        vals = np.unique(arcs.c[arcs.c > lo])
        if cap_c is not None:
            vals = vals[vals <= cap_c]
        a, b = 0, vals.size  # invariant: vals[:a] feasible, vals[b:] infeasible
        while a < b:
            mid = (a + b) // 2
            if feasible(int(vals[mid])):
                a = mid + 1
            else:
                b = mid
        if a:
            lo = int(vals[a - 1])
        if cap_c is not None and lo >= cap_c:
            break
        cert = column_generation(src, card, arcs, min_c=lo + 1, excluded=pins, progress=progress, stop_at=need)
        rounds += cert.rounds
        arcs = arcs.union(cert.arcs, net.m)
        if cert.flow.matched(card) < need:
            proven = cert.proven
            break
    final = column_generation(src, net, arcs, min_c=lo, excluded=pins, progress=progress)
    return final, rounds + final.rounds, proven


def _greedy(src: Source, supply: IntArray, cap: IntArray, pins: IntArray, objective: str,
            progress: Progress) -> Arcs:
    """Best pair first over each mentee's top candidates; mentees left with free slots then
    take their best mentors that still have room (one more pass over their rows)."""
    n, m = src.n, src.m
    if isinstance(src, ArcSource):
        arcs = Arcs(src.rows, src.cols, to_cost(src.vals).astype(np.int64), src.vals)
        arcs = arcs.subset(~np.isin(arcs.keys(m), pins))
    else:
        arcs, _, _ = top_candidates(src, GREEDY_K, pins, progress)
    if objective == "score":
        arcs = arcs.subset(arcs.s > 0)  # a pair scoring <= 0 never raises the total
    left, room = supply.copy(), cap.copy()
    order = np.lexsort((arcs.cols, arcs.rows, -arcs.s))
    take = np.zeros(len(arcs), bool)
    for i, r, c in zip(order.tolist(), arcs.rows[order].tolist(), arcs.cols[order].tolist(), strict=True):
        if left[r] > 0 and room[c] > 0:
            take[i] = True
            left[r] -= 1
            room[c] -= 1
    chosen = arcs.subset(take)
    if isinstance(src, ArcSource) or not (left > 0).any() or not (room > 0).any():
        return chosen
    extra_r, extra_c, extra_s = [], [], []
    have = set(chosen.keys(m).tolist())
    for r in np.flatnonzero(left > 0).tolist():
        if not (room > 0).any():
            break
        s = src.rows(r, r + 1)[0]
        s[room <= 0] = -np.inf
        for c in np.argsort(-s, kind="stable").tolist():
            if left[r] == 0 or not np.isfinite(s[c]) or (objective == "score" and s[c] <= 0):
                break
            if r * m + c in have or room[c] <= 0 or np.isin(r * m + c, pins):
                continue
            extra_r.append(r)
            extra_c.append(c)
            extra_s.append(s[c])
            left[r] -= 1
            room[c] -= 1
        if progress is not None:
            progress(r + 1, n, "greedy")
    if not extra_r:
        return chosen
    extra_sv = np.array(extra_s, np.float64)
    return chosen.union(Arcs(np.array(extra_r, np.int64), np.array(extra_c, np.int64),
                             to_cost(extra_sv).astype(np.int64), extra_sv), m)


def _result(arcs: Arcs, pin_rows: IntArray, pin_cols: IntArray, pin_s: np.ndarray, mentee_cap: IntArray,
            proven: bool, floor: float | None, rounds: int, n_arcs: int) -> Solution:
    rows = np.concatenate([arcs.rows, pin_rows]).astype(np.int64)
    cols = np.concatenate([arcs.cols, pin_cols]).astype(np.int64)
    s = np.concatenate([arcs.s, pin_s]).astype(np.float64)
    order = np.lexsort((cols, rows))
    pairs = np.stack([rows[order], cols[order]], axis=1).reshape(-1, 2)
    got = np.bincount(rows, minlength=mentee_cap.size)
    unmatched = np.flatnonzero(got < mentee_cap).astype(np.int64)
    return Solution(pairs=pairs, scores=s[order], total=float(s.sum()), proven_optimal=proven,
                    unmatched=unmatched, floor=floor, rounds=rounds, arcs=n_arcs)


# The smallest score difference the optimal method distinguishes.
PRECISION = 1.0 / SCALE
