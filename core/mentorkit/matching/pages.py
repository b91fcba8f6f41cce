"""The match-run pages, for coordinators and site admins.

``/programs/{id}/matching`` lists the runs and starts one; a run's page follows its progress
(a ``<progress>`` bar, refreshed with ``<meta http-equiv="refresh">``, and a cancel button),
then shows an overview (metrics, the score distribution as an SVG chart, the difference from
the previous run), the proposals (search, pages, each explanation one click away, remove,
pin, swap, publish selected or all) and who stayed unmatched and why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from mentorkit import api
from mentorkit.errors import ConflictError, ValidationFailed
from mentorkit.matching.schemas import RUN_STATES, MatchRun, ProposalAction, ProposalChange, RunProposal
from mentorkit.programs import policies, services
from mentorkit.programs.charts import bar_chart
from mentorkit.programs.pages import FormData, failed
from mentorkit.schemas import ID_MAX, ID_MIN, Id, Input
from mentorkit.web.forms import Form, validate_form
from mentorkit.web.pages import AnyRequest, redirect, render

assert policies.POLICIES  # importing the module registers the policies these routes name

COORDINATOR = {"policy": "program_coordinator"}
PAGE_SIZE = 25
REFRESH_SECONDS = 1
SECTIONS = {"overview": "Overview", "proposals": "Proposals", "unmatched": "Unmatched"}
BINS = 10


class ProposalForm(Input):
    """A proposal's buttons: ``action`` is remove, restore, pin or unpin."""

    action: ProposalAction


class SwapForm(Input):
    """Swap partners with another proposal (its number in the list)."""

    other_id: Id


_DONE = {"remove": "Removed the proposal.", "restore": "Restored the proposal.",
         "pin": "Pinned: the next run keeps this pair.", "unpin": "Unpinned."}


def _run_url(program_id: int, run_id: int, section: str = "overview", **query: Any) -> str:
    url = f"/programs/{program_id}/matching/runs/{run_id}"
    params = {k: v for k, v in ({"section": section if section != "overview" else ""} | query).items() if v}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def score_chart(scores: list[float]) -> dict[str, Any] | None:
    """How the proposals' scores spread, in tenths from 0 to 1 (a score of 1 counts in the
    last tenth)."""
    if not scores:
        return None
    counts = [0] * BINS
    for score in scores:
        counts[min(max(int(score * BINS), 0), BINS - 1)] += 1
    return bar_chart("Proposals by score", [(f"{n / BINS:.1f} to {(n + 1) / BINS:.1f}", counts[n])
                                            for n in range(BINS)])


@get("/programs/{program_id:int}/matching", opt=COORDINATOR, include_in_schema=False)
async def runs_page(request: AnyRequest, program_id: FromPath[Id], page: FromQuery[int] = 1) -> Template:
    """The program's match runs, newest first, and the button that starts one."""
    return await _runs_page(request, program_id, Form(), max(1, min(page, 10_000)))


async def _runs_page(request: AnyRequest, program_id: int, form: Form, page: int = 1,
                     status_code: int = 200) -> Template:
    from mentorkit.runtime import current_runtime

    program = await services.require_coordinator(program_id, request.user)
    runs, total = await _list_runs(program_id, request.user, page)
    strategy = current_runtime().strategies.get(program["matching_strategy"])
    return render(request, "matching/runs.html", status_code=status_code, program=program, runs=runs,
                  page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total, form=form, strategy=strategy,
                  states=RUN_STATES, can_run=bool(strategy and strategy.propose and not strategy.manual),
                  open=program["state"] in services.OPEN_STATES)


async def _list_runs(program_id: int, actor: Any, page: int) -> tuple[list[MatchRun], int]:
    from mentorkit.matching import runs

    return await runs.list_runs(program_id, actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)


