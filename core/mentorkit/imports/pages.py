"""CSV import and export pages and their API twins.

The page flow: upload (``/programs/{id}/import``) -> the check's report (``/programs/{id}/
imports/{job}``: a summary and the problems, paged) -> "Import N lines" -> the same page shows
the progress (a ``<progress>`` element, refreshed with ``<meta http-equiv="refresh">``), then
the summary. The API imports in the request (``POST /api/v1/programs/{id}/imports``, a
``text/csv`` body) and reads a page-started job (``GET .../imports/{job}``).

The upload is a multipart form, which the CSRF middleware does not read (it reads url-encoded
bodies only), so the upload route opts out of it and checks the form's token itself, the same
double-submit check, before anything else is done with the file.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Template

from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.imports import export, jobs
from mentorkit.imports.csv_reader import MAX_BYTES, MAX_ROWS, size_problem
from mentorkit.imports.jobs import ImportJobView
from mentorkit.imports.service import Report, import_participants
from mentorkit.programs import policies, services
from mentorkit.programs.pages import failed
from mentorkit.runtime import current_runtime
from mentorkit.schemas import Id, Input
from mentorkit.web.asgi import cookie as request_cookie
from mentorkit.web.csrf import CSRF_COOKIE, CSRF_FIELD, token_for
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

assert policies.POLICIES  # importing the module registers the policies these routes name

TAGS = ["imports"]
CSV_MEDIA_TYPE = "text/csv"
# Multipart framing around the file (boundaries, part headers, the token field).
UPLOAD_OVERHEAD = 64_000
PROBLEMS_PAGE_SIZE = 50
REFRESH_SECONDS = 2


@dataclass
class CsvBodyOperation(Operation):
    """The OpenAPI operation of the import: its body is the CSV file itself."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True, description=f"The participants file (docs/import.md), at most {MAX_BYTES:,} bytes.",
            content={CSV_MEDIA_TYPE: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))})


class StartForm(Input):
    """The confirmation on the report page."""

    skip_bad_lines: bool = False


