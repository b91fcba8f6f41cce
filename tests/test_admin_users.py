"""Site admins can deactivate and reactivate accounts and sign people out everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mentorkit.accounts.tables import ApiToken
from mentorkit.testing.auth import create_user, csrf_token, sign_in


def _admin_and_member(client: Any) -> tuple[Any, Any]:
    admin = create_user(client, "admin@example.org", "Ada", is_admin=True)
    member = create_user(client, "member@example.org", "Mo")
    return admin, member


@contextmanager
def other_browser(client: Any) -> Iterator[None]:
    """Use the same client as a second browser: its own cookies, the first's restored after."""
    saved = dict(client.cookies)
    client.cookies.clear()
    try:
        yield
    finally:
        client.cookies.clear()
        for name, value in saved.items():
            client.cookies.set(name, value)


def _member_cookies(client: Any) -> dict[str, str]:
    with other_browser(client):
        sign_in(client, "member@example.org")
        return dict(client.cookies)


def _as(client: Any, cookies: dict[str, str], path: str) -> int:
    with other_browser(client):
        for name, value in cookies.items():
            client.cookies.set(name, value)
        return int(client.get(path).status_code)


def test_deactivation_ends_sessions_and_tokens_and_reactivation_undoes_it(mentorkit_client: Any) -> None:
    from mentorkit.accounts.services import create_api_token

    client = mentorkit_client
    _, member = _admin_and_member(client)
    _, token = client.run(lambda: create_api_token(member, "script"))
    member_browser = _member_cookies(client)
    assert _as(client, member_browser, "/api/v1/me") == 200
    sign_in(client, "admin@example.org")
    response = client.post(f"/admin/users/{member.id}/deactivate", data={"_csrf_token": csrf_token(client)},
                           follow_redirects=False)
    assert response.status_code == 303
    assert _as(client, member_browser, "/api/v1/me") == 401
    with other_browser(client):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    revoked = client.run(lambda: ApiToken.select(ApiToken.revoked_at).where(ApiToken.user == member.id))
    assert revoked and all(row["revoked_at"] is not None for row in revoked)
    # A deactivated account cannot sign in again ...
    with other_browser(client):
        bad = client.post("/login", data={"email": "member@example.org", "password": "correct horse battery staple",
                                          "_csrf_token": csrf_token(client)}, follow_redirects=False)
        assert bad.status_code == 400
    # ... until an admin reactivates it.
    client.post(f"/admin/users/{member.id}/reactivate", data={"_csrf_token": csrf_token(client)})
    with other_browser(client):
        sign_in(client, "member@example.org")
        assert client.get("/api/v1/me").json()["id"] == member.id


def test_admin_signs_a_person_out_everywhere(mentorkit_client: Any) -> None:
    client = mentorkit_client
    _, member = _admin_and_member(client)
    member_browser = _member_cookies(client)
    sign_in(client, "admin@example.org")
    page = client.post(f"/admin/users/{member.id}/sessions/revoke", data={"_csrf_token": csrf_token(client)},
                       headers={"accept": "text/html"})
    assert _as(client, member_browser, "/api/v1/me") == 401
    assert "Signed out of 1 browser(s)." in page.text


def test_an_admin_cannot_deactivate_themselves(mentorkit_client: Any) -> None:
    client = mentorkit_client
    admin, _ = _admin_and_member(client)
    sign_in(client, "admin@example.org")
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={"_csrf_token": csrf_token(client)},
                           headers={"accept": "text/html"})
    assert "You cannot deactivate your own account." in response.text
    assert client.get("/api/v1/me").status_code == 200


def test_an_erased_account_cannot_be_reactivated(mentorkit_client: Any) -> None:
    from mentorkit.privacy.services import erase_user

    client = mentorkit_client
    admin, member = _admin_and_member(client)
    client.run(lambda: erase_user(member.id, admin))
    sign_in(client, "admin@example.org")
    page = client.post(f"/admin/users/{member.id}/reactivate", data={"_csrf_token": csrf_token(client)},
                       headers={"accept": "text/html"})
    assert "was erased" in page.text
    from mentorkit.accounts.tables import User

    assert client.run(lambda: User.select(User.active).where(User.id == member.id).first())["active"] is False


def test_unknown_person_is_404(mentorkit_client: Any) -> None:
    client = mentorkit_client
    _admin_and_member(client)
    sign_in(client, "admin@example.org")
    response = client.post("/admin/users/9999/sessions/revoke", data={"_csrf_token": csrf_token(client)})
    assert response.status_code == 404
