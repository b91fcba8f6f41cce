"""The smart strategy end to end: proposals with explanations, reasons for the unmatched,
suggestions, swaps, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from mentorkit import hookimpl
from mentorkit.contracts import MatchCriterion, MatchOutcome, MatchRunCancelled, PoolQuestion, PoolRole
from mentorkit_matching_smart.settings import SmartMatchingSettings
from mentorkit_matching_smart.strategy import SMART
from mentorkit_matching_smart.testing import mentee, mentor, pairs_of, person, pool

MONDAY = [{"day": 0, "start": "09:00", "end": "12:00"}]


def progress(done: int, total: int, stage: str) -> None:
    assert stage in {"scoring pairs", "solving", "explaining"}


async def propose(p: Any, settings: SmartMatchingSettings | None = None) -> MatchOutcome:
    assert SMART.propose is not None
    outcome = await SMART.propose(p, settings or SmartMatchingSettings(), progress)
    assert isinstance(outcome, MatchOutcome)
    return outcome


async def test_each_mentee_gets_the_mentor_who_fits_and_reads_why() -> None:
    mia = mentee("Mia", skills_sought=["python", "sql", "cloud", "dbt", "spark"], seniority="junior",
                 languages=["es"], time_zone="Europe/London", availability=MONDAY)
    leo = mentee("Leo", skills_sought=["design"], time_zone="Europe/London")
    ana = mentor("Ana", skills_offered=["python", "sql", "cloud", "dbt"], seniority="senior", languages=["es", "en"],
                 time_zone="America/New_York", availability=[{"day": 0, "start": "04:00", "end": "07:00"}])
    bo = mentor("Bo", skills_offered=["design"], time_zone="Europe/Paris")
    outcome = await propose(pool(mia, leo, ana, bo))
    assert pairs_of(outcome) == {(ana.id, mia.id), (bo.id, leo.id)}
    [first] = [p for p in outcome.proposals if p.members["mentee"] == [mia.id]]
    sentences = [c.sentence for c in first.explanation]
    assert "Shares 4 of the 5 skills Mia seeks (python, sql, cloud, …)." in sentences
    assert "5 h time-zone difference." in sentences
    assert "Both speak Spanish." in sentences
    assert "Mentor is more senior (Senior → Junior)." in sentences
    assert "Available together 3 h a week." in sentences
    criteria = [c for c in first.explanation if not c.key.startswith("rule:")]
    assert sum(c.contribution for c in criteria) == pytest.approx(first.score, abs=1e-3)
    assert outcome.unmatched == {}
    assert any(n.startswith("Objective: match as many mentees") for n in outcome.notes)


async def test_must_rules_are_never_proposed() -> None:
    mia = mentee("Mia", department="Sales", languages=["es"], time_zone="Europe/Madrid", skills_sought=["sql"])
    rules = SmartMatchingSettings(avoid_same_department=True, max_time_zone_gap_hours=4, require_shared_language=True,
                                  min_score=0.0)
    same_dept = mentor("Ana", department="Sales", languages=["es"], skills_offered=["sql"], capacity=3)
    far = mentor("Bo", languages=["es"], time_zone="Asia/Tokyo", skills_offered=["sql"], capacity=3)
    mute = mentor("Cy", languages=["de"], skills_offered=["sql"], capacity=3)
    avoided = mentor("Di", languages=["es"], skills_offered=["sql"], capacity=3)
    before = mentor("Ed", languages=["es"], skills_offered=["sql"], capacity=3)
    mia = mentee("Mia", department="Sales", languages=["es"], time_zone="Europe/Madrid", skills_sought=["sql"],
                 avoid=[avoided.user_id])
    outcome = await propose(pool(mia, same_dept, far, mute, avoided, before, earlier=[(before, mia)]), rules)
    assert outcome.proposals == []
    reason = outcome.unmatched[mia.id]
    assert reason.startswith("every mentor with room is excluded by a rule:")
    for words in ("same-department", "time-zone gap", "shared-language", '"not with"', "partners before"):
        assert words in reason


async def test_rules_passed_are_part_of_the_explanation() -> None:
    mia = mentee("Mia", department="Sales")
    ana = mentor("Ana", department="Legal")
    outcome = await propose(pool(mia, ana), SmartMatchingSettings(avoid_same_department=True, min_score=0))
    sentences = [c.sentence for c in outcome.proposals[0].explanation if c.key.startswith("rule:")]
    assert "They work in different departments, as the program requires." in sentences
    assert "They have not been partners in this program before." in sentences


async def test_bad_input_gives_outcomes_with_reasons() -> None:
    empty = await propose(pool())
    assert empty.proposals == [] and "no mentee is enrolled" in " ".join(empty.notes)

    ana = mentor("Ana")
    only_mentors = await propose(pool(ana))
    assert only_mentors.proposals == [] and "Nobody to match" in " ".join(only_mentors.notes)

    mia = mentee("Mia")
    only_mentees = await propose(pool(mia))
    assert only_mentees.unmatched == {mia.id: "no mentor is enrolled"}

    full = mentor("Bo", capacity=1, open_relationships=1)
    paused = mentor("Cy", paused=True)
    no_room = await propose(pool(mia, full, paused))
    assert no_room.unmatched == {mia.id: "no mentor has room left", paused.id: "paused"}

    peers = await propose(pool(mentee("Pat"), roles=[PoolRole(role="peer", label="Peer", takes_capacity=True)]))
    assert "only one (Peer)" in peers.notes[0]

    unknown = pool(person("x", "X"), roles=[])
    assert (await propose(unknown)).notes[0].startswith("The format 'one_to_one' is not installed")


async def test_capacity_below_demand_is_explained() -> None:
    mentees = [mentee(f"M{i}", skills_sought=["sql"]) for i in range(3)]
    ana = mentor("Ana", skills_offered=["sql"], capacity=2)
    outcome = await propose(pool(*mentees, ana))
    assert len(outcome.proposals) == 2
    [(left, reason)] = outcome.unmatched.items()
    assert left in {m.id for m in mentees}
    assert reason.startswith("capacity below demand: 3 mentees for 2 places")
    assert "Capacity below demand: 3 mentees for 2 places." in outcome.notes


async def test_missing_answers_and_low_scores_are_reasons() -> None:
    question = PoolQuestion(key="goal", label="Your goal", kind="single_choice", matching_criterion=True,
                            choices=["a", "b"])
    mia = mentee("Mia")  # no skills, no answer
    leo = mentee("Leo", skills_sought=["sql"], availability=MONDAY, languages=["en"], answers={"goal": "b"})
    ana = mentor("Ana", skills_offered=["sql"], answers={"goal": "a"})
    outcome = await propose(pool(mia, leo, ana, questions=[question]), SmartMatchingSettings(min_score=0.9))
    reason = outcome.unmatched[mia.id]
    assert reason.startswith("every possible mentor scores below the minimum score 0.90")
    assert reason.endswith("; missing profile answers: skills sought, availability, languages, 'Your goal'")
    nobody_gave = await propose(pool(mia, ana, questions=[question]), SmartMatchingSettings(min_score=0.9))
    assert nobody_gave.unmatched[mia.id].endswith("; missing profile answers: 'Your goal'")


async def test_paused_and_full_mentees_wait() -> None:
    paused, full = mentee("P", paused=True), mentee("F", capacity=1, open_relationships=1)
    outcome = await propose(pool(paused, full, mentor("Ana")))
    assert outcome.unmatched[paused.id] == "paused"
    assert outcome.unmatched[full.id].startswith("already in 1 open relationship")


async def test_mentors_per_mentee_and_capacity() -> None:
    mia = mentee("Mia", capacity=2, skills_sought=["sql"])
    ana, bo = mentor("Ana", skills_offered=["sql"]), mentor("Bo", skills_offered=["sql"])
    one = await propose(pool(mia, ana, bo))
    assert len(one.proposals) == 1
    two = await propose(pool(mia, ana, bo), SmartMatchingSettings(mentors_per_mentee=2))
    assert pairs_of(two) == {(ana.id, mia.id), (bo.id, mia.id)}


async def test_pinned_pairs_are_kept_and_matched_around() -> None:
    mia, leo = mentee("Mia", skills_sought=["sql"]), mentee("Leo", skills_sought=["sql"])
    ana, bo = mentor("Ana", skills_offered=["sql"]), mentor("Bo", skills_offered=["design"])
    p = pool(mia, leo, ana, bo, pinned=[{"mentor": [bo.id], "mentee": [mia.id]}])
    outcome = await propose(p, SmartMatchingSettings(min_score=0))
    assert pairs_of(outcome) == {(bo.id, mia.id), (ana.id, leo.id)}


async def test_a_cancelled_run_stops() -> None:
    def cancel(done: int, total: int, stage: str) -> None:
        raise MatchRunCancelled()

    assert SMART.propose is not None
    with pytest.raises(MatchRunCancelled):
        await SMART.propose(pool(mentee("Mia"), mentor("Ana")), SmartMatchingSettings(), cancel)


async def test_suggest_ranks_partners_for_either_side_and_skips_paused_and_full() -> None:
    mia = mentee("Mia", skills_sought=["sql", "python"])
    best = mentor("Ana", skills_offered=["sql", "python"])
    good = mentor("Bo", skills_offered=["sql"])
    paused = mentor("Cy", skills_offered=["sql", "python"], paused=True)
    full = mentor("Di", skills_offered=["sql", "python"], open_relationships=1)
    p = pool(mia, best, good, paused, full, mentee("Leo", skills_sought=["design"]))
    assert SMART.suggest is not None
    found = await SMART.suggest(p, mia, 5, SmartMatchingSettings(min_score=0))
    assert [s.members["mentor"] for s in found] == [[best.id], [good.id]]
    assert found[0].explanation[0].sentence == "Offers all 2 skills Mia seeks (sql, python)."
    for_mentor = await SMART.suggest(p, good, 1, SmartMatchingSettings(min_score=0))
    assert [s.members["mentee"] for s in for_mentor] == [[mia.id]]
    ana = mentor("Ana", skills_offered=["sql"], bio="Private story about sql pipelines")
    writer = mentee("Wren", skills_sought=["sql"], bio="sql pipelines")
    told = await SMART.suggest(pool(writer, ana), writer, 1, SmartMatchingSettings())
    assert "Their goals and profiles have words in common." in [c.sentence for c in told[0].explanation]
    quiet = await SMART.suggest(p, mia, 1, SmartMatchingSettings(explain_to_participants=False))
    assert quiet[0].explanation == []
    assert await SMART.suggest(p, paused, 3, SmartMatchingSettings()) == []


async def test_explain_scores_a_swapped_pair_or_refuses_a_forbidden_one() -> None:
    mia = mentee("Mia", skills_sought=["sql"], department="Sales")
    ana, bo = mentor("Ana", skills_offered=["sql"], department="Legal"), mentor("Bo", department="Sales")
    p = pool(mia, ana, bo)
    settings = SmartMatchingSettings(avoid_same_department=True)
    assert SMART.explain is not None
    fine = await SMART.explain(p, {"mentor": [ana.id], "mentee": [mia.id]}, settings)
    assert fine is not None and fine.score > 0.3 and fine.explanation
    assert await SMART.explain(p, {"mentor": [bo.id], "mentee": [mia.id]}, settings) is None


class CityCriterion:
    """A throwaway plugin adding a "same city" criterion (NaN forbids other continents)."""

    @hookimpl
    def register_match_criteria(self, register: Callable[..., None]) -> None:
        def score(pool: Any, seekers: Any, offerers: Any) -> Any:
            out = np.array([[1.0 if a.answers.get("city") == b.answers.get("city") else 0.0 for b in offerers]
                            for a in seekers])
            out[[[a.answers.get("city") == "Sydney" for _ in offerers] for a in seekers]] = np.nan
            return out

        register(MatchCriterion(key="city", label="Same city", score=score, weight=5.0,
                                sentence=lambda a, b, v: f"Both live in {a.answers['city']}." if v else ""))


@pytest.fixture
def city_plugin(mentorkit_plugins: list[tuple[str, object]]) -> None:
    mentorkit_plugins.append(("city_criterion", CityCriterion()))


async def test_a_plugin_criterion_counts_and_forbids(city_plugin: None, mentorkit_runtime: Any) -> None:
    assert "city" in mentorkit_runtime.match_criteria
    mia = mentee("Mia", answers={"city": "Lyon"})
    kim = mentee("Kim", answers={"city": "Sydney"})
    ana, bo = mentor("Ana", answers={"city": "Lyon"}), mentor("Bo", answers={"city": "Oslo"}, capacity=2)
    outcome = await propose(pool(mia, kim, ana, bo), SmartMatchingSettings(min_score=0))
    assert pairs_of(outcome) == {(ana.id, mia.id)}
    [proposal] = outcome.proposals
    assert proposal.explanation[0].key == "city"
    assert proposal.explanation[0].sentence == "Both live in Lyon."
    assert "the same city rule (2)" in outcome.unmatched[kim.id]
    lighter = await propose(pool(mia, ana, bo), SmartMatchingSettings(criterion_weights={"city": 0.0}))
    assert all(c.key != "city" for p in lighter.proposals for c in p.explanation)
