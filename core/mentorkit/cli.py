"""The ``mentorkit`` command line."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import click

from mentorkit.errors import MentorkitError
from mentorkit.plugins import MentorkitPluginManager, create_plugin_manager
from mentorkit.startup import collector_paused


def say(message: str) -> None:
    """A line for the operator on standard error (stdout stays clean for data)."""
    click.echo(message, err=True)


class MentorkitGroup(click.Group):
    """Turns every ``MentorkitError`` into one clear line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MentorkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


class CliState:
    """What the group's options decided, handed to each command."""

    def __init__(self, pm: MentorkitPluginManager, config: Path | None, settings: Any = None) -> None:
        self.pm = pm
        self.config = config
        self.settings = settings

    def runtime(self, **overrides: Any) -> Any:
        from mentorkit.runtime import build_runtime

        if self.settings is not None:  # given by a test (``mentorkit_cli``): used as they are
            import msgspec

            settings = msgspec.structs.replace(self.settings, **{k: v for k, v in overrides.items() if v is not None})
            return build_runtime(settings, pm=self.pm)
        return build_runtime(pm=self.pm, config_file=self.config, overrides=overrides)


pass_state = click.make_pass_decorator(CliState)


def cli_runtime(**overrides: Any) -> Any:
    """The runtime for the running ``mentorkit`` command (for plugins' CLI commands).

    Loads the settings (``--config``, environment) with the command's plugins; the database is
    not opened: ``await runtime.database.open()`` inside the command's coroutine.
    """
    return click.get_current_context().find_object(CliState).runtime(**overrides)  # type: ignore[union-attr]


