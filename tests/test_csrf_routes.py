"""Every unsafe route, reached with a session cookie but no CSRF token, answers 403.

Generated from the app's route list: a new POST/PUT/PATCH/DELETE route is covered without
editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit.testing.auth import create_user, csrf_token, sign_in
from tests.routes import route_cases


@pytest.fixture
def signed_in_client(mentorkit_client: Any) -> Any:
    create_user(mentorkit_client, "csrf@example.org", "Casey", is_admin=True)
    sign_in(mentorkit_client, "csrf@example.org")
    return mentorkit_client


def test_there_are_unsafe_routes_to_check(mentorkit_app: Any) -> None:
    assert sum(1 for case in route_cases(mentorkit_app) if case.unsafe) >= 8


def test_every_unsafe_route_refuses_a_request_without_csrf_token(signed_in_client: Any) -> None:
    client = signed_in_client
    checked = []
    for case in route_cases(client.app):
        if not case.unsafe or case.handler.opt.get("exclude_from_csrf"):
            continue
        url = case.url({})
        for attempt in ({}, {"_csrf_token": "forged"}):
            response = client.request(case.method, url, data=attempt, follow_redirects=False)
            assert response.status_code == 403, f"{case.method} {url} answered {response.status_code} to {attempt}"
            assert "CSRF" in response.text
        response = client.request(case.method, url, json={}, headers={"X-CSRF-Token": "forged"},
                                  follow_redirects=False)
        assert response.status_code == 403, f"{case.method} {url} (JSON, forged header)"
        checked.append(url)
    assert checked


def test_the_right_token_passes_the_check(signed_in_client: Any) -> None:
    client = signed_in_client
    response = client.post("/account/sessions/revoke-others", data={"_csrf_token": csrf_token(client)},
                           follow_redirects=False)
    assert response.status_code == 303
