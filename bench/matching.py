"""Smart matching end to end on synthetic cohorts: scoring + solving + explanations, by phase.

The populations are ``MatchPool`` objects like the core builds: a vocabulary of 200 skill
tags with a popularity skew (a few tags are wanted by many), headlines and bios drawn from the
tags' words, 14 time zones, languages (English for most, plus one or two others), seniority
(mentees junior, mentors senior), 30 departments and weekly availability (one to three
morning/afternoon/evening windows on weekdays, in each person's own time zone). Mentors take
4 mentees each; total capacity equals the number of mentees (the tightest case). Rules: earlier
partners (none here), "not with" wishes (1 % of mentees name someone) and, as in many
programs, a mentor from the mentee's own department is avoided.

Each size runs in a process of its own so its peak resident memory (``ru_maxrss``) is its own.
Up to 20 million pairs the scores are computed into one matrix (its time is "scoring");
above, the solver reads them through ``ScoreBlocks`` a block of rows at a time, so scoring
happens inside "solving" (once for the candidates, once per pricing round) and no n x m
matrix is ever held. Greedy (best pair first) runs on the same scores for the ratio.

    .venv/bin/python bench/matching.py [--large] [--sizes 5000,20000]
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

from mentorkit.contracts import MatchPool, PoolEnrolment, PoolProgram, PoolRole
from mentorkit_matching_smart.explain import Explainer
from mentorkit_matching_smart.scoring import PairScorer
from mentorkit_matching_smart.settings import SmartMatchingSettings
from mentorkit_matching_smart.solver import ScoreBlocks, solve
from mentorkit_matching_smart.strategy import DENSE_LIMIT

ZONES = [("Europe/London", 10), ("Europe/Madrid", 12), ("Europe/Berlin", 10), ("America/New_York", 14),
         ("America/Chicago", 6), ("America/Los_Angeles", 8), ("America/Sao_Paulo", 5), ("Asia/Kolkata", 9),
         ("Asia/Singapore", 5), ("Asia/Tokyo", 4), ("Australia/Sydney", 3), ("Africa/Lagos", 3),
         ("Africa/Nairobi", 2), ("UTC", 2)]
_WORDS = ("data cloud python design product leadership sales marketing finance security mobile web research "
         "strategy people career writing analytics platform growth operations legal health teaching")
WORDS = _WORDS.split()
LANGS = ["es", "fr", "de", "pt", "hi", "zh", "ja", "ar"]
WINDOWS = [("09:00", "12:00"), ("13:00", "17:00"), ("18:00", "20:00")]


def cohort(n: int, m: int, seed: int = 0) -> MatchPool:
    """A synthetic pool of ``n`` mentees and ``m`` mentors (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    tags = [f"{WORDS[i % len(WORDS)]}-{i // len(WORDS)}" for i in range(200)]
    popularity = 1 / np.arange(1, 201) ** 0.9
    popularity /= popularity.sum()
    flat = np.full(200, 1 / 200)
    zone_names = [z for z, _ in ZONES]
    zone_p = np.array([w for _, w in ZONES], float)
    zone_p /= zone_p.sum()

    def person(i: int, role: str) -> PoolEnrolment:
        mentee = role == "mentee"
        k = int(rng.integers(2, 6) if mentee else rng.integers(3, 9))
        chance = popularity if mentee else 0.5 * (popularity + flat)
        skills = [tags[t] for t in rng.choice(200, k, replace=False, p=chance)]
        langs = (["en"] if rng.random() < 0.85 else []) + [LANGS[x] for x in rng.choice(8, int(rng.integers(0, 3)),
                                                                                          replace=False)]
        picks = zip(rng.integers(0, 5, 3), rng.integers(0, 3, 3), strict=True)
        windows = [{"day": int(d), "start": WINDOWS[w][0], "end": WINDOWS[w][1]}
                   for d, w in picks][: int(rng.integers(1, 4))]
        level = rng.choice(["student", "junior", "mid"], p=[0.3, 0.5, 0.2]) if mentee else \
            rng.choice(["mid", "senior", "lead", "executive"], p=[0.2, 0.4, 0.3, 0.1])
        words = " ".join(s.split("-")[0] for s in skills)
        return PoolEnrolment(
            id=i, user_id=i, display_name=f"{role} {i}", role=role, capacity=1 if mentee else 4,
            skills_offered=[] if mentee else skills, skills_sought=skills if mentee else [],
            time_zone=str(rng.choice(zone_names, p=zone_p)), languages=langs or ["en"], seniority=str(level),
            department=f"dept {int(rng.integers(0, 30))}", availability=windows,
            headline=f"{'Wants to grow in' if mentee else 'Experienced in'} {words}",
            avoid=[int(rng.integers(n + 1, n + m + 1))] if mentee and rng.random() < 0.01 else [],
        )

    enrolments = [person(i, "mentee") for i in range(1, n + 1)] + [person(n + j, "mentor") for j in range(1, m + 1)]
    roles = [PoolRole(role="mentor", label="Mentor", takes_capacity=True),
             PoolRole(role="mentee", label="Mentee", takes_capacity=False)]
    program = PoolProgram(id=1, slug="bench", name="Bench", format="one_to_one", roles=roles, default_capacity=4)
    return MatchPool(program=program, enrolments=enrolments)


def one(n: int, m: int) -> dict[str, Any]:
    """Run one size in this process and return its figures."""
    t0 = time.perf_counter()
    pool = cohort(n, m)
    t_pool = time.perf_counter() - t0
    settings = SmartMatchingSettings(avoid_same_department=True)
    seekers, offerers = pool.in_role("mentee"), pool.in_role("mentor")
    figures: dict[str, Any] = {"n": n, "m": m, "build_pool_s": round(t_pool, 2)}
    t0 = time.perf_counter()
    scorer = PairScorer(pool, settings, seekers, offerers)
    figures["features_s"] = round(time.perf_counter() - t0, 2)
    cap = np.array([e.remaining for e in offerers])
    t0 = time.perf_counter()
    if n * m <= DENSE_LIMIT:
        source: Any = scorer.dense()
        figures["scoring_s"] = round(time.perf_counter() - t0, 2)
    else:
        source = ScoreBlocks(n, m, scorer.block)
        figures["scoring_s"] = "in solving"
    t0 = time.perf_counter()
    best = solve(source, cap, min_score=settings.min_score)
    figures["solving_s"] = round(time.perf_counter() - t0, 2)
    figures.update(proven_optimal=best.proven_optimal, rounds=best.rounds, arcs=best.arcs, matched=len(best.pairs),
                   total=round(best.total, 2), mean=round(float(np.mean(best.scores)), 3),
                   lowest=round(float(np.min(best.scores)), 3))
    t0 = time.perf_counter()
    explained = Explainer(scorer).explain_pairs(best.pairs[:, 0], best.pairs[:, 1])
    figures["explaining_s"] = round(time.perf_counter() - t0, 2)
    assert len(explained) == len(best.pairs)
    figures["end_to_end_s"] = round(sum(v for k, v in figures.items() if k in (
        "features_s", "scoring_s", "solving_s", "explaining_s") and isinstance(v, float)), 2)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    t0 = time.perf_counter()
    greedy = solve(source, cap, min_score=settings.min_score, method="greedy")
    figures["greedy_s"] = round(time.perf_counter() - t0, 2)
    figures["greedy_total"] = round(greedy.total, 2)
    figures["greedy_ratio"] = round(greedy.total / best.total, 4) if best.total else None
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="add 100,000 mentees x 25,000 mentors")
    parser.add_argument("--sizes", default="5000,20000", help="mentee counts (mentors: a quarter)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.one // 4)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([100_000] if args.large else [])
    columns = ["n", "m", "features_s", "scoring_s", "solving_s", "explaining_s", "end_to_end_s", "peak_rss_mb",
               "proven_optimal", "rounds", "arcs", "matched", "mean", "lowest", "total", "greedy_total",
               "greedy_ratio", "greedy_s"]
    print(" | ".join(columns))
    for n in sizes:
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{n}: failed\n{done.stderr[-2000:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(" | ".join(str(figures.get(c, "")) for c in columns), flush=True)


if __name__ == "__main__":
    main()
