"""CSRF protection: a signed double-submit token on every unsafe cookie-authenticated request.

The browser holds a random value in an HttpOnly cookie; pages embed an HMAC of it (the
token) in every form, and API calls send it in ``X-CSRF-Token``. A cross-site form can make
the browser send the cookie but cannot know the token. Requests authenticated by an API
token (``Authorization: Bearer``) carry no ambient credentials and are exempt.

Multipart uploads (a profile photo, a CSV file) are not read by the middleware, which reads
URL-encoded forms only: such a route opts out with ``exclude_from_csrf=True`` and calls
``require_form_token`` with the submitted field before it uses anything in the body.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, cast
from urllib.parse import parse_qs

from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from mentorkit.web.asgi import cookie as request_cookie
from mentorkit.web.asgi import header as _header
from mentorkit.web.asgi import send_refusal
from mentorkit.web.limits import form_body

CSRF_COOKIE = "mentorkit_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSAL = "the form's security token is missing or out of date (CSRF check)"
_STATE_KEY = "_mentorkit_csrf"  # the request's CsrfState, in the ASGI scope


def token_for(secret_key: str, cookie_value: str) -> str:
    """The token that matches a CSRF cookie."""
    return hmac.new(secret_key.encode(), f"csrf:{cookie_value}".encode(), hashlib.sha256).hexdigest()


class CsrfState:
    """This request's CSRF cookie; a browser without one gets it when a page first needs a token.

    Minting lazily keeps JSON answers and static files free of a Set-Cookie header (and of
    the HMAC) while every rendered form still carries a valid token.
    """

    __slots__ = ("_secret_key", "cookie", "minted")

    def __init__(self, secret_key: str, cookie: str) -> None:
        self._secret_key = secret_key
        self.cookie = cookie
        self.minted = False

    def token(self) -> str:
        """The token for this browser's cookie (creating the cookie if it has none)."""
        if not self.cookie:
            self.cookie, self.minted = secrets.token_urlsafe(32), True
        return token_for(self._secret_key, self.cookie)


def page_token(scope: Scope) -> str:
    """The CSRF token to embed in the page being rendered for ``scope`` (``""`` outside the middleware)."""
    state = cast(Any, scope).get(_STATE_KEY)
    return state.token() if isinstance(state, CsrfState) else ""


def require_form_token(request: Any, submitted: Any) -> None:
    """The check the middleware makes, for a route that reads its own (multipart) body:
    ``submitted`` is the form's ``_csrf_token`` field; the ``X-CSRF-Token`` header counts too
    (scripts), and bearer-token requests are exempt. 403 otherwise."""
    if request.scope.get("auth") == "token":
        return
    settings = request.app.state.runtime.settings
    cookie = request_cookie(request.scope, ("__Host-" if settings.secure_cookies else "") + CSRF_COOKIE)
    token = _header(request.scope, b"x-csrf-token") or (submitted if isinstance(submitted, str) else "")
    if not cookie or not hmac.compare_digest(token, token_for(settings.secret_key, cookie)):
        raise PermissionDeniedException(REFUSAL)


def csrf_middleware(secret_key: str, secure: bool) -> Any:
    """Build the middleware factory for a site secret (Litestar middleware: app -> app)."""
    cookie_name = ("__Host-" if secure else "") + CSRF_COOKIE

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            state = CsrfState(secret_key, request_cookie(scope, cookie_name))
            cast(Any, scope)[_STATE_KEY] = state

            method = cast(Any, scope)["method"]
            handler = scope.get("route_handler")
            exempt = (
                method in SAFE_METHODS
                or scope.get("auth") == "token"
                or (handler is not None and handler.opt.get("exclude_from_csrf"))
            )
            if not exempt:
                submitted = _header(scope, b"x-csrf-token")
                # Form bodies were read (within the limits) by the form-limits middleware.
                if not submitted and (body := form_body(scope)) is not None:
                    submitted = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [""])[0]
                if not state.cookie or not hmac.compare_digest(submitted, state.token()):
                    await send_refusal(scope, send, 403, REFUSAL)
                    return

            async def send_with_cookie(message: Message) -> None:
                if state.minted and message["type"] == "http.response.start":
                    attributes = f"{cookie_name}={state.cookie}; Path=/; HttpOnly; SameSite=Lax"
                    if secure:
                        attributes += "; Secure"
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", attributes.encode()))
                    message = cast(Any, {**message, "headers": headers})
                await send(message)

            await app(scope, receive, send_with_cookie)

        return middleware

    return factory
