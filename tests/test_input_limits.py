"""Input the database or the process cannot take is refused as a client error, never a 500.

Ids beyond the integer columns, control characters (PostgreSQL cannot store NUL), JSON nested
too deep, forms with too many fields or too many bytes, dates that do not exist: each gets a
4xx naming the problem, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Any

import msgspec
import pytest

from mentorkit.schemas import ID_MAX, Input, LongText, Name, Title
from mentorkit.testing.auth import csrf_headers, csrf_token
from mentorkit.web.forms import validate_form
from tests.routes import route_cases
from tests.test_mentoring_pages import act_as, form, ok, people, spring_pair  # noqa: F401 - fixture

HTML = {"accept": "text/html"}
TOO_LARGE_IDS = [ID_MAX + 1, 2**63, 10**20, 0]


# --------------------------------------------------------------------------- ids


@pytest.mark.usefixtures("people")
def test_every_int_path_parameter_beyond_the_id_range_is_not_found(mentorkit_client: Any) -> None:
    """Every route with an ``{x:int}`` parameter, new ones included, as a site admin (whom
    no policy stops before the lookup)."""
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    cases = [case for case in route_cases(c.app) if ":int}" in case.path]
    assert len(cases) > 10
    wrong = []
    for case in cases:
        for bad in TOO_LARGE_IDS:
            url = re.sub(r"\{\w+:int\}", str(bad), case.path)
            response = c.request(case.method, url, headers=h, json={} if case.unsafe else None,
                                 follow_redirects=False)
            if response.status_code != 404:
                wrong.append(f"{case.method} {url}: {response.status_code}")
    assert wrong == []


@pytest.mark.usefixtures("people")
def test_ids_beyond_the_range_in_a_json_body_are_refused_naming_the_field(mentorkit_client: Any) -> None:
    c = mentorkit_client
    pid, _, h = spring_pair(c)
    for ids in ([99999999999999999999, 13], [ID_MAX + 1, 1], [0, 1]):
        response = c.post(f"/api/v1/programs/{pid}/relationships", json={"enrolment_ids": ids}, headers=h)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["key"].split("[")[0] for e in response.json()["errors"]] == ["enrolment_ids"]


@pytest.mark.usefixtures("people")
def test_ids_beyond_the_range_in_a_form_are_a_field_error(mentorkit_client: Any) -> None:
    c = mentorkit_client
    pid, _, _ = spring_pair(c)
    response = c.post(f"/programs/{pid}/relationships", headers=HTML,
                      data=form(c, mentor=str(2**63), mentee="99999999999999999999"))
    assert response.status_code == 400
    assert 'id="f-mentor-error"' in response.text and 'id="f-mentee-error"' in response.text


def test_every_id_field_of_a_request_body_is_bounded() -> None:
    """Fields named ``id`` or ``*_id(s)`` in any Input use the shared ``Id`` type."""
    loose = []
    for struct in _inputs():
        for name, annotation in typing.get_type_hints(struct, include_extras=True).items():
            if name == "id" or name.endswith(("_id", "_ids")):
                try:
                    msgspec.convert({name: ID_MAX + 1 if name.endswith("id") else [ID_MAX + 1, 1]},
                                    msgspec.defstruct("One", [(name, annotation)]))
                    loose.append(f"{struct.__name__}.{name}")
                except msgspec.ValidationError:
                    pass
    assert loose == []


# --------------------------------------------------------------------------- JSON depth


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("body", [b"[" * 2000 + b"]" * 2000, b'{"a":' * 1500 + b"1" + b"}" * 1500])
def test_json_nested_too_deep_is_a_bad_request(mentorkit_client: Any, body: bytes) -> None:
    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    response = c.post("/api/v1/programs", content=body, headers={**h, "content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


# --------------------------------------------------------------------------- control characters


def _inputs() -> list[type[Input]]:
    import mentorkit.accounts.schemas
    import mentorkit.programs.pages
    import mentorkit.programs.schemas
    import mentorkit.relationships.schemas  # noqa: F401 - registers the subclasses

    found, todo = [], list(Input.__subclasses__())
    while todo:
        struct = todo.pop()
        if struct.__module__.startswith("mentorkit"):  # not the ones tests define
            found.append(struct)
        todo.extend(struct.__subclasses__())
    return found


@pytest.mark.parametrize("bad", ["a\x00b", "trail\n", "a\u2028b", "a\x85b", "a\x0bb", "a\rb", "a\x1bb", "a\tb"])
def test_one_line_types_refuse_every_line_break_and_control_character(bad: str) -> None:
    class Body(Input):
        name: Name
        title: Title

    for field in ("name", "title"):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert({"name": "ok", "title": "ok", field: bad}, Body)


@pytest.mark.parametrize("bad", ["spring\n", "one_to_one\n"])
def test_slugs_and_keys_refuse_a_trailing_newline(bad: str) -> None:
    from mentorkit.programs.schemas import Key, Slug

    for kind in (Slug, Key):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert(bad, kind)


def test_free_text_allows_tabs_and_line_breaks_but_no_other_controls() -> None:
    class Body(Input):
        notes: LongText

    assert msgspec.convert({"notes": "a\tb\nc\r\nd"}, Body).notes == "a\tb\nc\r\nd"
    for bad in ("a\x00b", "a\rb", "a\u2028b", "a\x85b", "a\x0cb"):
        with pytest.raises(msgspec.ValidationError):
            msgspec.convert({"notes": bad}, Body)


def test_every_text_field_of_every_request_body_refuses_nul() -> None:
    """New Input types are covered: a ``str`` field without a control-character rule fails."""
    loose = []
    for struct in _inputs():
        hints = typing.get_type_hints(struct, include_extras=True)
        for field in msgspec.inspect.type_info(struct).fields:  # type: ignore[attr-defined]
            types = getattr(field.type, "types", (field.type,))
            if any(isinstance(t, msgspec.inspect.StrType) for t in types):
                one = msgspec.defstruct("One", [(field.name, hints[field.name])], bases=(Input,))
                try:
                    msgspec.convert({field.name: "x\x00"}, one)
                    loose.append(f"{struct.__name__}.{field.name}")
                except msgspec.ValidationError:
                    pass
    assert loose == []


@pytest.mark.parametrize("path", ["/login", "/reset", "/signup"])
def test_signed_out_forms_refuse_a_nul_in_the_email_as_a_field_error(mentorkit_client: Any, path: str) -> None:
    c = mentorkit_client
    data = {"_csrf_token": csrf_token(c), "email": "mentee\x00@example.org", "password": "long enough password",
            "display_name": "Mia"}
    response = c.post(path, data=data, headers=HTML)
    assert response.status_code == 400
    assert 'id="f-email-error"' in response.text
    assert "control characters" in response.text


def test_form_fields_typed_plain_str_refuse_control_characters() -> None:
    from mentorkit.accounts.schemas import SignInForm

    values, checked = validate_form(SignInForm, {"email": "a@example.org", "password": "pw", "next": "/\x00"})
    assert values is None and list(checked.errors) == ["next"]


@pytest.mark.usefixtures("people")
def test_session_text_with_control_characters_is_refused_by_api_and_page(mentorkit_client: Any) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    h = act_as(c, "mia@example.org")
    good = {"held_at": _recent().isoformat(), "duration_minutes": 30, "title": "Kick-off"}
    for field, value in (("title", "Hi\x00"), ("shared_notes", "a\x00b"), ("private_note", "a\u2028b")):
        response = c.post(f"/api/v1/relationships/{rid}/sessions", json={**good, field: value}, headers=h)
        assert response.status_code == 400, field
        assert [e["key"] for e in response.json()["errors"]] == [field]
        typed = {"held_at": _recent().strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "30", "title": "Kick-off"}
        response = c.post(f"/relationships/{rid}/sessions", headers=HTML, data=form(c, **{**typed, field: value}))
        assert response.status_code == 400, field
        assert f'id="f-{field}-error"' in response.text
    response = c.post(f"/api/v1/relationships/{rid}/sessions", headers=h,
                      json={**good, "shared_notes": "line one\r\nline two\n\tindented"})
    assert response.status_code == 201


def test_query_parameters_with_control_characters_are_refused(mentorkit_client: Any) -> None:
    c = mentorkit_client
    response = c.get("/signup?invite=abc%00def")
    assert response.status_code == 400
    assert "invite" in response.text
    assert c.get("/login?next=/%0a").status_code == 400


def test_text_path_parameters_with_control_characters_are_not_found(mentorkit_client: Any) -> None:
    c = mentorkit_client
    assert c.get("/reset/abc%00def").status_code == 404
    assert c.post("/reset/abc%00def", data={"_csrf_token": csrf_token(c), "password": "x" * 12}).status_code == 404


# --------------------------------------------------------------------------- form size


def test_a_form_with_too_many_fields_is_refused_before_it_is_parsed(mentorkit_client: Any) -> None:
    from mentorkit.web.limits import MAX_FORM_FIELDS

    c = mentorkit_client
    body = "&".join(f"f{n}=x" for n in range(MAX_FORM_FIELDS + 1)) + "&_csrf_token=" + csrf_token(c)
    response = c.post("/reset/anything", content=body,
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert f"more than {MAX_FORM_FIELDS} fields" in response.text


def test_a_form_body_above_the_limit_is_refused(mentorkit_client: Any) -> None:
    from mentorkit.web.limits import MAX_BODY_BYTES

    c = mentorkit_client
    response = c.post("/login", content=b"email=" + b"a" * MAX_BODY_BYTES,
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


@pytest.mark.usefixtures("people")
def test_a_json_body_above_the_limit_is_refused(mentorkit_client: Any) -> None:
    from mentorkit.web.limits import MAX_BODY_BYTES

    c = mentorkit_client
    h = act_as(c, "ada@example.org")
    body = b'{"slug": "x", "name": "' + b"a" * MAX_BODY_BYTES + b'"}'
    response = c.post("/api/v1/programs", content=body, headers={**h, "content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.usefixtures("people")
def test_a_form_with_as_many_fields_as_allowed_is_read(mentorkit_client: Any) -> None:
    from mentorkit.web.limits import MAX_FORM_FIELDS

    c = mentorkit_client
    act_as(c, "ada@example.org")
    extras = MAX_FORM_FIELDS - 2  # with the name and the CSRF token: exactly the limit
    data = {"_csrf_token": csrf_token(c), "name": "my script", **{f"extra{n}": "x" for n in range(extras)}}
    response = c.post("/account/tokens", data=data, headers=HTML)
    assert response.status_code == 400
    assert f"and {extras - 3} more" in response.text


async def test_a_chunked_form_stops_being_read_at_the_limit() -> None:
    """Without a Content-Length the body is read until the limit, not to its end."""
    from mentorkit.web.limits import MAX_BODY_BYTES, form_limits_middleware

    chunk = b"a" * 65536
    total = MAX_BODY_BYTES * 20 // len(chunk)
    read = 0
    sent: list[Any] = []

    async def receive() -> Any:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": read < total}

    async def send(message: Any) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not see the request")

    scope = {"type": "http", "method": "POST", "path": "/login",
             "headers": [(b"content-type", b"application/x-www-form-urlencoded")]}
    await form_limits_middleware(app)(scope, receive, send)  # type: ignore[arg-type]
    assert sent[0]["status"] == 413
    assert read <= MAX_BODY_BYTES // len(chunk) + 2


def test_a_content_length_above_the_limit_is_refused_without_reading(mentorkit_client: Any) -> None:
    import asyncio

    from mentorkit.web.limits import MAX_BODY_BYTES, form_limits_middleware

    sent: list[Any] = []

    async def receive() -> Any:
        raise AssertionError("the body must not be read")

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/login",
             "headers": [(b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", str(MAX_BODY_BYTES + 1).encode())]}
    asyncio.run(form_limits_middleware(lambda *a: None)(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 413


@pytest.mark.usefixtures("people")
def test_many_unknown_fields_are_named_a_few_and_counted(mentorkit_client: Any) -> None:
    c = mentorkit_client
    act_as(c, "ada@example.org")
    data = {"_csrf_token": csrf_token(c), "name": "my script", **{f"extra{n}": "x" for n in range(150)}}
    response = c.post("/account/tokens", data=data, headers=HTML)
    assert response.status_code == 400
    assert "extra0" in response.text and "and 147 more" in response.text
    assert "extra100" not in response.text


# --------------------------------------------------------------------------- dates and blanks


def _recent() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=5)


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("held_at", ["2026-02-31T10:00", "2026-13-01T10:00", "2026-03-01T25:00", "2026-03-01T10:61"])
def test_dates_that_do_not_exist_are_a_field_error_and_keep_what_was_typed(mentorkit_client: Any, held_at: str) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    act_as(c, "mia@example.org")
    response = c.post(f"/relationships/{rid}/sessions", headers=HTML,
                      data=form(c, held_at=held_at, duration_minutes="30", title="Typed title"))
    assert response.status_code == 400
    assert 'id="f-held_at-error"' in response.text
    assert f'value="{held_at}"' in response.text and "Typed title" in response.text


@pytest.mark.usefixtures("people")
def test_a_blank_title_is_required(mentorkit_client: Any) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    h = act_as(c, "mia@example.org")
    response = c.post(f"/relationships/{rid}/sessions", headers=HTML, data=form(
        c, held_at=_recent().strftime("%Y-%m-%dT%H:%M"), duration_minutes="30", title="   "))
    assert response.status_code == 400
    assert 'id="f-title-error"' in response.text and "this field is required" in response.text
    response = c.post(f"/api/v1/relationships/{rid}/sessions", headers=h,
                      json={"held_at": _recent().isoformat(), "duration_minutes": 30, "title": " \t "})
    assert response.status_code == 400


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("held_at", ["1900-01-01T10:00:00Z", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:00Z"])
def test_sessions_before_2000_are_refused(mentorkit_client: Any, held_at: str) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    h = act_as(c, "mia@example.org")
    response = c.post(f"/api/v1/relationships/{rid}/sessions", headers=h,
                      json={"held_at": held_at, "duration_minutes": 30, "title": "Old"})
    assert response.status_code == 400, response.text
    assert [e["key"] for e in response.json()["errors"]] == ["held_at"]


@pytest.mark.usefixtures("people")
def test_sessions_before_the_relationship_began_are_refused_in_api_and_page(mentorkit_client: Any) -> None:
    c = mentorkit_client
    _, rid, _ = spring_pair(c)
    h = act_as(c, "mia@example.org")
    before = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    response = c.post(f"/api/v1/relationships/{rid}/sessions", headers=h,
                      json={"held_at": before.isoformat(), "duration_minutes": 30, "title": "Too early"})
    assert response.status_code == 400
    assert [e["key"] for e in response.json()["errors"]] == ["held_at"]
    assert "before the relationship began" in response.text
    response = c.post(f"/relationships/{rid}/sessions", headers=HTML, data=form(
        c, held_at=before.strftime("%Y-%m-%dT%H:%M"), duration_minutes="30", title="Too early"))
    assert response.status_code == 400
    assert 'id="f-held_at-error"' in response.text and "before the relationship began" in response.text


async def test_the_demo_logs_no_session_before_its_relationship_began(mentorkit_runtime: Any) -> None:
    from mentorkit.demo import fill_demo_site
    from mentorkit.programs.tables import Program
    from mentorkit.relationships.tables import MentoringSession, Relationship

    await fill_demo_site(mentorkit_runtime)
    started = {r["id"]: r for r in await Relationship.select(
        Relationship.id, Relationship.created_at, Relationship.program.created_at.as_alias("program_created_at"))}
    sessions = await MentoringSession.select(MentoringSession.relationship, MentoringSession.held_at)
    assert sessions
    assert [s for s in sessions if s["held_at"] < started[s["relationship"]]["created_at"]] == []
    assert [r for r in started.values() if r["created_at"] < r["program_created_at"]] == []
    assert await Program.count() == 6  # three 1:1 programs, a mentee-led one, the group circles and a draft


@pytest.mark.usefixtures("people")
def test_csrf_headers_helper_still_works(mentorkit_client: Any) -> None:
    """The limits sit in front of the CSRF check: a small form passes both."""
    c = mentorkit_client
    act_as(c, "ada@example.org")
    assert csrf_headers(c)
    response = c.post("/account/tokens", data={"_csrf_token": csrf_token(c), "name": "ok"}, headers=HTML)
    assert response.status_code == 200


# --------------------------------------------------------------------------- safety net


def _careless_plugin() -> object:
    """A plugin whose route takes an unbounded int and a bare str (not the shared types)."""
    from litestar import get
    from litestar.params import FromQuery

    from mentorkit import hookimpl

    @get("/p/careless/people", opt={"policy": "public"}, include_in_schema=False)
    async def people_named(id: FromQuery[int], name: FromQuery[str] = "") -> dict[str, int]:
        from mentorkit.accounts.tables import User

        return {"count": await User.count().where((User.id == id) | (User.display_name == name))}

    class Plugin:
        @hookimpl
        def register_routes(self, register: Any) -> None:
            register(people_named)

    return Plugin()


@pytest.fixture
def mentorkit_plugins(request: pytest.FixtureRequest) -> list[tuple[str, object]]:
    if request.node.name == "test_input_the_database_cannot_take_is_a_400_even_where_a_route_misses_the_types":
        return [("careless", _careless_plugin())]
    return []


def test_input_the_database_cannot_take_is_a_400_even_where_a_route_misses_the_types(
    mentorkit_client: Any,
) -> None:
    c = mentorkit_client
    assert c.get("/p/careless/people?id=1").json() == {"count": 0}
    # Beyond int4 is fine for SQLite below 2**63; beyond 2**63 neither engine takes it.
    for bad in (2**63, 10**20):
        response = c.get(f"/p/careless/people?id={bad}")
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
