"""Access policies: every route names one in ``opt={"policy": ...}``; one guard enforces it.

This module is the one place that decides who may do what. Routes declare a policy name; the
``enforce_policy`` guard (installed on the whole app) refuses any route without one, so a new
route cannot be public by accident. Bounded contexts add their object-level policies with
``register_policy`` (e.g. "program_coordinator" reads ``program_id`` from the path).

Conventions for denials: anonymous callers get 401 (pages redirect to the sign-in form);
signed-in callers get 403 when they may know the thing exists, and 404 for other people's
private things (so ids do not reveal what exists).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

PUBLIC = "public"

Connection = ASGIConnection[Any, Any, Any, Any]
PolicyCheck = Callable[[Connection], Awaitable[None] | None]


def policy_of(handler: BaseRouteHandler) -> str | None:
    """The policy a route declares, or None."""
    value = handler.opt.get("policy")
    return str(value) if value else None


def current_user(connection: Connection) -> Any:
    """The signed-in user (``CurrentUser``) or None."""
    return connection.scope.get("user")


def require_user(connection: Connection) -> Any:
    """The signed-in user; 401 when nobody is signed in."""
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException("sign in first")
    return user


def _signed_in(connection: Connection) -> None:
    require_user(connection)


def _admin(connection: Connection) -> None:
    if not require_user(connection).is_admin:
        raise PermissionDeniedException("site admins only")


POLICIES: dict[str, PolicyCheck] = {
    "signed_in": _signed_in,
    "admin": _admin,
}


def register_policy(name: str, check: PolicyCheck) -> None:
    """Add a named policy. ``check(connection)`` raises to deny; may be async."""
    if name in POLICIES or name == PUBLIC:
        raise ValueError(f"policy {name!r} is already defined")
    POLICIES[name] = check


async def enforce_policy(connection: Connection, handler: BaseRouteHandler) -> None:
    """App-wide guard: a route runs only if its policy allows the caller."""
    policy = policy_of(handler)
    if policy is None:
        # Fail closed: a route without a declared policy is refused for everybody.
        raise PermissionDeniedException("this route declares no access policy")
    if policy == PUBLIC:
        return
    check = POLICIES.get(policy)
    if check is None:
        raise PermissionDeniedException(f"unknown policy {policy!r}")
    result = check(connection)
    if inspect.isawaitable(result):
        await result
