"""The Cookie header read once per request (``mentorkit.web.asgi``), and the CSRF cookie minted
only when a page needs a token (``mentorkit.web.csrf.CsrfState``, ``page_token``)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mentorkit.testing.auth import DEFAULT_PASSWORD, create_user, sign_in
from mentorkit.web import asgi
from mentorkit.web.asgi import cookie, header, parse_cookies
from mentorkit.web.auth import SESSION_COOKIE
from mentorkit.web.csrf import CSRF_COOKIE, CsrfState, page_token, token_for

HTML = {"accept": "text/html"}
FORM_TOKEN = re.compile(r'name="_csrf_token" value="([^"]*)"')


# --------------------------------------------------------------------------- parse_cookies


def test_parse_cookies_reads_name_value_pairs() -> None:
    """Pairs separated by ``;`` become a dict."""
    assert parse_cookies("a=1; b=two; mentorkit_csrf=abc-_") == {"a": "1", "b": "two", "mentorkit_csrf": "abc-_"}


def test_parse_cookies_strips_spaces_around_names_and_values() -> None:
    """Spaces around the separators do not end up in names or values."""
    assert parse_cookies("  a = 1 ;b=2  ;   c=3") == {"a": "1", "b": "2", "c": "3"}


def test_parse_cookies_keeps_equals_signs_inside_a_value() -> None:
    """Only the first ``=`` separates name and value (base64 padding survives)."""
    assert parse_cookies("t=YWJj==; u=a=b") == {"t": "YWJj==", "u": "a=b"}


def test_parse_cookies_unquotes_double_quoted_values() -> None:
    """A value in double quotes loses them; a lone or unbalanced quote is kept as sent."""
    assert parse_cookies('a="x y"; b=""; c="; d="open') == {"a": "x y", "b": "", "c": '"', "d": '"open'}


def test_parse_cookies_first_of_a_repeated_name_wins() -> None:
    """RFC 6265 5.4: the browser sends the most specific cookie first; later duplicates lose."""
    assert parse_cookies("mentorkit_csrf=first; other=1; mentorkit_csrf=second") == {
        "mentorkit_csrf": "first", "other": "1",
    }


def test_parse_cookies_skips_malformed_pairs() -> None:
    """A pair without ``=`` or with an empty name is dropped; the rest of the header still counts."""
    assert parse_cookies("junk; =orphan; a=1;  = x; b=; lonely") == {"a": "1", "b": ""}


@pytest.mark.parametrize("raw", ["", " ", ";", ";;  ;", "noequals"])
def test_parse_cookies_of_an_empty_or_useless_header_is_empty(raw: str) -> None:
    """Nothing usable in the header gives an empty dict, not an error."""
    assert parse_cookies(raw) == {}


# --------------------------------------------------------------------------- header, cookie


def scope_with(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/", "headers": list(headers)}


def test_header_is_the_first_value_of_that_name() -> None:
    """``header`` matches the lower-case name exactly and returns the first of repeated headers."""
    scope: Any = scope_with((b"accept", b"text/html"), (b"x-a", b"1"), (b"x-a", b"2"))
    assert header(scope, b"x-a") == "1"
    assert header(scope, b"accept") == "text/html"


def test_header_missing_is_empty() -> None:
    """An absent header (or a scope without headers) reads as ``""``."""
    assert header(scope_with((b"accept", b"text/html")), b"cookie") == ""  # type: ignore[arg-type]
    assert header({"type": "http"}, b"cookie") == ""  # type: ignore[arg-type]


def test_header_decodes_latin_1() -> None:
    """Header bytes are Latin-1 (ASGI), so any byte decodes."""
    assert header(scope_with((b"x-name", b"caf\xe9")), b"x-name") == "caf\u00e9"  # type: ignore[arg-type]


def test_cookie_reads_one_cookie_of_the_header() -> None:
    """``cookie`` is the value of one named cookie, ``""`` when absent or without a Cookie header."""
    scope: Any = scope_with((b"cookie", b"mentorkit_session=s1; mentorkit_csrf=c1"))
    assert cookie(scope, "mentorkit_session") == "s1"
    assert cookie(scope, "mentorkit_csrf") == "c1"
    assert cookie(scope, "absent") == ""
    assert cookie(scope_with(), "mentorkit_session") == ""  # type: ignore[arg-type]


def test_cookie_parses_the_header_once_per_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several lookups in one request parse the header once and reuse the result kept in the
    scope; another request's scope is parsed on its own."""
    calls: list[str] = []
    real_parse = asgi.parse_cookies

    def counting_parse(raw: str) -> dict[str, str]:
        calls.append(raw)
        return real_parse(raw)

    monkeypatch.setattr(asgi, "parse_cookies", counting_parse)
    scope: Any = scope_with((b"cookie", b"a=1; b=2"))
    keys_before = set(scope)

    assert cookie(scope, "a") == "1"
    assert cookie(scope, "b") == "2"
    assert cookie(scope, "c") == ""
    assert calls == ["a=1; b=2"]
    stored = [scope[k] for k in set(scope) - keys_before]
    assert stored == [{"a": "1", "b": "2"}], "the parsed cookies are kept in the scope"

    scope["headers"] = [(b"cookie", b"a=changed")]
    assert cookie(scope, "a") == "1", "a later lookup in the same request reuses the first parse"
    assert len(calls) == 1

    other: Any = scope_with((b"cookie", b"a=other"))
    assert cookie(other, "a") == "other"
    assert len(calls) == 2


