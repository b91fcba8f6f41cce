"""Min-cost flow over a candidate graph, proven optimal by column generation.

Network: mentee i (supply = its free slots) -> mentor j (arc capacity 1, cost -score) ->
sink (capacity = the mentor's free slots); mentee i -> sink is the "unmatched" slack arc.
OR-Tools solves the candidate graph; node potentials (shortest distances in the residual
graph of that optimal flow) then price every allowed pair: a pair outside the graph with a
negative reduced cost could improve the flow, so it joins the graph and the flow is solved
again. When no such pair is left, the flow is optimal over *all* allowed pairs (LP duality:
the potentials are a feasible dual of the full problem). Each round adds up to 10 of the most
negative pairs per mentee (all of them would flood the first rounds); the loop only stops
when there are none at all, so this changes the number of rounds, not the result.

Reading every row once per round is the expensive part (for ``ScoreBlocks`` it recomputes every
score), so only the first pricing reads every row: it keeps each mentee's 30 pairs of least
reduced cost (a pool priced exactly every round) and the next reduced cost as a bound on the
rest of the row. Later rounds read only the rows whose bound the moving potentials have made
negative (see ``Priced``); the proof still covers every pair.

"Participation first" is a slack cost larger than any possible change of total score; OR-Tools
is asked directly for a maximum flow of minimum cost (the same optimum, without that huge
cost slowing its cost scaling), and the slack cost only enters the potentials.

Costs are integers: ``round(score * SCALE)``, so scores count to 1e-6.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._sources import ArcSource, BlockSource, FloatArray, IntArray, Source, mask_keys

SCALE = 1_000_000
NO_FLOOR = -(1 << 62)  # min_c meaning "every allowed pair"
# Pairs of least reduced cost a pricing pass keeps per mentee (added or pooled); the next one bounds the rest.
KEEP = 30
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
        c = np.concatenate([self.c, other.c])[first]
        s = np.concatenate([self.s, other.s])[first]
        return Arcs(keys // m, keys % m, c, s)


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


def residual(net: Network, arcs: Arcs, flow: Flow) -> tuple[IntArray, IntArray, IntArray]:
    """The residual graph of a flow as arc lists (tail, head, cost); node t = n + m is the sink."""
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
    return u.astype(np.int64), v.astype(np.int64), w


def potentials(net: Network, arcs: Arcs, flow: Flow, start: IntArray | None = None, tighten: int = 3) -> IntArray:
    """Node potentials proving the flow optimal on its arcs, chosen to price few pairs negative.

    First the shortest distances in the residual graph (Bellman-Ford, vectorised): every
    residual arc u -> v then has cost + d[u] - d[v] >= 0. Starting every node at 0 is a
    virtual root joined to all nodes; the flow is optimal, so there is no negative cycle.

    Those distances leave a mentor that no arc reaches at 0, the highest price a dual allows,
    so in the first rounds nearly every pair with such a mentor priced negative. ``tighten``
    rounds then move each mentor as low as its outgoing residual arcs allow (its price: what
    its marginal mentee would give up, or nothing when it has room) and each mentee as high
    as its incoming arcs allow. Each move keeps every residual arc's reduced cost >= 0 (no
    arc joins two mentors or two mentees), so the result is still a feasible dual and the
    optimality proof is unchanged; it only prices fewer pairs negative, hence fewer rounds.
    """
    n, t = net.n, net.n + net.m
    u, v, w = residual(net, arcs, flow)
    d = shortest(u, v, w, np.zeros(t + 1, np.int64) if start is None else start.copy())
    if u.size == 0:
        return d
    is_mentor = (u >= n) & (u < t)  # arcs leaving a mentor: d[mentor] >= d[head] - w
    mu, mv, mw = u[is_mentor], v[is_mentor], w[is_mentor]
    into_mentee = v < n  # arcs entering a mentee: d[mentee] <= d[tail] + w
    eu, ev, ew = u[into_mentee], v[into_mentee], w[into_mentee]
    lows = np.flatnonzero(np.bincount(mu, minlength=t + 1))
    highs = np.flatnonzero(np.bincount(ev, minlength=t + 1))
    for _ in range(tighten):
        lower = np.full(t + 1, np.iinfo(np.int64).min)
        np.maximum.at(lower, mu, d[mv] - mw)
        d[lows] = lower[lows]
        upper = np.full(t + 1, np.iinfo(np.int64).max)
        np.minimum.at(upper, ev, d[eu] + ew)
        d[highs] = upper[highs]
    return d


def shortest(u: IntArray, v: IntArray, w: IntArray, d: IntArray) -> IntArray:
    """Shortest distances from a virtual root joined to every node v by an arc of cost d[v]
    (vectorised Bellman-Ford, in place): the highest potentials that are <= d and feasible."""
    t = d.size - 1
    if u.size == 0:
        return d
    # Relax only arcs leaving nodes whose distance changed in the previous sweep: after the
    # first sweeps few nodes change, so this costs far less than full Bellman-Ford sweeps.
    order = np.argsort(u, kind="stable")
    u, v, w = u[order], v[order], w[order]
    start = np.searchsorted(u, np.arange(t + 2))
    active = np.flatnonzero(start[1:] > start[:-1])
    mark = np.zeros(t + 1, bool)  # deduplicates the changed nodes (cheaper than np.unique each sweep)
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
        mark[heads[d[heads] < before]] = True
        active = np.flatnonzero(mark)
        mark[active] = False
    raise RuntimeError("potentials did not converge: the flow was not optimal")


def top_candidates(src: BlockSource, k: int, excluded: IntArray, progress: Progress) -> tuple[Arcs, int, int]:
    """Each mentee's k best allowed mentors, streamed; plus the min and max integer cost seen."""
    parts: list[Arcs] = []
    lo, hi = np.inf, -np.inf
    m = src.m
    kk = min(k, m)
    for r0, r1, s in src.blocks():
        mask_keys(s, excluded, r0, r1, m)
        # The kk largest sit at the end after partitioning at m - kk (no negated copy).
        part = np.argpartition(s, m - kk, axis=1)[:, m - kk:]
        vals = np.take_along_axis(s, part, 1)
        ok = np.isfinite(vals)
        rows = np.broadcast_to(np.arange(r0, r1)[:, None], part.shape)[ok]
        parts.append(Arcs(rows.astype(np.int64), part[ok].astype(np.int64), to_cost(vals[ok]).astype(np.int64),
                          vals[ok]))
        if s.size:
            hi = max(hi, float(s.max()))
            lo = min(lo, float(np.min(s, initial=np.inf, where=s > -np.inf)))
        if progress is not None:
            progress(r1, src.n, "candidates")
    if not parts:
        return empty_arcs(), 0, 0
    cmin, cmax = (int(x) for x in to_cost(np.array([lo, hi]))) if np.isfinite(hi) else (0, 0)
    return concat(parts, m), cmin, cmax


