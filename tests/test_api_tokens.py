"""Personal API tokens: created on the account page and shown once, stored only hashed,
accepted as ``Authorization: Bearer`` on ``/api`` only, dead once revoked.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from litestar import Request, post
from litestar.params import JSONBody

from mentorkit import hookimpl
from mentorkit.accounts.tables import ApiToken, User
from mentorkit.testing.auth import create_user, csrf_headers, csrf_token, sign_in

HTML = {"accept": "text/html"}


@post("/api/v1/p/tokentest/echo", opt={"policy": "signed_in"}, sync_to_thread=False)
def echo(request: Request[Any, Any, Any], data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    """A state-changing API call, to see which callers get past the CSRF check."""
    return {"user": request.user.email, "auth": request.scope.get("auth"), "data": data}


class EchoPlugin:
    @hookimpl
    def register_routes(self, register: Any) -> None:
        register(echo)


@pytest.fixture
def echo_plugin(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("tokentest", EchoPlugin()))


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def create_token(client: Any, name: str = "reporting script") -> str:
    """Create a token on the account page; returns the raw value the page shows once."""
    response = client.post("/account/tokens", data={"name": name, "_csrf_token": csrf_token(client)}, headers=HTML)
    assert response.status_code == 200, response.text[:300]
    match = re.search(r'<code class="token">(mk_[^<]+)</code>', response.text)
    assert match, "the page shows the new token"
    return match.group(1)


@pytest.fixture
def ada_token(mentorkit_client: Any) -> str:
    create_user(mentorkit_client, "ada@example.org", "Ada")
    sign_in(mentorkit_client, "ada@example.org")
    return create_token(mentorkit_client)


def test_a_token_is_shown_once_and_stored_only_as_its_hash(mentorkit_client: Any, ada_token: str) -> None:
    page = mentorkit_client.get("/account", headers=HTML)
    assert ada_token not in page.text
    assert "reporting script" in page.text
    assert ada_token[:10] in page.text  # the prefix, to tell tokens apart

    [row] = mentorkit_client.run(lambda: ApiToken.select())
    assert row["token_hash"] == hashlib.sha256(ada_token.encode()).hexdigest()
    assert all(ada_token not in str(value) for value in row.values())


def test_a_token_signs_in_api_calls_without_cookies_or_csrf(
    echo_plugin: None, mentorkit_client: Any, ada_token: str
) -> None:
    mentorkit_client.cookies.clear()

    me = mentorkit_client.get("/api/v1/me", headers=bearer(ada_token))
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.org"

    # Bearer calls carry no ambient credential, so no CSRF token is needed.
    echoed = mentorkit_client.post("/api/v1/p/tokentest/echo", json={"n": 1}, headers=bearer(ada_token))
    assert echoed.status_code == 201, echoed.text
    assert echoed.json() == {"user": "ada@example.org", "auth": "token", "data": {"n": 1}}
    [row] = mentorkit_client.run(lambda: ApiToken.select(ApiToken.last_used_at))
    assert row["last_used_at"] is not None


def test_the_token_belongs_to_the_person_who_created_it(mentorkit_client: Any) -> None:
    """The token row's own id must never be taken for the person's id."""
    create_user(mentorkit_client, "ada@example.org", "Ada")
    bob = create_user(mentorkit_client, "bob@example.org", "Bob")
    sign_in(mentorkit_client, "bob@example.org")
    token = create_token(mentorkit_client)  # token 1, while Ada is user 1
    mentorkit_client.cookies.clear()

    me = mentorkit_client.get("/api/v1/me", headers=bearer(token)).json()
    assert (me["id"], me["email"]) == (bob.id, "bob@example.org")


def test_json_calls_with_a_session_cookie_need_the_csrf_header(
    echo_plugin: None, mentorkit_client: Any, ada_token: str
) -> None:
    url = "/api/v1/p/tokentest/echo"

    without = mentorkit_client.post(url, json={"n": 1})
    assert without.status_code == 403
    assert without.headers["content-type"].startswith("application/problem+json")

    wrong = mentorkit_client.post(url, json={"n": 1}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403

    right = mentorkit_client.post(url, json={"n": 1}, headers=csrf_headers(mentorkit_client))
    assert right.status_code == 201
    assert right.json()["auth"] == "session"


def test_a_revoked_token_stops_working(mentorkit_client: Any, ada_token: str) -> None:
    [row] = mentorkit_client.run(lambda: ApiToken.select(ApiToken.id))

    response = mentorkit_client.post(
        f"/account/tokens/{row['id']}/revoke",
        data={"_csrf_token": csrf_token(mentorkit_client)},
        follow_redirects=False,
    )
    assert response.status_code == 303

    refused = mentorkit_client.get("/api/v1/me", headers=bearer(ada_token))
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["www-authenticate"] == "Bearer"
    assert ada_token not in refused.text


def test_somebody_elses_token_cannot_be_revoked(mentorkit_client: Any, ada_token: str) -> None:
    [row] = mentorkit_client.run(lambda: ApiToken.select(ApiToken.id))
    mentorkit_client.cookies.clear()
    create_user(mentorkit_client, "mallory@example.org", "Mallory")
    sign_in(mentorkit_client, "mallory@example.org")

    response = mentorkit_client.post(
        f"/account/tokens/{row['id']}/revoke", data={"_csrf_token": csrf_token(mentorkit_client)}
    )

    assert response.status_code == 404
    assert mentorkit_client.get("/api/v1/me", headers=bearer(ada_token)).status_code == 200


def test_a_deactivated_persons_tokens_stop_working(mentorkit_client: Any, ada_token: str) -> None:
    """ASVS 7.4.2: disabling the account ends API access too (Zulip's lesson)."""
    mentorkit_client.run(lambda: User.update({User.active: False}).where(User.email == "ada@example.org"))

    assert mentorkit_client.get("/api/v1/me", headers=bearer(ada_token)).status_code == 401


def test_a_bearer_token_outside_the_api_is_ignored(mentorkit_client: Any, ada_token: str) -> None:
    """Pages are for browsers: a token does not sign anybody in there."""
    mentorkit_client.cookies.clear()

    page = mentorkit_client.get("/account", headers={**HTML, **bearer(ada_token)}, follow_redirects=False)
    assert page.status_code in (302, 303, 307)
    assert page.headers["location"].startswith("/login")

    # Nor does it exempt a form post from the CSRF check.
    csrf_token(mentorkit_client)
    post_page = mentorkit_client.post("/account/tokens", data={"name": "sneaky"}, headers=bearer(ada_token))
    assert post_page.status_code == 403
    assert mentorkit_client.run(lambda: ApiToken.count()) == 1


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic YWRhQGV4YW1wbGUub3JnOnBhc3N3b3Jk",
        "Bearer",
        "Bearer ",
        "Bearer not-one-of-ours",
        "Bearer mk_",
        "Bearer mk_" + "A" * 43,
        "Token mk_" + "A" * 43,
    ],
)
def test_a_malformed_or_unknown_authorization_header_on_the_api_is_401(
    mentorkit_client: Any, authorization: str
) -> None:
    response = mentorkit_client.get("/api/v1/me", headers={"authorization": authorization})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


def test_a_bad_token_is_refused_even_alongside_a_valid_session(mentorkit_client: Any, ada_token: str) -> None:
    """An explicit credential that fails is an error, not a fall-back to the cookie."""
    response = mentorkit_client.get("/api/v1/me", headers=bearer("mk_" + "B" * 43))
    assert response.status_code == 401
