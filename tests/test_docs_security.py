"""docs/security.md states the password-hashing cost the code really uses."""

from __future__ import annotations

import re
from pathlib import Path

from mentorkit.accounts.passwords import _hasher_for
from mentorkit.settings import Settings

SECURITY_MD = Path(__file__).parent.parent / "docs" / "security.md"


def test_security_md_states_the_default_argon2_parameters() -> None:
    settings = Settings(secret_key="x" * 40)
    hasher = _hasher_for(settings.password_hash_memory_kib, settings.password_hash_iterations)
    section = SECURITY_MD.read_text(encoding="utf-8").split("### 14.")[1].split("\n### ")[0]
    stated = dict(re.findall(r"\b([tmp])=(\d+)", section))
    assert stated == {"m": str(hasher.memory_cost), "t": str(hasher.time_cost), "p": str(hasher.parallelism)}
