"""Accounts as a built-in plugin: sign-up, sign-in, sessions, tokens, password reset."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit.hookspecs import hookimpl


@hookimpl(trylast=True)
def register_routes(register: Callable[..., None]) -> None:
    from mentorkit.accounts.controllers import account_routes

    for handler in account_routes():
        register(handler)


@hookimpl(trylast=True)
def register_event_types(register: Callable[..., None]) -> None:
    register("user.created", "an account was created")
    register("user.password_changed", "a person changed their password")
    register("user.password_reset", "a password was set with a reset link")
    register("user.sessions_revoked", "a person signed out their other browsers")
    register("user.api_token_created", "a person created a personal API token")
    register("user.invited", "somebody was invited to the site")
    register("user.deactivated", "an admin deactivated an account")
    register("user.reactivated", "an admin reactivated an account")
