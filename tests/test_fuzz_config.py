"""The API fuzz's exceptions file is valid TOML and every exception names one operation of
the OpenAPI document (a stale or broken entry would only show at the end of CI)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CONFIG = Path(__file__).resolve().parent / "fuzz" / "schemathesis.toml"


def test_every_exception_names_an_operation_the_api_has(mentorkit_client: Any) -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    document = mentorkit_client.get("/api/v1/schema/openapi.json").json()
    operations = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    named = [entry["include-name"] for entry in config.get("operations", [])]
    assert named and len(named) == len(set(named))
    assert [name for name in named if name not in operations] == []
