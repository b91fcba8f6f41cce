"""Building and installing the example plugins for real, and running `mentorkit` with them."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
MENTORKIT = str(Path(sys.executable).parent / "mentorkit")


def install_fixture_plugins(names: list[str], root: Path) -> Path:
    """Copy fixture distributions to ``root``, pip-install them into ``root/site``; return it.

    hatchling comes from the dev environment (no build isolation), so no network is needed.
    """
    sources = []
    for name in names:
        shutil.copytree(FIXTURES / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        sources.append(str(root / name))
    site = root / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
         "--no-build-isolation", "--target", str(site), *sources],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    return site


def run_mentorkit(site: Path, cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``mentorkit`` command with the plugins in ``site`` and a data dir in ``cwd``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MENTORKIT_")}
    base.update(PYTHONPATH=os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
                MENTORKIT_DATA_DIR=str(cwd / "data"), **env)
    return subprocess.run([MENTORKIT, *args], cwd=cwd, env=base, capture_output=True, text=True, check=False)


@contextmanager
def importable(directory: Path, *packages: str) -> Iterator[None]:
    """``directory`` on ``sys.path`` for the block, as if pip had installed it; afterwards the
    modules of ``packages`` are forgotten, so the next test imports them afresh."""
    sys.path.insert(0, str(directory))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(directory))
        for name in list(sys.modules):
            if name.partition(".")[0] in packages:
                del sys.modules[name]
        importlib.invalidate_caches()
