"""Match runs: the program's strategy proposes for the whole pool; coordinators review, edit
and publish (the same services as the match-run pages, ``/api/v1`` and ``mentorkit match``)."""

from __future__ import annotations

from collections.abc import Sequence

from mentorkit.api.actors import Actor
from mentorkit.api.paging import DEFAULT_LIMIT, Page, read_page
from mentorkit.contracts import MatchPool
from mentorkit.matching import runs
from mentorkit.matching.schemas import MatchRun, ProposalChange, PublishReport, RunProposal
from mentorkit.relationships.pool import match_pool


async def get_match_pool(program_id: int, actor: Actor) -> MatchPool:
    """The program's matching pool, as a strategy receives it (coordinators, admins, the
    system actor): active enrolments with capacity, profile, answers and preferences, the
    relationships, the questions. A fixed number of reads whatever the program's size."""
    return await match_pool(program_id, actor)


async def start_match_run(program_id: int, actor: Actor, *, wait: bool = False) -> MatchRun:
    """Run the program's matching strategy on its pool; with ``wait`` the call returns when
    the run is over, otherwise the run goes on in the background of this process.
    ``ConflictError`` when the program's strategy proposes nothing itself (manual), the program
    is not open or another run is under way. Emits ``match_run.started``
    (and ``match_run.finished`` when proposals are ready)."""
    return await runs.start_run(program_id, actor, wait=wait)


async def get_match_run(program_id: int, run_id: int, actor: Actor) -> MatchRun:
    """A run with its progress (while running), metrics, unmatched people with reasons and
    its difference from the previous run."""
    return await runs.run_view(program_id, run_id, actor)


async def list_match_runs(program_id: int, actor: Actor, *, limit: int = DEFAULT_LIMIT,
                          offset: int = 0) -> Page[MatchRun]:
    """The program's runs, newest first, with their parameters."""
    async def read(n: int, start: int) -> list[MatchRun]:
        return (await runs.list_runs(program_id, actor, limit=n, offset=start))[0]

    return await read_page(read, limit, offset)


async def cancel_match_run(program_id: int, run_id: int, actor: Actor) -> MatchRun:
    """Stop a running run; nothing of it is kept."""
    return await runs.cancel_run(program_id, run_id, actor)


async def list_run_proposals(program_id: int, run_id: int, actor: Actor, *, search: str = "",
                             limit: int = DEFAULT_LIMIT, offset: int = 0) -> Page[RunProposal]:
    """A finished run's proposals, best first, with explanations; ``search`` keeps those
    naming someone whose name contains it."""
    async def read(n: int, start: int) -> list[RunProposal]:
        return (await runs.run_proposals(program_id, run_id, actor, search=search, limit=n, offset=start))[0]

    return await read_page(read, limit, offset)


async def change_run_proposal(program_id: int, run_id: int, proposal_id: int, change: ProposalChange,
                              actor: Actor) -> RunProposal:
    """Remove or restore a proposal; pin it (the next run keeps the pair) or unpin it."""
    return await runs.change_proposal(program_id, run_id, proposal_id, change, actor)


async def swap_run_partners(program_id: int, run_id: int, proposal_id: int, other_id: int,
                            actor: Actor) -> list[RunProposal]:
    """Swap the partners (mentors) of two proposals; the strategy scores and explains the new
    pairs, and refuses (``ConflictError``) when a rule forbids one."""
    return await runs.swap_partners(program_id, run_id, proposal_id, other_id, actor)


async def publish_run(program_id: int, run_id: int, proposal_ids: Sequence[int], actor: Actor) -> PublishReport:
    """Make relationships of the listed proposals (every proposed one when empty), each
    through the relationship lifecycle (waiting for acceptance when the program asks); the
    ones that cannot be made any more are reported with why, the others go on."""
    return await runs.publish_proposals(program_id, run_id, proposal_ids, actor)
