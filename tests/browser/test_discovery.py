"""Finding a Chromium for the browser tests: skipped with one clear line without one, and a
failure instead when CI requires a browser (``MENTORKIT_REQUIRE_BROWSER=1``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.discovery import NOT_FOUND, find_chromium, playwright_chromium

ROOT = Path(__file__).resolve().parents[2]


def _executable(path: Path) -> str:
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def _nothing() -> str | None:
    return None


def test_the_configured_browser_comes_first(tmp_path: Path) -> None:
    mine = _executable(tmp_path / "my-chromium")
    system = _executable(tmp_path / "chromium")
    assert find_chromium({"MENTORKIT_BROWSER": mine}, system=[system], playwright=_nothing) == (mine, "")


def test_a_configured_browser_that_is_missing_is_not_replaced_by_another(tmp_path: Path) -> None:
    system = _executable(tmp_path / "chromium")
    path, why_not = find_chromium({"MENTORKIT_BROWSER": str(tmp_path / "nope")}, system=[system],
                                  playwright=_nothing)
    assert path is None
    assert why_not == (f"MENTORKIT_BROWSER={tmp_path / 'nope'} is not an executable file; "
                       "point it at a Chromium or unset it")


def test_then_debians_chromium_then_playwrights_own(tmp_path: Path) -> None:
    system = _executable(tmp_path / "chromium")
    bundled = _executable(tmp_path / "headless_shell")
    assert find_chromium({}, system=[system], playwright=lambda: bundled) == (system, "")
    assert find_chromium({}, system=[str(tmp_path / "absent")], playwright=lambda: bundled) == (bundled, "")
    assert find_chromium({}, system=[str(tmp_path / "absent")], playwright=_nothing) == (None, NOT_FOUND)


def test_playwrights_browser_counts_only_when_it_was_installed(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))  # an empty browser cache
    assert playwright_chromium() is None


def _browser_tests(**env: str) -> subprocess.CompletedProcess[str]:
    """The real browser tests in a pytest of their own, with a browser path that does not exist."""
    base = {k: v for k, v in os.environ.items() if k not in ("MENTORKIT_BROWSER", "MENTORKIT_REQUIRE_BROWSER")}
    base.update(MENTORKIT_BROWSER="/nonexistent/chromium", **env)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "tests/browser/test_first_relationship.py"],
                          cwd=ROOT, env=base, capture_output=True, text=True, timeout=300, check=False)


def test_without_a_browser_the_browser_tests_are_skipped_with_one_line() -> None:
    result = _browser_tests()
    assert result.returncode == 0, result.stdout + result.stderr
    line = ("browser tests skipped: MENTORKIT_BROWSER=/nonexistent/chromium is not an executable file; "
            "point it at a Chromium or unset it")
    assert result.stdout.count(line) == 1, result.stdout
    assert " skipped" in result.stdout.splitlines()[-1] and "failed" not in result.stdout


def test_without_a_browser_ci_fails() -> None:
    result = _browser_tests(MENTORKIT_REQUIRE_BROWSER="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "MENTORKIT_REQUIRE_BROWSER=1 but MENTORKIT_BROWSER=/nonexistent/chromium is not an executable file" \
        in result.stdout
    assert "browser tests skipped" not in result.stdout
