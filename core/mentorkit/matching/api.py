"""The match-run API under ``/api/v1/programs/{program_id}/match-runs``: the twins of the
match-run pages, for coordinators and site admins."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, JSONBody

from mentorkit import api
from mentorkit.api.paging import DEFAULT_LIMIT, Page
from mentorkit.matching.schemas import MatchRun, ProposalChange, PublishReport, PublishRequest, RunProposal, SwapRequest
from mentorkit.profiles.api import Limit, Offset, Query
from mentorkit.programs import policies
from mentorkit.schemas import Id
from mentorkit.web.pages import AnyRequest

assert policies.POLICIES  # importing the module registers the policies these routes name

TAGS = ["matching"]
COORDINATOR = {"policy": "program_coordinator"}
_RUNS = "/api/v1/programs/{program_id:int}/match-runs"
_RUN = _RUNS + "/{run_id:int}"


@post(_RUNS, opt=COORDINATOR, tags=TAGS, status_code=202)
async def start_run(request: AnyRequest, program_id: FromPath[Id]) -> MatchRun:
    """Start a run of the program's matching strategy in the background; follow it with
    ``GET .../match-runs/{run_id}`` (``done`` of ``total`` while running)."""
    return await api.start_match_run(program_id, request.user)


@get(_RUNS, opt=COORDINATOR, tags=TAGS)
async def list_runs(request: AnyRequest, program_id: FromPath[Id], limit: Limit = DEFAULT_LIMIT,
                    offset: Offset = 0) -> Page[MatchRun]:
    """The program's runs, newest first, with their parameters and metrics."""
    return await api.list_match_runs(program_id, request.user, limit=limit, offset=offset)


@get(_RUN, opt=COORDINATOR, tags=TAGS)
async def get_run(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id]) -> MatchRun:
    """A run: progress, metrics, the unmatched with reasons, the difference from the previous run."""
    return await api.get_match_run(program_id, run_id, request.user)


@post(_RUN + "/cancel", opt=COORDINATOR, tags=TAGS, status_code=200)
async def cancel_run(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id]) -> MatchRun:
    """Stop a running run; nothing of it is kept."""
    return await api.cancel_match_run(program_id, run_id, request.user)


@get(_RUN + "/proposals", opt=COORDINATOR, tags=TAGS)
async def list_proposals(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id], q: Query = "",
                         limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Page[RunProposal]:
    """The run's proposals, best first, each with its explanation and status."""
    return await api.list_run_proposals(program_id, run_id, request.user, search=q, limit=limit, offset=offset)


@post(_RUN + "/proposals/{proposal_id:int}", opt=COORDINATOR, tags=TAGS, status_code=200)
async def change_proposal(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                          proposal_id: FromPath[Id], data: JSONBody[ProposalChange]) -> RunProposal:
    """``{"action": "remove"}`` (``restore`` undoes it), ``pin`` (the next run keeps the pair) or
    ``unpin`` a proposal."""
    return await api.change_run_proposal(program_id, run_id, proposal_id, data, request.user)


@post(_RUN + "/proposals/{proposal_id:int}/swap", opt=COORDINATOR, tags=TAGS, status_code=200)
async def swap_partners(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                        proposal_id: FromPath[Id], data: JSONBody[SwapRequest]) -> list[RunProposal]:
    """Swap the partners (mentors) of this proposal and ``other_id``; both come back re-scored."""
    return await api.swap_run_partners(program_id, run_id, proposal_id, data.other_id, request.user)


@post(_RUN + "/publish", opt=COORDINATOR, tags=TAGS, status_code=200)
async def publish(request: AnyRequest, program_id: FromPath[Id], run_id: FromPath[Id],
                  data: JSONBody[PublishRequest]) -> PublishReport:
    """Make relationships of the listed proposals (every proposed one when the list is empty)."""
    return await api.publish_run(program_id, run_id, data.proposal_ids, request.user)


def match_run_api_routes() -> list[Any]:
    """The match-run API routes (registered by the core's mentoring plugin)."""
    return [start_run, list_runs, get_run, cancel_run, list_proposals, change_proposal, swap_partners, publish]
