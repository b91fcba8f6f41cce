"""Min-cost flow over a candidate graph, proven optimal by column generation.

Network: mentee i (supply = its free slots) -> mentor j (arc capacity 1, cost -score) ->
sink (capacity = the mentor's free slots); mentee i -> sink is the "unmatched" slack arc.
OR-Tools solves the candidate graph; node potentials (shortest distances in the residual
graph of that optimal flow) then price every allowed pair: a pair outside the graph with a
negative reduced cost could improve the flow, so it joins the graph and the flow is solved
again. When no such pair is left, the flow is optimal over *all* allowed pairs (LP duality:
the potentials are a feasible dual of the full problem).

Costs are integers: ``round(score * SCALE)``, so scores count to 1e-6.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._sources import ArcSource, BlockSource, FloatArray, IntArray, Source, mask_keys

SCALE = 1_000_000
NO_FLOOR = -(1 << 62)  # min_c meaning "every allowed pair"
Progress = Callable[[int, int, str], object] | None


@dataclass
class Arcs:
    """Candidate arcs, sorted by key = row * m + col, unique."""

    rows: IntArray
    cols: IntArray
    c: IntArray  # round(score * SCALE)
    s: FloatArray  # the score itself, reported back

    def __len__(self) -> int:
        return int(self.rows.size)

    def keys(self, m: int) -> IntArray:
        return self.rows * m + self.cols

    def subset(self, keep: np.ndarray) -> Arcs:
        return Arcs(self.rows[keep], self.cols[keep], self.c[keep], self.s[keep])

    def union(self, other: Arcs, m: int) -> Arcs:
        keys = np.concatenate([self.keys(m), other.keys(m)])
        keys, first = np.unique(keys, return_index=True)
        pick = lambda a, b: np.concatenate([a, b])[first]  # noqa: E731
        return Arcs(keys // m, keys % m, pick(self.c, other.c), pick(self.s, other.s))


def empty_arcs() -> Arcs:
    z = np.zeros(0, np.int64)
    return Arcs(z, z.copy(), z.copy(), np.zeros(0, np.float64))


def to_cost(s: FloatArray, inplace: bool = False) -> FloatArray:
    """Scores as integer-valued floats (-inf stays -inf); float64 is exact below 2**53."""
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.multiply(s, SCALE, out=s if inplace else None)
        return np.rint(out, out=out)


@dataclass
class Network:
    n: int
    m: int
    supply: IntArray  # free slots per mentee (after pinned pairs)
    cap: IntArray  # free slots per mentor
    slack_cost: int  # cost of one unmatched mentee slot
    zero_cost: bool = False  # cardinality mode: every pair costs 0 (used by the floor search)
    # slack_cost is a lexicographic penalty (participation first): OR-Tools then computes a
    # maximum flow of minimum cost directly, which is the same optimum without the huge cost
    # (fewer cost-scaling phases); the penalty is still used for the potentials.
    lexicographic: bool = False


@dataclass
class Flow:
    used: np.ndarray  # bool per arc
    slack: IntArray  # unmatched slots per mentee

    def matched(self, net: Network) -> int:
        return int(net.supply.sum() - self.slack.sum())


def arc_costs(net: Network, arcs: Arcs) -> IntArray:
    return np.zeros(len(arcs), np.int64) if net.zero_cost else -arcs.c


def solve_flow(net: Network, arcs: Arcs) -> Flow:
    """One OR-Tools SimpleMinCostFlow solve over the candidate arcs."""
    from ortools.graph.python import min_cost_flow  # imported late: greedy needs no OR-Tools

    n, m, sink = net.n, net.m, net.n + net.m
    smcf = min_cost_flow.SimpleMinCostFlow()
    pair = None
    if len(arcs):
        pair = smcf.add_arcs_with_capacity_and_unit_cost(
            arcs.rows.astype(np.int32), (arcs.cols + n).astype(np.int32),
            np.ones(len(arcs), np.int64), arc_costs(net, arcs))
    slack = None
    if not net.lexicographic:
        slack = smcf.add_arcs_with_capacity_and_unit_cost(
            np.arange(n, dtype=np.int32), np.full(n, sink, np.int32), net.supply.astype(np.int64),
            np.full(n, net.slack_cost, np.int64))
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + m, dtype=np.int32), np.full(m, sink, np.int32), net.cap.astype(np.int64),
        np.zeros(m, np.int64))
    smcf.set_nodes_supplies(np.append(np.arange(n), sink).astype(np.int32),
                            np.append(net.supply, -net.supply.sum()).astype(np.int64))
    status = smcf.solve_max_flow_with_min_cost() if net.lexicographic else smcf.solve()
    if status == smcf.BAD_COST_RANGE:
        raise ValueError("scores: their range is too wide for integer costs at 1e-6 precision; "
                         "rescale them to about [0, 1]")
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    used = (smcf.flows(pair) > 0) if pair is not None else np.zeros(0, bool)
    if slack is None:
        return Flow(used, net.supply - np.bincount(arcs.rows[used], minlength=n))
    return Flow(used, smcf.flows(slack).astype(np.int64))


def potentials(net: Network, arcs: Arcs, flow: Flow) -> IntArray:
    """Shortest distances in the residual graph of an optimal flow (Bellman-Ford, vectorised).

    Every residual arc u -> v then has cost + d[u] - d[v] >= 0. Starting every node at 0 is a
    virtual root joined to all nodes; the flow is optimal, so there is no negative cycle.
    """
    n, m, t = net.n, net.m, net.n + net.m
    cost = arc_costs(net, arcs)
    used = flow.used
    load = np.bincount(arcs.cols[used], minlength=m)
    ii, jj = np.arange(n), np.arange(m)
    fwd_s, back_s = flow.slack < net.supply, flow.slack > 0
    fwd_m, back_m = load < net.cap, load > 0
    u = np.concatenate([arcs.rows[~used], arcs.cols[used] + n, ii[fwd_s], np.full(back_s.sum(), t),
                        n + jj[fwd_m], np.full(back_m.sum(), t)])
    v = np.concatenate([arcs.cols[~used] + n, arcs.rows[used], np.full(fwd_s.sum(), t), ii[back_s],
                        np.full(fwd_m.sum(), t), n + jj[back_m]])
    w = np.concatenate([cost[~used], -cost[used], np.full(fwd_s.sum(), net.slack_cost),
                        np.full(back_s.sum(), -net.slack_cost), np.zeros(fwd_m.sum() + back_m.sum())]
                       ).astype(np.int64)
    d = np.zeros(t + 1, np.int64)
    if u.size == 0:
        return d
    # Relax only arcs leaving nodes whose distance changed in the previous sweep: after the
    # first sweeps few nodes change, so this costs far less than full Bellman-Ford sweeps.
    order = np.argsort(u, kind="stable")
    u, v, w = u[order], v[order], w[order]
    start = np.searchsorted(u, np.arange(t + 2))
    active = np.unique(u)
    for _ in range(t + 2):
        lo, hi = start[active], start[active + 1]
        cnt = hi - lo
        if cnt.sum() == 0:
            return d
        idx = np.repeat(lo - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
        cand = d[u[idx]] + w[idx]
        heads = v[idx]
        better = cand < d[heads]
        if not better.any():
            return d
        heads, cand = heads[better], cand[better]
        before = d[heads].copy()
        np.minimum.at(d, heads, cand)
        active = np.unique(heads[d[heads] < before])
    raise RuntimeError("potentials did not converge: the flow was not optimal")


def top_candidates(src: BlockSource, k: int, excluded: IntArray, progress: Progress) -> tuple[Arcs, int, int]:
    """Each mentee's k best allowed mentors, streamed; plus the min and max integer cost seen."""
    parts: list[Arcs] = []
    cmin, cmax = 0, 0
    seen = False
    for r0, r1, s in src.blocks():
        mask_keys(s, excluded, r0, r1, src.m)
        kk = min(k, src.m)
        part = np.argpartition(-s, kk - 1, axis=1)[:, :kk]
        vals = np.take_along_axis(s, part, 1)
        ok = np.isfinite(vals)
        rows = np.broadcast_to(np.arange(r0, r1)[:, None], part.shape)[ok]
        parts.append(Arcs(rows.astype(np.int64), part[ok].astype(np.int64), to_cost(vals[ok]).astype(np.int64),
                          vals[ok]))
        fin = np.isfinite(s)
        if fin.any():
            lo, hi = to_cost(np.array([s[fin].min(), s.max()]))
            cmin, cmax = (int(lo), int(hi)) if not seen else (min(cmin, int(lo)), max(cmax, int(hi)))
            seen = True
        if progress is not None:
            progress(r1, src.n, "candidates")
    if not parts:
        return empty_arcs(), 0, 0
    arcs = Arcs(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("rows", "cols", "c", "s")))
    order = np.argsort(arcs.keys(src.m), kind="stable")
    return arcs.subset(order), cmin, cmax


