"""Each criterion's value on hand-built pairs, and the must rules as a forbidden mask."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mentorkit.contracts import PoolQuestion
from mentorkit_matching_smart.scoring import PairScorer
from mentorkit_matching_smart.settings import SmartMatchingSettings
from mentorkit_matching_smart.testing import WINTER, mentee, mentor, pool

ONLY = {f"{k}_weight": 0.0 for k in ("skills", "goals", "seniority", "availability", "language", "time_zone",
                                      "department", "question")}


def only(key: str, **more: object) -> SmartMatchingSettings:
    """Settings where one criterion alone counts."""
    return SmartMatchingSettings(**{**ONLY, f"{key}_weight": 1.0, **more})  # type: ignore[arg-type]


def values(settings: SmartMatchingSettings, seekers: list, offerers: list, **pool_args: object) -> np.ndarray:
    scorer = PairScorer(pool(*seekers, *offerers, **pool_args), settings, seekers, offerers, now=WINTER)  # type: ignore[arg-type]
    return scorer.dense()


def test_skills_are_the_share_of_sought_skills_a_mentor_offers() -> None:
    mia = mentee("Mia", skills_sought=["python", "sql", "cloud"])
    nobody = mentee("Noa")
    both = mentor("Ana", skills_offered=["python", "sql", "design"])
    other = mentor("Bo", skills_offered=["design"])
    got = values(only("skills"), [mia, nobody], [both, other])
    assert got[0] == pytest.approx([2 / 3, 0.0])
    assert got[1] == pytest.approx([0.5, 0.5])  # nothing sought: neutral


def test_synonyms_arrive_as_one_canonical_key() -> None:
    # The core resolves "ML" and "machine learning" to one tag key before the pool is built.
    got = values(only("skills"), [mentee("Mia", skills_sought=["machine-learning"])],
                 [mentor("Ana", skills_offered=["machine-learning"])])
    assert got[0, 0] == pytest.approx(1.0)


def test_goals_compare_words_of_both_profiles() -> None:
    mia = mentee("Mia", bio="I want to grow as a data engineer and build reliable pipelines")
    ana = mentor("Ana", headline="Data engineer", bio="I build pipelines and teach data modelling")
    bo = mentor("Bo", headline="Illustrator", bio="Watercolour, typography, children's books")
    blank = mentor("Cy")
    got = values(only("goals"), [mia], [ana, bo, blank])
    assert got[0, 0] > 0.3
    assert got[0, 1] == pytest.approx(0.0)
    assert got[0, 2] == pytest.approx(0.5)


def test_seniority_wants_the_mentor_more_senior() -> None:
    junior = mentee("Mia", seniority="junior")
    senior, student, unknown = mentor("Ana", seniority="senior"), mentor("Bo", seniority="student"), mentor("Cy")
    got = values(only("seniority"), [junior], [senior, student, unknown])
    assert got[0] == pytest.approx([1.0, 0.0, 0.5])


def test_reverse_mentoring_inverts_seniority() -> None:
    executive = mentee("Exec", seniority="executive")
    junior, lead = mentor("Jun", seniority="junior"), mentor("Lea", seniority="lead")
    got = values(only("seniority"), [executive], [junior, lead], direction="junior_mentors")
    assert got[0] == pytest.approx([0.6, 1.0])  # both more junior: the right way round
    senior = values(only("seniority"), [executive], [junior, lead])
    assert senior[0] == pytest.approx([0.0, 0.0])


def test_time_zones_compare_utc_offsets_the_short_way_round() -> None:
    london = mentee("Mia", time_zone="Europe/London")
    tokyo = mentee("Ken", time_zone="Asia/Tokyo")
    madrid, new_york, bad = (mentor("Ana", time_zone="Europe/Madrid"), mentor("Bo", time_zone="America/New_York"),
                             mentor("Cy", time_zone="Mars/Olympus"))
    got = values(only("time_zone"), [london, tokyo], [madrid, new_york, bad])
    assert got[0] == pytest.approx([1 - 1 / 12, 1 - 5 / 12, 0.5])
    assert got[1, 1] == pytest.approx(1 - 10 / 12)  # 14 h one way is 10 h the other


@pytest.mark.parametrize("tables", [True, False], ids=["per-pattern table", "per block"])
def test_availability_overlaps_in_utc(tables: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not tables:
        monkeypatch.setattr("mentorkit_matching_smart.scoring.TABLE_ELEMENTS", 0)
    monday_9_to_11 = [{"day": 0, "start": "09:00", "end": "11:00"}]
    mia = mentee("Mia", time_zone="Europe/London", availability=monday_9_to_11)
    madrid = mentor("Ana", time_zone="Europe/Madrid", availability=[{"day": 0, "start": "10:00", "end": "12:00"}])
    new_york = mentor("Bo", time_zone="America/New_York", availability=[{"day": 0, "start": "04:00", "end": "08:00"}])
    tokyo = mentor("Cy", time_zone="Asia/Tokyo", availability=monday_9_to_11)
    silent = mentor("Di")
    settings = only("availability")
    got = values(settings, [mia], [madrid, new_york, tokyo, silent])
    assert got[0] == pytest.approx([1.0, 1.0, 0.0, 0.5])
    scorer = PairScorer(pool(mia, madrid, new_york, tokyo, silent), settings, [mia],
                        [madrid, new_york, tokyo, silent], now=WINTER)
    assert scorer.values(np.zeros(4, int), np.arange(4))["availability"] == pytest.approx([1.0, 1.0, 0.0, 0.5])


def test_availability_crossing_midnight_and_the_week_end() -> None:
    # Sunday 23:00-24:00 in Tokyo is Sunday 14:00-15:00 UTC; Monday 00:30 in Tokyo is Sunday 15:30 UTC.
    ken = mentee("Ken", time_zone="Asia/Tokyo", availability=[{"day": 6, "start": "23:00", "end": "24:00"}])
    ana = mentor("Ana", time_zone="UTC", availability=[{"day": 6, "start": "14:30", "end": "16:00"}])
    got = values(only("availability"), [ken], [ana])
    assert got[0, 0] == pytest.approx(0.5)  # 30 min together, of Ken's hour


def test_language_is_shared_or_not() -> None:
    mia = mentee("Mia", languages=["es-MX", "en"])
    got = values(only("language"), [mia, mentee("Noa")],
                 [mentor("Ana", languages=["es"]), mentor("Bo", languages=["fr"]), mentor("Cy")])
    assert got[0] == pytest.approx([1.0, 0.0, 0.5])
    assert got[1] == pytest.approx([0.5, 0.5, 0.5])


def test_department_preference_is_a_criterion() -> None:
    mia = mentee("Mia", department="Sales ")
    got = values(only("department"), [mia], [mentor("Ana", department="sales"), mentor("Bo", department="Legal")])
    assert got[0] == pytest.approx([0.0, 1.0])


def test_custom_questions_are_criteria() -> None:
    questions = [
        PoolQuestion(key="topics", label="Topics", kind="multiple_choice", matching_criterion=True,
                     choices=["career", "tech", "health"]),
        PoolQuestion(key="level", label="Level", kind="scale", matching_criterion=True),
        PoolQuestion(key="city", label="City", kind="short_text", matching_criterion=True),
        PoolQuestion(key="pet", label="Pet", kind="short_text", matching_criterion=False),
    ]
    settings = SmartMatchingSettings(**ONLY, criterion_weights={"topics": 1, "level": 1, "city": 1})  # type: ignore[arg-type]
    mia = mentee("Mia", answers={"topics": ["career", "tech"], "level": 1, "city": "Lyon", "pet": "cat"})
    ana = mentor("Ana", answers={"topics": ["tech"], "level": 5, "city": "lyon ", "pet": "dog"})
    scorer = PairScorer(pool(mia, ana, questions=questions), settings, [mia], [ana], now=WINTER)
    got = scorer.values(np.array([0]), np.array([0]))
    assert set(got) == {"topics", "level", "city"}
    assert got["topics"][0] == pytest.approx(0.5)  # Jaccard {career, tech} vs {tech}
    assert got["level"][0] == pytest.approx(0.0)  # the two ends of the answers given
    assert got["city"][0] == pytest.approx(1.0)  # case and spaces ignored


def test_score_is_the_weighted_mean_and_blocks_match_pairs() -> None:
    rng = np.random.default_rng(3)
    skills = ["python", "sql", "cloud", "design", "sales"]
    seekers = [mentee(f"m{i}", skills_sought=list(rng.choice(skills, 2, replace=False)), seniority="junior",
                      languages=["en"], time_zone="Europe/Madrid") for i in range(7)]
    offerers = [mentor(f"o{i}", skills_offered=list(rng.choice(skills, 3, replace=False)), seniority="senior",
                       languages=["en", "es"][: 1 + i % 2], time_zone="America/New_York") for i in range(5)]
    scorer = PairScorer(pool(*seekers, *offerers), SmartMatchingSettings(), seekers, offerers, now=WINTER)
    dense = scorer.dense()
    rows, cols = np.divmod(np.arange(35), 5)
    assert scorer.pair_scores(rows, cols) == pytest.approx(dense.ravel(), abs=1e-6)
    parts = scorer.values(rows, cols)
    weighted = sum(c.weight * parts[c.key] for c in scorer.criteria) / scorer.total_weight
    assert weighted == pytest.approx(dense.ravel(), abs=1e-6)
    assert ((dense >= 0) & (dense <= 1)).all()


def test_must_rules_forbid_pairs() -> None:
    mia = mentee("Mia", department="Sales", languages=["es"], time_zone="Europe/Madrid")
    same_dept = mentor("Ana", department="sales", languages=["es"], time_zone="Europe/Madrid")
    far = mentor("Bo", department="Legal", languages=["es"], time_zone="Asia/Tokyo")
    no_language = mentor("Cy", department="Legal", languages=["fr"], time_zone="Europe/Paris")
    avoided = mentor("Di", department="Legal", languages=["es"], time_zone="Europe/Paris")
    earlier = mentor("Ed", department="Legal", languages=["es"], time_zone="Europe/Paris")
    fine = mentor("Flo", department="Legal", languages=["es"], time_zone="Europe/Paris")
    mia = mentee("Mia", department="Sales", languages=["es"], time_zone="Europe/Madrid", avoid=[avoided.user_id])
    settings = SmartMatchingSettings(avoid_same_department=True, max_time_zone_gap_hours=3,
                                     require_shared_language=True)
    offerers = [same_dept, far, no_language, avoided, earlier, fine]
    scorer = PairScorer(pool(mia, *offerers, earlier=[(mia, earlier)]), settings, [mia], offerers, now=WINTER)
    got = scorer.dense()[0]
    assert [math.isnan(v) for v in got] == [True, True, True, True, True, False]
    counts = scorer.rule_counts(0, np.arange(6))
    assert counts == {"the same-department rule": 1, "the time-zone gap rule": 1, "the shared-language rule": 1,
                      'a "not with" wish': 1, "having been partners before": 1}


def test_avoid_works_from_the_mentor_side_and_earlier_partners_can_be_allowed() -> None:
    mia = mentee("Mia")
    ana = mentor("Ana", avoid=[mia.user_id])
    bo = mentor("Bo")
    scorer = PairScorer(pool(mia, ana, bo, earlier=[(bo, mia)]), SmartMatchingSettings(avoid_earlier_partners=False),
                        [mia], [ana, bo], now=WINTER)
    assert [math.isnan(v) for v in scorer.dense()[0]] == [True, False]


def test_the_same_person_is_never_paired_with_themselves() -> None:
    both = mentor("Ana", user_id=77)
    also = mentee("Ana as mentee", user_id=77)
    assert math.isnan(values(SmartMatchingSettings(), [also], [both])[0, 0])


def test_the_fast_block_equals_the_sum_of_the_criteria() -> None:
    rng = np.random.default_rng(5)
    skills = ["python", "sql", "cloud", "design", "sales"]
    words = ["data pipelines", "painting", "", "sales leadership", "python data"]

    def some(k: int) -> list[str]:
        return list(rng.choice(skills, int(rng.integers(0, k)), replace=False))

    seekers = [mentee(f"m{i}", skills_sought=some(3), bio=words[i % 5], department=["A", "B", ""][i % 3],
                      time_zone=["Europe/Madrid", "Asia/Tokyo", "Nowhere/City"][i % 3],
                      languages=[["en"], [], ["es"]][i % 3]) for i in range(12)]
    offerers = [mentor(f"o{i}", skills_offered=some(4), headline=words[(i + 2) % 5], department=["A", "C"][i % 2],
                       time_zone="America/New_York", languages=[["es"], []][i % 2],
                       availability=[{"day": i % 5, "start": "09:00", "end": "11:00"}] if i % 3 else [])
                for i in range(7)]
    seekers[0] = mentee("m0", avoid=[offerers[1].user_id])
    settings = SmartMatchingSettings(avoid_same_department=True, max_time_zone_gap_hours=8, department_weight=0.3)
    scorer = PairScorer(pool(*seekers, *offerers), settings, seekers, offerers, now=WINTER)
    reference = np.zeros((12, 7), np.float32)
    for c in scorer.criteria:
        reference += c.weight * c.block(slice(0, 12)) / scorer.total_weight
    reference[scorer.forbidden(slice(0, 12))] = np.nan
    fast = np.vstack([scorer.block(slice(0, 5)), scorer.block(slice(5, 12))])
    np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-6)
    assert np.isnan(fast).any() and not np.isnan(fast).all()