@post("/programs/{program_id:int}/matching/runs", opt=COORDINATOR, include_in_schema=False)
async def start_run(request: AnyRequest, program_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Start a run in the background and follow it on its page."""
    _, form = validate_form(Input, data)
    status = 400
    if form.ok:
        try:
            run = await api.start_match_run(program_id, request.user)
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(_run_url(program_id, run.id))
    return await _runs_page(request, program_id, form, status_code=status)


@get("/programs/{program_id:int}/matching/runs/{run_id:int}", opt=COORDINATOR, include_in_schema=False)
async def run_page(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                   section: FromQuery[str] = "overview", q: FromQuery[str] = "",
                   page: FromQuery[int] = 1) -> Template:
    """A run: its progress, then its overview, proposals and unmatched people."""
    return await _run_page(request, program_id, run_id, Form(), section=section, search=q, page=page)


async def _run_page(request: AnyRequest, program_id: int, run_id: int, form: Form, *, section: str = "overview",
                    search: str = "", page: int = 1, status_code: int = 200) -> Template:
    from mentorkit.matching import runs

    program = await services.require_coordinator(program_id, request.user)
    run = await api.get_match_run(program_id, run_id, request.user)
    section = section if section in SECTIONS else "overview"
    search = search.strip()[:200]
    proposals: list[RunProposal] = []
    everything, _ = await runs.run_proposals(program_id, run_id, request.user)
    shown = runs.naming(everything, search)  # one read of the run's proposals, filtered here
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    proposals = shown[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    counts = {status: sum(1 for p in everything if p.status == status) for status in ("proposed", "removed",
                                                                                    "published")}
    return render(
        request, "matching/run.html", status_code=status_code, program=program, run=run, form=form,
        section=section, sections=SECTIONS, proposals=proposals, all_proposals=everything, search=search,
        page=page, pages=pages, counts=counts, states=RUN_STATES,
        chart=score_chart([p.score for p in everything if p.status != "removed"]),
        refresh=REFRESH_SECONDS if run.state == "running" else 0,
        base=_run_url(program_id, run_id, section, q=search),
    )


async def _act(request: AnyRequest, program_id: int, run_id: int, form: Form,
               call: Callable[[], Awaitable[Any]] | None, done: Callable[[Any], str], section: str) -> Response[Any]:
    """Run ``call`` when the form is good; then back to the run's ``section`` with ``done``'s
    message, or the page again with the complaint on the form."""
    status = 400
    if call is not None and form.ok:
        try:
            result = await call()
        except (ValidationFailed, ConflictError) as exc:
            status = failed(form, exc)
        else:
            return redirect(_run_url(program_id, run_id, section), flash=done(result))
    return await _run_page(request, program_id, run_id, form, section=section, status_code=status)


@post("/programs/{program_id:int}/matching/runs/{run_id:int}/cancel", opt=COORDINATOR, include_in_schema=False)
async def cancel_run(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                     data: FormData) -> Response[Any]:
    """Stop the run; nothing of it is kept."""
    _, form = validate_form(Input, data)
    return await _act(request, program_id, run_id, form,
                      lambda: api.cancel_match_run(program_id, run_id, request.user),
                      lambda _: "Cancelled the run: nothing of it was kept.", "overview")


@post("/programs/{program_id:int}/matching/runs/{run_id:int}/proposals/{proposal_id:int}", opt=COORDINATOR,
      include_in_schema=False)
async def change_proposal(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                          proposal_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Remove, restore, pin or unpin one proposal."""
    values, form = validate_form(ProposalForm, data)
    action: ProposalAction = values.action if values else "remove"
    change = ProposalChange(action=action)
    call = (lambda: api.change_run_proposal(program_id, run_id, proposal_id, change, request.user)) if values else None
    return await _act(request, program_id, run_id, form, call, lambda _: _DONE[action], "proposals")


@post("/programs/{program_id:int}/matching/runs/{run_id:int}/proposals/{proposal_id:int}/swap", opt=COORDINATOR,
      include_in_schema=False)
async def swap_partners(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                        proposal_id: FromPath[Id], data: FormData) -> Response[Any]:
    """Swap this proposal's partner with another proposal's."""
    values, form = validate_form(SwapForm, data)
    other = values.other_id if values else 0
    call = (lambda: api.swap_run_partners(program_id, run_id, proposal_id, other, request.user)) if values else None
    return await _act(request, program_id, run_id, form, call,
        lambda swapped: "Swapped: " + " and ".join(" & ".join(m.display_name for m in p.members)
                                                    for p in swapped) + ".", "proposals")


def _published(report: Any) -> str:
    done = f"Published {len(report.published)} proposal{'' if len(report.published) == 1 else 's'}."
    if report.problems:
        done += f" {len(report.problems)} could not be published: " + "; ".join(report.problems.values()) + "."
    return done[:1000]


@post("/programs/{program_id:int}/matching/runs/{run_id:int}/publish", opt=COORDINATOR, include_in_schema=False)
async def publish(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id]) -> Response[Any]:
    """Publish the ticked proposals, or every proposed one ("all" in the form).

    The form is read as a multi-dict (each ticked box sends ``proposal_ids`` again)."""
    submitted = await request.form()
    form = Form()
    ids: list[int] = []
    for value in submitted.getall("proposal_ids", []):
        if not (value.isascii() and value.isdigit() and ID_MIN <= int(value) <= ID_MAX):
            form.error("proposal_ids", "choose from the list")
        else:
            ids.append(int(value))
    unknown = set(submitted.keys()) - {"_csrf_token", "proposal_ids", "all"}
    if unknown:
        form.error("__all__", "unknown fields: " + ", ".join(sorted(unknown)[:5]))
    if not ids and submitted.get("all") != "on" and form.ok:
        form.error("proposal_ids", "tick at least one proposal, or publish all")
    return await _act(request, program_id, run_id, form, lambda: api.publish_run(program_id, run_id, ids, request.user),
                      _published, "proposals")


def match_run_page_routes() -> list[Any]:
    """Every match-run page route."""
    return [runs_page, start_run, run_page, cancel_run, change_proposal, swap_partners, publish]
