"""validate_form: a person filling in a form sees every problem at once, in words they
understand, with what they typed kept (passwords excepted); fields the form does not have are
refused, as in the API (no mass assignment, ASVS 15.3.3).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
import pytest

from mentorkit.accounts.schemas import ChangePasswordForm, SignUpForm
from mentorkit.schemas import Email, Input, Name, Title
from mentorkit.web.forms import Form, friendly, validate_form


class MeetingForm(Input):
    """A form with one field of each kind the forms use."""

    title: Title
    organiser_email: Email
    seats: Annotated[int, msgspec.Meta(ge=1)]
    starts_at: dt.datetime
    kind: Literal["online", "in person"]
    public: bool = False
    note: str | None = None


class RangeForm(Input):
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("the low end must not be above the high end")


GOOD_MEETING = {
    "title": "Kick-off",
    "organiser_email": "coordinator@example.org",
    "seats": "12",
    "starts_at": "2026-05-04T10:00:00+00:00",
    "kind": "online",
}


def test_a_valid_form_gives_the_typed_struct() -> None:
    values, form = validate_form(MeetingForm, {**GOOD_MEETING, "public": "on", "_csrf_token": "t"})

    assert form.ok
    assert values == MeetingForm(
        title="Kick-off",
        organiser_email="coordinator@example.org",
        seats=12,
        starts_at=dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC),
        kind="online",
        public=True,
    )


def test_optional_fields_left_empty_take_their_defaults() -> None:
    values, form = validate_form(MeetingForm, {**GOOD_MEETING, "note": ""})

    assert form.ok and values is not None
    assert values.note is None
    assert values.public is False  # an unticked checkbox is simply absent


def test_every_problem_is_reported_at_once() -> None:
    values, form = validate_form(
        MeetingForm,
        {"title": "", "organiser_email": "nobody", "seats": "many", "starts_at": "soon", "kind": "by pigeon"},
    )

    assert values is None
    assert form.errors == {
        "title": "this field is required",
        "organiser_email": "must be an e-mail address like name@example.org",
        "seats": "must be a whole number",
        "starts_at": "must be a date and time",
        "kind": "choose one of the options",
    }


def test_missing_fields_are_reported() -> None:
    values, form = validate_form(SignUpForm, {})

    assert values is None
    assert set(form.errors) == {"email", "display_name", "password"}
    assert form.errors["display_name"] == "this field is required"


def test_an_empty_required_field_says_it_is_required() -> None:
    _, form = validate_form(SignUpForm, {"email": "", "display_name": "Ada", "password": ""})

    assert form.errors == {"email": "this field is required", "password": "this field is required"}


def test_a_datetime_field_accepts_what_a_datetime_local_input_sends() -> None:
    _, form = validate_form(MeetingForm, {**GOOD_MEETING, "starts_at": "2026-05-04T10:00"})

    assert form.ok, form.errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"display_name": "x" * 101}, "display_name", "must be at most 100 characters"),
        ({"password": "short"}, "password", "must be at least 8 characters"),
        ({"display_name": "Ada\r\nBcc: all@example.org"}, "display_name",
         "must be a single line without control characters"),
        ({"display_name": "Ada\u2028Bcc"}, "display_name", "must be a single line without control characters"),
        ({"email": "ada@example.org\n"}, "email", "must be a single line without control characters"),
        (
            {"email": "ada@example.org\r\nBcc: all@example.org"},
            "email",
            "must be a single line without control characters",
        ),
        ({"email": "ada@@example.org"}, "email", "must be an e-mail address like name@example.org"),
    ],
)
def test_messages_are_written_for_people(data: dict[str, str], field: str, message: str) -> None:
    good = {"email": "ada@example.org", "display_name": "Ada", "password": "long enough password"}
    values, form = validate_form(SignUpForm, {**good, **data})

    assert values is None
    assert form.errors == {field: message}
    # No msgspec jargon or JSON paths leak through.
    assert "`" not in message and "$." not in message


def test_friendly_keeps_messages_it_has_no_translation_for() -> None:
    assert friendly("Expected `str` of length >= 3 - at `$.name`") == "must be at least 3 characters"
    assert friendly("Something unusual") == "Something unusual"


def test_fields_the_form_does_not_have_are_refused() -> None:
    """Mass assignment: a crafted post cannot set is_admin, user_id, ..."""
    good = {"email": "eve@example.org", "display_name": "Eve", "password": "long enough password"}
    values, form = validate_form(SignUpForm, {**good, "is_admin": "true", "user_id": "1"})

    assert values is None
    assert form.errors == {
        "is_admin": "is not a field of this form",
        "user_id": "is not a field of this form",
    }


def test_the_csrf_token_is_not_a_field_and_is_never_echoed() -> None:
    values, form = validate_form(RangeForm, {"low": "1", "high": "2", "_csrf_token": "abc"})

    assert values == RangeForm(low=1, high=2)
    assert "_csrf_token" not in form.values


def test_what_was_typed_is_kept_but_secret_fields_are_not() -> None:
    data = {"email": "not-an-address", "display_name": "Ada", "password": "hunter2hunter2"}

    values, form = validate_form(SignUpForm, data, secret_fields=("password",))

    assert values is None
    assert form.values == {"email": "not-an-address", "display_name": "Ada"}
    assert "hunter2hunter2" not in repr(form.values) + repr(form.errors)


def test_secret_fields_are_dropped_even_when_they_are_the_problem() -> None:
    data = {"current_password": "", "new_password": "short"}

    values, form = validate_form(ChangePasswordForm, data, secret_fields=("current_password", "new_password"))

    assert values is None
    assert form.values == {}
    assert form.errors == {"current_password": "this field is required",
                           "new_password": "must be at least 8 characters"}


def test_cross_field_rules_are_reported_for_the_whole_form() -> None:
    values, form = validate_form(RangeForm, {"low": "5", "high": "2"})

    assert values is None
    assert form.errors == {"__all__": "the low end must not be above the high end"}
    assert form.values == {"low": "5", "high": "2"}


def test_errors_found_after_validation_are_added_to_the_form() -> None:
    form = Form({"email": "ada@example.org"})
    assert form.ok

    form.error("email", "is already registered")
    form.error("email", "a second message does not replace the first")

    assert not form.ok
    assert form.errors == {"email": "is already registered"}


def test_name_and_title_refuse_line_breaks_in_the_api_too() -> None:
    """The same constraint types serve forms and JSON bodies."""

    class Body(Input):
        name: Name

    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"name": "a\nb"}, Body)
    with pytest.raises(msgspec.ValidationError, match="unknown field `role`"):
        msgspec.convert({"name": "ok", "role": "admin"}, Body)
