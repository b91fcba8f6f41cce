"""Access policies: every route names one in ``opt={"policy": ...}``; guards enforce it.

This module is the one place that decides who may do what. Routes declare a policy name; the
``enforce_policy`` guard (installed on the whole app) refuses any route without one, so a new
route cannot be public by accident.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

PUBLIC = "public"


def policy_of(handler: BaseRouteHandler) -> str | None:
    """The policy a route declares, or None."""
    value = handler.opt.get("policy")
    return str(value) if value else None


def enforce_policy(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """App-wide guard: a route runs only if its policy allows the caller."""
    policy = policy_of(handler)
    if policy is None:
        # Fail closed: a route without a declared policy is refused for everybody.
        raise PermissionDeniedException("this route declares no access policy")
    if policy == PUBLIC:
        return
    checker = POLICIES.get(policy)
    if checker is None:
        raise PermissionDeniedException(f"unknown policy {policy!r}")
    checker(connection)


def _signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    if connection.scope.get("user") is None:
        raise NotAuthorizedException("sign in first")


def _admin(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    _signed_in(connection)
    if not getattr(connection.scope.get("user"), "is_admin", False):
        raise PermissionDeniedException("site admins only")


POLICIES: dict[str, Any] = {
    "signed_in": _signed_in,
    "admin": _admin,
}
