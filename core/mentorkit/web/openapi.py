"""The OpenAPI document as the server really answers: every error status, as problem+json.

Litestar documents a handler's success status and a generic 400. The rest follows from what
every route declares (its policy, method, path parameters and body) and from the app-wide
behaviour (web/limits.py, web/csrf.py, the policies), so it is added here, in one place,
for every route, plugins' included:

- 400 on every operation (malformed parameters or body; ``errors`` lists the fields);
- 401 unless the route is public; 403 for unsafe methods (the CSRF check of cookie-signed
  requests) and for policies that can deny a signed-in caller;
- 404 with path parameters (ids that do not exist, or are another person's), 409 and 413
  for unsafe methods; a route may add more with ``opt={"problem_statuses": [429]}``;
- integer path parameters get the id range; request bodies are described by msgspec, the
  validator itself (Litestar drops constraints on list items, such as the id range of
  ``enrolment_ids``), so they refuse unknown fields (``additionalProperties: false``) and
  carry every constraint the server checks.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.routes import HTTPRoute

from mentorkit.policy import PUBLIC
from mentorkit.schemas import ID_MAX, ID_MIN, Input
from mentorkit.web.errors import TITLES

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Policies that only ask "is somebody signed in?": a signed-in caller is never refused.
SIGNED_IN_ONLY = frozenset({PUBLIC, "signed_in"})

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem: what went wrong, for people and programs.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per field or parameter that is wrong.",
            "items": {
                "type": "object",
                "required": ["message"],
                "properties": {"key": {"type": "string"}, "message": {"type": "string"},
                               "source": {"type": "string"}},
            },
        },
    },
}


def _statuses(route: HTTPRoute, handler: Any, method: str) -> list[int]:
    policy = handler.opt.get("policy") or ""
    unsafe = method not in SAFE_METHODS
    statuses = {400}
    if policy != PUBLIC:
        statuses.add(401)
    if unsafe or policy not in SIGNED_IN_ONLY:
        statuses.add(403)
    if route.path_parameters:
        statuses.add(404)
    if unsafe:
        statuses |= {409, 413}
    statuses |= set(handler.opt.get("problem_statuses", ()))
    return sorted(statuses)


def _inputs_by_name() -> dict[str, type[Input]]:
    found: dict[str, type[Input]] = {}
    todo = list(Input.__subclasses__())
    while todo:
        struct = todo.pop()
        found.setdefault(struct.__name__, struct)
        todo.extend(struct.__subclasses__())
    return found


def _close_body(schemas: dict[str, Any], name: str, inputs: dict[str, type[Input]]) -> None:
    """Describe request body ``name`` as msgspec validates it, keeping Litestar's formats."""
    struct = inputs.get(name)
    if struct is None:
        schemas[name]["additionalProperties"] = False
        return
    _, components = msgspec.json.schema_components([struct], ref_template="#/components/schemas/{name}")
    for other, schema in components.items():
        generated = schemas.get(other, {}).get("properties", {})
        for field, prop in schema.get("properties", {}).items():
            if "format" in generated.get(field, {}):
                prop["format"] = generated[field]["format"]
        schemas[other] = schema


def complete_document(document: dict[str, Any], app: Litestar) -> dict[str, Any]:
    """Add the error responses, id ranges and closed request bodies to ``document`` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    inputs = _inputs_by_name()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in document.get("paths", {}):
            continue
        item = document["paths"][route.path_format]
        for handler in route.route_handlers:
            for method in handler.http_methods:
                operation = item.get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status in _statuses(route, handler, method):
                    responses[str(status)] = {
                        "description": TITLES.get(status, "Error"),
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
                    }
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
                        parameter["schema"].update(minimum=ID_MIN, maximum=ID_MAX)
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                ref = body.get("schema", {}).get("$ref", "")
                if ref.startswith("#/components/schemas/"):
                    _close_body(schemas, ref.rsplit("/", 1)[1], inputs)
    return document


class CompleteJsonRenderPlugin(JsonRenderPlugin):
    """Serves the JSON document after ``complete_document`` (once: Litestar caches the dict)."""

    def __init__(self) -> None:
        super().__init__()
        self._completed: dict[str, Any] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The JSON document, completed."""
        if self._completed is not openapi_schema:
            self._completed = complete_document(openapi_schema, request.app)
        return super().render(request, openapi_schema)
