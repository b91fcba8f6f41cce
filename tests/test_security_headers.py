"""Security headers on every kind of answer (page, API, error, static file), and what changes
when the site is served over HTTPS: Secure ``__Host-`` cookies and HSTS (ASVS 3.3, 3.4, 14.3.2).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from mentorkit.testing.auth import DEFAULT_PASSWORD, create_user, csrf_token, sign_in

HTML = {"accept": "text/html"}

ANSWERS = {
    "html page": ("GET", "/login", HTML, 200),
    "json api": ("GET", "/api/v1/schema/openapi.json", {}, 200),
    "api error": ("GET", "/api/v1/me", {}, 401),
    "refused api token": ("GET", "/api/v1/me", {"authorization": "Bearer mk_unknown"}, 401),
    "csrf refusal": ("POST", "/account/tokens/999/revoke", {}, 403),
    "static file": ("GET", "/static/core/mentorkit.css", {}, 200),
}
# Answers the router gives before any route runs.
UNROUTED = {
    "html 404": ("GET", "/no/such/page", HTML, 404),
    "json 404": ("GET", "/api/v1/no-such-thing", {}, 404),
    "405": ("PUT", "/login", HTML, 405),
}


def directives(csp: str) -> dict[str, str]:
    out = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            out[name] = value.strip()
    return out


def assert_security_headers(response: Any) -> None:
    csp = directives(response.headers["content-security-policy"])
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] in ("same-origin", "no-referrer", "strict-origin")
    # Plain HTTP: no HSTS (a browser would refuse to come back over HTTP).
    assert "strict-transport-security" not in response.headers
    # Each header once: the middleware does not add a second copy.
    assert len(response.headers.get_list("content-security-policy")) == 1


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_every_answer_carries_the_security_headers(mentorkit_client: Any, kind: str) -> None:
    method, path, headers, status = ANSWERS[kind]
    response = mentorkit_client.request(method, path, headers=headers)
    assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.parametrize("kind", list(UNROUTED))
def test_not_found_and_method_not_allowed_carry_the_security_headers(mentorkit_client: Any, kind: str) -> None:
    method, path, headers, status = UNROUTED[kind]
    response = mentorkit_client.request(method, path, headers=headers)
    assert response.status_code == status
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("kind", [k for k in ANSWERS if k != "static file"])
def test_pages_and_api_answers_are_never_cached(mentorkit_client: Any, kind: str) -> None:
    """They hold personal data (ASVS 14.3.2): not in the browser cache, not in a proxy."""
    method, path, headers, _ = ANSWERS[kind]
    response = mentorkit_client.request(method, path, headers=headers)
    assert response.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached(mentorkit_client: Any) -> None:
    response = mentorkit_client.get("/static/core/mentorkit.css")
    assert "no-store" not in response.headers.get("cache-control", "")
    assert response.headers["content-type"].startswith("text/css")


def test_a_signed_in_page_is_not_cached(mentorkit_client: Any) -> None:
    from mentorkit.testing.auth import sign_in

    create_user(mentorkit_client, "ada@example.org", "Ada")
    sign_in(mentorkit_client, "ada@example.org")

    for path, headers in [("/account", HTML), ("/api/v1/me", {})]:
        response = mentorkit_client.get(path, headers=headers)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script_or_style(mentorkit_client: Any) -> None:
    """The CSP forbids them, so a page that used them would break in the browser."""
    for path in ("/login", "/signup", "/reset"):
        page = mentorkit_client.get(path, headers=HTML).text
        assert "<script>" not in page and "<style" not in page and " style=" not in page
        assert " onclick=" not in page and " onsubmit=" not in page


def test_cookies_over_plain_http_are_httponly_but_not_secure(mentorkit_client: Any) -> None:
    response = mentorkit_client.get("/login")
    [csrf] = response.headers.get_list("set-cookie")
    assert csrf.startswith("mentorkit_csrf=")
    assert "HttpOnly" in csrf
    assert "Secure" not in csrf


# --------------------------------------------------------------------------- HTTPS


@pytest.fixture
def https_client(mentorkit_settings: Any, mentorkit_plugin_manager: Any) -> Iterator[Any]:
    """The app configured for https://testserver.local, and a browser that talks HTTPS to it."""
    from litestar.testing import TestClient

    from mentorkit.runtime import build_runtime
    from mentorkit.testing.pytest_plugin import MentorkitTestClient
    from mentorkit.web.app import create_app

    settings = msgspec.structs.replace(mentorkit_settings, base_url="https://testserver.local")
    app = create_app(runtime=build_runtime(settings, pm=mentorkit_plugin_manager), run_worker=False)

    class Client(MentorkitTestClient, TestClient):  # type: ignore[misc]
        pass

    with Client(app, base_url="https://testserver.local") as client:
        yield client


