"""mentorkit-matching-smart: settings of the smart matching strategies.

The strategies themselves (weighted scoring with explanations, stable and optimal
assignment) come in a later issue; until then this plugin declares its
``[plugins.matching_smart]`` settings, so sites can already configure them, and how each
criterion will be explained (``explain``: one ``CriterionScore`` per criterion).
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from mentorkit import hookimpl
from mentorkit.contracts import CriterionScore

from .peers import solve_peers
from .solver import Candidates, ScoreBlocks, Solution, solve

__all__ = ["CRITERIA", "Candidates", "ScoreBlocks", "SmartMatchingSettings", "Solution", "explain",
           "register_settings", "solve", "solve_peers"]

# The scored criteria: key (as in the ``<key>_weight`` setting) and the label people read.
CRITERIA = {
    "skills": "Shared skills",
    "goals": "Matching goals",
    "availability": "Overlapping availability",
    "language": "A common language",
    "time_zone": "Nearby time zones",
}


class SmartMatchingSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How candidate pairs are scored: each weight says how much one criterion counts."""

    skills_weight: float = 0.4
    goals_weight: float = 0.2
    availability_weight: float = 0.2
    language_weight: float = 0.1
    time_zone_weight: float = 0.1
    # Pairs whose score is below this are never proposed.
    min_score: float = 0.2
    # Never propose a mentor and mentee from the same department.
    avoid_same_department: bool = False

    def __post_init__(self) -> None:
        weights = (self.skills_weight, self.goals_weight, self.availability_weight,
                   self.language_weight, self.time_zone_weight)
        if any(w < 0 for w in weights):
            raise msgspec.ValidationError("expected weights of zero or more")
        if not 0 <= self.min_score <= 1:
            raise msgspec.ValidationError("expected a min_score between 0 and 1")


def explain(settings: SmartMatchingSettings, key: str, value: float, sentence: str) -> CriterionScore:
    """How criterion ``key`` with raw ``value`` (0 to 1) counts under these settings."""
    weight = float(getattr(settings, f"{key}_weight"))
    return CriterionScore(key=key, label=CRITERIA[key], weight=weight, value=value,
                          contribution=weight * value, sentence=sentence)


@hookimpl
def register_settings(register: Callable[..., None]) -> None:
    register(SmartMatchingSettings)
