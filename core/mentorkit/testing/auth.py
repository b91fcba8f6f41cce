"""Signing in from tests: users, the CSRF token and the session cookie, as a browser does."""

from __future__ import annotations

from typing import Any

DEFAULT_PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only


def csrf_token(client: Any) -> str:
    """The CSRF token for this client's cookie (fetching a page first if it has none).

    Over HTTPS (``base_url`` starting with ``https://``) the cookie carries the ``__Host-`` prefix.
    """
    from mentorkit.web.csrf import CSRF_COOKIE, token_for

    settings = client.app.state.runtime.settings
    name = ("__Host-" if settings.secure_cookies else "") + CSRF_COOKIE
    if not client.cookies.get(name):
        client.get("/login")
    return token_for(settings.secret_key, client.cookies.get(name))


def csrf_headers(client: Any) -> dict[str, str]:
    """Headers that satisfy the CSRF check for cookie-authenticated API calls."""
    from mentorkit.web.csrf import CSRF_HEADER

    return {CSRF_HEADER: csrf_token(client)}


def create_user(client: Any, email: str, display_name: str | None = None,
                password: str = DEFAULT_PASSWORD, *, is_admin: bool = False) -> Any:
    """Create an account directly (on the app's event loop); returns the ``CurrentUser``."""
    from mentorkit.accounts.services import create_user as create

    return client.run(lambda: create(email=email, display_name=display_name or email.split("@")[0],
                                     password=password, is_admin=is_admin))


def sign_in(client: Any, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the real form; the client keeps the session cookie."""
    response = client.post("/login", data={"email": email, "password": password,
                                           "_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert response.status_code == 303, f"sign-in failed: {response.status_code} {response.text[:300]}"


def sign_in_as(client: Any, user: Any) -> Any:
    """Sign ``client`` in as ``user`` (a ``CurrentUser``) without a form: a session is started
    through the accounts service, its cookie set, and the CSRF header set on every later
    request (so ``client.post(url, data=...)`` and JSON calls pass the CSRF check).

    Signing in as someone else replaces the session. Returns the client.
    """
    from mentorkit.accounts.services import start_session
    from mentorkit.web.auth import session_cookie_name
    from mentorkit.web.csrf import CSRF_HEADER

    name = session_cookie_name(client.app.state.runtime.settings.secure_cookies)
    client.cookies.set(name, client.run(start_session, user))
    client.headers[CSRF_HEADER] = csrf_token(client)
    return client


def sign_out(client: Any) -> None:
    """Sign out through the real form."""
    client.post("/logout", data={"_csrf_token": csrf_token(client)}, follow_redirects=False)