@dataclass
class Priced:
    """What reading rows proved about their pairs outside the graph.

    ``pool``: per row read, the pairs of least reduced cost (at most k_keep) that did not join
    the graph; their reduced costs are recomputed exactly every round. ``bound``: per row, a
    lower bound on the reduced cost of every other pair of the row outside the graph, under
    the potentials ``d``. Potentials move by delta between rounds, so a pair's reduced cost
    moves by delta[i] - delta[j] >= delta[i] - max(delta over mentors): the bound follows, and
    only rows whose bound goes negative must be read again. A row never read has bound -inf.
    """

    pool: Arcs
    bound: FloatArray
    d: IntArray

    def moved(self, net: Network, d: IntArray) -> None:
        """Carry the bounds over to the potentials d (in place)."""
        delta = (d - self.d).astype(np.float64)
        self.bound += delta[:net.n] - (delta[net.n:net.n + net.m].max() if net.m else 0.0)
        self.d = d


def runs(rows: IntArray, longest: int) -> list[tuple[int, int]]:
    """Sorted rows as (r0, r1) runs of consecutive rows, none longer than ``longest``."""
    if rows.size == 0:
        return []
    cut = np.flatnonzero(np.diff(rows) != 1) + 1
    out = []
    for run in np.split(rows, cut):
        for a in range(0, run.size, longest):
            out.append((int(run[a]), int(run[min(a + longest, run.size) - 1]) + 1))
    return out


def price(src: BlockSource, net: Network, arcs: Arcs, d: IntArray, min_c: int, excluded: IntArray,
          k_add: int, k_keep: int, known: Priced | None, progress: Progress) -> tuple[Arcs, Priced]:
    """Allowed pairs (score >= min_c) outside the graph with a negative reduced cost, and what
    was proven about the others. Empty ``new`` means no pair anywhere has a negative reduced cost.

    ``known`` (the previous round's ``Priced``): only pool pairs and the rows whose bound went
    negative are priced; without it every row is read. Per mentee at most its k_add most
    negative pairs join the graph (the loop repeats until none is left, so this changes the
    number of rounds, not the result); its next k_keep - k_add pairs wait in the pool.
    """
    n, m = net.n, net.m
    new: list[Arcs] = []
    if known is None:
        known = Priced(empty_arcs(), np.full(n, -np.inf), d)
    else:
        known.moved(net, d)
    read = np.flatnonzero(known.bound < 0)
    pool = known.pool
    if len(pool):
        reread = np.zeros(n, bool)
        reread[read] = True
        pool = pool.subset(~reread[pool.rows])  # those rows are read again below
        neg = reduced(net, pool, d) < 0
        new.append(pool.subset(neg))
        pool = pool.subset(~neg)
    dn, dm = d[:n].astype(np.float64), d[n:n + m].astype(np.float64)
    # Graph arcs are priced exactly by the flow itself; pinned pairs are never arcs (both
    # lists are sorted and disjoint).
    skip = np.sort(np.concatenate([arcs.keys(m), excluded])) if excluded.size else arcs.keys(m)
    keep = min(k_keep, m)
    kept: list[Arcs] = [pool]
    spans = runs(read, src.rows_per_block)
    for r0, r1 in spans:
        s = src.rows(r0, r1)
        # rc = cost + d[i] - d[j] with cost = -c, in one buffer; a disallowed pair gets +inf.
        rc = to_cost(s)
        if net.zero_cost or min_c > NO_FLOOR:
            low = ~(rc >= min_c)
            if net.zero_cost:
                rc[:] = 0.0
            rc[low] = -np.inf
        np.subtract(dn[r0:r1, None], rc, out=rc)
        rc -= dm[None, :]
        mask_keys(rc, skip, r0, r1, m, np.inf)
        local, cols, bound = select(rc, keep)
        known.bound[r0:r1] = bound
        vals = rc[local, cols]
        # Each row's k_add most negative join the graph, the rest of its selection waits in the pool.
        order = np.lexsort((vals, local))
        local, cols, vals = local[order], cols[order], vals[order]
        rank = np.arange(local.size) - np.searchsorted(local, local, side="left")
        scores = s[local, cols]
        add = (vals < 0) & (rank < k_add)
        for sel, into in ((add, new), (~add, kept)):
            into.append(Arcs(local[sel] + r0, cols[sel].astype(np.int64), to_cost(scores[sel]).astype(np.int64),
                             scores[sel]))
        if progress is not None:
            progress(r1, n, "pricing")
    if progress is not None and (not spans or spans[-1][1] < n):
        progress(n, n, "pricing")  # the rows left unread are proven by their bounds
    known.pool = concat(kept, m)
    return concat(new, m), known