# --------------------------------------------------------------------------- CsrfState, page_token


def test_csrf_state_with_a_cookie_never_mints() -> None:
    """A browser's existing cookie is used for the token and no new one is minted."""
    state = CsrfState("secret", "browser-cookie")
    assert state.token() == token_for("secret", "browser-cookie")
    assert state.cookie == "browser-cookie"
    assert state.minted is False


def test_csrf_state_mints_only_when_a_token_is_asked_for() -> None:
    """Without a cookie nothing is minted until ``token()``; then one cookie, reused afterwards."""
    state = CsrfState("secret", "")
    assert state.minted is False and state.cookie == ""

    first = state.token()

    assert state.minted is True
    assert len(state.cookie) >= 32
    assert first == token_for("secret", state.cookie)
    minted = state.cookie
    assert state.token() == first and state.cookie == minted


def test_page_token_outside_the_middleware_is_empty() -> None:
    """A scope the CSRF middleware never saw has no token (the form's POST will be refused)."""
    assert page_token(scope_with()) == ""  # type: ignore[arg-type]


# --------------------------------------------------------------------------- through the app


def csrf_set_cookies(response: Any) -> list[str]:
    return [c for c in response.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE + "=")]


def form_tokens(page: str) -> list[str]:
    tokens = FORM_TOKEN.findall(page)
    assert tokens, "the page has a form with a CSRF token"
    return tokens


def secret_key(client: Any) -> str:
    return str(client.app.state.runtime.settings.secret_key)


def test_a_json_answer_to_a_browser_without_the_cookie_sets_none(mentorkit_client: Any) -> None:
    """Health checks and JSON answers carry no CSRF Set-Cookie."""
    for path in ("/health/live", "/api/v1/schema/openapi.json"):
        response = mentorkit_client.get(path)
        assert response.status_code == 200
        assert csrf_set_cookies(response) == []
    assert mentorkit_client.cookies.get(CSRF_COOKIE) is None


def test_a_signed_in_json_answer_without_the_cookie_sets_none(mentorkit_client: Any) -> None:
    """``/api/v1/me`` from a signed-in browser that holds only its session cookie mints nothing."""
    create_user(mentorkit_client, "ada@example.org", "Ada")
    sign_in(mentorkit_client, "ada@example.org")
    mentorkit_client.cookies.delete(CSRF_COOKIE)
    assert mentorkit_client.cookies.get(SESSION_COOKIE)

    response = mentorkit_client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["email"] == "ada@example.org"
    assert csrf_set_cookies(response) == []
    assert mentorkit_client.cookies.get(CSRF_COOKIE) is None


