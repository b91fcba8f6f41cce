"""mentorkit-matching-smart: the "Smart matching" strategy.

Every mentee is scored against every mentor on skills, goals, seniority, availability,
language, time zone, the program's own questions and criteria other plugins register
(``scoring``); the whole cohort is assigned at once (``solver``); each proposal says why
(``explain``). Settings: ``[plugins.matching_smart]`` and each program's strategy settings
(``SmartMatchingSettings``). ``mentorkit match dry-run FILE.csv`` tries it on a
participants export without a database (``dry_run``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mentorkit import hookimpl
from mentorkit_matching_smart.explain import explain
from mentorkit_matching_smart.peers import solve_peers
from mentorkit_matching_smart.settings import CRITERIA, SmartMatchingSettings
from mentorkit_matching_smart.solver import Candidates, ScoreBlocks, Solution, solve
from mentorkit_matching_smart.strategy import SMART

__all__ = ["CRITERIA", "SMART", "Candidates", "ScoreBlocks", "SmartMatchingSettings", "Solution", "explain",
           "solve", "solve_peers"]


@hookimpl
def register_settings(register: Callable[..., None]) -> None:
    register(SmartMatchingSettings)


@hookimpl
def register_matching_strategies(register: Callable[..., None]) -> None:
    register(SMART)


@hookimpl
def register_commands(cli: Any) -> None:
    import click

    from mentorkit_matching_smart.dry_run import dry_run_command

    # Under the core's ``mentorkit match`` group, beside ``match run``.
    match = cli.commands.get("match")
    if isinstance(match, click.Group):
        match.add_command(dry_run_command)
