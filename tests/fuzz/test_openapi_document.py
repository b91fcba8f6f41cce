"""The OpenAPI document can be read by the validators clients and fuzzers use, and refuses
what the server refuses (found by tests/fuzz/run.py: schemathesis drops a pattern it cannot
compile, then sends text the server rightly refuses).

``jsonschema_rs`` (Rust's regex engine; installed with schemathesis) stands for validators
outside Python: a pattern it cannot compile is no rule at all for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest

SCHEMA_URL = "/api/v1/schema/openapi.json"


@pytest.fixture
def document(mentorkit_client: Any) -> dict[str, Any]:
    response = mentorkit_client.get(SCHEMA_URL)
    assert response.status_code == 200
    return dict(response.json())


def _patterns(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield where, value
            else:
                yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _patterns(value, f"{where}/{index}")


def test_every_pattern_compiles_outside_python(document: dict[str, Any]) -> None:
    patterns = list(_patterns(document))
    assert patterns  # the text fields do have patterns
    broken = []
    for where, pattern in patterns:
        try:
            jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
        except jsonschema_rs.ValidationError:
            broken.append(f"{where}: {pattern}")
    assert not broken, "patterns other engines cannot compile:\n" + "\n".join(broken)


def test_the_patterns_refuse_control_characters_everywhere(document: dict[str, Any]) -> None:
    title = document["components"]["schemas"]["SessionCreate"]["properties"]["title"]
    validator = jsonschema_rs.validator_for(title)
    assert validator.is_valid("First 90 days")
    for text in ("a\x00b", "a\x1bb", "a\x91b", "a\u2028b", "trail\n", " "):
        assert not validator.is_valid(text), repr(text)


def test_pairing_documents_that_an_enrolment_is_listed_once(document: dict[str, Any]) -> None:
    body = document["components"]["schemas"]["RelationshipCreate"]
    validator = jsonschema_rs.validator_for(body)
    assert validator.is_valid({"enrolment_ids": [1, 2]})
    assert not validator.is_valid({"enrolment_ids": [1, 1]})
