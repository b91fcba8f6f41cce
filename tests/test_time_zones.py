"""People's own time zones: chosen at sign-up, changed on the account page or through the API;
every page shows times in the viewer's zone (named) and reads typed times in it, while the
database and the API keep UTC (RFC 3339 with an offset)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mentorkit.accounts.tables import User
from mentorkit.accounts.time_zones import NoSuchLocalTime, from_local
from mentorkit.db import transaction
from mentorkit.notifications.services import notify
from mentorkit.relationships.tables import Relationship
from mentorkit.testing.auth import create_user, csrf_token, sign_in
from tests.test_mentoring_pages import act_as, ok

HTML = {"accept": "text/html"}
PASSWORD = "a long and unusual passphrase"


def field_error(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="field__error" id="f-{field}-error">.*?</span>(.*?)</p>', page, re.S)
    return match.group(1).strip().lower() if match else None


def choose_time_zone(client: Any, zone: str) -> Any:
    return client.post("/account/time-zone", data={"time_zone": zone, "_csrf_token": csrf_token(client)},
                       headers=HTML, follow_redirects=False)


@pytest.fixture
def pair(mentorkit_client: Any) -> int:
    """Bea (Berlin) mentors Ned (New York) in an enrolling 1:1 program; Bea is signed in.
    Returns the relationship's id. The relationship is dated back to January so that any
    session of this year is after it began."""
    c = mentorkit_client
    create_user(c, "bea@example.org", "Bea Berlin", is_admin=True)
    create_user(c, "ned@example.org", "Ned New York")
    h = act_as(c, "bea@example.org")
    pid = ok(c.post("/api/v1/programs", json={"slug": "tz", "name": "Zones"}, headers=h), 201)["id"]
    ok(c.post(f"/api/v1/programs/{pid}/state", json={"state": "enrolling"}, headers=h))
    mentor = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentor"}, headers=h), 201)
    h = act_as(c, "ned@example.org")
    mentee = ok(c.post(f"/api/v1/programs/{pid}/enrolments", json={"role": "mentee"}, headers=h), 201)
    # Ned sets his zone through the API, Bea hers on the account page.
    ok(c.patch("/api/v1/me", json={"time_zone": "America/New_York"}, headers=h))
    h = act_as(c, "bea@example.org")
    assert choose_time_zone(c, "Europe/Berlin").status_code == 303
    rid = ok(c.post(f"/api/v1/programs/{pid}/relationships",
                    json={"enrolment_ids": [mentor["id"], mentee["id"]]}, headers=h), 201)["id"]
    january = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    c.run(lambda: Relationship.update({Relationship.created_at: january}).where(Relationship.id == rid))
    return int(rid)


def log_session(client: Any, rid: int, held_at: str) -> Any:
    data = {"held_at": held_at, "duration_minutes": "60", "title": "Planning", "_csrf_token": csrf_token(client)}
    return client.post(f"/relationships/{rid}/sessions", data=data, headers=HTML, follow_redirects=False)


def test_a_berlin_member_types_local_time_and_new_york_sees_the_same_session_at_four(
    mentorkit_client: Any, pair: int
) -> None:
    c = mentorkit_client
    form = ok(c.get(f"/relationships/{pair}?section=sessions")).text
    assert "in your time zone (Europe/Berlin" in form

    response = log_session(c, pair, "2026-12-02T10:00")

    assert response.status_code == 303, response.text[:500]
    [session] = ok(c.get(f"/api/v1/relationships/{pair}/sessions"))
    assert session["held_at"] == "2026-12-02T09:00:00Z"  # stored and answered in UTC
    assert "2 Dec 2026, 10:00 CET" in ok(c.get(response.headers["location"])).text
    assert "2 Dec 2026, 10:00 CET" in ok(c.get(f"/relationships/{pair}?section=sessions")).text

    act_as(c, "ned@example.org")
    page = ok(c.get(f"/relationships/{pair}?section=sessions")).text
    assert "2 Dec 2026, 04:00 EST" in page
    assert "10:00" not in page
    assert 'datetime="2026-12-02T09:00:00Z" title="America/New_York"' in page


def test_a_time_the_clocks_skip_is_a_field_error_and_the_typed_time_is_kept(mentorkit_client: Any, pair: int) -> None:
    # On 29 March 2026 Berlin's clocks jump from 02:00 to 03:00.
    page = log_session(mentorkit_client, pair, "2026-03-29T02:30")

    assert page.status_code == 400
    assert "does not exist in europe/berlin" in (field_error(page.text, "held_at") or "")
    assert 'value="2026-03-29T02:30"' in page.text
    assert ok(mentorkit_client.get(f"/api/v1/relationships/{pair}/sessions")) == []


def test_an_hour_that_happens_twice_is_read_as_the_first() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # On 25 October 2026 Berlin's clocks go back from 03:00 to 02:00: 02:30 happens twice.
    assert from_local(dt.datetime(2026, 10, 25, 2, 30), berlin) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert from_local(dt.datetime(2026, 12, 2, 10, 0), berlin) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(NoSuchLocalTime):
        from_local(dt.datetime(2026, 3, 29, 2, 0), berlin)


def test_the_account_page_changes_the_time_zone_and_refuses_an_unknown_one(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada")
    sign_in(c, "ada@example.org")
    page = ok(c.get("/account")).text
    assert '<option value="UTC" selected>UTC</option>' in page
    assert "UTC" in page and '<option value="Europe/Berlin">Europe/Berlin</option>' in page

    refused = choose_time_zone(c, "Mars/Olympus")

    assert refused.status_code == 400
    assert field_error(refused.text, "time_zone") == "choose one of the options"
    assert "Time zone: choose one of the options" in refused.text
    assert ok(c.get("/api/v1/me"))["time_zone"] == "UTC"

    assert choose_time_zone(c, "Asia/Tokyo").status_code == 303
    assert ok(c.get("/api/v1/me"))["time_zone"] == "Asia/Tokyo"
    page = ok(c.get("/account")).text
    assert '<option value="Asia/Tokyo" selected>' in page
    assert " JST</time>" in page  # this browser's sign-in, in Tokyo time


def test_the_api_reads_and_changes_the_time_zone_with_validation(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada")
    h = act_as(c, "ada@example.org")
    assert ok(c.get("/api/v1/me"))["time_zone"] == "UTC"

    for bad in ("Mars/Olympus", "europe/berlin", "../../etc/passwd", ""):
        refused = c.patch("/api/v1/me", json={"time_zone": bad}, headers=h)
        assert refused.status_code == 400, bad
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "time_zone" in refused.text

    me = ok(c.patch("/api/v1/me", json={"time_zone": "Europe/Berlin"}, headers=h))
    assert me["time_zone"] == "Europe/Berlin"
    assert ok(c.get("/api/v1/me"))["time_zone"] == "Europe/Berlin"


def test_sign_up_keeps_the_chosen_time_zone_and_refuses_an_unknown_one(mentorkit_client: Any) -> None:
    c = mentorkit_client
    form = ok(c.get("/signup")).text
    assert '<option value="UTC" selected>UTC</option>' in form
    assert "data-browser-time-zone" in form

    def sign_up(zone: str) -> Any:
        data = {"email": "ada@example.org", "display_name": "Ada", "password": PASSWORD, "time_zone": zone,
                "_csrf_token": csrf_token(c)}
        return c.post("/signup", data=data, headers=HTML, follow_redirects=False)

    refused = sign_up("Atlantis/Capital")
    assert refused.status_code == 400
    assert field_error(refused.text, "time_zone") is not None
    assert "data-browser-time-zone" not in refused.text  # what the person sent stays chosen

    assert sign_up("America/New_York").status_code == 303
    assert ok(c.get("/api/v1/me"))["time_zone"] == "America/New_York"


def test_existing_accounts_and_sign_ups_without_a_choice_are_in_utc(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada")
    [row] = c.run(lambda: User.select(User.time_zone))
    assert row["time_zone"] == "UTC"


def test_the_accounts_service_refuses_an_unknown_zone_whoever_calls_it(mentorkit_client: Any) -> None:
    from mentorkit.accounts import services
    from mentorkit.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        mentorkit_client.run(lambda: services.create_user(email="ada@example.org", display_name="Ada",
                                                          password=PASSWORD, time_zone="Mars/Olympus"))
    assert list(refused.value.errors) == ["time_zone"]
    user = create_user(mentorkit_client, "bob@example.org", "Bob")
    with pytest.raises(ValidationFailed):
        mentorkit_client.run(lambda: services.set_time_zone(user, "Europe/Atlantis"))


def test_notifications_and_admin_pages_show_local_times(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada", is_admin=True)
    sign_in(c, "ada@example.org")
    assert choose_time_zone(c, "Asia/Kolkata").status_code == 303
    # An invitation notifies the invitee; the admin's own sign-in shows on the admin page.
    ok(c.post("/admin/invitations", data={"email": "new@example.org", "_csrf_token": csrf_token(c)}, headers=HTML))
    admin = ok(c.get("/admin")).text
    assert " IST</time>" in admin and " UTC" not in admin

    me = ok(c.get("/api/v1/me"))

    async def notify_ada() -> None:
        async with transaction():
            await notify(key="tz-test", email=me["email"], user_id=me["id"], subject="Hello", body="A message")

    c.run(notify_ada)
    page = ok(c.get("/notifications")).text
    assert " IST</time>" in page and " UTC" not in page


def test_the_data_export_includes_the_time_zone(mentorkit_client: Any) -> None:
    c = mentorkit_client
    create_user(c, "ada@example.org", "Ada")
    sign_in(c, "ada@example.org")
    assert choose_time_zone(c, "Europe/Berlin").status_code == 303

    export = c.get("/account/export.json").json()

    assert export["data"]["mentorkit.builtin.data_rights"]["account"]["time_zone"] == "Europe/Berlin"


def test_time_zones_work_without_the_systems_zone_database() -> None:
    """Windows and slim container images have no /usr/share/zoneinfo: the tzdata package is a
    dependency so that zones still exist there."""
    import zoneinfo

    zoneinfo.reset_tzpath(to=[])
    try:
        assert "Europe/Berlin" in zoneinfo.available_timezones()
        berlin = zoneinfo.ZoneInfo.no_cache("Europe/Berlin")
        assert from_local(dt.datetime(2026, 12, 2, 10, 0), berlin) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    finally:
        zoneinfo.reset_tzpath()
