"""Account forms and API bodies."""

from __future__ import annotations

import datetime as dt

import msgspec

from mentorkit.schemas import Email, Input, Line, Name, Password, Secret


class SignUpForm(Input):
    """Create an account."""

    email: Email
    display_name: Name
    password: Password
    invite: Line | None = None


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


class NotificationOut(msgspec.Struct):
    """An in-app notification."""

    id: int
    subject: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