def select(rc: FloatArray, keep: int) -> tuple[IntArray, IntArray, FloatArray]:
    """About the keep smallest finite entries of each row, and a lower bound on the others.

    Returns (rows, cols) of the selection and, per row, a value that every unselected entry is
    >= to. A threshold from every 4th column (its keep/4-th smallest) selects about keep per row
    at a quarter of the cost of ranking whole rows; rows where it selects nothing while the
    bound is negative, or far too many, are ranked exactly. Either way a row with a negative
    entry has at least one negative entry selected, so pricing always makes progress.
    """
    r, m = rc.shape
    if keep >= m:
        local, cols = np.nonzero(np.isfinite(rc))
        return local, cols, np.full(r, np.inf)
    stride = 4 if m >= 8 * keep else 1
    sample = rc[:, ::stride]
    q = min(sample.shape[1] - 1, keep // stride)
    bound = np.partition(sample, q, axis=1)[:, q]
    near = rc < bound[:, None]
    per_row = np.count_nonzero(near, axis=1)
    exact = (per_row > 3 * keep) | ((per_row == 0) & (bound <= 0))
    if exact.any():
        near[exact] = False
        rows = np.flatnonzero(exact)
        part = np.argpartition(rc[rows], keep, axis=1)
        bound[rows] = rc[rows, part[:, keep]]
        near[rows[:, None], part[:, :keep]] = True
    local, cols = np.nonzero(near)
    finite = np.isfinite(rc[local, cols])
    return local[finite], cols[finite], bound


def concat(parts: list[Arcs], m: int) -> Arcs:
    """Arcs of several lists (disjoint pairs) as one list sorted by key."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_arcs()
    out = Arcs(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("rows", "cols", "c", "s")))
    return out.subset(np.argsort(out.keys(m), kind="stable"))


def reduced(net: Network, arcs: Arcs, d: IntArray) -> IntArray:
    """The reduced cost of each pair as an arc i -> j outside the graph, under potentials d."""
    return arc_costs(net, arcs) + d[arcs.rows] - d[net.n + arcs.cols]


@dataclass
class Outcome:
    arcs: Arcs
    flow: Flow
    rounds: int
    proven: bool


def column_generation(src: Source, net: Network, arcs: Arcs, *, min_c: int, excluded: IntArray,
                      progress: Progress, stop_at: int | None = None, max_rounds: int = 60,
                      k_add: int = 10, k_keep: int | None = None) -> Outcome:
    """Solve, price, add, repeat, until no allowed pair (score >= min_c) has a negative reduced cost.

    The first pricing reads every row; later ones only the rows whose bound (see ``Priced``)
    no longer proves them, plus the pool: after the first rounds that is a small part of the
    rows, which matters most when each read recomputes scores (``ScoreBlocks``).

    ``stop_at``: stop early once this many slots are matched (the floor search only asks
    whether a matching of that size exists).
    """
    arcs = arcs.subset(arcs.c >= min_c)
    k_keep = KEEP if k_keep is None else k_keep
    known: Priced | None = None
    for rounds in range(1, max_rounds + 1):
        flow = solve_flow(net, arcs)
        if isinstance(src, ArcSource) or (stop_at is not None and flow.matched(net) >= stop_at):
            return Outcome(arcs, flow, rounds, True)
        d = potentials(net, arcs, flow, None if known is None else known.d)
        new, known = price(src, net, arcs, d, min_c, excluded, k_add, k_keep, known, progress)
        if len(new) == 0:
            return Outcome(arcs, flow, rounds, True)
        arcs = arcs.union(new, net.m)  # new pairs are neither in the graph nor in the pool
    return Outcome(arcs, flow, max_rounds, False)
