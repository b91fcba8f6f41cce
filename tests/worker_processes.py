"""Event-worker subprocesses for tests: started from a script, never outliving the test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


class WorkerProcesses:
    """Runs ``script`` (a worker program) as subprocesses with the test's database settings.

    Each process gets ``<database url> <data dir> <log dir>`` and the extra arguments given to
    ``start``; what it logs goes to files in the log dir, its stderr too.
    """

    def __init__(self, tmp_path: Path, settings: Any, script: str, name: str) -> None:
        self.script = tmp_path / name
        self.script.write_text(script)
        self.logs = tmp_path / "logs"
        self.logs.mkdir()
        self.settings = settings
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"stderr-{len(self.started)}").open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(self.script), self.settings.database_url, self.settings.data_dir,
                 str(self.logs), *args],
                stdout=subprocess.DEVNULL, stderr=stderr,
            )
        self.started.append(process)
        return process

    def log(self, name: str) -> list[list[str]]:
        path = self.logs / name
        return [line.split() for line in path.read_text().splitlines()] if path.exists() else []

    def stderr(self) -> str:
        return "\n".join(p.read_text()[-2000:] for p in sorted(self.logs.glob("stderr-*")))

    def check_alive(self) -> None:
        for process in self.started:
            if process.poll() is not None:
                pytest.fail(f"worker process exited early ({process.returncode}):\n{self.stderr()}")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
