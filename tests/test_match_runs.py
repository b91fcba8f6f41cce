"""Match runs: a strategy proposes for the whole program in the background with progress; the
run keeps proposals, metrics and reasons; coordinators cancel, edit (remove, pin, swap) and
publish; a new run shows its difference from the previous one."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from mentorkit import hookimpl
from mentorkit.accounts.services import create_user
from mentorkit.api import SYSTEM
from mentorkit.background import wait_for_background
from mentorkit.contracts import (
    CriterionScore,
    MatchingStrategy,
    MatchOutcome,
    MatchPool,
    MatchProposal,
    PoolEnrolment,
)
from mentorkit.errors import ConflictError, PermissionDenied, ValidationFailed
from mentorkit.matching import runs
from mentorkit.matching.schemas import ProposalChange
from mentorkit.matching.tables import MatchRun
from mentorkit.profiles import tags
from mentorkit.profiles.schemas import ProfileUpdate, VisibilityUpdate
from mentorkit.profiles.services import update_profile
from mentorkit.programs import enrolments
from mentorkit.programs import services as programs
from mentorkit.programs.schemas import ProgramCreate, ProgramUpdate
from mentorkit.relationships.reads import relationship_by_id


class SharedSkillsSettings(msgspec.Struct, forbid_unknown_fields=True):
    fail: bool = False
    bogus: bool = False


def _shared(mentee: PoolEnrolment, mentor: PoolEnrolment) -> MatchProposal:
    shared = sorted(set(mentee.skills_sought) & set(mentor.skills_offered))
    value = len(shared) / max(len(mentee.skills_sought), 1)
    return MatchProposal(members={"mentor": [mentor.id], "mentee": [mentee.id]}, score=value, explanation=[
        CriterionScore(key="skills", label="Shared skills", weight=1.0, value=value, contribution=value,
                       sentence=f"{mentor.display_name} offers {len(shared)} of the skills "
                                f"{mentee.display_name} seeks.")])


async def propose(pool: MatchPool, settings: SharedSkillsSettings, progress: Any) -> MatchOutcome:
    """Best pair first, within remaining places; the pinned pairs first of all."""
    if settings.fail:
        raise RuntimeError("the scoring service is unreachable")
    mentees, mentors = pool.in_role("mentee"), pool.in_role("mentor")
    room = {m.id: m.remaining for m in mentors}
    by_id = {e.id: e for e in pool.enrolments}
    chosen: list[MatchProposal] = []
    done: set[int] = set()
    for pin in pool.pinned:
        chosen.append(_shared(by_id[pin["mentee"][0]], by_id[pin["mentor"][0]]))
        room[pin["mentor"][0]] -= 1
        done.add(pin["mentee"][0])
    candidates = sorted((_shared(a, b) for a in mentees if a.remaining and a.id not in done for b in mentors),
                        key=lambda p: -p.score)
    for number, proposal in enumerate(candidates):
        progress(number, len(candidates), "pairing")
        mentee, mentor = proposal.members["mentee"][0], proposal.members["mentor"][0]
        if mentee in done or room[mentor] <= 0 or proposal.score == 0:
            continue
        chosen.append(proposal)
        room[mentor] -= 1
        done.add(mentee)
    if settings.bogus:
        chosen.append(MatchProposal(members={"mentor": [999], "mentee": [mentees[0].id]}))
    return MatchOutcome(proposals=chosen, unmatched={m.id: "shares no skill with a mentor who has room"
                                                     for m in mentees if m.id not in done},
                        notes=["Best pair first."], proven_optimal=False)


async def explain(pool: MatchPool, members: dict[str, list[int]], settings: Any) -> MatchProposal | None:
    by_id = {e.id: e for e in pool.enrolments}
    mentee, mentor = by_id[members["mentee"][0]], by_id[members["mentor"][0]]
    return None if mentee.display_name == "Forbidden" else _shared(mentee, mentor)


# Lets a test hold a run mid-way: the strategy waits for it after its first progress report.
GATE: dict[str, asyncio.Event] = {}


async def slow_propose(pool: MatchPool, settings: Any, progress: Any) -> list[MatchProposal]:
    for step in range(1000):
        progress(step, 1000, "thinking")
        if step == 1:
            await GATE["go"].wait()
        await asyncio.sleep(0)
    return []


class Strategies:
    @hookimpl
    def register_matching_strategies(self, register: Any) -> None:
        register(MatchingStrategy(key="shared_skills", label="Shared skills", propose=propose, explain=explain,
                                  settings=SharedSkillsSettings, explains_to_participants=lambda s: not s.bogus))
        register(MatchingStrategy(key="slow", label="Slow", propose=slow_propose))


@pytest.fixture
def mentorkit_plugins() -> list[tuple[str, object]]:
    return [("strategies", Strategies())]


async def person(name: str, admin: bool = False, **profile: Any) -> Any:
    user = await create_user(email=f"{name.lower()}@example.org", display_name=name, password="correct horse battery "
                             "staple", is_admin=admin)
    if profile:
        await update_profile(user, ProfileUpdate(**profile))
    return user


async def cohort(strategy: str = "shared_skills", **settings: Any) -> dict[str, Any]:
    """Ada coordinates; mentors Mo (python, sql; 2 places) and Max (design); mentees Mia
    (python), Mel (sql), Meg (design) and Pat (cooking: nobody offers it)."""
    ada = await person("Ada", admin=True)
    for label in ("Python", "SQL", "Design", "Cooking"):
        await tags.create_tag(label, ada)
    people = {
        "Mo": await person("Mo", skills_offered=["python", "sql"]),
        "Max": await person("Max", skills_offered=["design"]),
        "Mia": await person("Mia", skills_sought=["python"]),
        "Mel": await person("Mel", skills_sought=["sql"]),
        "Meg": await person("Meg", skills_sought=["design"]),
        "Pat": await person("Pat", skills_sought=["cooking"]),
    }
    program = await programs.create_program(ProgramCreate(
        slug="spring", name="Spring", matching_strategy=strategy, strategy_settings=settings), ada)
    await programs.change_program_state(program.id, "enrolling", ada)
    enrolled = {name: await programs.enrol(program.id, "mentor" if name.startswith("M") and name in ("Mo", "Max")
                                           else "mentee", user) for name, user in people.items()}
    await enrolments.update_enrolment(program.id, enrolled["Mo"].id, people["Mo"], capacity=2)
    return {"ada": ada, "program": program, "people": people, "enrolled": enrolled}


def names(proposal: Any) -> set[str]:
    return {m.display_name for m in proposal.members}


async def test_a_run_proposes_with_explanations_metrics_and_reasons(mentorkit_runtime: Any) -> None:
    world = await cohort()
    ada, program = world["ada"], world["program"]
    run = await runs.start_run(program.id, ada, wait=True)
    assert (run.number, run.state, run.strategy_label) == (1, "done", "Shared skills")
    proposals, total = await runs.run_proposals(program.id, run.id, ada)
    assert total == 3
    assert [names(p) for p in proposals] == [{"Mo", "Mia"}, {"Mo", "Mel"}, {"Max", "Meg"}]
    assert proposals[0].explanation[0].sentence == "Mo offers 1 of the skills Mia seeks."
    assert {p.change for p in proposals} == {""}  # a first run has nothing to compare with
    assert (run.metrics.seekers, run.metrics.matched, run.metrics.proposals) == (4, 3, 3)
    assert run.metrics.coverage == pytest.approx(0.75)
    assert (run.metrics.mean_score, run.metrics.min_score) == (1.0, 1.0)
    assert run.metrics.notes == ["Best pair first."] and run.metrics.proven_optimal is False
    assert [(u.display_name, u.reason) for u in run.unmatched] == [("Pat", "shares no skill with a mentor who has "
                                                                           "room")]
    assert run.settings == {"fail": False, "bogus": False}


async def test_progress_shows_while_it_runs_and_cancelling_keeps_nothing(mentorkit_runtime: Any) -> None:
    world = await cohort("slow")
    ada, program = world["ada"], world["program"]
    GATE["go"] = asyncio.Event()
    run = await runs.start_run(program.id, ada)
    for _ in range(100):
        seen = await runs.run_view(program.id, run.id, ada)
        if seen.done:
            break
        await asyncio.sleep(0.01)
    assert (seen.state, seen.done, seen.total, seen.stage) == ("running", 1, 1000, "thinking")
    with pytest.raises(ConflictError, match="under way"):
        await runs.start_run(program.id, ada)
    cancelled = await runs.cancel_run(program.id, run.id, ada)
    GATE["go"].set()
    await wait_for_background()
    assert cancelled.state == "cancelled"
    after = await runs.run_view(program.id, run.id, ada)
    assert after.state == "cancelled" and after.done == 0
    assert (await runs.run_proposals(program.id, run.id, ada))[1] == 0
    with pytest.raises(ConflictError, match="not running"):
        await runs.cancel_run(program.id, run.id, ada)


async def test_a_strategy_that_raises_or_proposes_nonsense_is_reported_not_crashed(mentorkit_runtime: Any) -> None:
    world = await cohort(fail=True)
    ada, program = world["ada"], world["program"]
    run = await runs.start_run(program.id, ada, wait=True)
    assert run.state == "failed"
    assert run.error == ("the strategy “Shared skills” failed: RuntimeError: the scoring service is unreachable")
    await programs.update_program(program.id, ProgramUpdate(strategy_settings={"bogus": True}), ada)
    run = await runs.start_run(program.id, ada, wait=True)
    assert run.state == "done" and run.metrics.proposals == 3
    assert run.metrics.left_out == ["Proposal 4 names enrolment 999, which is not in the pool."]


async def test_an_empty_pool_runs_and_says_so(mentorkit_runtime: Any) -> None:
    ada = await person("Ada", admin=True)
    program = await programs.create_program(ProgramCreate(slug="empty", name="Empty",
                                                          matching_strategy="shared_skills"), ada)
    await programs.change_program_state(program.id, "enrolling", ada)
    run = await runs.start_run(program.id, ada, wait=True)
    assert (run.state, run.metrics.seekers, run.metrics.proposals, run.metrics.coverage) == ("done", 0, 0, 0.0)
    assert run.unmatched == [] and run.metrics.mean_score is None


async def test_who_may_run_and_which_strategies_and_programs_can(mentorkit_runtime: Any) -> None:
    world = await cohort()
    ada, program, mia = world["ada"], world["program"], world["people"]["Mia"]
    with pytest.raises(PermissionDenied):
        await runs.start_run(program.id, mia, wait=True)
    run = await runs.start_run(program.id, ada, wait=True)
    for call in (runs.run_view(program.id, run.id, mia), runs.run_proposals(program.id, run.id, mia),
                 runs.publish_proposals(program.id, run.id, [], mia)):
        with pytest.raises(PermissionDenied):
            await call
    await programs.update_program(program.id, ProgramUpdate(matching_strategy="manual"), ada)
    with pytest.raises(ConflictError, match="proposes no matches itself"):
        await runs.start_run(program.id, ada, wait=True)


async def test_remove_pin_swap_and_publish_selected(mentorkit_runtime: Any) -> None:
    world = await cohort()
    ada, program = world["ada"], world["program"]
    await programs.update_program(program.id, ProgramUpdate(acceptance="one_sided"), ada)
    run = await runs.start_run(program.id, ada, wait=True)
    proposals, _ = await runs.run_proposals(program.id, run.id, ada)
    mo_mia, mo_mel, max_meg = proposals
    removed = await runs.change_proposal(program.id, run.id, mo_mel.id, ProposalChange(action="remove"), ada)
    assert removed.status == "removed"
    pinned = await runs.change_proposal(program.id, run.id, mo_mia.id, ProposalChange(action="pin"), ada)
    assert pinned.pinned and pinned.status == "proposed"
    # Swapping mentors: Mia gets Max, Meg gets Mo; the strategy explains both new pairs.
    swapped = await runs.swap_partners(program.id, run.id, mo_mia.id, max_meg.id, ada)
    assert [names(p) for p in swapped] == [{"Max", "Mia"}, {"Mo", "Meg"}]
    assert [p.score for p in swapped] == [0.0, 0.0] and all(p.edited for p in swapped)
    assert swapped[0].explanation[0].sentence == "Max offers 0 of the skills Mia seeks."
    back = await runs.swap_partners(program.id, run.id, mo_mia.id, max_meg.id, ada)
    assert [names(p) for p in back] == [{"Mo", "Mia"}, {"Max", "Meg"}] and back[0].score == 1.0
    with pytest.raises(ValidationFailed):
        await runs.swap_partners(program.id, run.id, mo_mia.id, mo_mia.id, ada)
    report = await runs.publish_proposals(program.id, run.id, [mo_mia.id], ada)
    assert report.problems == {} and len(report.published) == 1
    relationship = await relationship_by_id(report.published[0])
    assert relationship is not None and relationship.state == "pending" and relationship.source == "shared_skills"
    with pytest.raises(ValidationFailed, match="at least one proposal"):
        await runs.publish_proposals(program.id, run.id, [mo_mel.id], ada)  # removed: nothing to publish
    with pytest.raises(ConflictError, match="published already"):
        await runs.change_proposal(program.id, run.id, mo_mia.id, ProposalChange(action="remove"), ada)
    # Everything left: Max & Meg goes; Mo & Mel stays removed.
    rest = await runs.publish_proposals(program.id, run.id, [], ada)
    assert len(rest.published) == 1 and rest.problems == {}
    statuses = {frozenset(names(p)): p.status for p in (await runs.run_proposals(program.id, run.id, ada))[0]}
    assert statuses == {frozenset({"Mo", "Mia"}): "published", frozenset({"Mo", "Mel"}): "removed",
                        frozenset({"Max", "Meg"}): "published"}


async def test_publishing_reports_a_proposal_that_cannot_be_made_any_more(mentorkit_runtime: Any) -> None:
    world = await cohort()
    ada, program, enrolled, people = world["ada"], world["program"], world["enrolled"], world["people"]
    run = await runs.start_run(program.id, ada, wait=True)
    await programs.withdraw_enrolment(program.id, enrolled["Meg"].id, people["Meg"])
    report = await runs.publish_proposals(program.id, run.id, [], ada)
    assert len(report.published) == 2
    [(proposal_id, problem)] = report.problems.items()
    assert problem  # the lifecycle's own words
    left = [p for p in (await runs.run_proposals(program.id, run.id, ada))[0] if p.id == proposal_id]
    assert left[0].status == "proposed" and left[0].relationship_id is None


async def test_a_new_run_keeps_pins_and_shows_its_difference(mentorkit_runtime: Any) -> None:
    world = await cohort()
    ada, program, people, enrolled = world["ada"], world["program"], world["people"], world["enrolled"]
    first = await runs.start_run(program.id, ada, wait=True)
    proposals, _ = await runs.run_proposals(program.id, first.id, ada)
    # Pin Mo & Mel; then Mel stops seeking sql, so the strategy alone would not pair them.
    await runs.change_proposal(program.id, first.id, proposals[1].id, ProposalChange(action="pin"), ada)
    await update_profile(people["Mel"], ProfileUpdate(skills_sought=["cooking"]))
    await enrolments.update_enrolment(program.id, enrolled["Max"].id, people["Max"], paused=True)
    second = await runs.start_run(program.id, ada, wait=True)
    assert second.number == 2
    changed, _ = await runs.run_proposals(program.id, second.id, ada)
    assert {frozenset(names(p)): (p.change, p.pinned) for p in changed} == {
        frozenset({"Mo", "Mel"}): ("kept", True), frozenset({"Mo", "Mia"}): ("kept", False)}
    assert second.diff is not None
    assert (second.diff.previous_number, second.diff.kept, second.diff.new, second.diff.dropped) == (
        1, 2, 0, ["Max & Meg"])
    listed, count = await runs.list_runs(program.id, ada)
    assert count == 2 and [r.number for r in listed] == [2, 1]


async def test_data_rights_export_what_runs_said_about_someone_and_erase_it(mentorkit_runtime: Any) -> None:
    from mentorkit.privacy.services import erase_user, export_user

    world = await cohort()
    ada, program, people = world["ada"], world["program"], world["people"]
    run = await runs.start_run(program.id, ada, wait=True)
    about_mia = (await export_user(people["Mia"].id))["data"]["mentorkit.builtin.data_rights"]
    assert about_mia["match_proposals"][0]["explanation"] == ["Mo offers 1 of the skills Mia seeks."]
    started = (await export_user(ada.id))["data"]["mentorkit.builtin.data_rights"]
    assert [r["number"] for r in started["match_runs_started"]] == [1]

    await erase_user(people["Mia"].id, ada)
    await erase_user(people["Pat"].id, ada)
    proposals, _ = await runs.run_proposals(program.id, run.id, ada)
    mia_pair = next(p for p in proposals if "Mo" in names(p) and p.explanation == [])
    assert "Mia" not in names(mia_pair)  # her name is gone from the pair too
    assert all(p.explanation for p in proposals if p.id != mia_pair.id)
    after = await runs.run_view(program.id, run.id, ada)
    assert after.unmatched == []  # Pat's reason went with him
    await erase_user(ada.id, None)
    assert (await runs.run_view(program.id, run.id, SYSTEM)).started_by == "the system"


async def test_members_read_why_they_were_matched_where_the_strategy_allows(mentorkit_runtime: Any) -> None:
    world = await cohort()
    ada, program, people = world["ada"], world["program"], world["people"]
    run = await runs.start_run(program.id, ada, wait=True)
    report = await runs.publish_proposals(program.id, run.id, [], ada)
    mia_pair = [await relationship_by_id(i) for i in report.published]
    [mine] = [r for r in mia_pair if r is not None and any(m.display_name == "Mia" for m in r.members)]
    assert await runs.why_matched(mine, people["Mia"]) == ["Mo offers 1 of the skills Mia seeks."]
    assert await runs.why_matched(mine, people["Mo"]) == ["Mo offers 1 of the skills Mia seeks."]
    assert await runs.why_matched(mine, people["Mel"]) == []  # not a member
    assert await runs.why_matched(mine, ada) == []  # coordinators read the run page instead
    # Mo shows his skills to staff only: the sentence about skills is not Mia's to read.
    await update_profile(people["Mo"], ProfileUpdate(visibility=VisibilityUpdate(skills="staff")))
    assert await runs.why_matched(mine, people["Mia"]) == []
    assert await runs.why_matched(mine, people["Mo"]) == ["Mo offers 1 of the skills Mia seeks."]
    # The run's own settings decide: settings the strategy says no to show nothing.
    await MatchRun.update({MatchRun.settings: '{"bogus": true}'}).where(MatchRun.id == run.id)
    assert await runs.why_matched(mine, people["Mo"]) == []
