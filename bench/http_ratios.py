"""Throughput of three endpoints side by side, and time from `mentorkit serve` to first answer.

One server process on 127.0.0.1, the same load for each endpoint (wrk if installed, else a
bounded httpx load), on SQLite and on PostgreSQL:

* bare JSON      GET /health/live                (no database)
* DB JSON        GET /api/v1/me                  (one query: the server-side session and its user)
* DB list        GET /api/v1/relationships       (three queries: session, relationships, members)
* home page      GET /                           (five queries: session, relationships, members,
                                                  enrolments, staff roles; Jinja rendering)

Goals from the issue: DB JSON >= 0.30x bare on SQLite (>= 0.45x on PostgreSQL), home page
>= 0.15x; start of `mentorkit serve` to first response <= 0.6 s.

    .venv/bin/python bench/http_ratios.py [--seconds 4] [--rounds 3] [--starts 7] [--connections 32] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MENTORKIT = str(ROOT / ".venv" / "bin" / "mentorkit")
PG_URL = os.environ.get("MENTORKIT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mk_bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, deadline: float) -> float:
    """Seconds until ``url`` answers 200, polling every 5 ms.

    Polls with ``http.client``: ``httpx.get`` builds a client (and an SSL context) per call,
    about 30 ms of CPU each, which competed with the starting server for the two cores.
    """
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    start = time.perf_counter()
    while time.perf_counter() - start < deadline:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=0.5)
        try:
            connection.request("GET", parts.path)
            if connection.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.005)
    raise RuntimeError(f"{url} did not answer within {deadline} s")


async def seed(env: dict[str, str]) -> str:
    """A mentee with a relationship and a logged session; returns their session cookie value."""
    from mentorkit.db.migrations import migrate
    from mentorkit.demo import fill_demo_site
    from mentorkit.runtime import build_runtime
    from mentorkit.settings import load_settings

    runtime = build_runtime(load_settings(env=env))
    await runtime.database.open()
    try:
        await migrate(runtime.database)
        await fill_demo_site(runtime)
        from mentorkit.accounts.services import authenticate, start_session
        from mentorkit.demo import DEMO_PASSWORD, MENTEE_EMAIL

        user = await authenticate(MENTEE_EMAIL, DEMO_PASSWORD)
        assert user is not None
        return await start_session(user, user_agent="bench")
    finally:
        await runtime.database.close()


# A signed-in browser after its first page holds both cookies: the session and the CSRF cookie
# (any value works for GET requests; the server mints one only for a browser without it).
BROWSER_CSRF_COOKIE = "bench-csrf-cookie"


def load_wrk(url: str, cookie: str | None, seconds: int, connections: int) -> float:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: mentorkit_session={cookie}; mentorkit_csrf={BROWSER_CSRF_COOKIE}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def load_httpx(url: str, cookie: str | None, seconds: int, connections: int) -> float:
    import httpx

    async def run() -> float:
        done = 0
        stop = time.perf_counter() + seconds
        cookies = {"mentorkit_session": cookie, "mentorkit_csrf": BROWSER_CSRF_COOKIE} if cookie else None
        async with httpx.AsyncClient(cookies=cookies, limits=httpx.Limits(max_connections=connections)) as c:
            async def worker() -> None:
                nonlocal done
                while time.perf_counter() < stop:
                    r = await c.get(url)
                    assert r.status_code == 200, r.status_code
                    done += 1
            await asyncio.gather(*(worker() for _ in range(connections)))
        return done / seconds

    return asyncio.run(run())


ENDPOINTS = [("bare", "/health/live", False), ("db_json", "/api/v1/me", True),
             ("db_list", "/api/v1/relationships", True), ("home", "/", True)]


def measure(engine: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"mk-bench-{engine}-"))
    env = {**os.environ, "MENTORKIT_DATA_DIR": str(data_dir), "MENTORKIT_DATABASE_URL": url,
           "MENTORKIT_LOG_LEVEL": "WARNING", "MENTORKIT_WORKER_IN_PROCESS": "false",
           "MENTORKIT_SECRET_KEY": "bench-secret-" + "x" * 40}
    cookie = asyncio.run(seed({k: v for k, v in env.items() if k.startswith("MENTORKIT_")}))
    load = load_wrk if shutil.which("wrk") else load_httpx
    startups = []
    rounds: list[dict[str, float]] = []
    for attempt in range(args.starts):
        port = free_port()
        started = time.perf_counter()
        server = subprocess.Popen([MENTORKIT, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(f"http://127.0.0.1:{port}/health/live", 30)
            startups.append(time.perf_counter() - started)
            if attempt == 0:
                base = f"http://127.0.0.1:{port}"
                for _, path, signed_in in ENDPOINTS:  # warm up (templates compile on first use)
                    load(base + path, cookie if signed_in else None, 1, 4)
                # Rounds of all four endpoints one after the other: each round's ratios compare
                # loads a few seconds apart, so drift in what else the machine does cancels out.
                for _ in range(args.rounds):
                    rounds.append({name: load(base + path, cookie if signed_in else None, args.seconds,
                                              args.connections) for name, path, signed_in in ENDPOINTS})
        finally:
            server.terminate()
            server.wait(timeout=10)
    shutil.rmtree(data_dir, ignore_errors=True)
    result: dict[str, Any] = {"engine": engine, "startup": statistics.median(startups),
                              "startup_range": (min(startups), max(startups))}
    for name, _, _ in ENDPOINTS:
        result[name] = statistics.median(r[name] for r in rounds)
        ratios = [r[name] / r["bare"] for r in rounds]
        result[name + "_ratio"] = statistics.median(ratios)
        result[name + "_ratio_range"] = (min(ratios), max(ratios))
    return result


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop, in a fresh process: how busy the shared machine is.

    About 0.16 s when this machine is quiet; twice that when other work shares its cores, and
    then every figure here (start-up above all) is slower in proportion.
    """
    code = ("import time\nt = time.perf_counter()\ns = 0\n"
            "for i in range(3_000_000): s += i\nprint(time.perf_counter() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return statistics.median(runs)


def ensure_pg_database(url: str) -> bool:
    import asyncpg

    async def go() -> bool:
        base, _, name = url.rpartition("/")
        try:
            conn = await asyncpg.connect(base + "/postgres")
        except OSError:
            return False
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return True

    return asyncio.run(go())


def compile_sources() -> None:
    """Compile the project's own modules, as an installed wheel has them.

    Where PYTHONDONTWRITEBYTECODE is set, an editable checkout would otherwise compile the
    core again in every server process, which is not what a deployment does.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "core"), str(ROOT / "plugins")],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    compile_sources()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=4, help="load per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four endpoints (medians are printed)")
    parser.add_argument("--starts", type=int, default=7, help="starts of mentorkit serve timed (median printed)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    runs = [("sqlite", "")]
    if not args.sqlite_only:
        if ensure_pg_database(PG_URL):
            runs.append(("postgres", PG_URL))
        else:
            print(f"PostgreSQL not reachable at {PG_URL}: skipped")
    results = []
    speeds = [machine_speed()]
    for engine, url in runs:
        data_url = url or ""
        if engine == "sqlite":
            data_url = ""  # default: a file in the data directory
        results.append(measure(engine, data_url, args))
        speeds.append(machine_speed())
    tool = "wrk" if shutil.which("wrk") else "httpx"
    print(f"\nload: {tool}, {args.connections} connections, {args.rounds} rounds of {args.seconds} s per endpoint,"
          " one server process")
    print("requests/s (median of the rounds):")
    print(f"{'engine':<9} {'bare JSON':>10} {'DB JSON':>10} {'DB list':>10} {'home':>10}")
    for r in results:
        print(f"{r['engine']:<9} {r['bare']:>10.0f} {r['db_json']:>10.0f} {r['db_list']:>10.0f} {r['home']:>10.0f}")
    print(f"ratios to bare JSON (median of the rounds' ratios), and start-up (spawn of `mentorkit serve` to first "
          f"answer, median of {args.starts}, with the range):")
    print(f"{'engine':<9} {'DB JSON':>10} {'DB list':>10} {'home':>10} {'start s':>10} {'range s':>12}")
    for r in results:
        low, high = r["startup_range"]
        print(f"{r['engine']:<9} {r['db_json_ratio']:>10.2f} {r['db_list_ratio']:>10.2f} "
              f"{r['home_ratio']:>10.2f} {r['startup']:>10.2f} {low:>5.2f}-{high:<5.2f}")
    print("the rounds' ratios ranged over:")
    for r in results:
        cells = [f"{r[name + '_ratio_range'][0]:.2f}-{r[name + '_ratio_range'][1]:.2f}"
                 for name in ("db_json", "db_list", "home")]
        print(f"{r['engine']:<9} " + " ".join(f"{cell:>10}" for cell in cells))
    print("goals:    DB JSON >= 0.30 (SQLite), >= 0.45 (PostgreSQL); home >= 0.15; start <= 0.60 s")
    print("machine speed (a fixed Python loop; about 0.16 s when the machine is quiet), before and after "
          "each engine: " + ", ".join(f"{speed:.2f} s" for speed in speeds))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