def cookie_attributes(set_cookie: str) -> tuple[str, set[str]]:
    name = set_cookie.split("=", 1)[0]
    return name, {a.strip().lower() for a in set_cookie.split(";")[1:]}


def https_csrf_token(client: Any) -> str:
    token = csrf_token(client)
    assert client.cookies.get("__Host-mentorkit_csrf"), "the CSRF cookie has the __Host- prefix over HTTPS"
    return token


def test_over_https_hsts_is_sent(https_client: Any) -> None:
    for method, path, headers, _ in ANSWERS.values():
        response = https_client.request(method, path, headers=headers)
        hsts = response.headers["strict-transport-security"]
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        assert max_age >= 31_536_000  # a year
        assert "includesubdomains" in hsts.lower()


def test_over_https_session_and_csrf_cookies_are_secure_host_cookies(https_client: Any) -> None:
    """ASVS 3.3.1: Secure, and __Host- pins the cookie to this host and path /."""
    create_user(https_client, "ada@example.org", "Ada")
    response = https_client.post(
        "/login",
        data={"email": "ada@example.org", "password": DEFAULT_PASSWORD, "_csrf_token": https_csrf_token(https_client)},
        follow_redirects=False,
    )
    assert response.status_code == 303

    session = [c for c in response.headers.get_list("set-cookie") if "mentorkit_session" in c]
    name, attributes = cookie_attributes(session[0])
    assert name == "__Host-mentorkit_session"
    assert {"secure", "httponly", "path=/", "samesite=lax"} <= attributes
    assert not any(a.startswith("domain=") for a in attributes)
    assert https_client.get("/api/v1/me").json()["email"] == "ada@example.org"

    https_client.cookies.clear()
    fresh = https_client.get("/login")
    name, attributes = cookie_attributes(fresh.headers.get_list("set-cookie")[0])
    assert name == "__Host-mentorkit_csrf"
    assert {"secure", "httponly", "path=/"} <= attributes
    assert not any(a.startswith("domain=") for a in attributes)


def test_over_https_sign_out_really_deletes_the_session_cookie(https_client: Any) -> None:
    """A browser ignores a __Host- cookie (even its deletion) without the Secure attribute,
    so a deletion without it would leave the dead cookie in the browser."""
    create_user(https_client, "ada@example.org", "Ada")
    sign_in(https_client, "ada@example.org")

    response = https_client.post(
        "/logout", data={"_csrf_token": https_csrf_token(https_client)}, follow_redirects=False
    )

    assert response.status_code == 303
    deletion = [c for c in response.headers.get_list("set-cookie") if c.startswith("__Host-mentorkit_session=")]
    assert deletion, "the session cookie is deleted"
    _, attributes = cookie_attributes(deletion[0])
    assert "secure" in attributes and "path=/" in attributes


def test_over_https_every_cookie_is_secure(https_client: Any) -> None:
    """ASVS 3.3.1: no cookie travels over plain HTTP once the site is on HTTPS."""
    create_user(https_client, "ada@example.org", "Ada")
    sign_in(https_client, "ada@example.org")
    response = https_client.post(
        "/logout", data={"_csrf_token": https_csrf_token(https_client)}, follow_redirects=False
    )

    cookies = response.headers.get_list("set-cookie")
    assert cookies
    for cookie in cookies:
        name, attributes = cookie_attributes(cookie)
        assert "secure" in attributes, name
