"""Rate limits on sign-in and password reset (ASVS 6.3.1, 2.4.1): per account and per address,
answered with 429 and Retry-After, counted in the database so every process shares them.

The limits are the real ones from ``mentorkit.web.ratelimit.LIMITS``. The limiter's clock is
frozen so that a window boundary cannot fall in the middle of a test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from mentorkit.accounts.tables import RateLimitCounter, User
from mentorkit.testing.auth import DEFAULT_PASSWORD, create_user, csrf_token, sign_in
from mentorkit.web import ratelimit
from mentorkit.web.ratelimit import LIMITS

HTML = {"accept": "text/html"}


class FrozenClock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    clock = FrozenClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


def login(client: Any, email: str, password: str, **headers: str) -> Any:
    return client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": csrf_token(client)},
        headers=headers,
        follow_redirects=False,
    )


def ask_for_reset(client: Any, email: str, **headers: str) -> Any:
    return client.post("/reset", data={"email": email, "_csrf_token": csrf_token(client)}, headers=headers)


def assert_too_many(response: Any, window: int) -> None:
    assert response.status_code == 429
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= window


def test_guessing_one_accounts_password_is_stopped_while_others_sign_in(
    mentorkit_client: Any,
) -> None:
    limit, window = LIMITS["login:account"]
    assert limit < LIMITS["login:ip"][0]  # the per-account limit is the one that bites here
    create_user(mentorkit_client, "ada@example.org", "Ada")
    create_user(mentorkit_client, "bob@example.org", "Bob")

    for attempt in range(limit):
        assert login(mentorkit_client, "ada@example.org", f"guess {attempt}").status_code == 400

    # Over the limit: refused before the password is even checked (the right one included),
    # whatever the spelling of the address.
    assert_too_many(login(mentorkit_client, "ada@example.org", "one more guess"), window)
    assert_too_many(login(mentorkit_client, "ADA@Example.org", DEFAULT_PASSWORD), window)
    page = login(mentorkit_client, "ada@example.org", DEFAULT_PASSWORD, **HTML)
    assert_too_many(page, window)
    assert page.headers["content-type"].startswith("text/html")
    assert "try again in" in page.text

    # Somebody else, from the same address, still signs in.
    assert login(mentorkit_client, "bob@example.org", DEFAULT_PASSWORD).status_code == 303


def test_the_account_limit_lifts_when_the_window_ends(mentorkit_client: Any, frozen_clock: FrozenClock) -> None:
    limit, window = LIMITS["login:account"]
    create_user(mentorkit_client, "ada@example.org", "Ada")
    for attempt in range(limit + 1):
        login(mentorkit_client, "ada@example.org", f"guess {attempt}")
    assert login(mentorkit_client, "ada@example.org", DEFAULT_PASSWORD).status_code == 429

    frozen_clock.now += window

    assert login(mentorkit_client, "ada@example.org", DEFAULT_PASSWORD).status_code == 303


def test_reset_requests_are_limited_per_address(mentorkit_client: Any) -> None:
    """Nobody can flood one person's inbox (or the server's e-mail reputation)."""
    limit, window = LIMITS["reset:account"]

    for _ in range(limit):
        assert ask_for_reset(mentorkit_client, "ada@example.org").status_code == 200
    assert_too_many(ask_for_reset(mentorkit_client, "Ada@Example.org"), window)

    assert ask_for_reset(mentorkit_client, "bob@example.org").status_code == 200


def test_reset_requests_are_limited_per_client_and_forwarded_for_is_not_trusted(
    mentorkit_client: Any,
) -> None:
    """ASVS 4.1.3: a client cannot pick a fresh bucket by sending X-Forwarded-For."""
    limit, window = LIMITS["reset:ip"]

    for n in range(limit):
        response = ask_for_reset(mentorkit_client, f"person{n}@example.org", **{"x-forwarded-for": f"203.0.113.{n}"})
        assert response.status_code == 200
    response = ask_for_reset(
        mentorkit_client, "another@example.org", **{"x-forwarded-for": "198.51.100.7", "x-real-ip": "198.51.100.7"}
    )
    assert_too_many(response, window)


def test_counters_live_in_the_database_shared_by_every_process(
    mentorkit_settings: Any, mentorkit_plugin_manager: Any
) -> None:
    """A second app on the same database (another worker process, or a restart) sees the
    attempts the first one counted."""
    from litestar.testing import TestClient

    from mentorkit.runtime import build_runtime
    from mentorkit.testing.pytest_plugin import MentorkitTestClient
    from mentorkit.web.app import create_app

    class Client(MentorkitTestClient, TestClient):  # type: ignore[misc]
        pass

    def client_of_a_new_app() -> Iterator[Any]:
        app = create_app(runtime=build_runtime(mentorkit_settings, pm=mentorkit_plugin_manager), run_worker=False)
        with Client(app, base_url="http://testserver.local") as client:
            yield client

    limit, window = LIMITS["reset:account"]
    for first in client_of_a_new_app():
        for _ in range(limit):
            assert ask_for_reset(first, "ada@example.org").status_code == 200
        counters = first.run(lambda: RateLimitCounter.select(RateLimitCounter.bucket, RateLimitCounter.hits))
        assert {"hits": limit} in [
            {"hits": c["hits"]} for c in counters if c["bucket"].startswith("reset:account:ada@example.org:")
        ]

    for second in client_of_a_new_app():
        assert_too_many(ask_for_reset(second, "ada@example.org"), window)


# --------------------------------------------------------------------------- sign-up

SIGN_UP_PASSWORD = "a long and unusual passphrase"


def sign_up(client: Any, email: str, display_name: str = "New Person", password: str = SIGN_UP_PASSWORD) -> Any:
    data = {"email": email, "display_name": display_name, "password": password, "_csrf_token": csrf_token(client)}
    return client.post("/signup", data=data, headers=HTML, follow_redirects=False)


def test_a_kick_off_behind_one_address_signs_up_thirty_people_within_a_minute(mentorkit_client: Any) -> None:
    """A campus kick-off: everybody's browser reaches the site through one NAT address."""
    for n in range(30):
        assert sign_up(mentorkit_client, f"student{n}@example.org").status_code == 303

    emails = mentorkit_client.run(lambda: User.select(User.email))
    assert len(emails) == 30


