"""A dry run on a participants export, and the settings' validation messages."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import msgspec
import pytest

from mentorkit_matching_smart.dry_run import dry_run, pool_from_csv
from mentorkit_matching_smart.settings import SmartMatchingSettings, settings_from

# The columns of the participants export (core/mentorkit/imports/export.py), with a BOM.
EXPORT = "\ufeff" + "\r\n".join([
    "email,display_name,role,state,capacity,time_zone,skills_offered,skills_sought,headline,department,"
    "answer:topics,answer:level,answer:story",
    "ana@example.org,Ana,Mentor,active,2,Europe/Madrid,Python; SQL,,Data engineer,Engineering,career; tech,4,",
    "bo@example.org,Bo,Mentor,active,,Asia/Tokyo,Design,,Illustrator,Design,art,2,",
    "mia@example.org,Mia,Mentee,active,,Europe/London,,python; sql,Analyst,Sales,tech,3,"
    "I would like to grow into data engineering and build pipelines",
    "leo@example.org,Leo,Mentee,active,,Europe/Paris,,design,Student,Design,art,1,"
    "I draw comics and would like to turn illustration into a career",
    "zoe@example.org,Zoe,Mentee,active,,UTC,,cooking,,Sales,,,",
    "old@example.org,Old,Mentee,withdrawn,,UTC,,python,,,,,",
]) + "\r\n"


def test_the_export_becomes_a_pool() -> None:
    p = pool_from_csv(EXPORT.encode())
    assert [(e.id, e.display_name, e.role) for e in p.enrolments] == [
        (2, "Ana", "mentor"), (3, "Bo", "mentor"), (4, "Mia", "mentee"), (5, "Leo", "mentee"), (6, "Zoe", "mentee")]
    ana, mia = p.enrolments[0], p.enrolments[2]
    assert (ana.capacity, ana.skills_offered, ana.department) == (2, ["python", "sql"], "Engineering")
    assert mia.skills_sought == ["python", "sql"]  # labels and keys compared case-insensitively
    assert {q.key: q.kind for q in p.questions} == {"topics": "tags", "level": "scale", "story": "long_text"}
    assert mia.answers == {"topics": ["tech"], "level": 3.0,
                           "story": "I would like to grow into data engineering and build pipelines"}


def test_dry_run_measures_the_result() -> None:
    outcome, metrics = dry_run(EXPORT.encode(), SmartMatchingSettings(min_score=0.4))
    assert (metrics.seekers, metrics.offerers) == (3, 2)
    assert metrics.matched == 2 and metrics.coverage == pytest.approx(2 / 3)
    assert 0.4 <= metrics.min_score <= metrics.mean_score <= 1
    assert outcome.unmatched[6].startswith("every possible mentor scores below the minimum score 0.40")


def test_the_command_prints_metrics_and_writes_the_assignment(mentorkit_cli: Any, tmp_path: Path) -> None:
    source, target = tmp_path / "participants.csv", tmp_path / "pairs.csv"
    source.write_text(EXPORT, encoding="utf-8")
    result = mentorkit_cli("match", "dry-run", str(source), "--set", "min_score=0.4",
                           "--set", "criterion_weights.topics=0.5", "--assignment", str(target))
    assert result.exit_code == 0, result.output
    assert "coverage: 2 of 3 matched (67%)" in result.output
    assert "score: mean " in result.output and ", minimum " in result.output
    assert "line 6 Zoe: every possible mentor scores below the minimum score 0.40" in result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["offerer_line", "offerer", "seeker_line", "seeker", "score", "why"]
    assert {(r[1], r[3]) for r in rows[1:] if r[1]} == {("Ana", "Mia"), ("Bo", "Leo")}


def test_the_command_names_a_bad_setting(mentorkit_cli: Any, tmp_path: Path) -> None:
    source = tmp_path / "participants.csv"
    source.write_text(EXPORT, encoding="utf-8")
    result = mentorkit_cli("match", "dry-run", str(source), "--set", "min_score=3")
    assert result.exit_code != 0
    assert "expected a minimum score from 0 to 1 - at `$.min_score`" in result.output


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"skills_weight": -1}, "skills_weight", "expected a weight from 0 to 100"),
    ({"criterion_weights": {"city": 500}}, "criterion_weights", "for 'city'"),
    ({"min_score": 1.5}, "min_score", "expected a minimum score from 0 to 1"),
    ({"mentors_per_mentee": 0}, "mentors_per_mentee", "from 1 to 10"),
    ({"max_time_zone_gap_hours": 30}, "max_time_zone_gap_hours", "from 0 to 24"),
    ({"objective": "speed"}, "objective", "Invalid enum value 'speed'"),
    ({"method": "magic"}, "method", "Invalid enum value 'magic'"),
    ({"colour": "red"}, "", "unknown field `colour`"),
    ({"fairness_floor": True, "objective": "score"}, "fairness_floor", "with the objective 'participation' only"),
])
def test_settings_errors_name_the_field(values: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        settings_from(values)
    assert words in str(caught.value)
    if field:
        assert str(caught.value).endswith(f"- at `$.{field}`")


def test_every_setting_has_a_default_and_strings_convert() -> None:
    settings = settings_from({"min_score": "0.5", "avoid_same_department": "true", "max_time_zone_gap_hours": "6"})
    assert (settings.min_score, settings.avoid_same_department, settings.max_time_zone_gap_hours) == (0.5, True, 6)
    assert SmartMatchingSettings() == msgspec.convert({}, SmartMatchingSettings)
