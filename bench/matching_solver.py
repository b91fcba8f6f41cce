"""The smart matching solver on synthetic cohorts: time, rounds, arcs, peak memory, greedy vs optimum.

Scores resemble a real cohort (research note ``matching-anchors.md``, section 5): every person
has a skill vector drawn around one of 10 domains (mentees crowd into the popular domains,
mentors are spread evenly, so popular mentors are contended), a level (mentees junior, mentors
senior; one or two levels up fits best), and a small low-rank "chemistry" term; scores are in
[0, 1] and a mentee and mentor of the same department (1 of 30) are forbidden. Capacity is 4
per mentor and total capacity equals the number of mentees (the tightest case).

Each size runs in a process of its own so its peak resident memory (``ru_maxrss``) is its
own. The two standard sizes score a dense matrix first (its time is shown apart); ``--large``
adds 100,000 x 25,000 through ``ScoreBlocks``: scores are computed a block of rows at a time
and never held, so the solver time includes re-scoring the rows each pricing round reads
("rows scored / n": how many passes over the rows that made, candidates included).
Run from the repository root:

    .venv/bin/python bench/matching_solver.py [--large] [--sizes 5000,20000] [--blocks]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np

from mentorkit_matching_smart import ScoreBlocks, solve

DOMAINS, DIMS, DEPTS = 10, 24, 30


class Cohort:
    """Factors of a synthetic cohort; ``block(rows)`` scores those mentees against every mentor."""

    def __init__(self, n: int, m: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        centres = rng.normal(size=(DOMAINS, DIMS))
        p_e = np.array([20, 16, 12, 10, 9, 8, 7, 7, 6, 5], float)
        p_m = np.array([12, 11, 11, 10, 10, 10, 9, 9, 9, 9], float)

        def people(k: int, p: np.ndarray, levels: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
            dom = rng.choice(DOMAINS, size=k, p=p / p.sum())
            vec = centres[dom] + 0.8 * rng.normal(size=(k, DIMS))
            vec /= np.linalg.norm(vec, axis=1, keepdims=True)
            level = rng.choice(5, size=k, p=levels).astype(np.float32)
            chem = rng.normal(size=(k, 4)) / 2
            return vec.astype(np.float32), level, chem.astype(np.float32), rng.integers(0, DEPTS, k)

        self.e = people(n, p_e, [0.35, 0.35, 0.2, 0.1, 0.0])
        self.r = people(m, p_m, [0.0, 0.1, 0.3, 0.35, 0.25])
        self.n, self.m = n, m

    def block(self, rows: slice) -> np.ndarray:
        ev, el, ec, ed = (x[rows] for x in self.e)
        rv, rl, rc, rd = self.r
        skills = (ev @ rv.T + 1) / 2  # cosine mapped to [0, 1]
        gap = rl[None, :] - el[:, None]
        level = np.clip(1 - np.abs(gap - 1.5) / 3, 0, 1)
        chem = 1 / (1 + np.exp(-(ec @ rc.T)))
        s = 0.6 * skills + 0.25 * level + 0.15 * chem
        s[ed[:, None] == rd[None, :]] = -np.inf
        return s.astype(np.float32)

    def dense(self) -> np.ndarray:
        out = np.empty((self.n, self.m), np.float32)
        step = max(1, (1 << 22) // self.m)
        for r0 in range(0, self.n, step):
            out[r0:r0 + step] = self.block(slice(r0, r0 + step))
        return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Log:
    """Progress callback: one stderr line per finished pass over the rows (candidates, each pricing round)."""

    def __init__(self, label: str) -> None:
        self.label, self.t0 = label, time.perf_counter()

    def __call__(self, done: int, total: int, stage: str) -> None:
        if done == total:
            print(f"  {self.label}: {stage} pass done at {time.perf_counter() - self.t0:.1f} s, "
                  f"peak {peak_mb():.0f} MB", file=sys.stderr, flush=True)


def run_one(n: int, blocks: bool) -> dict[str, Any]:
    m, cap = n // 4, 4
    cohort = Cohort(n, m)
    t0 = time.perf_counter()
    scored = [0]  # rows scored by ScoreBlocks, all passes together

    def block(rows: slice) -> np.ndarray:
        scored[0] += rows.stop - rows.start
        return cohort.block(rows)

    scores: Any = ScoreBlocks(n, m, block) if blocks else cohort.dense()
    scoring = time.perf_counter() - t0
    base = peak_mb()
    t0 = time.perf_counter()
    best = solve(scores, cap, progress=Log(f"{n:,} optimal"))
    solve_s = time.perf_counter() - t0
    opt_peak = peak_mb()
    passes = scored[0] / n
    t0 = time.perf_counter()
    greedy = solve(scores, cap, method="greedy", progress=Log(f"{n:,} greedy"))
    greedy_s = time.perf_counter() - t0
    return {"n": n, "m": m, "input": "blocks" if blocks else "dense", "scoring_s": scoring, "solve_s": solve_s,
            "rounds": best.rounds, "passes": passes if blocks else None, "arcs": best.arcs,
            "proven": best.proven_optimal, "matched": len(best.pairs),
            "unmatched": len(best.unmatched), "total": best.total, "greedy_s": greedy_s,
            "greedy_total": greedy.total, "greedy_unmatched": len(greedy.unmatched),
            "rss_before_mb": base, "peak_optimal_mb": opt_peak, "peak_mb": peak_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000", help="mentees per run (mentors = mentees / 4)")
    parser.add_argument("--large", action="store_true", help="also 100,000 x 25,000 through ScoreBlocks")
    parser.add_argument("--blocks", action="store_true", help="use ScoreBlocks for every size")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.blocks)))
        return
    runs = [(int(s), args.blocks) for s in args.sizes.split(",")] + ([(100_000, True)] if args.large else [])
    print("| mentees x mentors | input | scoring s | solve s | rounds | rows scored / n | arcs | proven | unmatched "
          "| optimum | greedy s | greedy / optimum | peak RSS MB (before solve / after optimal / after greedy) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, blocks in runs:
        cmd = [sys.executable, __file__, "--one", str(n)] + (["--blocks"] if blocks else [])
        r = json.loads(subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout)
        passes = "-" if r["passes"] is None else f"{r['passes']:.2f}"
        print(f"| {r['n']:,} x {r['m']:,} | {r['input']} | {r['scoring_s']:.2f} | {r['solve_s']:.2f} | {r['rounds']} "
              f"| {passes} | {r['arcs']:,} | {r['proven']} | {r['unmatched']} | {r['total']:.4f} | {r['greedy_s']:.2f} "
              f"| {100 * r['greedy_total'] / r['total']:.2f} % ({r['greedy_unmatched']} unmatched) "
              f"| {r['rss_before_mb']:.0f} / {r['peak_optimal_mb']:.0f} / {r['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
