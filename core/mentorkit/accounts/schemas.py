"""Account forms and API bodies."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from mentorkit.accounts.time_zones import time_zone_names
from mentorkit.schemas import Email, Input, Line, Name, Password, Secret

# An IANA time-zone name such as Europe/Berlin: one of a fixed list, so the OpenAPI document
# says exactly which names are accepted.
if TYPE_CHECKING:
    TimeZone = str
else:
    TimeZone = Annotated[Literal[time_zone_names()], msgspec.Meta(
        description="an IANA time zone name, like Europe/Berlin or America/New_York")]


class SignUpForm(Input):
    """Create an account."""

    email: Email
    display_name: Name
    password: Password
    time_zone: TimeZone = "UTC"
    invite: Line | None = None
    # Where to go once the account exists (a local path, as on the sign-in form).
    next: Line | None = None


class SignInForm(Input):
    """Sign in."""

    email: Email
    password: Secret
    next: Line | None = None


class ResetRequestForm(Input):
    """Ask for a password-reset link."""

    email: Email


class ResetForm(Input):
    """Choose a new password with a reset link."""

    password: Password


class ChangePasswordForm(Input):
    """Change the password (the current one is asked again)."""

    current_password: Secret
    new_password: Password


class TimeZoneForm(Input):
    """Choose one's time zone (the account page)."""

    time_zone: TimeZone


class MeUpdate(Input):
    """Change one's own settings through the API."""

    time_zone: TimeZone


class ApiTokenForm(Input):
    """Create a personal API token."""

    name: Name


class InviteForm(Input):
    """Invite somebody to the site."""

    email: Email


class UserOut(msgspec.Struct):
    """A person as the API shows them to themselves."""

    id: int
    email: str
    display_name: str
    is_admin: bool
    time_zone: str


class NotificationOut(msgspec.Struct):
    """An in-app notification."""

    id: int
    subject: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
