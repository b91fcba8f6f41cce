"""``mentorkit user export EMAIL`` and ``mentorkit user erase EMAIL --yes`` (site operators)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from mentorkit.cli import cli_runtime, run


def _with_database(work: Any) -> Any:
    runtime = cli_runtime()

    async def go() -> Any:
        await runtime.database.open()
        try:
            return await work()
        finally:
            await runtime.database.close()

    return run(go)


@click.group("user")
def user() -> None:
    """A person's data rights: export everything stored about them, or erase it."""


@user.command("export")
@click.argument("email")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the JSON to this file (readable by its owner only) instead of standard output.")
def export(email: str, output: Path | None) -> None:
    """Export everything stored about the account with EMAIL, as JSON."""
    from mentorkit.privacy.services import export_user, find_user_id

    async def work() -> dict[str, Any]:
        return await export_user(await find_user_id(email))

    text = json.dumps(_with_database(work), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(f"wrote the data of {email} to {output}", err=True)


@user.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm: erasure cannot be undone.")
def erase(email: str, yes: bool) -> None:
    """Erase the account with EMAIL: locked for good, pseudonymised, personal data deleted.

    Safe to run again, e.g. after a failure half-way (then name the account by its new
    address, erased-<id>@invalid).
    """
    from mentorkit.privacy.services import erase_user, find_user_id

    if not yes:
        click.confirm(f"Erase the account {email}? This cannot be undone", abort=True)

    async def work() -> dict[str, Any]:
        return await erase_user(await find_user_id(email), None)

    result = _with_database(work)
    state = "was already erased" if result["already_erased"] else "is erased"
    click.echo(f"account {result['user_id']} {state}; it is now {result['display_name']} <{result['email']}>")
