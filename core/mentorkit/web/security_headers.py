"""Security headers on every response (Litestar has no middleware for these; ASVS 3.4).

Applied in Litestar's ``before_send`` hook rather than as middleware: app-level middleware only
wraps matched routes, so the router's own 404 and 405 answers would go out bare.
"""

from __future__ import annotations

from typing import Any

from litestar.types import Message, Scope

# No inline scripts or styles anywhere: templates load /static files only.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def security_headers_hook(https: bool) -> Any:
    """Build the ``before_send`` hook; ``https`` when the site is served over HTTPS (HSTS and
    Secure on every cookie, ASVS 3.3.1)."""
    fixed = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if https:
        fixed.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != "http":
            return
        headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
        present = {key.lower() for key, _ in headers}
        headers.extend(header for header in fixed if header[0] not in present)
        # Pages and API answers hold personal data: never cache them anywhere.
        if not scope["path"].startswith("/static/") and b"cache-control" not in present:
            headers.append((b"cache-control", b"no-store"))
        if https:
            headers = [
                (key, value + b"; Secure") if key.lower() == b"set-cookie" and b"secure" not in value.lower()
                else (key, value)
                for key, value in headers
            ]
        message["headers"] = headers

    return before_send
