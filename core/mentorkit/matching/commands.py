"""``mentorkit match``: run a program's matching strategy from the command line, with a
progress bar, and read the result (publishing stays a reviewed step on the run page or in the
API)."""

from __future__ import annotations

import sys
from typing import Any

import click

from mentorkit.cli import CliState, _actor, _program_id, _stderr_console, pass_state, run


@click.group("match")
def match() -> None:
    """Match runs: propose relationships for a whole program (docs/matching.md)."""


@match.command("run")
@click.argument("program")
@click.option("--as", "as_email", metavar="EMAIL",
              help="Record the run as started by this account (default: the system, no person).")
@pass_state
def run_command(state: CliState, program: str, as_email: str | None) -> None:
    """Run PROGRAM's (id or slug) matching strategy now and print what it found.

    The proposals wait for review on the run's page; the exit status is 1 when the run failed."""
    from rich.progress import Progress

    from mentorkit.matching.runs import start_run

    runtime = state.runtime()

    async def go() -> Any:
        await runtime.database.open()
        try:
            with Progress(console=_stderr_console(), transient=True) as bar:
                task = bar.add_task("Starting", total=None)

                def progress(done: int, total: int, stage: str) -> None:
                    bar.update(task, completed=done, total=total or None, description=stage.capitalize())

                return await start_run(await _program_id(program), await _actor(as_email), wait=True,
                                       progress=progress)
        finally:
            await runtime.database.close()

    result = run(go)
    click.echo(f"Run {result.number} of program {program}: {result.state}")
    if result.state != "done":
        click.echo(result.error or "the run did not finish", err=True)
        sys.exit(1)
    m = result.metrics
    click.echo(f"{m.proposals} proposal(s); {m.matched} of {m.seekers} matched ({m.coverage:.0%})")
    if m.mean_score is not None:
        click.echo(f"score: mean {m.mean_score:.3f}, lowest {m.min_score:.3f}"
                   + ("; proven optimal" if m.proven_optimal else ""))
    for note in m.notes:
        click.echo(f"note: {note}")
    for line in m.left_out:
        click.echo(f"left out: {line}")
    for person in result.unmatched:
        click.echo(f"unmatched: {person.display_name} ({person.role}): {person.reason}")
    base = state.runtime().settings.base_url.rstrip("/")
    click.echo(f"Review and publish: {base}/programs/{result.program_id}/matching/runs/{result.id}")