FormData = URLEncodedBody[dict[str, str]]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _attachment(exported: tuple[str, str]) -> Response[str]:
    file_name, text = exported
    return Response(text, media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


# --------------------------------------------------------------------------- pages


def _upload_page(request: AnyRequest, program: Any, form: Form, status_code: int = 200) -> Template:
    return render(request, "imports/upload.html", status_code=status_code, program=program, form=form,
                  max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


@get("/programs/{program_id:int}/import", opt={"policy": "program_coordinator"}, include_in_schema=False)
async def upload_form(request: AnyRequest, program_id: FromPath[Id]) -> Template:
    """The upload form, with the column reference in short."""
    program = await services.require_coordinator(program_id, request.user)
    return _upload_page(request, program, Form())


def _csrf_ok(request: AnyRequest, submitted: Any) -> bool:
    settings = current_runtime().settings
    cookie = request_cookie(request.scope, ("__Host-" if settings.secure_cookies else "") + CSRF_COOKIE)
    return bool(cookie) and isinstance(submitted, str) and hmac.compare_digest(
        submitted, token_for(settings.secret_key, cookie))


@post("/programs/{program_id:int}/import", opt={"policy": "program_coordinator"}, include_in_schema=False,
      exclude_from_csrf=True, request_max_body_size=MAX_BYTES + UPLOAD_OVERHEAD)
async def upload(request: AnyRequest, program_id: FromPath[Id], data: Upload) -> Response[Any]:
    """Check an uploaded file and show the report (nothing is imported yet)."""
    if not _csrf_ok(request, data.get(CSRF_FIELD)):
        raise PermissionDeniedException("the form's security token is missing or out of date (CSRF check)")
    program = await services.require_coordinator(program_id, request.user)
    file = data.get("file")
    form = Form()
    if not isinstance(file, UploadFile) or not file.filename:
        return _upload_page(request, program, form.error("file", "choose the CSV file to import"), 400)
    content = await file.read()
    try:
        job = await jobs.check_upload(program_id, content, file.filename, request.user)
    except (ValidationFailed, ConflictError) as exc:
        return _upload_page(request, program, form, failed(form, exc))
    return redirect(f"/programs/{program_id}/imports/{job.id}")


@get("/programs/{program_id:int}/imports/{job_id:int}", opt={"policy": "program_coordinator"},
     include_in_schema=False)
async def job_page(request: AnyRequest, program_id: FromPath[Id], job_id: FromPath[Id],
                   page: FromQuery[int] = 1) -> Template:
    """An import: the check's report and the confirmation, then its progress, then the summary."""
    return await _job_page(request, program_id, job_id, Form(), page)


async def _job_page(request: AnyRequest, program_id: int, job_id: int, form: Form, page: int = 1,
                    status_code: int = 200) -> Template:
    program = await services.require_coordinator(program_id, request.user)
    job = await jobs.job_view(program_id, job_id, request.user)
    pages = max(1, -(-len(job.problems) // PROBLEMS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = job.problems[(page - 1) * PROBLEMS_PAGE_SIZE:page * PROBLEMS_PAGE_SIZE]
    return render(request, "imports/job.html", status_code=status_code, program=program, job=job, form=form,
                  problems=shown, page=page, pages=pages, refresh=REFRESH_SECONDS if job.state == "running" else 0,
                  file_problems=[p for p in job.problems if p.line is None])


@post("/programs/{program_id:int}/imports/{job_id:int}/start", opt={"policy": "program_coordinator"},
      include_in_schema=False)
async def start(request: AnyRequest, program_id: FromPath[Id], job_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Start the import of a checked file (in the background)."""
    values, form = validate_form(StartForm, data)
    status = 400
    if values is not None:
        try:
            await jobs.start_import(program_id, job_id, values.skip_bad_lines, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(f"/programs/{program_id}/imports/{job_id}")
    return await _job_page(request, program_id, job_id, form, status_code=status)


@get("/programs/{program_id:int}/export.csv", opt={"policy": "program_coordinator"}, include_in_schema=False,
     media_type=CSV_MEDIA_TYPE)
async def export_page(request: AnyRequest, program_id: FromPath[Id]) -> Response[str]:
    """Download the participants as CSV (one row per live enrolment)."""
    return _attachment(await export.participants_csv(program_id, request.user))


# --------------------------------------------------------------------------- API


def _problems_exception(report: Report) -> ValidationException:
    errors = [{"key": ("file" if p.line is None else f"line {p.line}") + (f", {p.column}" if p.column else ""),
               "message": p.message, "line": p.line, "column": p.column} for p in report.problems]
    return ValidationException(f"the file has {len(errors)} problem(s); nothing was imported", extra=errors,
                               status_code=422)


@post("/api/v1/programs/{program_id:int}/imports", opt={"policy": "program_coordinator", "problem_statuses": (422,)},
      tags=TAGS, status_code=200, operation_class=CsvBodyOperation, request_max_body_size=MAX_BYTES)
async def import_api(request: AnyRequest, program_id: FromPath[Id], dry_run: FromQuery[bool] = False,
                     skip_bad_lines: FromQuery[bool] = False) -> Report:
    """Import people and enrolments from the CSV body (``text/csv``, docs/import.md).

    The whole file is checked first. With problems nothing is imported (422, every problem in
    ``errors`` with its ``line`` and ``column``) unless ``skip_bad_lines`` asks for the good
    lines; ``dry_run`` checks and reports without writing anything."""
    body = await request.body()
    if problem := size_problem(len(body)):
        raise ValidationException(problem.message)
    report = await import_participants(program_id, body, request.user, dry_run=dry_run,
                                       skip_bad_lines=skip_bad_lines)
    if report.problems and (not skip_bad_lines or any(p.line is None for p in report.problems)):
        raise _problems_exception(report)
    return report


@get("/api/v1/programs/{program_id:int}/imports/{job_id:int}", opt={"policy": "program_coordinator"}, tags=TAGS)
async def job_api(request: AnyRequest, program_id: FromPath[Id], job_id: FromPath[Id]) -> ImportJobView:
    """An import started on the import page: its state, report and progress."""
    return await jobs.job_view(program_id, job_id, request.user)


@get("/api/v1/programs/{program_id:int}/participants.csv", opt={"policy": "program_coordinator"}, tags=TAGS,
     media_type=CSV_MEDIA_TYPE)
async def export_api(request: AnyRequest, program_id: FromPath[Id]) -> Response[str]:
    """The participants as CSV: one row per live enrolment, with skills and answers
    (spreadsheet-safe, UTF-8 with a BOM)."""
    return _attachment(await export.participants_csv(program_id, request.user))


def import_routes() -> list[Any]:
    """Every import and export route (pages and API)."""
    return [upload_form, upload, job_page, start, export_page, import_api, job_api, export_api]
