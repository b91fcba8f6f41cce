"""Who is asking: a session cookie for browsers, a bearer token for ``/api``.

Sets ``scope["user"]`` (None for anonymous visitors) and ``scope["auth"]`` ("session",
"token" or None). Policies decide what each may do; this middleware only identifies.
"""

from __future__ import annotations

from typing import Any, cast

from litestar.types import ASGIApp, Receive, Scope, Send

from mentorkit.accounts.services import API_TOKEN_PREFIX, session_user, token_user
from mentorkit.web.asgi import cookie, header

SESSION_COOKIE = "mentorkit_session"


def session_cookie_name(secure: bool) -> str:
    """``__Host-`` pins the cookie to this host over HTTPS (ASVS 3.3.1)."""
    return ("__Host-" if secure else "") + SESSION_COOKIE


async def _unauthorised(send: Send, detail: str) -> None:
    import json

    body = json.dumps({"type": "about:blank", "title": "Sign in required", "status": 401,
                       "detail": detail}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"www-authenticate", b"Bearer"),
               (b"content-length", str(len(body)).encode())]
    await send(cast(Any, {"type": "http.response.start", "status": 401, "headers": headers}))
    await send(cast(Any, {"type": "http.response.body", "body": body}))


def auth_middleware(secure: bool) -> Any:
    """Build the middleware factory."""
    cookie_name = session_cookie_name(secure)

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            user: Any = None
            auth = None
            path = scope["path"]
            if not path.startswith(("/static/", "/health/live")):
                authorization = header(scope, b"authorization")
                if authorization and path.startswith("/api/"):
                    scheme, _, token = authorization.partition(" ")
                    if scheme.lower() != "bearer" or not token.startswith(API_TOKEN_PREFIX):
                        await _unauthorised(send, "use 'Authorization: Bearer <personal API token>'")
                        return
                    user = await token_user(token.strip())
                    if user is None:
                        await _unauthorised(send, "the API token is invalid or was revoked")
                        return
                    auth = "token"
                elif session_token := cookie(scope, cookie_name):
                    user = await session_user(session_token)
                    auth = "session" if user is not None else None
            scope["user"] = user
            scope["auth"] = auth
            await app(scope, receive, send)

        return middleware

    return factory
