"""Sign-up: open sites, invitation-only sites, and the password rules a new account meets.

Every test goes through the real app over HTTP (Litestar's TestClient), the way a browser
does: fetch the form (which sets the CSRF cookie), post it, follow what the server says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from mentorkit.accounts.tables import OneTimeToken, User
from mentorkit.testing.auth import create_user, csrf_token, sign_in

HTML = {"accept": "text/html"}
PASSWORD = "a long and unusual passphrase"


def sign_up(client: Any, **fields: str) -> Any:
    """Post the sign-up form as a browser does (HTML errors, redirects not followed)."""
    data = {"_csrf_token": csrf_token(client), **fields}
    return client.post("/signup", data=data, headers=HTML, follow_redirects=False)


def field_error(page: str, field: str) -> str | None:
    """The error message shown under a form field (lower-cased), or None."""
    match = re.search(
        rf'<p class="field__error" id="f-{field}-error">.*?</span>(.*?)</p>', page, re.S
    )
    return match.group(1).strip().lower() if match else None


def users(client: Any) -> list[dict[str, Any]]:
    return client.run(
        lambda: User.select(User.email, User.display_name, User.is_admin, User.password_hash)
    )


# --------------------------------------------------------------------------- open sign-up


def test_open_sign_up_creates_the_account_and_signs_in(mentorkit_client: Any) -> None:
    response = sign_up(
        mentorkit_client, email="Ada@Example.org", display_name="Ada Lovelace", password=PASSWORD
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    me = mentorkit_client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json() == {
        "id": me.json()["id"],
        "email": "ada@example.org",
        "display_name": "Ada Lovelace",
        "is_admin": False,
        "time_zone": "UTC",
    }
    [row] = users(mentorkit_client)
    # Argon2id, never the password itself.
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]


@pytest.mark.parametrize(("next_path", "lands_on"), [
    ("/join/abc123", "/join/abc123"),
    ("https://evil.example/", "/"),  # never an open redirect
    ("//evil.example/", "/"),
])
def test_sign_up_goes_on_to_where_the_person_was_going(mentorkit_client: Any, next_path: str, lands_on: str) -> None:
    page = mentorkit_client.get(f"/signup?next={next_path}", headers=HTML).text
    assert (f'name="next" value="{lands_on}"' in page) == (lands_on != "/")
    response = sign_up(mentorkit_client, email="ada@example.org", display_name="Ada Lovelace", password=PASSWORD,
                       next=next_path)
    assert response.status_code == 303
    assert response.headers["location"] == lands_on


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "must be at least 8 characters"),
        ("baseball", "is one of the most common passwords"),
        # The list is compared case-insensitively.
        ("Password1", "is one of the most common passwords"),
        ("grace@example.org", "must not be your e-mail address or name"),
        ("grace", "must be at least 8 characters"),
        ("Grace Hopper", "must not be your e-mail address or name"),
    ],
)
def test_weak_passwords_are_refused_with_a_field_error(
    mentorkit_client: Any, password: str, message: str
) -> None:
    response = sign_up(
        mentorkit_client, email="grace@example.org", display_name="Grace Hopper", password=password
    )

    assert response.status_code == 400
    error = field_error(response.text, "password")
    assert error is not None and message.lower() in error.lower()
    assert users(mentorkit_client) == []
    assert mentorkit_client.get("/api/v1/me").status_code == 401


def test_a_taken_email_is_a_field_error_not_a_crash(mentorkit_client: Any) -> None:
    create_user(mentorkit_client, "ada@example.org", "Ada")

    response = sign_up(
        mentorkit_client, email="ADA@example.org", display_name="Somebody else", password=PASSWORD
    )

    assert response.status_code == 400
    assert "already registered" in (field_error(response.text, "email") or "")
    assert [u["display_name"] for u in users(mentorkit_client)] == ["Ada"]


def test_the_form_shows_every_problem_at_once_and_keeps_what_was_typed(
    mentorkit_client: Any,
) -> None:
    secret = "x7"
    response = sign_up(mentorkit_client, email="not-an-address", display_name="", password=secret)

    assert response.status_code == 400
    page = response.text
    assert "There are 3 problems" in page
    assert "e-mail address" in (field_error(page, "email") or "")
    assert "required" in (field_error(page, "display_name") or "")
    assert "at least 8" in (field_error(page, "password") or "")
    # What was typed comes back, except the password.
    assert 'value="not-an-address"' in page
    assert f'value="{secret}"' not in page
    assert not re.search(r'type="password"[^>]*value=', page)


def test_typed_values_come_back_but_never_the_password_even_when_only_the_email_is_wrong(
    mentorkit_client: Any,
) -> None:
    create_user(mentorkit_client, "ada@example.org", "Ada")

    response = sign_up(
        mentorkit_client, email="ada@example.org", display_name="Ada Again", password=PASSWORD
    )

    assert response.status_code == 400
    assert 'value="Ada Again"' in response.text
    assert PASSWORD not in response.text


@pytest.mark.parametrize(
    "name", ["Ada\r\nBcc: everyone@example.org", "Ada\nLovelace", "Ada\rLovelace"]
)
def test_a_display_name_with_a_line_break_is_refused(mentorkit_client: Any, name: str) -> None:
    """A name ends up in e-mail headers and log lines: CR/LF could forge either (ASVS 1.3.11)."""
    response = sign_up(
        mentorkit_client, email="ada@example.org", display_name=name, password=PASSWORD
    )

    assert response.status_code == 400
    assert "single line" in (field_error(response.text, "display_name") or "")
    assert users(mentorkit_client) == []


def test_sign_up_cannot_make_itself_an_admin(mentorkit_client: Any) -> None:
    """Mass assignment (ASVS 15.3.3): a field the form does not have is refused, not ignored."""
    response = sign_up(
        mentorkit_client,
        email="eve@example.org",
        display_name="Eve",
        password=PASSWORD,
        is_admin="true",
    )

    assert response.status_code == 400
    assert users(mentorkit_client) == []


def test_sign_up_without_the_csrf_token_is_refused(mentorkit_client: Any) -> None:
    csrf_token(mentorkit_client)  # the browser has the cookie, the forged form lacks the token
    response = mentorkit_client.post(
        "/signup",
        data={"email": "ada@example.org", "display_name": "Ada", "password": PASSWORD},
        headers=HTML,
    )
    assert response.status_code == 403
    assert users(mentorkit_client) == []


# --------------------------------------------------------------------------- invitation-only sites


@pytest.fixture
def invite_only_client(mentorkit_settings: Any, mentorkit_plugin_manager: Any) -> Iterator[Any]:
    """A client of a site where sign-up is by invitation (settings.sign_up = "invite")."""
    from litestar.testing import TestClient

    from mentorkit.runtime import build_runtime
    from mentorkit.testing.pytest_plugin import MentorkitTestClient
    from mentorkit.web.app import create_app

    settings = msgspec.structs.replace(mentorkit_settings, sign_up="invite")
    app = create_app(runtime=build_runtime(settings, pm=mentorkit_plugin_manager), run_worker=False)

    class Client(MentorkitTestClient, TestClient):  # type: ignore[misc]
        pass

    with Client(app, base_url="http://testserver.local") as client:
        yield client


def invite(client: Any, email: str) -> str:
    """As the signed-in admin, invite ``email``; returns the link the admin page shows."""
    response = client.post(
        "/admin/invitations", data={"email": email, "_csrf_token": csrf_token(client)}, headers=HTML
    )
    assert response.status_code == 200, response.text[:500]
    match = re.search(r'<code class="token">([^<]+)</code>', response.text)
    assert match, "the admin page shows the invitation link"
    return match.group(1)


def use_invitation(client: Any, link: str, email: str, password: str = PASSWORD) -> Any:
    """A fresh browser opens the link and fills in the form."""
    client.cookies.clear()
    path = link.removeprefix("http://testserver.local")
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    token = re.search(r'name="invite" value="([^"]+)"', page.text)
    return sign_up(
        client,
        email=email,
        display_name="Invited Person",
        password=password,
        **({"invite": token.group(1)} if token else {}),
    )


def test_invite_only_site_refuses_sign_up_without_an_invitation(invite_only_client: Any) -> None:
    page = invite_only_client.get("/signup", headers=HTML)
    assert page.status_code == 200
    assert "by invitation only" in page.text
    assert 'name="password"' not in page.text

    response = sign_up(
        invite_only_client, email="walk-in@example.org", display_name="Walk In", password=PASSWORD
    )
    assert response.status_code == 403
    assert "by invitation only" in response.text

    forged = sign_up(
        invite_only_client,
        email="walk-in@example.org",
        display_name="Walk In",
        password=PASSWORD,
        invite="0" * 64,
    )
    assert forged.status_code == 403
    assert users(invite_only_client) == []


def test_an_admin_invitation_works_for_the_invited_address_only_and_once(
    invite_only_client: Any,
) -> None:
    client = invite_only_client
    create_user(client, "admin@example.org", "Site Admin", is_admin=True)
    sign_in(client, "admin@example.org")

    link = invite(client, "Newcomer@Example.org")

    # Built from the configured base URL, never from the request.
    assert link.startswith("http://testserver.local/signup?invite=")
    # Only a hash of the token is stored.
    raw = link.split("invite=")[1]
    stored = client.run(
        lambda: OneTimeToken.select(
            OneTimeToken.token_hash, OneTimeToken.email, OneTimeToken.purpose
        )
    )
    assert stored == [
        {
            "token_hash": stored[0]["token_hash"],
            "email": "newcomer@example.org",
            "purpose": "invitation",
        }
    ]
    assert raw not in stored[0]["token_hash"]

    # Somebody else holding the link cannot use it for their own address.
    other = use_invitation(client, link, "somebody-else@example.org")
    assert other.status_code == 400
    assert "invitation was sent to" in (field_error(other.text, "email") or "")
    assert client.get("/api/v1/me").status_code == 401

    # The invited person can; they are signed in afterwards.
    accepted = use_invitation(client, link, "newcomer@example.org")
    assert accepted.status_code == 303, accepted.text[:500]
    assert client.get("/api/v1/me").json()["email"] == "newcomer@example.org"

    # The link is spent.
    again = use_invitation(client, link, "newcomer@example.org")
    assert again.status_code == 403
    assert sorted(u["email"] for u in users(client)) == [
        "admin@example.org",
        "newcomer@example.org",
    ]


def test_only_admins_can_invite(invite_only_client: Any) -> None:
    client = invite_only_client
    create_user(client, "member@example.org", "Member")
    sign_in(client, "member@example.org")

    response = client.post(
        "/admin/invitations",
        data={"email": "friend@example.org", "_csrf_token": csrf_token(client)},
        headers=HTML,
    )

    assert response.status_code == 403
    assert client.run(lambda: OneTimeToken.count()) == 0


def test_inviting_somebody_who_already_has_an_account_is_a_field_error(
    invite_only_client: Any,
) -> None:
    client = invite_only_client
    create_user(client, "admin@example.org", "Site Admin", is_admin=True)
    sign_in(client, "admin@example.org")

    response = client.post(
        "/admin/invitations",
        data={"email": "ADMIN@example.org", "_csrf_token": csrf_token(client)},
        headers=HTML,
    )

    assert response.status_code == 400
    assert "already has an account" in (field_error(response.text, "email") or "")
