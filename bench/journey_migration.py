"""Move 1,000 running journeys to a new version of their template, on SQLite and PostgreSQL.

For each engine, in a process of its own: migrate a fresh database, enrol 20 mentors (capacity
50 each) and 1,000 mentees in a program, pair them through the lifecycle (each relationship
starts the core 1:1 journey, version 1), mark half of the kick-offs complete, then register a
version 2 of the journey (the mid-point review split in two, the closing moved) as a plugin
upgrade would and time ``mentorkit.journeys.services.migrate_journeys``: one transaction, a
fixed number of statements. Prints the seconds next to the seconds the pairing took, and
checks that every completed milestone was kept. Run from the repository root:

    .venv/bin/python bench/journey_migration.py [--relationships 1000] [--engines sqlite,postgres]

PostgreSQL: a throwaway database on the server of ``MENTORKIT_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/mk_bench``), dropped afterwards. Issue 10 asks for the
figure; there is no target.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from import_csv import DEFAULT_POSTGRES, drop_postgres_database, postgres_database

REPO = Path(__file__).resolve().parent.parent
MENTORS = 20


async def one_engine(url: str, count: int) -> dict[str, object]:
    from mentorkit.accounts.model import CurrentUser
    from mentorkit.accounts.tables import User
    from mentorkit.builtin.one_to_one import ONE_TO_ONE_JOURNEY
    from mentorkit.contracts import JourneyTemplate, MilestoneSpec
    from mentorkit.db.migrations import migrate
    from mentorkit.journeys.services import migrate_journeys
    from mentorkit.journeys.tables import JourneyMilestone
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.relationships.lifecycle import pair
    from mentorkit.runtime import build_runtime

    data_dir = tempfile.mkdtemp(prefix="mk-bench-journeys-")
    runtime = build_runtime(overrides={"database_url": url or f"sqlite:///{data_dir}/bench.sqlite",
                                       "data_dir": data_dir, "worker_in_process": False})
    await runtime.database.open()
    try:
        await migrate(runtime.database)
        rows = await User.insert(*[User(email=f"p{n}@example.org", display_name=f"Person {n}", password_hash="!",
                                        is_admin=n == 0) for n in range(count + MENTORS + 1)]).returning(User.id)
        people = [CurrentUser(id=r["id"], email=f"p{n}@example.org", display_name=f"Person {n}", is_admin=n == 0)
                  for n, r in enumerate(rows)]
        admin, mentors, mentees = people[0], people[1:MENTORS + 1], people[MENTORS + 1:]
        program = await programs.create_program(ProgramCreate(slug="bench", name="Bench", default_capacity=50),
                                                admin)
        await programs.change_program_state(program.id, "enrolling", admin)
        mentor_ids = [(await programs.enrol(program.id, "mentor", m)).id for m in mentors]
        started = time.perf_counter()
        for n, mentee in enumerate(mentees):
            enrolment = await programs.enrol(program.id, "mentee", mentee)
            await pair(program.id, [mentor_ids[n % MENTORS], enrolment.id], admin)
        pairing = time.perf_counter() - started
        kick_offs = await JourneyMilestone.select(JourneyMilestone.id).where(JourneyMilestone.key == "kick_off")
        half = [row["id"] for row in kick_offs[::2]]
        await JourneyMilestone.update({JourneyMilestone.completed_at: dt.datetime.now(dt.UTC)}).where(
            JourneyMilestone.id.is_in(half))
        v1 = ONE_TO_ONE_JOURNEY
        v2 = JourneyTemplate(key=v1.key, version=2, label=v1.label, milestones=(
            v1.milestones[0], v1.milestones[1],
            MilestoneSpec("midpoint_goals", "Mid-point: goals", due_days=80, tasks=("Review each goal",)),
            MilestoneSpec("midpoint_feedback", "Mid-point: feedback", due_days=95, tasks=("Give feedback",)),
            MilestoneSpec("closing", "Closing reflection", due_days=200, tasks=v1.milestones[3].tasks),
        ))
        runtime.journeys[v1.key][2] = v2
        started = time.perf_counter()
        report = await migrate_journeys(program.id, 2, admin)
        elapsed = time.perf_counter() - started
        assert report.moved == count and report.kept_completed == len(half), report
        left = await JourneyMilestone.count().where(JourneyMilestone.completed_at.is_not_null())
        assert left == len(half), (left, len(half))
    finally:
        await runtime.database.close()
    return {"relationships": report.moved, "kept": report.kept_completed, "pairing_s": round(pairing, 1),
            "migration_s": round(elapsed, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relationships", type=int, default=1000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process: one engine's database URL
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(asyncio.run(one_engine(args.one, args.relationships))))
        return 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")}
    env["MENTORKIT_LOG_LEVEL"] = "WARNING"
    print(f"{'engine':<9} {'relationships':>13} {'completed kept':>14} {'pairing them s':>14} {'migration s':>11}")
    for engine in args.engines.split(","):
        url, note = "", ""
        if engine == "postgres":
            base = os.environ.get("MENTORKIT_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
            url_or_none, note = postgres_database(base)
            if url_or_none is None:
                print(f"{engine:<9} {note}")
                continue
            url = url_or_none
        try:
            child = subprocess.run([sys.executable, __file__, "--relationships", str(args.relationships),
                                    "--one", url], capture_output=True, text=True, env=env, cwd=REPO, check=False)
        finally:
            if engine == "postgres":
                drop_postgres_database(base, note)
        if child.returncode != 0:
            print(f"{engine:<9} failed:\n{child.stderr[-2000:]}")
            return 1
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{engine:<9} {r['relationships']:>13} {r['kept']:>14} {r['pairing_s']:>14} {r['migration_s']:>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
