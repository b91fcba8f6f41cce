"""Signing in through the real sign-in form, as the browser tests do."""

from __future__ import annotations

from typing import Any


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    """Fill in and send the sign-in form; wait for the home page."""
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
