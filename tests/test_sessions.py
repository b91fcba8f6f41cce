"""Signed-in browsers: a new session id at every sign-in, sign-out that really ends it,
idle and absolute timeouts, "sign out my other browsers", password change, CSRF.

"Another browser" is a request that carries only that browser's session cookie.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mentorkit.accounts.services import authenticate
from mentorkit.accounts.tables import User, WebSession
from mentorkit.accounts.tokens import hash_token
from mentorkit.testing.auth import DEFAULT_PASSWORD, create_user, csrf_token, sign_in, sign_out
from mentorkit.web.auth import SESSION_COOKIE

HTML = {"accept": "text/html"}
NEW_PASSWORD = "an entirely different passphrase"


def session_cookie(client: Any) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value, "the client holds a session cookie"
    return str(value)


def me_with(client: Any, cookie: str) -> Any:
    """GET /api/v1/me from a browser that holds only this session cookie."""
    return client.get("/api/v1/me", headers={"cookie": f"{SESSION_COOKIE}={cookie}"})


def second_browser(client: Any, email: str) -> str:
    """Sign in as ``email`` from another browser; returns that browser's session cookie.

    The client is left signed in as a third, separate browser (its own fresh session).
    """
    client.cookies.clear()
    sign_in(client, email)
    other = session_cookie(client)
    client.cookies.clear()
    sign_in(client, email)
    assert session_cookie(client) != other
    return other


def set_session(client: Any, cookie: str, **values: Any) -> None:
    columns = {getattr(WebSession, k): v for k, v in values.items()}
    client.run(
        lambda: WebSession.update(columns).where(WebSession.token_hash == hash_token(cookie))
    )


@pytest.fixture
def ada(mentorkit_client: Any) -> Any:
    return create_user(mentorkit_client, "ada@example.org", "Ada")


# --------------------------------------------------------------------------- sign-in


def test_sign_in_sets_an_httponly_session_cookie(mentorkit_client: Any, ada: Any) -> None:
    response = mentorkit_client.post(
        "/login",
        data={
            "email": "ada@example.org",
            "password": DEFAULT_PASSWORD,
            "_csrf_token": csrf_token(mentorkit_client),
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")
    )
    attributes = {a.strip().lower() for a in cookie.split(";")}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert not any(a.startswith("domain=") for a in attributes)
    assert mentorkit_client.get("/api/v1/me").json()["email"] == "ada@example.org"


def test_signing_in_again_rotates_the_session_id(mentorkit_client: Any, ada: Any) -> None:
    """ASVS 7.2.4: a new session id at every sign-in; the old one stops working."""
    sign_in(mentorkit_client, "ada@example.org")
    first = session_cookie(mentorkit_client)

    sign_in(mentorkit_client, "ada@example.org")
    second = session_cookie(mentorkit_client)

    assert second != first
    assert me_with(mentorkit_client, first).status_code == 401
    assert me_with(mentorkit_client, second).status_code == 200
    # Only hashes are stored: the cookie value is in no row.
    hashes = mentorkit_client.run(lambda: WebSession.select(WebSession.token_hash))
    assert {h["token_hash"] for h in hashes} == {hash_token(first), hash_token(second)}


def test_a_session_id_planted_before_sign_in_is_not_adopted(
    mentorkit_client: Any, ada: Any
) -> None:
    """Session fixation: a cookie value chosen by an attacker never becomes a session."""
    planted = "attacker-chosen-value"
    mentorkit_client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")

    sign_in(mentorkit_client, "ada@example.org")

    assert session_cookie(mentorkit_client) != planted
    assert me_with(mentorkit_client, planted).status_code == 401


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    mentorkit_client: Any, ada: Any
) -> None:
    def attempt(email: str, password: str) -> Any:
        return mentorkit_client.post(
            "/login",
            data={
                "email": email,
                "password": password,
                "_csrf_token": csrf_token(mentorkit_client),
            },
            headers=HTML,
        )

    wrong_password = attempt("ada@example.org", "not her password")
    unknown = attempt("nobody@example.org", "not her password")

    assert wrong_password.status_code == unknown.status_code == 400
    assert "the e-mail address or password is wrong" in wrong_password.text
    assert wrong_password.text.replace("ada@", "nobody@") == unknown.text
    assert SESSION_COOKIE not in mentorkit_client.cookies


def test_sign_in_only_redirects_to_local_pages(mentorkit_client: Any, ada: Any) -> None:
    """An open redirect would let a phishing link borrow our sign-in page."""
    for target, expected in [
        ("/account", "/account"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        mentorkit_client.cookies.clear()
        response = mentorkit_client.post(
            "/login",
            data={
                "email": "ada@example.org",
                "password": DEFAULT_PASSWORD,
                "next": target,
                "_csrf_token": csrf_token(mentorkit_client),
            },
            follow_redirects=False,
        )
        assert (response.status_code, response.headers["location"]) == (303, expected), target


def test_pages_send_anonymous_visitors_to_sign_in_and_the_api_answers_401(
    mentorkit_client: Any,
) -> None:
    page = mentorkit_client.get("/account", headers=HTML, follow_redirects=False)
    assert page.status_code in (302, 303, 307)
    assert page.headers["location"] == "/login?next=/account"

    api = mentorkit_client.get("/api/v1/me", headers=HTML)
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")


def test_the_session_belongs_to_the_person_who_signed_in(mentorkit_client: Any, ada: Any) -> None:
    """The session row's own id must never be taken for the person's id.

    Bob's first session is session 1 and Ada is user 1: Bob must still be Bob everywhere,
    including the password change, which must check and change *his* password.
    """
    bob = create_user(mentorkit_client, "bob@example.org", "Bob")
    sign_in(mentorkit_client, "bob@example.org")

    me = mentorkit_client.get("/api/v1/me").json()
    assert (me["id"], me["email"]) == (bob.id, "bob@example.org")

    response = mentorkit_client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "_csrf_token": csrf_token(mentorkit_client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert mentorkit_client.run(lambda: authenticate("bob@example.org", NEW_PASSWORD)) is not None
    assert (
        mentorkit_client.run(lambda: authenticate("ada@example.org", DEFAULT_PASSWORD)) is not None
    )


# --------------------------------------------------------------------------- sign-out and timeouts


def test_sign_out_ends_the_session_on_the_server(mentorkit_client: Any, ada: Any) -> None:
    """ASVS 7.4.1: a copied cookie is worthless after sign-out."""
    sign_in(mentorkit_client, "ada@example.org")
    cookie = session_cookie(mentorkit_client)

    sign_out(mentorkit_client)

    assert SESSION_COOKIE not in mentorkit_client.cookies
    assert me_with(mentorkit_client, cookie).status_code == 401
    revoked = mentorkit_client.run(lambda: WebSession.select(WebSession.revoked_at))
    assert revoked[0]["revoked_at"] is not None


def test_an_idle_session_expires(mentorkit_client: Any, mentorkit_settings: Any, ada: Any) -> None:
    sign_in(mentorkit_client, "ada@example.org")
    cookie = session_cookie(mentorkit_client)
    idle = dt.timedelta(minutes=mentorkit_settings.session_idle_minutes)
    now = dt.datetime.now(dt.UTC)

    # Quiet for a while, but less than the idle timeout: still signed in (and touched).
    set_session(mentorkit_client, cookie, last_seen_at=now - idle + dt.timedelta(minutes=5))
    assert me_with(mentorkit_client, cookie).status_code == 200
    [row] = mentorkit_client.run(lambda: WebSession.select(WebSession.last_seen_at))
    assert row["last_seen_at"] > now - dt.timedelta(minutes=1)

    # Quiet for longer than the idle timeout: signed out.
    set_session(mentorkit_client, cookie, last_seen_at=now - idle - dt.timedelta(minutes=1))
    assert me_with(mentorkit_client, cookie).status_code == 401


def test_an_active_session_still_ends_at_its_absolute_lifetime(
    mentorkit_client: Any, mentorkit_settings: Any, ada: Any
) -> None:
    sign_in(mentorkit_client, "ada@example.org")
    cookie = session_cookie(mentorkit_client)
    [row] = mentorkit_client.run(
        lambda: WebSession.select(WebSession.created_at, WebSession.expires_at)
    )
    lifetime = row["expires_at"] - row["created_at"]
    assert lifetime == dt.timedelta(hours=mentorkit_settings.session_absolute_hours)

    # Used a second ago, but the absolute lifetime is over.
    now = dt.datetime.now(dt.UTC)
    set_session(
        mentorkit_client, cookie, last_seen_at=now, expires_at=now - dt.timedelta(seconds=1)
    )

    assert me_with(mentorkit_client, cookie).status_code == 401


def test_a_deactivated_person_is_signed_out_and_cannot_sign_in(
    mentorkit_client: Any, ada: Any
) -> None:
    """ASVS 7.4.2: disabling an account ends its sessions."""
    sign_in(mentorkit_client, "ada@example.org")
    cookie = session_cookie(mentorkit_client)

    mentorkit_client.run(lambda: User.update({User.active: False}).where(User.id == ada.id))

    assert me_with(mentorkit_client, cookie).status_code == 401
    mentorkit_client.cookies.clear()
    response = mentorkit_client.post(
        "/login",
        data={
            "email": "ada@example.org",
            "password": DEFAULT_PASSWORD,
            "_csrf_token": csrf_token(mentorkit_client),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "the e-mail address or password is wrong" in response.text


# --------------------------------------------------------------------------- other browsers


def test_sign_out_my_other_browsers(mentorkit_client: Any, ada: Any) -> None:
    """ASVS 7.4.3 / 7.5.2: from one browser, end every other one."""
    laptop = second_browser(mentorkit_client, "ada@example.org")
    phone = session_cookie(mentorkit_client)
    assert me_with(mentorkit_client, laptop).status_code == 200

    page = mentorkit_client.get("/account", headers=HTML)

    assert page.text.count('<tr><td data-label="Browser">') == 2  # both browsers are listed
    assert "(this browser)" in page.text

    response = mentorkit_client.post(
        "/account/sessions/revoke-others",
        data={"_csrf_token": csrf_token(mentorkit_client)},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert me_with(mentorkit_client, laptop).status_code == 401
    assert me_with(mentorkit_client, phone).status_code == 200


def test_changing_the_password_needs_the_current_one_and_signs_out_other_browsers(
    mentorkit_client: Any, ada: Any
) -> None:
    """ASVS 7.5.1 (re-authenticate) and 7.4.3 (other sessions end)."""
    laptop = second_browser(mentorkit_client, "ada@example.org")

    def change(current: str, new: str) -> Any:
        return mentorkit_client.post(
            "/account/password",
            data={
                "current_password": current,
                "new_password": new,
                "_csrf_token": csrf_token(mentorkit_client),
            },
            headers=HTML,
            follow_redirects=False,
        )

    wrong = change("a guess at her password", NEW_PASSWORD)
    assert wrong.status_code == 400
    assert 'id="f-current_password-error"' in wrong.text
    assert NEW_PASSWORD not in wrong.text
    assert me_with(mentorkit_client, laptop).status_code == 200

    weak = change(DEFAULT_PASSWORD, "password")
    assert weak.status_code == 400
    assert 'id="f-new_password-error"' in weak.text

    done = change(DEFAULT_PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303
    assert me_with(mentorkit_client, laptop).status_code == 401
    assert mentorkit_client.get("/api/v1/me").status_code == 200  # this browser stays in
    assert mentorkit_client.run(lambda: authenticate("ada@example.org", DEFAULT_PASSWORD)) is None
    assert mentorkit_client.run(lambda: authenticate("ada@example.org", NEW_PASSWORD)) is not None


# --------------------------------------------------------------------------- CSRF


def test_account_forms_need_the_csrf_token(mentorkit_client: Any, ada: Any) -> None:
    """ASVS 3.5.1: a cross-site form can make the browser send the cookie, not the token."""
    laptop = second_browser(mentorkit_client, "ada@example.org")
    url = "/account/sessions/revoke-others"

    missing = mentorkit_client.post(url, data={}, headers=HTML, follow_redirects=False)
    assert missing.status_code == 403
    assert missing.headers["content-type"].startswith("text/html")
    assert "CSRF" in missing.text

    wrong = mentorkit_client.post(url, data={"_csrf_token": "0" * 64}, follow_redirects=False)
    assert wrong.status_code == 403
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["status"] == 403

    # A token that belongs to another browser's CSRF cookie does not fit this one.
    from mentorkit.web.csrf import token_for

    foreign = token_for(mentorkit_client.app.state.settings.secret_key, "another-browsers-cookie")
    stolen = mentorkit_client.post(url, data={"_csrf_token": foreign}, follow_redirects=False)
    assert stolen.status_code == 403

    assert me_with(mentorkit_client, laptop).status_code == 200  # nothing happened yet

    # The form field works, and so does the X-CSRF-Token header (what scripts send).
    by_header = mentorkit_client.post(
        url, headers={"X-CSRF-Token": csrf_token(mentorkit_client)}, follow_redirects=False
    )
    assert by_header.status_code == 303
    assert me_with(mentorkit_client, laptop).status_code == 401


def test_a_token_without_the_csrf_cookie_is_refused(mentorkit_client: Any, ada: Any) -> None:
    sign_in(mentorkit_client, "ada@example.org")
    token = csrf_token(mentorkit_client)
    session = session_cookie(mentorkit_client)

    response = mentorkit_client.post(
        "/logout",
        data={"_csrf_token": token},
        headers={"cookie": f"{SESSION_COOKIE}={session}"},  # the CSRF cookie is missing
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert me_with(mentorkit_client, session).status_code == 200


def test_sign_in_itself_needs_the_csrf_token(mentorkit_client: Any, ada: Any) -> None:
    """Login CSRF: a forged form must not sign the victim into the attacker's account."""
    csrf_token(mentorkit_client)
    response = mentorkit_client.post(
        "/login",
        data={"email": "ada@example.org", "password": DEFAULT_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in mentorkit_client.cookies