def run(coro_fn: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to completion (each command gets a fresh event loop)."""
    return asyncio.run(coro_fn())


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def build_cli(pm: MentorkitPluginManager, *, settings: Any = None) -> click.Group:
    """The command group, with every plugin's commands added.

    ``settings`` (for tests) replaces loading them from ``--config`` and the environment.
    """

    @click.group(cls=MentorkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
    @click.option("--config", type=click.Path(path_type=Path), envvar="MENTORKIT_CONFIG",
                  help="Settings file (TOML). Default: ./mentorkit.toml if present.")
    @click.version_option(package_name="mentorkit")
    @click.pass_context
    def cli(ctx: click.Context, config: Path | None) -> None:
        """Mentorkit: run mentorship programs on your own server."""
        ctx.obj = CliState(pm, config, settings)
        if pm.tracing:
            configure_logging("INFO")

    for command in [*COMMANDS, _match_commands()]:
        cli.add_command(command)
    from mentorkit.hooks import Hooks

    Hooks(pm).add_commands(cli)
    return cli


# --------------------------------------------------------------------------- commands


def _serve(state: CliState, host: str | None, port: int | None, migrate_first: bool,
           prepare: Callable[[Any], Coroutine[Any, Any, None]] | None = None) -> None:
    with collector_paused(freeze=True):
        app, settings = _prepare_app(state, host, port, migrate_first, prepare)
    import uvicorn

    say(f"Mentorkit is serving on http://{settings.host}:{settings.port} "
        f"(database: {app.state.runtime.database.engine_type}); press Ctrl+C to stop.")
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    # No WebSocket routes: ws="none" also spares importing a WebSocket implementation at start.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                proxy_headers=bool(proxies), forwarded_allow_ips=proxies or None, ws="none")


def _prepare_app(state: CliState, host: str | None, port: int | None, migrate_first: bool,
                 prepare: Callable[[Any], Coroutine[Any, Any, None]] | None) -> tuple[Any, Any]:
    """Check the database (migrations applied, demo data if asked) and build the app."""
    import uvicorn  # noqa: F401 - imported here, with the rest of start-up, while the collector is paused

    from mentorkit.web.app import create_app

    runtime = state.runtime(host=host, port=port)
    configure_logging(runtime.settings.log_level)
    _check_database(runtime, migrate_first, prepare)
    return create_app(runtime=runtime), runtime.settings


def _check_database(runtime: Any, migrate_first: bool,
                    prepare: Callable[[Any], Coroutine[Any, Any, None]] | None) -> None:
    """Migrate if asked, refuse pending migrations, then run ``prepare`` (the demo data)."""
    from mentorkit.db.migrations import migrate, pending_migrations

    async def check() -> None:
        await runtime.database.open()
        try:
            if migrate_first:
                await migrate(runtime.database)
            pending = await pending_migrations(runtime.database)
            if pending:
                raise MentorkitError(
                    f"{len(pending)} migration(s) not applied (first: {pending[0].app}:{pending[0].migration_id});"
                    " run 'mentorkit migrate' first"
                )
            if prepare is not None:
                await prepare(runtime)
        finally:
            await runtime.database.close()

    run(check)


@click.command()
@click.option("--host", help="Address to listen on (setting 'host').")
@click.option("--port", type=int, help="Port to listen on (setting 'port').")
@click.option("--migrate/--no-migrate", "migrate_first", default=False,
              help="Apply pending migrations before starting.")
@pass_state
def serve(state: CliState, host: str | None, port: int | None, migrate_first: bool) -> None:
    """Start the web application (and, unless disabled, the event worker inside it)."""
    _serve(state, host, port, migrate_first)


@click.command()
@click.option("--host", help="Address to listen on (setting 'host').")
@click.option("--port", type=int, help="Port to listen on (setting 'port').")
@click.option("--serve/--no-serve", "serve_after", default=True,
              help="Serve the site afterwards (--no-serve: only create the data, e.g. for CI).")
@pass_state
def demo(state: CliState, host: str | None, port: int | None, serve_after: bool) -> None:
    """Create a demo site (programs, people, relationships) if empty, then serve it."""
    from mentorkit.demo import fill_demo_site

    async def prepare(runtime: Any) -> None:
        logins = await fill_demo_site(runtime)
        for line in logins:
            say(line)

    if serve_after:
        _serve(state, host, port, True, prepare)
    else:
        _check_database(state.runtime(host=host, port=port), True, prepare)


@click.command()
@click.option("--check", is_flag=True,
              help="Apply nothing; fail if a migration is pending or a table changed without one.")
@pass_state
def migrate(state: CliState, check: bool) -> None:
    """Apply every plugin's database migrations, in dependency order."""
    from mentorkit.db.migrations import migrate as apply
    from mentorkit.db.migrations import missing_migrations, pending_migrations

    runtime = state.runtime()

    async def go() -> None:
        await runtime.database.open()
        try:
            if check:
                missing = await missing_migrations(runtime.database)
                pending = await pending_migrations(runtime.database)
                for app, count in missing.items():
                    click.echo(f"app '{app}': {count} table change(s) have no migration "
                               f"(run 'mentorkit makemigrations {app}')", err=True)
                for m in pending:
                    click.echo(f"pending: {m.app}:{m.migration_id}", err=True)
                if missing or pending:
                    raise MentorkitError("migrations are not up to date")
                click.echo("migrations are up to date")
                return
            applied = await apply(runtime.database)
            for m in applied:
                click.echo(f"applied {m.app}:{m.migration_id}")
            click.echo(f"{len(applied)} migration(s) applied; the database is up to date")
        finally:
            await runtime.database.close()

    run(go)


@click.command()
@click.argument("app_name")
@click.option("--description", default="", help="What the migration changes.")
@pass_state
def makemigrations(state: CliState, app_name: str, description: str) -> None:
    """Write a migration for APP_NAME's changed tables (run in the plugin's own checkout)."""
    from mentorkit.db.migrations import make_migration

    runtime = state.runtime()
    if app_name not in runtime.database.registry.app_configs:
        raise MentorkitError(f"no Piccolo app named {app_name!r}; known: "
                             + ", ".join(sorted(runtime.database.registry.app_configs)))

    async def go() -> None:
        await runtime.database.open()
        try:
            path = await make_migration(runtime.database, app_name, description)
        finally:
            await runtime.database.close()
        click.echo(f"wrote {path}" if path else f"no changes in app '{app_name}'")

    run(go)


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@pass_state
def worker(state: CliState, once: bool) -> None:
    """Deliver events to plugins and fire timers (run several on PostgreSQL)."""
    runtime = state.runtime()
    configure_logging(runtime.settings.log_level)

    async def go() -> None:
        await runtime.database.open()
        w = runtime.make_worker()
        runtime.worker = w
        try:
            if once:
                handled = await w.drain()
                click.echo(f"handled {handled} delivery/timer item(s)")
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            w.start()
            say(f"worker {w.name} running on {runtime.database.engine_type}; Ctrl+C to stop")
            await stop.wait()
        finally:
            await w.stop()
            await runtime.database.close()

    run(go)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_state
def plugins(state: CliState, as_json: bool) -> None:
    """List loaded plugins, and those that failed to load or are disabled."""
    report = state.pm.report
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    # rich only here: importing it costs start-up time every other command does not need.
    from rich.console import Console
    from rich.table import Table as RichTable

    table = RichTable(title="Mentorkit plugins")
    for column in ("name", "distribution", "version", "hooks"):
        table.add_column(column)
    for p in report.loaded:
        table.add_row(p.name, p.distribution or "(built in)", p.version or "", ", ".join(p.hooks))
    Console().print(table)
    for f in report.failed:
        click.echo(f"FAILED {f.name} ({f.distribution}): {f.error}")
    for name in report.disabled:
        click.echo(f"disabled {name}")


@click.group()
def events() -> None:
    """Inspect the event stream and retry dead deliveries."""


@events.command("list")
@click.option("--status", type=click.Choice(["pending", "running", "delivered", "dead"]), default="dead")
@click.option("--limit", type=int, default=50)
@pass_state
def events_list(state: CliState, status: str, limit: int) -> None:
    """Show deliveries in a state (dead ones by default)."""
    from mentorkit.events.tables import Delivery

    runtime = state.runtime()

    async def go() -> list[dict[str, Any]]:
        await runtime.database.open()
        try:
            return await Delivery.select(
                Delivery.id, Delivery.event.type, Delivery.subject, Delivery.subscriber, Delivery.attempts,
                Delivery.last_error,
            ).where(Delivery.status == status).order_by(Delivery.id).limit(limit)
        finally:
            await runtime.database.close()

    for row in run(go):
        click.echo(f"#{row['id']} {row['event.type']} {row['subject']} -> {row['subscriber']} "
                   f"(attempts {row['attempts']}): {row['last_error'] or ''}")


@events.command("retry")
@click.argument("delivery_ids", type=int, nargs=-1)
@pass_state
def events_retry(state: CliState, delivery_ids: tuple[int, ...]) -> None:
    """Queue dead deliveries again (all of them, or the given ids)."""
    from mentorkit.events.worker import retry_dead

    runtime = state.runtime()

    async def go() -> int:
        await runtime.database.open()
        try:
            return await retry_dead(list(delivery_ids))
        finally:
            await runtime.database.close()

    click.echo(f"{run(go)} delivery(ies) queued again")


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's e-mail address.")
@click.option("--name", "display_name", prompt="Display name", help="The admin's display name.")
@click.password_option(help="The password (asked twice when not given).")
@pass_state
def create_admin(state: CliState, email: str, display_name: str, password: str) -> None:
    """Create a site admin account."""
    from mentorkit.accounts.services import create_user
    from mentorkit.errors import ValidationFailed

    runtime = state.runtime()

    async def go() -> Any:
        await runtime.database.open()
        try:
            return await create_user(email=email, display_name=display_name, password=password, is_admin=True)
        finally:
            await runtime.database.close()

    try:
        user = run(go)
    except ValidationFailed as exc:
        raise MentorkitError(f"cannot create the admin: {exc}") from None
    click.echo(f"created site admin {user.email} (id {user.id})")


@click.group()
def token() -> None:
    """Personal API tokens, for scripts that use the API as somebody."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="created with mentorkit token create", show_default=True,
              help="What the token is for (listed on the person's API tokens page).")
@pass_state
def token_create(state: CliState, email: str, name: str) -> None:
    """Create a personal API token for the active account with EMAIL and print it (shown only once)."""
    import msgspec

    from mentorkit.accounts.schemas import ApiTokenForm
    from mentorkit.accounts.services import active_user_by_email, create_api_token

    try:
        values = msgspec.convert({"name": name}, ApiTokenForm)
    except msgspec.ValidationError as exc:
        raise MentorkitError(f"cannot create the token: {exc}") from None
    runtime = state.runtime()

    async def go() -> str:
        await runtime.database.open()
        try:
            user = await active_user_by_email(email)
            if user is None:
                raise MentorkitError(f"no active account has the e-mail address {email!r}")
            return (await create_api_token(user, values.name))[1]
        finally:
            await runtime.database.close()

    click.echo(run(go))


# --------------------------------------------------------------------------- CSV import and export


async def _program_id(program: str) -> int:
    """PROGRAM as the CLI takes it: an id or a slug."""
    from mentorkit.programs.tables import Program

    row = await Program.select(Program.id).where(
        Program.id == int(program) if program.isdigit() else Program.slug == program).first()
    if row is None:
        raise MentorkitError(f"no program has the id or slug {program!r}")
    return int(row["id"])


async def _actor(email: str | None) -> Any:
    from mentorkit.accounts.services import active_user_by_email
    from mentorkit.api import SYSTEM

    if email is None:
        return SYSTEM
    user = await active_user_by_email(email)
    if user is None:
        raise MentorkitError(f"no active account has the e-mail address {email!r}")
    return user


@click.command("import")
@click.argument("program")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the whole file and report; write nothing.")
@click.option("--skip-bad-lines", is_flag=True,
              help="Import the good lines when some are bad (a person with a bad line is left out entirely).")
@click.option("--as", "as_email", metavar="EMAIL",
              help="Record the import as done by this account (default: the system, no person).")
@pass_state
def import_command(state: CliState, program: str, file: Path, dry_run: bool, skip_bad_lines: bool,
                   as_email: str | None) -> None:
    """Import people and enrolments into PROGRAM (id or slug) from a CSV FILE (docs/import.md).

    The exit status is 1 when the file has problems and nothing was imported."""
    from rich.progress import Progress

    from mentorkit.imports.csv_reader import size_problem
    from mentorkit.imports.service import import_participants

    size = file.stat().st_size
    if problem := size_problem(size):  # before reading a byte of it
        raise MentorkitError(problem.message)
    data = file.read_bytes()
    runtime = state.runtime()

    async def go() -> Any:
        await runtime.database.open()
        try:
            with Progress(console=_stderr_console(), transient=True) as bar:
                tasks: dict[str, Any] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task("Checking" if stage == "checking" else "Importing", total=total)
                    bar.update(tasks[stage], completed=done, total=total)

                return await import_participants(await _program_id(program), data, await _actor(as_email),
                                                 dry_run=dry_run, skip_bad_lines=skip_bad_lines, progress=progress)
        finally:
            await runtime.database.close()

    report = run(go)
    for problem in report.problems:
        where = "file" if problem.line is None else f"line {problem.line}"
        click.echo(f"{where}" + (f", {problem.column}" if problem.column else "") + f": {problem.message}")
    summary = (f"{report.lines} line(s): {report.people} people ({report.new_people} new accounts), "
               f"{report.enrolments} enrolment(s), {report.skipped} line(s) skipped")
    if report.imported:
        click.echo(f"Imported. {summary}")
    elif dry_run and not report.problems:
        click.echo(f"Dry run, nothing written; the file can be imported. {summary}")
    else:
        click.echo(f"Nothing imported{' (dry run)' if dry_run else ''}. {summary}")
        if report.problems:
            if not dry_run and not any(p.line is None for p in report.problems):
                say("Fix the lines above, or import the good lines only with --skip-bad-lines.")
            sys.exit(1)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@click.command("export")
@click.argument("program")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the CSV to this file (default: standard output).")
@pass_state
def export_command(state: CliState, program: str, output: Path | None) -> None:
    """Export PROGRAM's participants (id or slug) as CSV: one row per live enrolment."""
    from mentorkit.api import SYSTEM
    from mentorkit.imports.export import participants_csv

    runtime = state.runtime()

    async def go() -> str:
        await runtime.database.open()
        try:
            return (await participants_csv(await _program_id(program), SYSTEM))[1]
        finally:
            await runtime.database.close()

    text = run(go)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        say(f"wrote {output}")


COMMANDS: list[click.Command] = [serve, demo, migrate, makemigrations, worker, plugins, events, create_admin,
                                 token, import_command, export_command]


def _match_commands() -> click.Group:
    from mentorkit.matching.commands import match

    return match


class MentorkitCommand(click.Command):
    """The ``mentorkit`` command (``mentorkit.cli:main``): a click command, so click's
    ``CliRunner`` can invoke it, that loads the installed plugins when it runs (not when it is
    imported) and hands over to the group ``build_cli`` makes with them."""

    def __init__(self) -> None:
        super().__init__("mentorkit", help="Mentorkit: run mentorship programs on your own server.")

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            with collector_paused():
                pm = create_plugin_manager()
                cli = build_cli(pm)
        except MentorkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        return cli.main(args=args, prog_name=prog_name or "mentorkit", complete_var=complete_var,
                        standalone_mode=standalone_mode, **extra)


main = MentorkitCommand()
"""Entry point of the ``mentorkit`` command (``main()`` or ``main(["migrate"])`` runs it)."""
