"""Password reset: the same answer for every address, a link through the notification
channels (the log, until an e-mail plugin is installed) built from the configured base URL,
single-use and short-lived, stored nowhere in usable form.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest

from mentorkit.accounts.services import authenticate
from mentorkit.accounts.tables import Notification, OneTimeToken
from mentorkit.testing.auth import DEFAULT_PASSWORD, create_user, csrf_token, sign_in

HTML = {"accept": "text/html"}
NEW_PASSWORD = "a fresh and rather long passphrase"
LINK = re.compile(r"(https?://\S+/reset/[0-9a-f]+)")


def ask_for_reset(client: Any, email: str, **headers: str) -> Any:
    return client.post("/reset", data={"email": email, "_csrf_token": csrf_token(client)}, headers={**HTML, **headers})


def sent_links(client: Any, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Deliver queued notifications; the links the in-app/log channel wrote out."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mentorkit.notifications"):
        client.drain_events()
    return [
        m.group(1) for r in caplog.records if r.name == "mentorkit.notifications" and (m := LINK.search(r.getMessage()))
    ]


def choose_password(client: Any, link: str, password: str = NEW_PASSWORD) -> Any:
    path = link.removeprefix("http://testserver.local")
    return client.post(
        path,
        data={"password": password, "_csrf_token": csrf_token(client)},
        headers=HTML,
        follow_redirects=False,
    )


@pytest.fixture
def ada(mentorkit_client: Any) -> Any:
    return create_user(mentorkit_client, "ada@example.org", "Ada")


def test_known_and_unknown_addresses_get_the_same_page(mentorkit_client: Any, ada: Any) -> None:
    """Nobody can find out who has an account by asking for resets."""
    known = ask_for_reset(mentorkit_client, "ada@example.org")
    unknown = ask_for_reset(mentorkit_client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert "If an account uses that address" in known.text

    rows = mentorkit_client.run(lambda: Notification.select(Notification.email, Notification.link))
    # One message, for the real account only, with no link stored in it.
    assert rows == [{"email": "ada@example.org", "link": None}]


def test_the_link_goes_out_through_the_channels_with_the_configured_base_url(
    mentorkit_client: Any, ada: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """ASVS 6.4.1 and our addition: a spoofed Host header does not end up in the link."""
    response = ask_for_reset(mentorkit_client, "ADA@example.org", host="evil.example")
    assert response.status_code == 200

    links = sent_links(mentorkit_client, caplog)

    assert len(links) == 1
    assert links[0].startswith("http://testserver.local/reset/")
    assert "evil.example" not in caplog.text
    # A second drain sends nothing again.
    assert sent_links(mentorkit_client, caplog) == []


def test_the_link_sets_the_password_once_and_ends_every_session(
    mentorkit_client: Any, ada: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sign_in(mentorkit_client, "ada@example.org")
    old_session = mentorkit_client.cookies.get("mentorkit_session")
    ask_for_reset(mentorkit_client, "ada@example.org")
    [link] = sent_links(mentorkit_client, caplog)

    page = mentorkit_client.get(link.removeprefix("http://testserver.local"), headers=HTML)
    assert page.status_code == 200
    assert 'name="password"' in page.text

    # A weak password is refused and the link stays usable.
    weak = choose_password(mentorkit_client, link, "password")
    assert weak.status_code == 400
    assert "common" in weak.text

    done = choose_password(mentorkit_client, link)
    assert done.status_code == 303
    assert done.headers["location"] == "/login"

    # Every session ended (someone who knew the old password is out too).
    me = mentorkit_client.get("/api/v1/me", headers={"cookie": f"mentorkit_session={old_session}"})
    assert me.status_code == 401
    assert mentorkit_client.run(lambda: authenticate("ada@example.org", NEW_PASSWORD)) is not None
    assert mentorkit_client.run(lambda: authenticate("ada@example.org", DEFAULT_PASSWORD)) is None

    # Spent: neither the page nor the form work again.
    again = choose_password(mentorkit_client, link, "yet another long passphrase")
    assert again.status_code == 400
    assert "expired or was already used" in again.text
    assert mentorkit_client.get(link.removeprefix("http://testserver.local")).status_code == 400
    assert mentorkit_client.run(lambda: authenticate("ada@example.org", NEW_PASSWORD)) is not None


def test_an_expired_link_does_not_work(mentorkit_client: Any, ada: Any, caplog: pytest.LogCaptureFixture) -> None:
    ask_for_reset(mentorkit_client, "ada@example.org")
    [link] = sent_links(mentorkit_client, caplog)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    mentorkit_client.run(
        lambda: OneTimeToken.update({OneTimeToken.expires_at: past}).where(OneTimeToken.purpose == "password_reset")
    )

    assert mentorkit_client.get(link.removeprefix("http://testserver.local")).status_code == 400
    response = choose_password(mentorkit_client, link)
    assert response.status_code == 400
    assert mentorkit_client.run(lambda: authenticate("ada@example.org", DEFAULT_PASSWORD)) is not None


def test_the_link_is_short_lived(mentorkit_client: Any, mentorkit_settings: Any, ada: Any) -> None:
    ask_for_reset(mentorkit_client, "ada@example.org")
    [row] = mentorkit_client.run(lambda: OneTimeToken.select(OneTimeToken.created_at, OneTimeToken.expires_at))
    assert row["expires_at"] - row["created_at"] <= dt.timedelta(
        minutes=mentorkit_settings.password_reset_minutes, seconds=5
    )


def test_a_made_up_link_does_not_work(mentorkit_client: Any, ada: Any) -> None:
    ask_for_reset(mentorkit_client, "ada@example.org")
    fake = "http://testserver.local/reset/" + "0" * 64

    assert mentorkit_client.get(fake.removeprefix("http://testserver.local")).status_code == 400
    assert choose_password(mentorkit_client, fake).status_code == 400


def test_a_link_for_a_deactivated_account_is_never_issued(
    mentorkit_client: Any, ada: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from mentorkit.accounts.tables import User

    mentorkit_client.run(lambda: User.update({User.active: False}).where(User.id == ada.id))

    assert ask_for_reset(mentorkit_client, "ada@example.org").status_code == 200
    assert sent_links(mentorkit_client, caplog) == []
    assert mentorkit_client.run(lambda: OneTimeToken.count()) == 0


def test_the_raw_token_is_stored_nowhere(mentorkit_client: Any, ada: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The notification, the event stream and the token table hold only references and hashes:
    a copy of the database (a backup) cannot be used to take over an account."""
    ask_for_reset(mentorkit_client, "ada@example.org")
    [link] = sent_links(mentorkit_client, caplog)
    token = link.rsplit("/", 1)[1]

    async def dump_every_table() -> str:
        runtime = mentorkit_client.app.state.runtime
        tables = [t for c in runtime.database.registry.app_configs.values() for t in c.table_classes]
        assert {"mentorkit_notification", "mentorkit_event", "mentorkit_one_time_token"} <= {
            t._meta.tablename for t in tables
        }
        return repr([await t.select() for t in tables])

    dump = mentorkit_client.run(dump_every_table)
    assert "one_time_token:" in dump  # the notification refers to the token ...
    assert token not in dump  # ... but the token itself is nowhere
