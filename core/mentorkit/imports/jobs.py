"""Import jobs for the page: upload and check, then import in the background with progress.

The uploaded file is kept under ``<data_dir>/imports/`` (a random name) from the check until
the job is done or failed, then deleted. The import runs as an asyncio task of the web process
that started it; its progress lives in that process's memory (the import is one transaction,
so a progress row written meanwhile would wait for it on SQLite). A job whose process is gone
(the server restarted mid-import) is shown as failed: nothing of it was written.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path
from typing import Any

import msgspec

from mentorkit.background import RUNNER, runner_gone, spawn, wait_for_background
from mentorkit.db.values import as_json, as_utc
from mentorkit.errors import ConflictError, MentorkitError, NotFound, ValidationFailed
from mentorkit.events import utcnow
from mentorkit.imports.csv_reader import Problem
from mentorkit.imports.service import Report, import_participants
from mentorkit.imports.tables import ImportJob
from mentorkit.programs.services import Actor, require_coordinator
from mentorkit.runtime import current_runtime

log = logging.getLogger("mentorkit.imports")

# Jobs this process is running: id -> (done, total).
_progress: dict[int, tuple[int, int]] = {}
STALE_AFTER = dt.timedelta(days=1)
RESTARTED = "the server stopped during the import, so nothing was imported; upload the file again"


class ImportJobView(msgspec.Struct, frozen=True, kw_only=True):
    """An import job as pages and the API show it. While it runs, ``done`` out of ``total`` is
    its progress (0 of 0 when another process runs it)."""

    id: int
    program_id: int
    state: str
    original_name: str
    lines: int
    people: int
    new_people: int
    enrolments: int
    skipped: int
    problems: list[Problem]
    skip_bad_lines: bool
    error: str
    done: int
    total: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


def imports_dir() -> Path:
    """Where uploaded files wait for their import."""
    return Path(current_runtime().settings.data_dir) / "imports"


def _view(row: dict[str, Any]) -> ImportJobView:
    problems = row["problems"]
    done, total = _progress.get(row["id"], (0, 0))
    return ImportJobView(
        id=row["id"], program_id=row["program"], state=row["state"], original_name=row["original_name"],
        lines=row["lines"], people=row["people"], new_people=row["new_people"], enrolments=row["enrolments"],
        skipped=row["skipped"], skip_bad_lines=bool(row["skip_bad_lines"]), error=row["error"], done=done,
        total=total, problems=msgspec.convert(as_json(problems, []),
                                              list[Problem]),
        created_at=as_utc(row["created_at"]), finished_at=as_utc(row["finished_at"]),  # type: ignore[arg-type]
    )


async def _finish(job_id: int, state: str, error: str = "", report: Report | None = None) -> None:
    row = await ImportJob.select(ImportJob.file_name).where(ImportJob.id == job_id).first()
    values: dict[Any, Any] = {ImportJob.state: state, ImportJob.error: error, ImportJob.finished_at: utcnow(),
                              ImportJob.file_name: ""}
    if report is not None:
        values.update({ImportJob.people: report.people, ImportJob.new_people: report.new_people,
                       ImportJob.enrolments: report.enrolments, ImportJob.skipped: report.skipped})
    await ImportJob.update(values).where(ImportJob.id == job_id)
    if row and row["file_name"]:
        (imports_dir() / row["file_name"]).unlink(missing_ok=True)


async def _job_row(program_id: int, job_id: int, actor: Actor) -> dict[str, Any]:
    await require_coordinator(program_id, actor)
    row: dict[str, Any] | None = await ImportJob.select().where(
        (ImportJob.id == job_id) & (ImportJob.program == program_id)).first()
    if row is None:
        raise NotFound("no such import")
    if row["state"] == "running" and row["id"] not in _progress and runner_gone(row["runner"]):
        await _finish(row["id"], "failed", RESTARTED)
        row = await ImportJob.select().where(ImportJob.id == job_id).first()
        assert row is not None
    return row


async def _forget_stale_uploads() -> None:
    """Files checked but never imported are deleted after a day."""
    stale = await ImportJob.select(ImportJob.id).where(
        (ImportJob.state == "checked") & (ImportJob.created_at < utcnow() - STALE_AFTER))
    for row in stale:
        await _finish(row["id"], "failed", "the file was not imported within a day and was deleted")


async def check_upload(program_id: int, data: bytes, original_name: str, actor: Actor) -> ImportJobView:
    """Check an uploaded file (nothing imported) and keep it for the import if it can be."""
    await _forget_stale_uploads()
    report = await import_participants(program_id, data, actor, dry_run=True)
    file_level = any(p.line is None for p in report.problems)
    file_name = ""
    if not file_level and report.enrolments:
        directory = imports_dir()
        directory.mkdir(parents=True, exist_ok=True)
        file_name = f"{secrets.token_hex(16)}.csv"
        (directory / file_name).write_bytes(data)
    rows = await ImportJob.insert(ImportJob(
        program=program_id, created_by=actor.id, state="checked", file_name=file_name,
        original_name=original_name[:200], lines=report.lines, people=report.people, new_people=report.new_people,
        enrolments=report.enrolments, skipped=report.skipped,
        problems=msgspec.json.encode(report.problems).decode(), created_at=utcnow(),
    )).returning(ImportJob.id)
    return _view(await _job_row(program_id, rows[0]["id"], actor))


async def job_view(program_id: int, job_id: int, actor: Actor) -> ImportJobView:
    """One import job of the program (coordinators and site admins)."""
    return _view(await _job_row(program_id, job_id, actor))


async def start_import(program_id: int, job_id: int, skip_bad_lines: bool, actor: Actor) -> ImportJobView:
    """Start importing a checked file in the background; the job page follows its progress."""
    row = await _job_row(program_id, job_id, actor)
    if row["state"] != "checked" or not row["file_name"]:
        raise ConflictError("this file cannot be imported (any more): upload it again")
    if row["skipped"] and not skip_bad_lines:
        raise ValidationFailed({"skip_bad_lines": "the file has bad lines: fix them and upload it again, "
                                                  "or tick “Import the good lines only”"})
    started = await ImportJob.update({ImportJob.state: "running", ImportJob.runner: RUNNER,
                                      ImportJob.skip_bad_lines: skip_bad_lines}).where(
        (ImportJob.id == job_id) & (ImportJob.state == "checked")).returning(ImportJob.id)
    if not started:
        raise ConflictError("this import was already started")
    data = (imports_dir() / row["file_name"]).read_bytes()
    _progress[job_id] = (0, row["lines"])
    spawn(_run(program_id, job_id, data, skip_bad_lines, actor))
    return _view(await _job_row(program_id, job_id, actor))


async def _run(program_id: int, job_id: int, data: bytes, skip_bad_lines: bool, actor: Actor) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        # Checking is the first half of the bar, writing the second.
        lines = max(total, 1)
        half = done * 50 // lines + (50 if stage == "importing" else 0)
        _progress[job_id] = (half, 100)

    try:
        report = await import_participants(program_id, data, actor, skip_bad_lines=skip_bad_lines,
                                           progress=progress)
        if report.imported:
            await _finish(job_id, "done", report=report)
        else:
            await _finish(job_id, "failed", "the file no longer passes the check (the program changed since): "
                                            "upload it again to see why", report)
    except MentorkitError as exc:
        await _finish(job_id, "failed", str(exc))
    except Exception:
        log.exception("import job %s failed", job_id)
        await _finish(job_id, "failed", "an unexpected error stopped the import; nothing was imported")
    finally:
        _progress.pop(job_id, None)


async def wait_for_imports() -> None:
    """Wait until this process's running imports (and other background jobs) end."""
    await wait_for_background()
