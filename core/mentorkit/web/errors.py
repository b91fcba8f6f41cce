"""Errors as responses: HTML pages for people, problem+json for the API; 500s always logged."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed

log = logging.getLogger("mentorkit.web")

TITLES = {
    400: "Bad request", 401: "Sign in required", 403: "Not allowed", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Too large", 429: "Too many requests",
    500: "Something went wrong",
}


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Pages get HTML errors; the API and machine clients get problem+json."""
    if request.url.path.startswith(("/api/", "/-/", "/health/")):
        return False
    return "text/html" in request.headers.get("accept", "")


def problem(request: Request[Any, Any, Any], status: int, detail: str,
            extra: dict[str, Any] | None = None) -> Response[Any]:
    """An RFC 9457 problem response, or the matching HTML error page."""
    if wants_html(request) and status != 401:
        from mentorkit.web.pages import render

        return render(request, "error.html", status_code=status,
                      status=status, title=TITLES.get(status, "Error"), detail=detail)
    if wants_html(request) and status == 401:
        from litestar.response import Redirect

        return Redirect(f"/login?next={request.url.path}")
    body: dict[str, Any] = {"type": "about:blank", "title": TITLES.get(status, "Error"),
                            "status": status, "detail": detail}
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type="application/problem+json")


def http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException) and exc.extra:
        extra["errors"] = exc.extra
    headers = getattr(exc, "headers", None)
    response = problem(request, exc.status_code, exc.detail, extra)
    if headers:
        response.headers.update(headers)
    return response


def domain_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, ValidationFailed):
        return problem(request, 400, str(exc), {"errors": [
            {"key": field, "message": message} for field, message in exc.errors.items()]})
    if isinstance(exc, ConflictError):
        return problem(request, 409, str(exc))
    if isinstance(exc, NotFound):
        return problem(request, 404, str(exc) or "not found")
    if isinstance(exc, PermissionDenied):
        return problem(request, 403, str(exc) or "not allowed")
    return unhandled(request, exc)


def refused_by_database(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A value the database cannot take (an integer beyond its column, NUL on PostgreSQL).

    The shared types (``mentorkit.schemas``) and the limits (``web/limits.py``) refuse such
    input with a field error first; this is the safety net for a route that missed them, so
    the caller gets a 400 rather than a 500, and the log names the route to fix.
    """
    log.warning("the database refused input on %s %s (%s: %s); declare the input with mentorkit.schemas types",
                request.method, request.url.path, type(exc).__name__, exc)
    return problem(request, 400, "a value is out of range or holds characters that cannot be stored")


def unhandled(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, "an unexpected error happened; it has been logged")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: http_exception,
    # SQLite: "Python int too large to convert to SQLite INTEGER".
    OverflowError: refused_by_database,
    ValidationFailed: domain_exception,
    ConflictError: domain_exception,
    NotFound: domain_exception,
    PermissionDenied: domain_exception,
    Exception: unhandled,
}

try:  # PostgreSQL: out-of-range numbers, NUL and other unstorable text are DataErrors.
    from asyncpg.exceptions import DataError as _PostgresDataError
except ImportError:  # pragma: no cover - asyncpg is installed with Mentorkit
    pass
else:
    EXCEPTION_HANDLERS[_PostgresDataError] = refused_by_database
