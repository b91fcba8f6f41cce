"""Security headers on every response (Litestar has no middleware for these; ASVS 3.4)."""

from __future__ import annotations

from typing import Any, cast

from litestar.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles anywhere: templates load /static files only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def security_headers_middleware(hsts: bool) -> Any:
    """Build the middleware factory; ``hsts`` when the site is served over HTTPS."""
    fixed = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if hsts:
        fixed.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            static = scope["path"].startswith("/static/")

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    present = {k.lower() for k, _ in headers}
                    headers.extend(h for h in fixed if h[0] not in present)
                    # Pages and API answers hold personal data: never cache them anywhere.
                    if not static and b"cache-control" not in present:
                        headers.append((b"cache-control", b"no-store"))
                    message = cast(Any, {**message, "headers": headers})
                await send(message)

            await app(scope, receive, send_with_headers)

        return middleware

    return factory
