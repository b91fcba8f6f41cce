"""The smart matching settings: ``[plugins.matching_smart]`` (site defaults) and each program's
strategy settings (the same Struct, checked field by field when a coordinator saves them)."""

from __future__ import annotations

from typing import Literal

import msgspec

# The built-in scored criteria: key (as in the ``<key>_weight`` setting) and the label people read.
CRITERIA = {
    "skills": "Shared skills",
    "goals": "Matching goals",
    "seniority": "Seniority",
    "availability": "Overlapping availability",
    "language": "A common language",
    "time_zone": "Nearby time zones",
    "department": "Other departments",
}


class SmartMatchingSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """How pairs are scored (weights), which pairs are never proposed (rules) and how the
    whole cohort is assigned (objective, method). Every field has a default."""

    skills_weight: float = 0.4
    """Skills the mentor offers that the mentee seeks."""
    goals_weight: float = 0.2
    """Similar words in goals, headline, bio and text answers (local TF-IDF)."""
    seniority_weight: float = 0.1
    """Seniority gap in the direction the format wants."""
    availability_weight: float = 0.2
    """Overlapping weekly availability (in UTC)."""
    language_weight: float = 0.1
    """A language both speak."""
    time_zone_weight: float = 0.1
    """Close UTC offsets."""
    department_weight: float = 0.0
    """Prefer pairs from different departments (a soft preference; see avoid_same_department)."""
    question_weight: float = 0.2
    """The weight of each enrolment question marked as a matching criterion, unless
    criterion_weights names it."""
    criterion_weights: dict[str, float] = msgspec.field(default_factory=dict)
    """Weights by key for enrolment questions and criteria other plugins register."""
    min_score: float = 0.2
    """Pairs scoring below this (0 to 1) are never proposed."""
    objective: Literal["participation", "score"] = "participation"
    """participation: match as many mentees as possible, then the best total score; score:
    the best total score even if fewer are matched."""
    fairness_floor: bool = False
    """Raise the lowest score of the matched pairs as far as possible first."""
    method: Literal["optimal", "greedy"] = "optimal"
    """optimal: proven best assignment (min-cost flow); greedy: best pair first (a fast preview)."""
    mentors_per_mentee: int = 1
    """How many mentors each mentee may get in one run."""
    avoid_earlier_partners: bool = True
    """Never propose two people who were (or are) in a relationship of this program together."""
    avoid_same_department: bool = False
    """Never propose a mentor and a mentee from the same department."""
    max_time_zone_gap_hours: int | None = None
    """Never propose a pair whose UTC offsets differ by more hours (empty: no limit)."""
    require_shared_language: bool = False
    """Never propose a pair without a language in common (people who gave none share none)."""
    explain_to_participants: bool = True
    """Show participants why a suggestion fits them (self-matching)."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            if name.endswith("_weight") and not 0 <= getattr(self, name) <= 100:
                _invalid(name, "expected a weight from 0 to 100 (0: not counted)")
        for key, weight in self.criterion_weights.items():
            if not 0 <= weight <= 100:
                _invalid("criterion_weights", f"expected a weight from 0 to 100 for {key!r}")
        if not 0 <= self.min_score <= 1:
            _invalid("min_score", "expected a minimum score from 0 to 1")
        if not 1 <= self.mentors_per_mentee <= 10:
            _invalid("mentors_per_mentee", "expected from 1 to 10 mentors per mentee")
        if self.max_time_zone_gap_hours is not None and not 0 <= self.max_time_zone_gap_hours <= 24:
            _invalid("max_time_zone_gap_hours", "expected a number of hours from 0 to 24 (empty: no limit)")
        if self.fairness_floor and self.objective != "participation":
            _invalid("fairness_floor", "works with the objective 'participation' only")

    def weight_of(self, key: str, default: float) -> float:
        """The weight of a question or plugin criterion: ``criterion_weights[key]``, else ``default``."""
        return float(self.criterion_weights.get(key, default))


def _invalid(field: str, message: str) -> None:
    # The path suffix is msgspec's own: program forms show the message on the field it names.
    raise msgspec.ValidationError(f"{message} - at `$.{field}`")


def settings_from(values: dict[str, object], base: SmartMatchingSettings | None = None) -> SmartMatchingSettings:
    """``values`` (strings allowed, as typed on a command line) over ``base``, validated: a
    ``msgspec.ValidationError`` names the field (``- at `$.min_score```)."""
    merged = msgspec.to_builtins(base or SmartMatchingSettings())
    merged.update(values)
    return msgspec.convert(merged, SmartMatchingSettings, strict=False)