def test_a_page_with_a_form_sets_the_cookie_its_token_belongs_to(mentorkit_client: Any) -> None:
    """``/login`` for a new browser sets one HttpOnly, SameSite=Lax cookie, and the page's
    form carries the token of exactly that cookie."""
    response = mentorkit_client.get("/login", headers=HTML)

    assert response.status_code == 200
    [set_cookie] = csrf_set_cookies(response)
    value = set_cookie.split(";")[0].split("=", 1)[1]
    attributes = {a.strip().lower() for a in set_cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert value and mentorkit_client.cookies.get(CSRF_COOKIE) == value
    assert set(form_tokens(response.text)) == {token_for(secret_key(mentorkit_client), value)}


def test_a_browser_with_the_cookie_keeps_it(mentorkit_client: Any) -> None:
    """The next page sets no new cookie, and its token is the one for the cookie the browser has."""
    mentorkit_client.get("/login", headers=HTML)
    held = mentorkit_client.cookies.get(CSRF_COOKIE)
    assert held

    for path in ("/login", "/signup"):
        response = mentorkit_client.get(path, headers=HTML)
        assert response.status_code == 200
        assert csrf_set_cookies(response) == []
        assert set(form_tokens(response.text)) == {token_for(secret_key(mentorkit_client), held)}
    assert mentorkit_client.cookies.get(CSRF_COOKIE) == held


def test_a_browser_that_sends_its_own_cookie_gets_the_matching_token(mentorkit_client: Any) -> None:
    """Whatever cookie value the browser holds, the page embeds the token for that value."""
    mentorkit_client.cookies.set(CSRF_COOKIE, "cookie-chosen-by-the-browser")

    response = mentorkit_client.get("/login", headers=HTML)

    assert csrf_set_cookies(response) == []
    assert form_tokens(response.text) == [token_for(secret_key(mentorkit_client), "cookie-chosen-by-the-browser")]


def test_a_post_without_the_cookie_is_refused(mentorkit_client: Any) -> None:
    """No CSRF cookie: 403 whatever token the form carries, and the refusal mints no cookie."""
    create_user(mentorkit_client, "ada@example.org", "Ada")
    forged = token_for(secret_key(mentorkit_client), "")
    for data in ({}, {"_csrf_token": ""}, {"_csrf_token": forged}, {"_csrf_token": "anything"}):
        response = mentorkit_client.post(
            "/login", data={"email": "ada@example.org", "password": DEFAULT_PASSWORD, **data},
            headers=HTML, follow_redirects=False,
        )
        assert response.status_code == 403, data
        assert "CSRF" in response.text
        assert csrf_set_cookies(response) == []
        assert mentorkit_client.cookies.get(SESSION_COOKIE) is None


def test_a_post_with_the_cookie_but_a_wrong_token_is_refused(mentorkit_client: Any) -> None:
    """The cookie alone is not enough: a token for another cookie gets 403."""
    create_user(mentorkit_client, "ada@example.org", "Ada")
    mentorkit_client.get("/login", headers=HTML)
    wrong = token_for(secret_key(mentorkit_client), "some-other-cookie")

    response = mentorkit_client.post(
        "/login", data={"email": "ada@example.org", "password": DEFAULT_PASSWORD, "_csrf_token": wrong},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert mentorkit_client.cookies.get(SESSION_COOKIE) is None


def test_signing_in_with_the_token_from_the_page_works(mentorkit_client: Any) -> None:
    """A new browser opens ``/login``, posts the form with the token it found there, and is in."""
    create_user(mentorkit_client, "ada@example.org", "Ada")
    page = mentorkit_client.get("/login", headers=HTML)
    [token] = set(form_tokens(page.text))

    response = mentorkit_client.post(
        "/login", data={"email": "ada@example.org", "password": DEFAULT_PASSWORD, "_csrf_token": token},
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text[:300]
    assert mentorkit_client.cookies.get(SESSION_COOKIE)
    me = mentorkit_client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == "ada@example.org"


def test_an_error_page_for_a_signed_in_browser_without_the_cookie_sets_it(mentorkit_client: Any) -> None:
    """An HTML error page (rendered by the exception handler) still mints the cookie its
    sign-out form's token belongs to, so that form works."""
    create_user(mentorkit_client, "ada@example.org", "Ada")
    sign_in(mentorkit_client, "ada@example.org")
    mentorkit_client.cookies.delete(CSRF_COOKIE)

    response = mentorkit_client.get("/programs/999999", headers=HTML)

    assert response.status_code == 404
    [set_cookie] = csrf_set_cookies(response)
    value = set_cookie.split(";")[0].split("=", 1)[1]
    assert set(form_tokens(response.text)) == {token_for(secret_key(mentorkit_client), value)}
    signed_out = mentorkit_client.post("/logout", data={"_csrf_token": form_tokens(response.text)[0]},
                                       follow_redirects=False)
    assert signed_out.status_code == 303
    assert mentorkit_client.get("/api/v1/me").status_code == 401
