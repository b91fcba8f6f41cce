"""The built-in manual matching strategy: the coordinator picks the pairs."""

from __future__ import annotations

from collections.abc import Callable

from mentorkit.contracts import MatchingStrategy
from mentorkit.hookspecs import hookimpl

MANUAL = MatchingStrategy(
    key="manual",
    label="Coordinator picks",
    description="A coordinator pairs mentors and mentees by hand.",
    manual=True,
)


@hookimpl(trylast=True)
def register_matching_strategies(register: Callable[..., None]) -> None:
    register(MANUAL)