def test_sign_up_attempts_for_one_address_are_limited_and_the_form_is_kept(mentorkit_client: Any) -> None:
    limit, window = ratelimit.limit_of("signup:address")
    for _ in range(limit):
        assert sign_up(mentorkit_client, "ada@example.org", "Ada Lovelace", password="short").status_code == 400

    page = sign_up(mentorkit_client, "ada@example.org", "Ada Lovelace", password="a secret nobody may see")

    assert_too_many(page, window)
    assert page.headers["content-type"].startswith("text/html")
    assert "Too many sign-up attempts for this e-mail address" in page.text
    assert "try again in" in page.text
    assert 'value="ada@example.org"' in page.text
    assert 'value="Ada Lovelace"' in page.text
    assert "a secret nobody may see" not in page.text
    assert '<form method="post" action="/signup"' in page.text
    # Somebody else, from the same address, still signs up.
    assert sign_up(mentorkit_client, "bob@example.org").status_code == 303


def test_a_flood_from_one_address_is_capped_by_the_configured_number(mentorkit_client: Any) -> None:
    mentorkit_client.app.state.settings.sign_up_attempts_per_ip_minute = 3
    limit, window = ratelimit.limit_of("signup:ip:minute")
    assert limit == 3
    for n in range(limit):
        assert sign_up(mentorkit_client, f"flood{n}@example.org", password="short").status_code == 400

    page = sign_up(mentorkit_client, "one-more@example.org", "One More")

    assert_too_many(page, window)
    assert "Too many sign-up attempts from your network" in page.text
    assert 'value="one-more@example.org"' in page.text


def test_the_hourly_sign_up_cap_per_client_address_is_configured(mentorkit_client: Any) -> None:
    mentorkit_client.app.state.settings.sign_up_attempts_per_ip_hour = 2
    _, window = ratelimit.limit_of("signup:ip")
    for n in range(2):
        assert sign_up(mentorkit_client, f"person{n}@example.org", password="short").status_code == 400
    assert_too_many(sign_up(mentorkit_client, "third@example.org"), window)


def test_sign_in_and_reset_keep_their_form_when_limited(mentorkit_client: Any) -> None:
    limit, _ = LIMITS["login:account"]
    for attempt in range(limit):
        login(mentorkit_client, "ada@example.org", f"guess {attempt}", **HTML)
    page = login(mentorkit_client, "ada@example.org", "another guess", **HTML)
    assert page.status_code == 429
    assert 'value="ada@example.org"' in page.text
    assert "another guess" not in page.text
    assert '<form method="post" action="/login"' in page.text

    limit, _ = LIMITS["reset:account"]
    for _ in range(limit):
        ask_for_reset(mentorkit_client, "ada@example.org", **HTML)
    page = ask_for_reset(mentorkit_client, "ada@example.org", **HTML)
    assert page.status_code == 429
    assert 'value="ada@example.org"' in page.text
    assert '<form method="post" action="/reset"' in page.text


def test_the_longest_e_mail_addresses_are_counted_like_any_other(mentorkit_client: Any) -> None:
    """An address of 254 characters (the most an e-mail field takes) used to make a bucket name
    longer than its column: a 500 on PostgreSQL."""
    email = "a" * 64 + "@" + "b" * 185 + ".org"
    assert len(email) == 254
    user = create_user(mentorkit_client, email, "Long Address")
    assert login(mentorkit_client, email, "a guess", **HTML).status_code == 400
    assert ask_for_reset(mentorkit_client, email, **HTML).status_code == 200
    assert sign_up(mentorkit_client, email, password="short").status_code == 400

    # The person's data export still finds the counters kept under their address.
    from mentorkit.privacy.core_data import export_core

    exported = mentorkit_client.run(lambda: export_core(user.id))
    assert sorted(c["bucket"].split(":")[0] + ":" + c["bucket"].split(":")[1]
                  for c in exported["rate_limit_counters"]) == ["login:account", "reset:account", "signup:address"]


def test_the_invitation_form_keeps_the_typed_address_when_limited(mentorkit_client: Any) -> None:
    admin = create_user(mentorkit_client, "admin@example.org", "Ada Admin", is_admin=True)
    sign_in(mentorkit_client, "admin@example.org")
    limit, window = LIMITS["invite:user"]
    for _ in range(limit):  # a day's invitations, counted without sending them
        mentorkit_client.run(lambda: ratelimit.hit("invite:user", str(admin.id)))

    page = mentorkit_client.post("/admin/invitations", headers=HTML, data={
        "email": "newcomer@example.org", "_csrf_token": csrf_token(mentorkit_client)})

    assert_too_many(page, window)
    assert "Too many invitations; try again in" in page.text
    assert 'value="newcomer@example.org"' in page.text
