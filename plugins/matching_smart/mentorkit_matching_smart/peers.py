"""Peer pairing: one group of people pairing among themselves, each in at most one pair.

This is a maximum-weight matching in a general (non-bipartite) graph, so the min-cost flow
of ``solve`` does not apply (odd cycles). networkx's blossom algorithm is not a dependency,
so the exact method is an integer program solved by OR-Tools CP-SAT: one 0/1 variable per
allowed pair, at most one pair per person. CP-SAT proves optimality quickly for groups of a
few hundred people (n^2 / 2 variables); ``proven_optimal`` comes from its status, so a run
stopped by ``time_limit`` returns its best matching with ``proven_optimal=False``.
``method="greedy"`` is best-pair-first.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._flow import SCALE
from ._sources import FloatArray, IntArray
from .solver import Method, Objective, Solution


def _allowed(scores: Any, forbidden: Any, min_score: float | None) -> FloatArray:
    s = np.array(scores, dtype=np.float64, copy=True)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"scores: expected a square (people x people) matrix, got shape {s.shape}")
    n = s.shape[0]
    if np.isposinf(s).any():
        raise ValueError("scores: +inf is not a score (use NaN or -inf for a forbidden pair)")
    s[np.isnan(s)] = -np.inf
    if not np.array_equal(s, s.T):
        raise ValueError("scores: a peer score matrix must be symmetric (score[i, j] == score[j, i])")
    if forbidden is not None:
        if isinstance(forbidden, np.ndarray) and forbidden.dtype == np.bool_:
            if forbidden.shape != (n, n):
                raise ValueError(f"forbidden: mask has shape {forbidden.shape}, expected {(n, n)}")
            s[forbidden | forbidden.T] = -np.inf
        else:
            for i, j in forbidden:
                if not (0 <= i < n and 0 <= j < n):
                    raise ValueError(f"forbidden: pair ({i}, {j}) is outside the {n} x {n} score matrix")
                s[i, j] = s[j, i] = -np.inf
    if min_score is not None:
        s[s < min_score] = -np.inf
    np.fill_diagonal(s, -np.inf)  # nobody pairs with themselves
    return s


def solve_peers(scores: Any, *, forbidden: Any = None, pinned: Iterable[Any] = (),
                objective: Objective = "participation", method: Method = "optimal",
                min_score: float | None = None, time_limit: float = 30.0) -> Solution:
    """Pair people of one group among themselves (each in at most one pair), maximising the objective.

    scores: a symmetric (n, n) matrix, higher is better; NaN or -inf forbids a pair (the
        diagonal is ignored). forbidden / pinned / min_score / objective: as in ``solve``
        (a pair works both ways). ``pairs`` come back as (i, j) with i < j.
    """
    if objective not in ("participation", "score"):
        raise ValueError(f"objective: unknown objective {objective!r} (expected 'participation' or 'score')")
    if method not in ("optimal", "greedy"):
        raise ValueError(f"method: unknown method {method!r} (expected 'optimal' or 'greedy')")
    s = _allowed(scores, forbidden, min_score)
    n = s.shape[0]
    taken = np.zeros(n, bool)
    fixed: list[tuple[int, int]] = []
    for p in pinned:
        i, j = sorted((int(p[0]), int(p[1])))
        if not (0 <= i < n and 0 <= j < n):
            raise ValueError(f"pinned: pair ({p[0]}, {p[1]}) is outside the {n} x {n} score matrix")
        if not np.isfinite(s[i, j]):
            raise ValueError(f"pinned: pair ({p[0]}, {p[1]}) is forbidden (forbidden, no score, or below min_score)")
        if (i, j) in fixed:
            continue
        if taken[i] or taken[j]:
            raise ValueError(f"pinned: pair ({p[0]}, {p[1]}) puts person {i if taken[i] else j} in two pairs")
        taken[i] = taken[j] = True
        fixed.append((i, j))
    free = ~taken
    ii, jj = np.nonzero(np.triu(np.isfinite(s) & free[:, None] & free[None, :], 1))
    if objective == "score":
        keep = s[ii, jj] > 0  # a pair scoring <= 0 never raises the total
        ii, jj = ii[keep], jj[keep]
    chosen = _greedy(s, ii, jj)
    proven = False
    if method == "optimal":
        chosen, proven = _cp_sat(s, ii, jj, chosen, objective, time_limit)
    pairs = sorted(fixed + [(int(ii[k]), int(jj[k])) for k in chosen])
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    vals = s[arr[:, 0], arr[:, 1]] if len(arr) else np.zeros(0)
    matched = np.zeros(n, bool)
    matched[arr.ravel()] = True
    return Solution(pairs=arr, scores=vals, total=float(vals.sum()), proven_optimal=proven,
                    unmatched=np.flatnonzero(~matched).astype(np.int64), floor=None, rounds=1, arcs=int(ii.size))


def _greedy(s: FloatArray, ii: IntArray, jj: IntArray) -> list[int]:
    """Best pair first (ties: lower people first)."""
    used = np.zeros(s.shape[0], bool)
    out = []
    for k in np.lexsort((jj, ii, -s[ii, jj])).tolist():
        if not used[ii[k]] and not used[jj[k]]:
            used[ii[k]] = used[jj[k]] = True
            out.append(k)
    return out


def _cp_sat(s: FloatArray, ii: IntArray, jj: IntArray, hint: list[int], objective: str,
            time_limit: float) -> tuple[list[int], bool]:
    """Exact pairing by CP-SAT; participation first is two solves: the most pairs, then the
    best total with exactly that many (smaller coefficients than one weighted objective,
    which CP-SAT proves much faster)."""
    from ortools.sat.python import cp_model

    if ii.size == 0:
        return [], True
    c = np.rint(s[ii, jj] * SCALE).astype(np.int64)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(ii.size)]
    by_person: dict[int, list[Any]] = {}
    for k in range(ii.size):
        by_person.setdefault(int(ii[k]), []).append(x[k])
        by_person.setdefault(int(jj[k]), []).append(x[k])
    for vs in by_person.values():
        model.add_at_most_one(vs)
    # Odd-set cut over everybody who can pair: at most floor(people / 2) pairs. The LP
    # relaxation misses it (x = 1/2 on an odd cycle), and without it CP-SAT cannot prove an
    # odd-sized group optimal in reasonable time.
    count = sum(x)
    model.add(count <= len(by_person) // 2)
    hinted = set(hint)
    for k in range(ii.size):
        model.add_hint(x[k], k in hinted)
    proven = True
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    deadline = time.monotonic() + time_limit
    if objective == "participation":
        model.maximize(count)
        solver.parameters.max_time_in_seconds = time_limit
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return hint, False
        proven = status == cp_model.OPTIMAL
        model.add(count >= round(solver.objective_value))
    model.maximize(sum(int(c[k]) * x[k] for k in range(ii.size)))
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint, False
    return [k for k in range(ii.size) if solver.boolean_value(x[k])], proven and status == cp_model.OPTIMAL
