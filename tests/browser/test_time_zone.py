"""In a real Chromium whose clock is in Tokyo: sign-up picks up the browser's time zone."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "a long enough browser password"


def test_sign_up_starts_at_the_browsers_time_zone(live_server: Any, browser: Any) -> None:
    base = live_server.url
    context = browser.new_context(timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/signup")
        assert page.input_value("#f-time_zone") == "Asia/Tokyo"

        page.fill("#f-email", "kenji@example.org")
        page.fill("#f-display_name", "Kenji")
        page.fill("#f-password", PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/account")
        assert page.input_value("#f-time_zone") == "Asia/Tokyo"
        assert page.locator("table time").first.inner_text().endswith(" JST")
    finally:
        context.close()

