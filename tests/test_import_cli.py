"""``mentorkit import`` and ``mentorkit export``: the report, the exit status, the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mentorkit.imports.export import BOM
from mentorkit.programs.tables import Enrolment
from tests.test_import import GOOD, HEADER, person, program_with_questions


@pytest.fixture
def program(mentorkit_cli: Any, mentorkit_client: Any) -> int:
    """The test's database with a program (made on the client's app, on the same database)."""
    async def make() -> int:
        return await program_with_questions(await person("ada@example.org", admin=True))

    return int(mentorkit_client.run(make))


def test_import_by_slug_prints_the_report(mentorkit_cli: Any, mentorkit_client: Any, program: int,
                                          tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(GOOD)
    result = mentorkit_cli("import", "spring-cohort", str(file), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run, nothing written" in result.stdout and "2 people (2 new accounts)" in result.stdout
    assert mentorkit_client.run(Enrolment.count) == 0
    result = mentorkit_cli("import", str(program), str(file))
    assert result.exit_code == 0, result.output
    assert "Imported. 2 line(s): 2 people (2 new accounts), 2 enrolment(s)" in result.stdout
    assert mentorkit_client.run(Enrolment.count) == 2


def test_a_file_with_problems_exits_non_zero_and_imports_nothing(mentorkit_cli: Any, mentorkit_client: Any,
                                                                 program: int, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(HEADER + "ok@example.org,Ok,mentee,,,,Career,1\nnope,X,mentee,,,,Career,1\n")
    result = mentorkit_cli("import", "spring-cohort", str(file))
    assert result.exit_code == 1
    assert "line 3, email: “nope” is not an e-mail address" in result.stdout
    assert "--skip-bad-lines" in result.stderr
    assert mentorkit_client.run(Enrolment.count) == 0
    result = mentorkit_cli("import", "spring-cohort", str(file), "--skip-bad-lines")
    assert result.exit_code == 0 and "1 line(s) skipped" in result.stdout
    assert mentorkit_client.run(Enrolment.count) == 1


def test_unknown_programs_and_oversized_files_are_one_clear_line(mentorkit_cli: Any, program: int,
                                                                 tmp_path: Path) -> None:
    from mentorkit.imports import csv_reader

    file = tmp_path / "people.csv"
    file.write_text(GOOD)
    result = mentorkit_cli("import", "no-such-program", str(file))
    assert result.exit_code == 1 and "no program has the id or slug 'no-such-program'" in result.stderr
    with file.open("wb") as handle:
        handle.truncate(csv_reader.MAX_BYTES + 1)  # sparse: nothing is written, nothing is read
    result = mentorkit_cli("import", "spring-cohort", str(file))
    assert result.exit_code == 1 and "at most 10,000,000 bytes" in result.stderr


def test_export_writes_the_csv(mentorkit_cli: Any, program: int, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(GOOD)
    assert mentorkit_cli("import", "spring-cohort", str(source)).exit_code == 0
    out = tmp_path / "out.csv"
    result = mentorkit_cli("export", "spring-cohort", "--output", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith(BOM + "email,display_name,role,state") and "mia@example.org,Mia Mentee,mentee,active" in text
    assert mentorkit_cli("export", "spring-cohort").stdout == text
