"""Site admins can deactivate and reactivate accounts and sign people out everywhere."""

from __future__ import annotations

from typing import Any

from mentorkit.accounts.tables import ApiToken
from mentorkit.testing.auth import create_user, csrf_token, sign_in


def _admin_and_member(client: Any) -> tuple[Any, Any]:
    admin = create_user(client, "admin@example.org", "Ada", is_admin=True)
    member = create_user(client, "member@example.org", "Mo")
    return admin, member


def test_deactivation_ends_sessions_and_tokens_and_reactivation_undoes_it(mentorkit_client: Any) -> None:
    from litestar.testing import TestClient

    client = mentorkit_client
    _, member = _admin_and_member(client)
    from mentorkit.accounts.services import create_api_token

    _, token = client.run(lambda: create_api_token(member, "script"))
    with TestClient(client.app, base_url="http://testserver.local") as browser:
        sign_in(browser, "member@example.org")
        assert browser.get("/api/v1/me").status_code == 200
        sign_in(client, "admin@example.org")
        response = client.post(f"/admin/users/{member.id}/deactivate", data={"_csrf_token": csrf_token(client)},
                               follow_redirects=False)
        assert response.status_code == 303
        assert browser.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        revoked = client.run(lambda: ApiToken.select(ApiToken.revoked_at).where(ApiToken.user == member.id))
        assert all(row["revoked_at"] is not None for row in revoked)
        # A deactivated account cannot sign in again ...
        browser.cookies.clear()
        bad = browser.post("/login", data={"email": "member@example.org", "password": "correct horse battery staple",
                                           "_csrf_token": csrf_token(browser)}, follow_redirects=False)
        assert bad.status_code == 400
        # ... until an admin reactivates it.
        client.post(f"/admin/users/{member.id}/reactivate", data={"_csrf_token": csrf_token(client)})
        sign_in(browser, "member@example.org")
        assert browser.get("/api/v1/me").json()["id"] == member.id


def test_admin_signs_a_person_out_everywhere(mentorkit_client: Any) -> None:
    from litestar.testing import TestClient

    client = mentorkit_client
    _, member = _admin_and_member(client)
    with TestClient(client.app, base_url="http://testserver.local") as browser:
        sign_in(browser, "member@example.org")
        sign_in(client, "admin@example.org")
        page = client.post(f"/admin/users/{member.id}/sessions/revoke", data={"_csrf_token": csrf_token(client)},
                           headers={"accept": "text/html"})
        assert browser.get("/api/v1/me").status_code == 401
        assert "Signed out of 1 browser(s)." in page.text


def test_an_admin_cannot_deactivate_themselves(mentorkit_client: Any) -> None:
    client = mentorkit_client
    admin, _ = _admin_and_member(client)
    sign_in(client, "admin@example.org")
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={"_csrf_token": csrf_token(client)},
                           headers={"accept": "text/html"})
    assert "You cannot deactivate your own account." in response.text
    assert client.get("/api/v1/me").status_code == 200


def test_unknown_person_is_404(mentorkit_client: Any) -> None:
    client = mentorkit_client
    _admin_and_member(client)
    sign_in(client, "admin@example.org")
    response = client.post("/admin/users/9999/sessions/revoke", data={"_csrf_token": csrf_token(client)})
    assert response.status_code == 404
