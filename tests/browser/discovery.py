"""Which Chromium the browser tests drive, or why there is none.

In order: the ``MENTORKIT_BROWSER`` path (when set, only that one), Debian's
``/usr/bin/chromium``, then the browser Playwright itself installed (``playwright install
chromium``). Without one the browser tests are skipped with one line saying why, unless
``MENTORKIT_REQUIRE_BROWSER=1`` (CI) turns that into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

SYSTEM_CHROMIUM = ("/usr/bin/chromium",)
NOT_FOUND = "no Chromium found; apt-get install chromium or set MENTORKIT_BROWSER"


def playwright_chromium() -> str | None:
    """The executable of Playwright's own Chromium, if it was installed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if os.path.isfile(path) else None


def find_chromium(environ: Mapping[str, str], *, system: Sequence[str] = SYSTEM_CHROMIUM,
                  playwright: Callable[[], str | None] = playwright_chromium) -> tuple[str | None, str]:
    """``(path, "")`` for the browser to use, or ``(None, why not)``."""
    configured = environ.get("MENTORKIT_BROWSER")
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured, ""
        return None, f"MENTORKIT_BROWSER={configured} is not an executable file; point it at a Chromium or unset it"
    for path in system:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path, ""
    found = playwright()
    return (found, "") if found else (None, NOT_FOUND)


def skipped_line(why_not: str) -> str:
    """The one line a test run prints when it skips the browser tests."""
    return f"browser tests skipped: {why_not}"


def browser_required(environ: Mapping[str, str]) -> bool:
    """CI sets ``MENTORKIT_REQUIRE_BROWSER=1``: a missing browser fails instead of skipping."""
    return environ.get("MENTORKIT_REQUIRE_BROWSER") == "1"
