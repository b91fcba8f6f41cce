"""Input limits: refuse what the process or the database cannot take before any work is done.

- Form bodies (``application/x-www-form-urlencoded``) are read here, once, up to
  ``MAX_BODY_BYTES`` and ``MAX_FORM_FIELDS`` (413 beyond, before anything is parsed: one
  signed-out request with 200,000 fields would otherwise keep the process busy); later
  middleware (the CSRF check) and Litestar read the buffered copy.
- Path parameters: an integer outside the id range, or text with control characters, names
  nothing that can exist (404, before any policy looks it up).
- Query parameters with control characters are a 400 naming the parameter.
- JSON nested deeper than the decoder can follow is a 400, not a ``RecursionError``.

Other request bodies are capped at ``MAX_BODY_BYTES`` by Litestar (``request_max_body_size``).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from mentorkit.schemas import ID_MAX, ID_MIN, control_problem
from mentorkit.web.asgi import header, send_refusal

MAX_BODY_BYTES = 1_000_000
# The largest form in core has a dozen fields; a pairing form for a big group some fifty.
MAX_FORM_FIELDS = 200
FORM_BODY = "_mentorkit_form_body"  # the buffered form body, in the ASGI scope
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def form_body(scope: Scope) -> bytes | None:
    """The form body this middleware read for ``scope``, or None (not a form)."""
    body = cast(Any, scope).get(FORM_BODY)
    return body if isinstance(body, bytes) else None


async def _read_limited(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None as soon as it grows beyond ``limit`` (the rest is never read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def form_limits_middleware(app: ASGIApp) -> ASGIApp:
    """Litestar middleware: read form bodies within the limits, or answer 413."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not header(scope, b"content-type").startswith(FORM_CONTENT_TYPE):
            await app(scope, receive, send)
            return
        too_large = f"the form is larger than {MAX_BODY_BYTES:,} bytes"
        length = header(scope, b"content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await send_refusal(scope, send, 413, too_large)
            return
        body = await _read_limited(receive, MAX_BODY_BYTES)
        if body is None:
            await send_refusal(scope, send, 413, too_large)
            return
        if body.count(b"&") + body.count(b";") >= MAX_FORM_FIELDS:
            await send_refusal(scope, send, 413, f"the form has more than {MAX_FORM_FIELDS} fields")
            return
        cast(Any, scope)[FORM_BODY] = body
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Any:
            return pending.pop() if pending else await receive()

        await app(scope, cast(Receive, replay), send)

    return middleware


def refuse_unusable_parameters(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """App-wide guard, before the access policy: path and query parameters within the limits."""
    for value in connection.path_params.values():
        if isinstance(value, bool | PurePath):
            continue
        if (isinstance(value, int) and not ID_MIN <= value <= ID_MAX) or (
                isinstance(value, str) and control_problem(value)):
            raise NotFoundException("not found")
    for name, value in connection.query_params.multi_items():
        if problem := control_problem(str(value)):
            raise ValidationException(f"{name}: {problem}", extra=[{"key": name, "message": problem,
                                                                    "source": "query"}])


class LimitedRequest(Request[Any, Any, Any]):
    """A request whose JSON body nested too deeply is a client error."""

    async def json(self) -> Any:
        """The decoded JSON body (400 when it nests deeper than the decoder can follow)."""
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("the JSON body nests too deeply") from None
