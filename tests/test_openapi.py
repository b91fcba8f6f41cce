"""The OpenAPI document says what the server really answers (schemathesis checks it in CI).

Every operation documents its error statuses as problem+json, integer path parameters carry
the id range and request bodies refuse unknown fields; and what anonymous and token callers
actually get is documented for their operation.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from mentorkit.schemas import ID_MAX
from mentorkit.testing.auth import create_user

SCHEMA_URL = "/api/v1/schema/openapi.json"
SAFE = {"get", "head", "options", "trace"}


@pytest.fixture
def document(mentorkit_client: Any) -> dict[str, Any]:
    response = mentorkit_client.get(SCHEMA_URL)
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in document["paths"].items()
            for method, op in item.items() if method in SAFE | {"post", "put", "patch", "delete"}]


def test_every_error_response_is_a_documented_problem(document: dict[str, Any]) -> None:
    assert "Problem" in document["components"]["schemas"]
    wrong = []
    for method, path, op in operations(document):
        for status, response in op["responses"].items():
            if int(status) >= 400 and list(response.get("content", {})) != ["application/problem+json"]:
                wrong.append(f"{method} {path} {status}: {list(response.get('content', {}))}")
        if "400" not in op["responses"]:
            wrong.append(f"{method} {path}: no 400")
    assert wrong == []


def test_statuses_follow_from_policy_method_and_parameters(document: dict[str, Any]) -> None:
    me = document["paths"]["/api/v1/me"]["get"]["responses"]
    assert {"401"} <= me.keys() and "403" not in me and "404" not in me
    create = document["paths"]["/api/v1/programs"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413"} <= create.keys()
    one = document["paths"]["/api/v1/relationships/{relationship_id}"]["get"]["responses"]
    assert {"401", "403", "404"} <= one.keys()
    live = document["paths"]["/health/live"]["get"]["responses"]
    assert "401" not in live


def test_integer_path_parameters_carry_the_id_range(document: dict[str, Any]) -> None:
    found = 0
    for _, _, op in operations(document):
        for parameter in op.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                found += 1
                assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, ID_MAX)
    assert found > 10


def test_request_bodies_refuse_unknown_fields_and_carry_nested_constraints(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    bodies = {op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
              for _, _, op in operations(document)
              if "application/json" in op.get("requestBody", {}).get("content", {})}
    assert bodies
    assert [name for name in bodies if schemas[name].get("additionalProperties") is not False] == []
    ids = schemas["RelationshipCreate"]["properties"]["enrolment_ids"]
    assert (ids["items"]["minimum"], ids["items"]["maximum"], ids["uniqueItems"]) == (1, ID_MAX, True)
    assert schemas["SessionCreate"]["properties"]["held_at"]["format"] == "date-time"



def test_what_callers_get_is_documented(mentorkit_client: Any, document: dict[str, Any]) -> None:
    """Anonymous (401, or 403 CSRF for unsafe methods), and with a token on ids that do not
    exist (404): each answer is a documented status with a problem+json body."""
    from mentorkit.accounts.services import create_api_token

    c = mentorkit_client
    user = create_user(c, "mia@example.org", "Mia")
    _, token = c.run(lambda: create_api_token(user, "schema test"))
    wrong = []
    for method, path, op in operations(document):
        for headers, ids in (({}, "1"), ({"authorization": f"Bearer {token}"}, "999999")):
            url = re.sub(r"\{\w+\}", ids, path)
            response = c.request(method.upper(), url, headers=headers, json=None if method in SAFE else {})
            status = str(response.status_code)
            if status not in op["responses"]:
                wrong.append(f"{method} {url} {'token' if headers else 'anonymous'}: {status} undocumented")
            elif response.status_code >= 400 and not response.headers["content-type"].startswith(
                    "application/problem+json"):
                wrong.append(f"{method} {url}: {status} as {response.headers['content-type']}")
    assert wrong == []
