"""Who is asking: the signed-in user as the web layer and services see them."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec


class CurrentUser(msgspec.Struct, frozen=True, kw_only=True):
    """The person behind a request (from a session cookie or an API token)."""

    id: int
    email: str
    display_name: str
    is_admin: bool = False
    time_zone: str = "UTC"
    # The web session (or API token) that authenticated this request.
    session_id: int | None = None
    token_id: int | None = None


def _optional(row: Mapping[str, object], name: str) -> object:
    return row.get(f"user.{name}", row.get(name))


def user_from_row(row: Mapping[str, object], **extra: object) -> CurrentUser:
    """A CurrentUser from a ``mentorkit_user`` row (or a joined row with ``user.`` keys)."""
    def get(name: str) -> object:
        return row[f"user.{name}"] if f"user.{name}" in row else row[name]  # not a joined row's id

    return CurrentUser(id=int(get("id")), email=str(get("email")),  # type: ignore[call-overload]
                       display_name=str(get("display_name")), is_admin=bool(get("is_admin")),
                       time_zone=str(_optional(row, "time_zone") or "UTC"),
                       **extra)  # type: ignore[arg-type]
