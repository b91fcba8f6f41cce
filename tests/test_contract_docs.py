"""The contracts reference in docs/contracts.md is generated from contracts.py and kept in step,
like the hook reference: regenerate with ``python -m mentorkit.contractdocs``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mentorkit import contractdocs, contracts

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "contracts.md"
REGENERATE = "python -m mentorkit.contractdocs > docs/contracts.md"


def test_committed_reference_matches_the_contracts() -> None:
    assert REFERENCE.read_text() == contractdocs.render(), f"the contracts reference is stale: run {REGENERATE}"


def test_every_contract_class_and_field_has_a_docstring() -> None:
    assert contractdocs.undocumented() == []


def test_every_registered_kind_of_object_and_what_callbacks_receive_is_documented() -> None:
    documented = {c.name: c for c in contractdocs.collect()}
    assert {"ProgramFormat", "RoleSlot", "MatchingStrategy", "MatchProposal", "CriterionScore", "MatchPool",
            "PoolEnrolment", "NotificationChannel", "Message", "PairingContext", "EmptySettings"} <= set(documented)
    # Every public class of the module, and every field each one really has.
    public = {name for name, value in vars(contracts).items()
              if isinstance(value, type) and value.__module__ == contracts.__name__ and not name.startswith("_")}
    assert public == set(documented)
    fields = {f.name for f in documented["ProgramFormat"].fields}
    assert fields == set(contracts.ProgramFormat.__dataclass_fields__)
    assert {f.name for f in documented["MatchPool"].fields} == set(contracts.MatchPool.__struct_fields__)


def test_a_field_without_docstring_is_reported() -> None:
    source = (
        "# ---------------------------------------------------------------- demo\n"
        "@dataclass(frozen=True)\n"
        "class Thing:\n"
        '    """A thing."""\n'
        "    key: str\n"
        '    """Its key."""\n'
        "    size: int = 1\n"
        "class Silent(msgspec.Struct):\n"
        "    x: int\n"
    )
    classes = contractdocs.collect(source)
    assert [(c.section, c.name, c.kind) for c in classes] == [
        ("demo", "Thing", "frozen dataclass"), ("demo", "Silent", "msgspec Struct")]
    assert contractdocs.undocumented(classes) == ["Silent", "Thing.size", "Silent.x"]
    assert "- `size: int = 1` — *(undocumented)*" in contractdocs.render(classes)


def test_module_prints_the_reference() -> None:
    result = subprocess.run([sys.executable, "-m", "mentorkit.contractdocs"], capture_output=True,
                            text=True, check=True)
    assert result.stdout == contractdocs.render()
