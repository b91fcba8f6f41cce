"""CI: fuzz the API with schemathesis against a served demo site, as three kinds of caller.

A fresh demo site (``mentorkit demo --no-serve``) is served by ``mentorkit serve`` on
127.0.0.1 and a free port; schemathesis then runs every check over the site's own OpenAPI
document three times: with a demo mentee's personal API token, with the demo coordinator's,
and signed out. New routes are fuzzed as soon as they are in the OpenAPI document. Any
failure (a server error, an answer the document does not describe, ...) fails the run, and
so does an error in the server's log.

    .venv/bin/python tests/fuzz/run.py [--examples N] [--database-url postgresql://.../NAME]

Without ``--database-url`` the site uses SQLite in a temporary directory. With one, the
database NAME is dropped and created afresh first, so give it one of its own.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # never anything else: the fuzz only ever talks to this machine
CONFIG = Path(__file__).with_name("schemathesis.toml")  # the few narrow exceptions, each with its reason
SEED = 2026  # the same requests on every run: a failure in CI reproduces locally
# Every request is answered within a second when all is well; the bound only stops a hung run.
RUN_TIMEOUT = 900
CALLERS = (
    ("mentee", "mentee@demo.mentorkit.test"),
    ("coordinator", "coordinator@demo.mentorkit.test"),
    ("signed out", None),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def mentorkit(env: dict[str, str], *args: str) -> str:
    """Run a ``mentorkit`` command to completion; its standard output."""
    result = subprocess.run([str(BIN / "mentorkit"), *args], env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    if result.returncode != 0:
        sys.exit(f"fuzz: 'mentorkit {' '.join(args)}' failed:\n{result.stderr}")
    return result.stdout


def recreate_postgres_database(url: str) -> None:
    """Drop and create the database named in ``url`` (through the server's maintenance database)."""
    import asyncio

    import asyncpg

    server, _, name = url.rpartition("/")
    if not name.replace("_", "").isalnum():
        sys.exit(f"fuzz: database name {name!r} is not a plain identifier")

    async def go() -> None:
        connection = await asyncpg.connect(f"{server}/postgres")
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(go())


@contextlib.contextmanager
def served(env: dict[str, str], log: Path) -> Iterator[str]:
    """``mentorkit serve`` on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    with log.open("w") as out:
        server = subprocess.Popen([str(BIN / "mentorkit"), "serve", "--host", HOST, "--port", str(port)],
                                  env={**env, "MENTORKIT_BASE_URL": base}, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"fuzz: the server did not start:\n{log.read_text()}")
                with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/health/live", timeout=2):
                    break
                time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=20)


def server_errors(log: str) -> list[str]:
    """Each error the server logged, with the exception it ended in: "ERROR ... -> KeyError: 'x'"."""
    errors: list[str] = []
    record = exception = ""
    for line in [*log.splitlines(), "ERROR end"]:
        if line.startswith(("ERROR", "WARNING", "INFO", "DEBUG", "CRITICAL")):
            if record:
                errors.append(f"{record} -> {exception}" if exception else record)
            record = line[:200] if line.startswith("ERROR") and line != "ERROR end" else ""
            exception = ""
        elif record and line and not line[0].isspace() and not line.startswith(("Traceback", "The above", "During")):
            exception = line[:200]
    return errors


def fuzz(base: str, token: str | None, examples: int, workdir: str) -> tuple[int, str]:
    """One schemathesis run; its exit status and closing line."""
    command = [str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run", f"{base}/api/v1/schema/openapi.json",
               "--checks", "all", "--max-examples", str(examples), "--seed", str(SEED),
               "--workers", "1", "--generation-database", "none", "--no-color", "--request-timeout", "30"]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    # Run in the temporary directory: nothing schemathesis writes lands in the checkout.
    result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False,
                            cwd=workdir)
    print(result.stdout + result.stderr, flush=True)
    lines = [line.strip("= ") for line in result.stdout.splitlines() if line.strip("= ")]
    return result.returncode, lines[-1] if lines else "(no output)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50, help="test cases per API operation and phase")
    parser.add_argument("--database-url", help="a PostgreSQL database for the site (recreated first)")
    options = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mentorkit-fuzz-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")}
        env["MENTORKIT_DATA_DIR"] = tmp
        engine = "SQLite"
        if options.database_url:
            recreate_postgres_database(options.database_url)
            env["MENTORKIT_DATABASE_URL"] = options.database_url
            engine = "PostgreSQL"
        mentorkit(env, "demo", "--no-serve")
        tokens = {who: mentorkit(env, "token", "create", email, "--name", "CI fuzz").strip() if email else None
                  for who, email in CALLERS}
        results = []
        log = Path(tmp) / "server.log"
        with served(env, log) as base:
            for who, _ in CALLERS:
                print(f"-- schemathesis as {who} on {engine} ({base})", flush=True)
                run_started = time.monotonic()
                status, summary = fuzz(base, tokens[who], options.examples, tmp)
                results.append((who, status, summary, time.monotonic() - run_started))
        errors = server_errors(log.read_text())
        if errors:
            print(f"-- {len(errors)} error(s) in the server's log (the first 50):\n" + "\n".join(errors[:50]),
                  flush=True)
    print(f"== fuzz summary ({engine}, {options.examples} examples per operation, seed {SEED}):")
    for who, status, summary, seconds in results:
        print(f"  {'ok    ' if status == 0 else 'FAILED'} as {who:<12} {seconds:5.0f} s  {summary}")
    if errors:
        print(f"  FAILED the server logged {len(errors)} error(s) (listed above)")
    print(f"== fuzz took {time.monotonic() - started:.0f} s")
    return 0 if all(status == 0 for _, status, _, _ in results) and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
