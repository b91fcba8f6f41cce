"""The matching solver against independent exact solvers (scipy), on seeded random instances.

Reference ("slot expansion"): scipy's ``linear_sum_assignment`` solves a one-to-one
assignment, so each mentor j becomes ``capacity[j]`` identical slot columns, and each mentee
gets a private "unmatched" dummy column scoring 0 (every other mentee's dummy is impossible)
so that leaving a mentee unmatched is always an option. Forbidden pairs get a large negative
value no optimum would ever choose (the dummy column is always a better choice). For the
participation objective every real pair also gets a bonus larger than any possible total of
scores, so the reference first maximises the number matched, exactly like the solver's
definition. Mentees with several mentors cannot be slot-expanded (two copies of one mentee
could take two slots of the same mentor), so those cases use an integer program (scipy
``milp``, HiGHS) as the reference instead.

Scores are rounded to 3 decimals in most instances: it creates exact ties (the hard case
for tie-breaking and floors) and keeps the solver's 1e-6 integer costs exact.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

import mentorkit_matching_smart._flow as flow_module
import mentorkit_matching_smart._sources as sources_module
import mentorkit_matching_smart.solver as solver_module
from mentorkit_matching_smart import Candidates, ScoreBlocks, Solution, solve, solve_peers

BIG = 1e9


def instance(seed: int, n: int, m: int, *, forbid: float = 0.0, decimals: int | None = 3) -> np.ndarray:
    """Low-rank "skills" scores plus noise and mentor popularity: mentees crowd the same mentors."""
    rng = np.random.default_rng(seed)
    u, v = rng.random((n, 3)), rng.random((m, 3))
    s = (u @ v.T) / 3 + 0.3 * rng.random((n, m)) + 0.2 * rng.random(m)[None, :]
    s = (s - s.min()) / (s.max() - s.min())
    if decimals is not None:
        s = np.round(s, decimals)
    s[rng.random((n, m)) < forbid] = np.nan
    return s


def reference(s: np.ndarray, cap: np.ndarray, *, participation: bool = True,
              pinned: list[tuple[int, int]] = ()) -> tuple[float, int]:  # type: ignore[assignment]
    """(best total score, matched count) by slot-expanded linear_sum_assignment (mentee capacity 1)."""
    n, m = s.shape
    cap = np.array(cap, dtype=np.int64)
    pinned_rows = {r for r, _ in pinned}
    base = sum(s[r, c] for r, c in pinned)
    for _, c in pinned:
        cap[c] -= 1
    rows = [i for i in range(n) if i not in pinned_rows]
    if not rows:
        return base, len(pinned)
    sub = s[rows]
    allowed = np.isfinite(sub)
    bonus = len(rows) + 1.0 if participation else 0.0  # > any total of scores in [0, 1]
    value = np.where(allowed, np.nan_to_num(sub, nan=0.0, neginf=0.0) + bonus, -BIG)
    slots = np.repeat(np.arange(m), cap)
    dummy = np.full((len(rows), len(rows)), -BIG)
    np.fill_diagonal(dummy, 0.0)
    matrix = np.hstack([value[:, slots], dummy])
    r, c = linear_sum_assignment(matrix, maximize=True)
    real = c < slots.size
    assert (matrix[r, c] > -BIG / 2).all()
    chosen = sub[r[real], slots[c[real]]]
    return base + float(chosen.sum()), len(pinned) + int(real.sum())


def reference_milp(s: np.ndarray, cap: np.ndarray, mentee_cap: np.ndarray, *, participation: bool = True) -> float:
    """Best total by an integer program: x_ij in {0, 1}, row sums <= mentee_cap, column sums <= cap."""
    n, m = s.shape
    ii, jj = np.nonzero(np.isfinite(s))
    k = ii.size
    bonus = float(mentee_cap.sum()) + 1.0 if participation else 0.0
    c = -(s[ii, jj] + bonus)
    a_rows = sparse.csr_matrix((np.ones(k), (ii, np.arange(k))), shape=(n, k))
    a_cols = sparse.csr_matrix((np.ones(k), (jj, np.arange(k))), shape=(m, k))
    res = milp(c, integrality=np.ones(k), bounds=Bounds(0, 1),
               constraints=[LinearConstraint(a_rows, 0, mentee_cap), LinearConstraint(a_cols, 0, cap)])
    assert res.success
    x = np.rint(res.x).astype(bool)
    return float(s[ii[x], jj[x]].sum())


def check(sol: Solution, s: np.ndarray, cap: Any, mentee_cap: Any = 1, pinned: Any = ()) -> None:
    """Invariants of every solution: allowed pairs only, capacities kept, no pair twice, scores right."""
    n, m = s.shape
    rows, cols = sol.pairs[:, 0], sol.pairs[:, 1]
    assert np.isfinite(s[rows, cols]).all(), "a forbidden pair was chosen"
    assert (np.bincount(cols, minlength=m) <= np.broadcast_to(cap, (m,))).all(), "mentor capacity exceeded"
    got = np.bincount(rows, minlength=n)
    assert (got <= np.broadcast_to(mentee_cap, (n,))).all(), "mentee capacity exceeded"
    assert len({(r, c) for r, c in sol.pairs.tolist()}) == len(sol.pairs), "a pair appears twice"
    assert np.allclose(sol.scores, s[rows, cols])
    assert sol.total == pytest.approx(float(sol.scores.sum()))
    assert set(np.flatnonzero(got < np.broadcast_to(mentee_cap, (n,))).tolist()) == set(sol.unmatched.tolist())
    keys = [tuple(p) for p in sol.pairs.tolist()]
    assert keys == sorted(keys)
    for p in pinned:
        assert tuple(p) in keys


SIZES = [(1, 12, 5, 2), (2, 40, 12, 3), (3, 60, 20, 3), (4, 120, 30, 4), (5, 50, 80, 1), (6, 90, 20, 2)]


@pytest.mark.parametrize("seed,n,m,c", SIZES)
@pytest.mark.parametrize("forbid", [0.0, 0.3])
def test_optimal_equals_reference(seed: int, n: int, m: int, c: int, forbid: float) -> None:
    s = instance(seed, n, m, forbid=forbid)
    sol = solve(s, c)
    total, matched = reference(s, np.full(m, c))
    check(sol, s, c)
    assert sol.proven_optimal
    assert len(sol.pairs) == matched
    assert sol.total == pytest.approx(total, abs=1e-9)
    assert sol.floor is None and sol.rounds >= 1 and sol.arcs > 0


@pytest.mark.parametrize("seed", range(4))
def test_various_capacities_and_forbidden_pairs(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n, m = 70, 25
    s = instance(seed, n, m, decimals=None)
    cap = rng.integers(0, 5, m)
    mask = rng.random((n, m)) < 0.25
    pairs = [(int(r), int(c)) for r, c in zip(*np.nonzero(rng.random((n, m)) < 0.1), strict=True)]
    sol = solve(s, cap, forbidden=mask)
    expected = np.where(mask, np.nan, s)
    check(sol, expected, cap)
    assert sol.total == pytest.approx(reference(expected, cap)[0], abs=1e-5)
    sol = solve(s, cap, forbidden=pairs)
    expected = s.copy()
    expected[tuple(np.array(pairs).T)] = np.nan
    check(sol, expected, cap)
    assert sol.total == pytest.approx(reference(expected, cap)[0], abs=1e-5)


def test_column_generation_repairs_a_tiny_candidate_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one candidate per mentee everybody wants the same mentors: only pricing finds the optimum."""
    monkeypatch.setattr(solver_module, "TOP_K", 1)
    s = instance(7, 150, 30, forbid=0.1)
    sol = solve(s, 5)
    check(sol, s, 5)
    assert sol.rounds > 1 and sol.proven_optimal
    assert sol.total == pytest.approx(reference(s, np.full(30, 5))[0], abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_later_rounds_read_only_the_rows_their_bounds_do_not_prove(monkeypatch: pytest.MonkeyPatch,
                                                                   seed: int) -> None:
    """After the first pass, pricing reads again only the rows whose bound no longer proves them
    (plus the pool): fewer rows than a pass per round, and still the exact optimum."""
    monkeypatch.setattr(solver_module, "TOP_K", 1)
    monkeypatch.setattr(flow_module, "KEEP", 3)  # tight bounds: potentials moving make rows unproven
    monkeypatch.setattr(sources_module, "BLOCK_ELEMENTS", 7 * 60)  # 7 rows per block
    s = instance(seed, 150, 60, forbid=0.1)  # more mentors than a row keeps in the pool: bounds are used
    asked: list[slice] = []

    def block(rows: slice) -> np.ndarray:
        asked.append(rows)
        return s[rows]

    sol = solve(ScoreBlocks(150, 60, block), 3)
    check(sol, s, 3)
    assert sol.proven_optimal and sol.rounds > 2
    assert sol.total == pytest.approx(reference(s, np.full(60, 3))[0], abs=1e-9)
    read = sum(r.stop - r.start for r in asked)
    assert read < 150 * (sol.rounds + 1)  # candidates and one whole pass per round would read this much
    assert all(0 <= r.start < r.stop <= 150 for r in asked)


@pytest.mark.parametrize("seed", range(4))
def test_partial_reads_with_forbidden_pinned_and_min_score(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Rows read a few at a time (partial pricing) apply forbidden pairs, pins and min_score like whole passes."""
    monkeypatch.setattr(solver_module, "TOP_K", 2)
    monkeypatch.setattr(flow_module, "KEEP", 3)
    monkeypatch.setattr(sources_module, "BLOCK_ELEMENTS", 5 * 45)
    s = instance(200 + seed, 70, 45, forbid=0.2)
    forbidden = [(r, c) for r in range(0, 70, 3) for c in range(0, 45, 7)]
    pinned = [(r, next(c for c in range(45) if np.isfinite(s[r, c]) and s[r, c] >= 0.1 and (r, c) not in forbidden))
              for r in (10, 40)]
    kwargs: dict[str, Any] = {"forbidden": forbidden, "pinned": pinned, "min_score": 0.1}
    got = solve(ScoreBlocks(70, 45, lambda rows: s[rows]), 2, **kwargs)
    monkeypatch.setattr(sources_module, "BLOCK_ELEMENTS", 1 << 22)
    want = solve(s, 2, **kwargs)
    expected = s.copy()
    expected[tuple(np.array(forbidden).T)] = np.nan
    expected[expected < 0.1] = np.nan
    check(got, expected, 2, pinned=pinned)
    assert got.proven_optimal and got.total == pytest.approx(want.total, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_potentials_are_a_feasible_dual_from_any_start(seed: int) -> None:
    """Warm-started and tightened potentials keep every residual arc's reduced cost >= 0."""
    s = instance(300 + seed, 40, 12, forbid=0.2)
    src = sources_module.make_source(s, None, None)
    assert isinstance(src, sources_module.BlockSource)
    arcs, cmin, cmax = flow_module.top_candidates(src, 3, np.zeros(0, np.int64), None)
    supply, cap = np.ones(40, np.int64), np.full(12, 3, np.int64)
    for lexicographic in (True, False):
        net = flow_module.Network(40, 12, supply, cap, 40 * (cmax - cmin) + 1, lexicographic=lexicographic)
        flow = flow_module.solve_flow(net, arcs)
        u, v, w = flow_module.residual(net, arcs, flow)
        rng = np.random.default_rng(seed)
        for start in (None, rng.integers(-10**6, 10**6, 53), np.zeros(53, np.int64)):
            d = flow_module.potentials(net, arcs, flow, start)
            assert (w + d[u] - d[v] >= 0).all()


def test_runs_split_rows_into_consecutive_spans() -> None:
    rows = np.array([0, 1, 2, 5, 6, 9, 10, 11, 12, 13], np.int64)
    assert flow_module.runs(rows, 3) == [(0, 3), (5, 7), (9, 12), (12, 14)]
    assert flow_module.runs(np.zeros(0, np.int64), 3) == []


@pytest.mark.parametrize("seed", range(3))
def test_pinned_pairs_are_kept_and_the_rest_is_optimal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, c = 50, 15, 3
    s = instance(seed + 20, n, m, forbid=0.2)
    allowed = np.argwhere(np.isfinite(s))
    pinned: list[tuple[int, int]] = []
    load = np.zeros(m, int)
    for r, col in allowed[rng.permutation(len(allowed))][:40].tolist():
        if len(pinned) < 6 and r not in {p[0] for p in pinned} and load[col] < c:
            pinned.append((r, col))
            load[col] += 1
    sol = solve(s, c, pinned=pinned)
    check(sol, s, c, pinned=pinned)
    assert sol.total == pytest.approx(reference(s, np.full(m, c), pinned=pinned)[0], abs=1e-9)
    # Pinning pairs never beats the free optimum; an array of pairs works like a list.
    assert sol.total <= solve(s, c).total + 1e-9
    assert solve(s, c, pinned=np.array(pinned)).total == sol.total


@pytest.mark.parametrize("seed", range(3))
def test_mentees_with_several_mentors(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 40, 15
    s = instance(seed + 30, n, m, forbid=0.2)
    cap = rng.integers(1, 6, m)
    mentee_cap = rng.integers(0, 4, n)
    for participation in (True, False):
        sol = solve(s, cap, mentee_capacity=mentee_cap, objective="participation" if participation else "score")
        check(sol, s, cap, mentee_cap)
        assert sol.total == pytest.approx(reference_milp(s, cap, mentee_cap, participation=participation),
                                          abs=1e-9)


def test_participation_first_matches_the_most_mentees() -> None:
    # A can only have X; B prefers X but could take Y. Score alone gives X to B and leaves A out.
    s = np.array([[0.5, np.nan], [1.0, 0.1]])
    assert solve(s, 1, objective="score").pairs.tolist() == [[1, 0]]
    assert solve(s, 1).pairs.tolist() == [[0, 0], [1, 1]]
    for seed in range(6):
        s = instance(seed + 40, 60, 20, forbid=0.6)
        both = solve(s, 2), solve(s, 2, objective="score")
        total_p, matched_p = reference(s, np.full(20, 2))
        total_s, _ = reference(s, np.full(20, 2), participation=False)
        assert len(both[0].pairs) == matched_p
        assert both[0].total == pytest.approx(total_p, abs=1e-9)
        assert both[1].total == pytest.approx(total_s, abs=1e-9)
        assert len(both[1].pairs) <= matched_p and both[1].total >= both[0].total - 1e-9


def reference_floor(s: np.ndarray, cap: np.ndarray) -> tuple[float, float]:
    """(max-min floor keeping the maximum number matched, best total at that floor), by bisection with LSA."""
    _, need = reference(s, cap)
    values = np.unique(s[np.isfinite(s)])
    lo, hi = 0, values.size - 1  # values[lo] is feasible (everything allowed)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if reference(np.where(s >= values[mid], s, np.nan), cap)[1] == need:
            lo = mid
        else:
            hi = mid - 1
    floor = float(values[lo])
    return floor, reference(np.where(s >= floor, s, np.nan), cap)[0]


@pytest.mark.parametrize("seed,n,m,c", [(1, 30, 10, 3), (2, 45, 15, 2), (3, 25, 30, 1), (4, 60, 12, 4)])
def test_fairness_floor_equals_the_brute_force_maximin(seed: int, n: int, m: int, c: int) -> None:
    s = instance(seed + 50, n, m, forbid=0.3)
    cap = np.full(m, c)
    floor, total = reference_floor(s, cap)
    sol = solve(s, cap, fairness_floor=True)
    check(sol, s, cap)
    assert sol.proven_optimal
    assert len(sol.pairs) == reference(s, cap)[1]
    assert sol.floor == pytest.approx(floor) and sol.scores.min() == pytest.approx(floor)
    assert sol.total == pytest.approx(total, abs=1e-9)
    assert sol.total <= solve(s, cap).total + 1e-9


def test_fairness_floor_stops_at_a_pinned_pair() -> None:
    """The pinned pair (0.5) caps the floor, and the best matching above 0.1 uses only pairs above 0.5."""
    s = np.array([[np.nan, np.nan, 0.5], [1.0, 0.55, np.nan], [0.52, 0.1, np.nan]])
    assert solve(s, 1, pinned=[(0, 2)]).scores.min() == 0.1
    sol = solve(s, 1, pinned=[(0, 2)], fairness_floor=True)
    check(sol, s, 1, pinned=[(0, 2)])
    assert sol.floor == 0.5 and sol.proven_optimal
    assert sol.total == pytest.approx(0.5 + 0.55 + 0.52)


@pytest.mark.parametrize("seed", range(3))
def test_fairness_floor_with_pinned_pairs(seed: int) -> None:
    s = instance(seed + 110, 30, 10, forbid=0.2)
    cap = np.full(10, 3)
    r, c = np.argwhere(np.isfinite(s))[seed * 7]
    pinned = [(int(r), int(c))]
    sol = solve(s, cap, pinned=pinned, fairness_floor=True)
    check(sol, s, cap, pinned=pinned)
    # Reference: the pinned mentee and slot are removed; the others' floor is capped by the pinned score.
    rest = s.copy()
    rest[r] = np.nan
    cap_rest = cap.copy()
    cap_rest[c] -= 1
    best_floor, _ = reference_floor(rest, cap_rest)
    floor = min(best_floor, s[r, c])
    total = reference(np.where(rest >= floor, rest, np.nan), cap_rest)[0] + s[r, c]
    assert len(sol.pairs) == reference(s, cap, pinned=pinned)[1]
    assert sol.floor == pytest.approx(floor) and sol.total == pytest.approx(total, abs=1e-9)


@pytest.mark.parametrize("seed", [36, 61])
def test_fairness_floor_is_found_beyond_the_first_candidates(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Seed 36 needs the certification step: the best floor uses pairs the total optimum never priced in."""
    monkeypatch.setattr(solver_module, "TOP_K", 1)
    s = instance(seed, 60, 15, forbid=0.2)
    cap = np.full(15, 4)
    floor, total = reference_floor(s, cap)
    sol = solve(s, cap, fairness_floor=True)
    assert sol.floor == pytest.approx(floor) and sol.total == pytest.approx(total, abs=1e-9)


def test_sparse_and_block_inputs_give_the_dense_totals() -> None:
    s = instance(70, 80, 25, forbid=0.3)
    cap = 3
    dense = solve(s, cap)
    r, c = np.nonzero(np.isfinite(s))
    for scores in (sparse.coo_matrix((s[r, c], (r, c)), shape=s.shape).tocsr(),
                   Candidates(s.shape, r, c, s[r, c]),
                   ScoreBlocks(80, 25, lambda rows: s[rows])):
        for floor in (False, True):
            got = solve(scores, cap, fairness_floor=floor)
            want = solve(s, cap, fairness_floor=floor)
            check(got, s, cap)
            assert got.proven_optimal
            assert got.total == pytest.approx(want.total, abs=1e-9) and got.floor == want.floor
    assert dense.total == pytest.approx(reference(s, np.full(25, cap))[0], abs=1e-9)


def test_sparse_scores_allow_only_listed_pairs_even_zero() -> None:
    m = sparse.coo_matrix(([0.0, 0.9], ([0, 1], [1, 1])), shape=(2, 2))
    sol = solve(m, 2)
    assert sol.pairs.tolist() == [[0, 1], [1, 1]] and sol.total == pytest.approx(0.9)


@pytest.mark.parametrize("seed", range(4))
def test_greedy_is_valid_and_never_beats_the_optimum(seed: int) -> None:
    s = instance(seed + 80, 100, 30, forbid=0.2, decimals=None)
    cap = np.random.default_rng(seed).integers(1, 6, 30)
    best_total = solve(s, cap, objective="score").total  # no matching has a higher total
    for objective in ("participation", "score"):
        greedy = solve(s, cap, method="greedy", objective=objective)
        best = solve(s, cap, objective=objective)
        check(greedy, s, cap)
        assert not greedy.proven_optimal and best.proven_optimal
        assert greedy.total <= best_total + 1e-9
        # Participation first compares (matched, total): greedy may match fewer with a higher total.
        assert (len(greedy.pairs), greedy.total) <= (len(best.pairs), best.total + 1e-9)
        assert greedy.total >= 0.8 * best.total


def test_min_score_removes_pairs() -> None:
    s = instance(90, 40, 10)
    sol = solve(s, 4, min_score=0.5)
    expected = np.where(s >= 0.5, s, np.nan)
    check(sol, expected, 4)
    assert sol.total == pytest.approx(reference(expected, np.full(10, 4))[0], abs=1e-9)


def test_capacity_below_demand_leaves_the_rest_unmatched() -> None:
    s = instance(91, 30, 4)
    sol = solve(s, 2)
    assert len(sol.pairs) == 8 and len(sol.unmatched) == 22
    assert solve(s, 0).pairs.shape == (0, 2)


@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0)])
def test_empty_inputs(shape: tuple[int, int]) -> None:
    for method in ("optimal", "greedy"):
        sol = solve(np.zeros(shape), 2, method=method, fairness_floor=True)
        assert sol.pairs.shape == (0, 2) and sol.total == 0 and sol.floor is None
        assert sol.unmatched.tolist() == list(range(shape[0]))
    assert solve(ScoreBlocks(0, 3, lambda rows: np.zeros((0, 3))), 1).pairs.shape == (0, 2)


def test_progress_is_reported_and_can_cancel() -> None:
    s = instance(92, 50, 10)
    calls: list[tuple[int, int, str]] = []
    solve(ScoreBlocks(50, 10, lambda rows: s[rows]), 5, progress=lambda d, t, st: calls.append((d, t, st)))
    assert calls and calls[-1][0] == calls[-1][1] == 50 and {c[2] for c in calls} >= {"candidates"}

    class Cancelled(Exception):
        pass

    def cancel(done: int, total: int, stage: str) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        solve(s, 5, progress=cancel)


@pytest.mark.parametrize("kwargs,message", [
    ({"mentor_capacity": [1, 2]}, "mentor_capacity"),
    ({"mentor_capacity": -1}, "negative"),
    ({"mentor_capacity": 1.5}, "whole numbers"),
    ({"mentee_capacity": [1] * 4}, "mentee_capacity"),
    ({"objective": "fun"}, "objective"),
    ({"method": "magic"}, "method"),
    ({"forbidden": np.zeros((2, 2), bool)}, "forbidden"),
    ({"forbidden": [(9, 0)]}, "forbidden: pair (9, 0)"),
    ({"pinned": [(0, 1)]}, "pinned: pair (0, 1) is forbidden"),
    ({"pinned": [(0, 0), (1, 0), (2, 0)], "mentor_capacity": 2}, "pinned: pair (2, 0) exceeds mentor 0"),
    ({"pinned": [(0, 0), (0, 2)]}, "pinned: pair (0, 2) exceeds mentee 0"),
    ({"pinned": [(7, 0)]}, "pinned: pair (7, 0) is outside"),
    ({"pinned": [(1, 2)], "min_score": 0.95}, "pinned: pair (1, 2) is forbidden"),
    ({"fairness_floor": True, "objective": "score"}, "fairness_floor"),
])
def test_bad_input_is_a_clear_error(kwargs: dict[str, Any], message: str) -> None:
    s = np.array([[0.9, np.nan, 0.5], [0.2, 0.3, 0.4], [0.6, 0.7, 0.8]])
    args = {"mentor_capacity": 2, **kwargs}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        solve(s, **args)


def test_bad_scores_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="2-D"):
        solve(np.zeros(3), 1)
    with pytest.raises(ValueError, match=r"\+inf"):
        solve(np.array([[np.inf]]), 1)
    with pytest.raises(ValueError, match="listed twice"):
        solve(Candidates((2, 2), [0, 0], [1, 1], [0.1, 0.2]), 1)
    with pytest.raises(ValueError, match="too wide"):
        solve(np.array([[1e12, 0.0], [0.0, 1e12]]), 1)
    with pytest.raises(ValueError, match="block of rows"):
        solve(ScoreBlocks(2, 2, lambda rows: np.zeros((1, 1))), 1)


def peer_instance(seed: int, n: int, forbid: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    u = rng.random((n, 3))
    s = np.round((u @ u.T) / 3 * 0.7 + 0.3 * rng.random((n, n)), 3)
    s = (s + s.T) / 2
    off = np.triu(rng.random((n, n)) < forbid, 1)
    s[off | off.T] = np.nan
    return s


def reference_peers(s: np.ndarray, participation: bool) -> tuple[float, int]:
    """(best total, pairs) by dynamic programming over subsets: exact, independent, small n only."""
    n = s.shape[0]
    bonus = n + 1.0 if participation else 0.0
    best = {0: (0.0, 0.0, 0)}  # bit set = person still undecided -> (value, total, pairs)

    def go(mask: int) -> tuple[float, float, int]:
        if mask in best:
            return best[mask]
        i = (mask & -mask).bit_length() - 1  # lowest undecided person
        out = go(mask & ~(1 << i))  # i stays alone
        for j in range(i + 1, n):
            if mask >> j & 1 and np.isfinite(s[i, j]) and (participation or s[i, j] > 0):
                v, t, k = go(mask & ~(1 << i) & ~(1 << j))
                if v + s[i, j] + bonus > out[0] + 1e-12:
                    out = (v + s[i, j] + bonus, t + s[i, j], k + 1)
        best[mask] = out
        return out

    _, total, pairs = go((1 << n) - 1)
    return total, pairs


@pytest.mark.parametrize("seed,n", [(1, 5), (2, 8), (3, 11), (4, 12), (5, 9)])
def test_peers_equal_the_subset_dp(seed: int, n: int) -> None:
    s = peer_instance(seed, n, forbid=0.4)
    for objective in ("participation", "score"):
        sol = solve_peers(s, objective=objective)
        total, pairs = reference_peers(s, objective == "participation")
        assert sol.proven_optimal
        assert sol.total == pytest.approx(total, abs=1e-9)
        if objective == "participation":
            assert len(sol.pairs) == pairs
        people = sol.pairs.ravel().tolist()
        assert len(people) == len(set(people)), "somebody is in two pairs"
        assert (sol.pairs[:, 0] < sol.pairs[:, 1]).all() and np.isfinite(s[sol.pairs[:, 0], sol.pairs[:, 1]]).all()
        greedy = solve_peers(s, objective=objective, method="greedy")
        assert greedy.total <= sol.total + 1e-9 and not greedy.proven_optimal


def test_peers_pinned_forbidden_and_errors() -> None:
    s = peer_instance(6, 10, forbid=0.0)
    sol = solve_peers(s, pinned=[(3, 1)], forbidden=[(0, 2), (4, 5)])
    pairs = {tuple(p) for p in sol.pairs.tolist()}
    assert (1, 3) in pairs and not pairs & {(0, 2), (4, 5)}
    t = s.copy()
    t[0, 2] = t[2, 0] = t[4, 5] = t[5, 4] = np.nan
    t[[1, 3], :] = np.nan
    t[:, [1, 3]] = np.nan
    assert sol.total == pytest.approx(reference_peers(t, True)[0] + s[1, 3], abs=1e-9)
    assert len(solve_peers(np.zeros((0, 0))).pairs) == 0
    with pytest.raises(ValueError, match="symmetric"):
        solve_peers(np.array([[0, 1.0], [0.5, 0]]))
    with pytest.raises(ValueError, match="square"):
        solve_peers(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"pinned: pair \(1, 2\) puts person 1 in two pairs"):
        solve_peers(s, pinned=[(0, 1), (1, 2)])
    with pytest.raises(ValueError, match=r"pinned: pair \(0, 2\) is forbidden"):
        solve_peers(s, pinned=[(0, 2)], forbidden=[(2, 0)])
