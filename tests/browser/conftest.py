"""Browser tests: a real server on 127.0.0.1 and a Chromium driven by Playwright.

Playwright launches the Chromium ``discovery.find_chromium`` finds (Debian's
``/usr/bin/chromium`` here: browser downloads do not work); without one the browser tests are
skipped with one line saying how to enable them. When a test fails, a screenshot of the page
is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.discovery import browser_required, find_chromium, skipped_line

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags for a sandbox without a network: no background connections, no GPU, no first-run UI.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@functools.cache
def chromium() -> tuple[str | None, str]:
    """The browser for this test run (looked for once), or why there is none."""
    return find_chromium(os.environ)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line at the end of the run when the browser tests were skipped for want of a browser."""
    if chromium.cache_info().currsize and chromium()[0] is None and not browser_required(os.environ):
        terminalreporter.write_line(skipped_line(chromium()[1]), yellow=True)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The test's app served by uvicorn in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.runtime: Any = None  # the runtime the app was built with, once the fixture sets it
        self._loop: Any = None

    @property
    def loop(self) -> Any:
        """The server's event loop (run setup coroutines on it with run_coroutine_threadsafe)."""
        return self._loop

    def _run(self) -> None:
        import asyncio

        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self.server.serve())

    def __enter__(self) -> LiveServer:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server(mentorkit_settings: Any, mentorkit_plugin_manager: Any) -> Iterator[LiveServer]:
    """The app on a real port, with the event worker running inside it."""
    from mentorkit.runtime import build_runtime
    from mentorkit.web.app import create_app

    mentorkit_settings.base_url = "http://127.0.0.1"  # replaced below once the port is known
    runtime = build_runtime(mentorkit_settings, pm=mentorkit_plugin_manager)
    server = LiveServer(create_app(runtime=runtime, run_worker=True))
    server.runtime = runtime
    runtime.settings.base_url = server.url
    with server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Playwright's sync API keeps an event loop running in this
    thread while it is open, which async tests elsewhere must not inherit."""
    path, why_not = chromium()
    if path is None:
        if browser_required(os.environ):
            pytest.fail(f"MENTORKIT_REQUIRE_BROWSER=1 but {why_not}", pytrace=False)
        pytest.skip(skipped_line(why_not))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context and page; a screenshot is saved if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure: {path}")
    context.close()
