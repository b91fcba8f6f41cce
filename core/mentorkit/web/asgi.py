"""Reading a request's headers and cookies straight from the ASGI scope, for middleware.

The middleware that identify the caller and check CSRF run before Litestar builds a request
object. Both need the Cookie header, so it is parsed once per request and kept in the scope.
"""

from __future__ import annotations

import html
import json
from typing import Any, cast

from litestar.types import Scope, Send

from mentorkit.web.errors import TITLES

_PARSED_COOKIES = "_mentorkit_cookies"


def header(scope: Scope, name: bytes) -> str:
    """The first value of header ``name`` (lower-case bytes), or ``""``."""
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def parse_cookies(raw: str) -> dict[str, str]:
    """``name=value`` pairs of a Cookie header; the first of a repeated name wins (RFC 6265 5.4).

    Malformed pairs are skipped rather than failing the whole header, as browsers do. Values
    in double quotes lose the quotes; Mentorkit's own cookies never need quoting.
    """
    cookies: dict[str, str] = {}
    for pair in raw.split(";"):
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        cookies.setdefault(name, value)
    return cookies


def cookie(scope: Scope, name: str) -> str:
    """The value of cookie ``name``, or ``""``."""
    state: Any = scope
    cookies = state.get(_PARSED_COOKIES)
    if cookies is None:
        cookies = state[_PARSED_COOKIES] = parse_cookies(header(scope, b"cookie"))
    return str(cookies.get(name, ""))


async def send_refusal(scope: Scope, send: Send, status: int, detail: str) -> None:
    """Answer from middleware, before Litestar: an HTML page for browsers, else problem+json."""
    title = TITLES.get(status, "Error")
    if "text/html" in header(scope, b"accept"):
        body = (f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{html.escape(detail)}</p>"
                "<p><a href=\"javascript:history.back()\">Go back</a>, reload the page and try again.</p>"
                ).encode()
        media = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
        media = b"application/problem+json"
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
    await send(cast(Any, {"type": "http.response.start", "status": status, "headers": headers}))
    await send(cast(Any, {"type": "http.response.body", "body": body}))