def price(src: BlockSource, net: Network, arcs: Arcs, flow: Flow, d: IntArray, min_c: int, excluded: IntArray,
          k_add: int, progress: Progress) -> Arcs:
    """Every allowed pair with score >= min_c outside the graph whose reduced cost is negative
    (the k_add most negative per mentee; the loop repeats until there are none)."""
    n, m = net.n, net.m
    dn, dm = d[:n].astype(np.float64), d[n:n + m].astype(np.float64)
    # Arcs that carry flow legitimately have negative reduced cost; pinned pairs are not arcs.
    skip = np.union1d(arcs.keys(m)[flow.used], excluded)
    found: list[Arcs] = []
    for r0, r1, s in src.blocks():
        c = to_cost(s)
        rc = dn[r0:r1, None] - dm[None, :]
        if not net.zero_cost:
            rc -= c  # a disallowed pair (c = -inf) gets rc = +inf here
        if net.zero_cost or min_c > NO_FLOOR:
            rc[~(c >= min_c)] = np.inf
        mask_keys(rc, skip, r0, r1, m, np.inf)
        neg = rc < 0
        per_row = neg.sum(axis=1)
        if not per_row.any():
            pass
        elif per_row.max() <= k_add:  # few negatives: take them all, no ranking needed
            local, cols = np.nonzero(neg)
            found.append(Arcs(local + r0, cols.astype(np.int64), c[local, cols].astype(np.int64), s[local, cols]))
        else:  # rank only the rows with more than k_add negatives
            few = np.flatnonzero((per_row > 0) & (per_row <= k_add))
            local, cols = np.nonzero(neg[few])
            local = few[local]
            many = np.flatnonzero(per_row > k_add)
            part = np.argpartition(rc[many], k_add - 1, axis=1)[:, :k_add]
            local = np.concatenate([local, np.repeat(many, k_add)])
            cols = np.concatenate([cols, part.ravel()]).astype(np.int64)
            found.append(Arcs(local + r0, cols, c[local, cols].astype(np.int64), s[local, cols]))
        if progress is not None:
            progress(r1, n, "pricing")
    if not found:
        return empty_arcs()
    return Arcs(*(np.concatenate([getattr(p, f) for p in found]) for f in ("rows", "cols", "c", "s")))


@dataclass
class Outcome:
    arcs: Arcs
    flow: Flow
    rounds: int
    proven: bool


def column_generation(src: Source, net: Network, arcs: Arcs, *, min_c: int, excluded: IntArray,
                      progress: Progress, stop_at: int | None = None, max_rounds: int = 60,
                      k_add: int = 10) -> Outcome:
    """Solve, price, add, repeat, until no allowed pair (score >= min_c) has a negative reduced cost.

    ``stop_at``: stop early once this many slots are matched (the floor search only asks
    whether a matching of that size exists).
    """
    arcs = arcs.subset(arcs.c >= min_c)
    for rounds in range(1, max_rounds + 1):
        flow = solve_flow(net, arcs)
        if isinstance(src, ArcSource) or (stop_at is not None and flow.matched(net) >= stop_at):
            return Outcome(arcs, flow, rounds, True)
        d = potentials(net, arcs, flow)
        new = price(src, net, arcs, flow, d, min_c, excluded, k_add, progress)
        if len(new) == 0:
            return Outcome(arcs, flow, rounds, True)
        arcs = arcs.union(new, net.m)
    return Outcome(arcs, flow, max_rounds, False)
