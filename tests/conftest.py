"""Shared test setup. Fixtures for apps and databases come from ``mentorkit.testing``."""

from __future__ import annotations

import os

import pytest

REQUIRE_POSTGRES = os.environ.get("MENTORKIT_REQUIRE_POSTGRES") == "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_POSTGRES and not os.environ.get("MENTORKIT_TEST_DATABASE_URL"):
        raise pytest.UsageError("MENTORKIT_REQUIRE_POSTGRES=1 but MENTORKIT_TEST_DATABASE_URL is not set")


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL URL, for tests that only make sense there (skipped without a server,
    unless CI requires PostgreSQL)."""
    url = os.environ.get("MENTORKIT_TEST_DATABASE_URL")
    if not url:
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is required (MENTORKIT_REQUIRE_POSTGRES=1) but not configured")
        pytest.skip("no PostgreSQL configured (set MENTORKIT_TEST_DATABASE_URL)")
    return url
