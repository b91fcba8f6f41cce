"""Import 5,000 people from CSV, on SQLite and on PostgreSQL: the time and the peak memory.

For each engine, in a process of its own (so its peak resident memory is its own): migrate a
fresh database, create a program asking three questions (a single choice, a multiple choice, a
scale) and a vocabulary of 40 tags with synonyms, generate a CSV of ``--people`` new people
(mentors and mentees, each with tags offered and sought, given partly as synonyms, and their
answers), then time ``mentorkit.imports.service.import_participants`` on it: the whole-file
check and the one-transaction import. Prints the seconds, and the process's peak resident
memory (``getrusage().ru_maxrss``) before and after the import: the whole process,
interpreter, plugins and file included. (``tracemalloc`` is not used: it made the import
three times slower.) Run from the repository root:

    .venv/bin/python bench/import_csv.py [--people 5000] [--engines sqlite,postgres]

PostgreSQL: a throwaway database on the server of ``MENTORKIT_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/mk_bench``), dropped afterwards; skipped with a note
when no server answers. Goal (issue 9): at most 5 s and 300 MB on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/mk_bench"
TAGS = [f"Skill {n}" for n in range(40)]
GOALS = ["Career", "Skills", "Network", "Leadership"]
TOPICS = ["Design", "Data", "Management", "Writing", "Public speaking"]


def make_csv(people: int, seed: int = 9) -> bytes:
    """A participants file: half mentors, half mentees, tags (some as synonyms) and answers."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "display_name", "role", "capacity", "time_zone", "skills_offered", "skills_sought",
                     "headline", "department", "answer:goal", "answer:topics", "answer:level"])
    for n in range(people):
        mentor = n % 2 == 0
        offered = rng.sample(range(len(TAGS)), 3)
        sought = rng.sample(range(len(TAGS)), 2)
        writer.writerow([
            f"person{n}@example.org", f"Person {n}", "mentor" if mentor else "mentee",
            rng.randint(1, 3) if mentor else "",
            rng.choice(["Europe/Berlin", "America/New_York", "Asia/Tokyo", ""]),
            "; ".join(f"s{i}" if i % 3 == 0 else TAGS[i] for i in offered),  # "s3" is a synonym of "Skill 3"
            "; ".join(TAGS[i] for i in sought),
            f"Headline of person {n}", rng.choice(["Engineering", "Finance", "Data", ""]),
            rng.choice(GOALS), "; ".join(rng.sample(TOPICS, 2)), "" if mentor else rng.randint(1, 5),
        ])
    return out.getvalue().encode()


async def seed(runtime: object) -> tuple[int, object]:
    """A coordinator, an enrolling program with three questions, and the tag vocabulary."""
    from mentorkit.accounts.model import CurrentUser
    from mentorkit.accounts.tables import User
    from mentorkit.profiles.tables import Tag, TagSynonym
    from mentorkit.programs import services
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.programs.tables import ProgramQuestion

    rows = await User.insert(User(email="coordinator@example.org", display_name="Coordinator", password_hash="!",
                                  is_admin=True)).returning(User.id)
    admin = CurrentUser(id=rows[0]["id"], email="coordinator@example.org", display_name="Coordinator", is_admin=True)
    program = await services.create_program(ProgramCreate(slug="bench", name="Bench cohort"), admin)
    await services.change_program_state(program.id, "enrolling", admin)
    await ProgramQuestion.insert(
        ProgramQuestion(program=program.id, question_key=f"{program.id}:goal", key="goal", label="Goal",
                        kind="single_choice", choices=json.dumps(GOALS), required=True),
        ProgramQuestion(program=program.id, question_key=f"{program.id}:topics", key="topics", label="Topics",
                        kind="multiple_choice", choices=json.dumps(TOPICS)),
        ProgramQuestion(program=program.id, question_key=f"{program.id}:level", key="level", label="Level",
                        kind="scale", asked_roles=json.dumps(["mentee"])),
    )
    tags = await Tag.insert(*[Tag(key=f"skill-{n}", label=label) for n, label in enumerate(TAGS)]).returning(Tag.id)
    await TagSynonym.insert(*[TagSynonym(tag=row["id"], synonym=f"s{n}") for n, row in enumerate(tags)])
    return program.id, admin


async def one_engine(url: str, people: int) -> dict[str, object]:
    from mentorkit.db.migrations import migrate
    from mentorkit.imports.service import import_participants
    from mentorkit.runtime import build_runtime

    data_dir = tempfile.mkdtemp(prefix="mk-bench-import-")
    runtime = build_runtime(overrides={"database_url": url or f"sqlite:///{data_dir}/bench.sqlite",
                                       "data_dir": data_dir, "worker_in_process": False})
    await runtime.database.open()
    try:
        await migrate(runtime.database)
        program_id, admin = await seed(runtime)
        data = make_csv(people)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        report = await import_participants(program_id, data, admin)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        assert report.imported and not report.problems, report.problems[:5]
    finally:
        await runtime.database.close()
    return {"people": report.people, "enrolments": report.enrolments, "seconds": round(elapsed, 2),
            "file_mb": round(len(data) / 1e6, 2), "rss_before_mb": round(before / 1024, 1),
            "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def postgres_database(base: str) -> tuple[str | None, str]:
    """A fresh throwaway database on ``base``'s server: (its URL or None, a note)."""
    import asyncpg

    parts = urlsplit(base)
    name = f"mk_bench_import_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        connection = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError) as exc:
        return None, f"skipped: {exc}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres_database(base: str, name: str) -> None:
    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(urlunsplit(urlsplit(base)._replace(path="/postgres")))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        finally:
            await connection.close()

    asyncio.run(drop())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process: one engine's database URL
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(asyncio.run(one_engine(args.one, args.people))))
        return 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")}
    env["MENTORKIT_LOG_LEVEL"] = "WARNING"
    print(f"{'engine':<11} {'people':>6} {'enrolments':>10} {'file MB':>7} {'seconds':>7} "
          f"{'max RSS before MB':>17} {'max RSS after MB':>16}")
    for engine in args.engines.split(","):
        url, note = "", ""
        if engine == "postgres":
            base = os.environ.get("MENTORKIT_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
            url_or_none, note = postgres_database(base)
            if url_or_none is None:
                print(f"{engine:<11} {note}")
                continue
            url = url_or_none
        try:
            child = subprocess.run([sys.executable, __file__, "--people", str(args.people), "--one", url],
                                   capture_output=True, text=True, env=env, cwd=REPO, check=False)
        finally:
            if engine == "postgres":
                drop_postgres_database(base, note)
        if child.returncode != 0:
            print(f"{engine:<11} failed:\n{child.stderr[-2000:]}")
            return 1
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{engine:<11} {r['people']:>6} {r['enrolments']:>10} {r['file_mb']:>7} {r['seconds']:>7} "
              f"{r['rss_before_mb']:>17} {r['maxrss_mb']:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
