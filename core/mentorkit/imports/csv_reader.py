"""Reading a participants CSV: the size limits, the encoding, the header row.

Everything here answers with ``Problem`` values rather than exceptions, so the whole file is
checked before anything is written and every problem is reported at once.

Encodings (decided once, documented in ``docs/import.md``): UTF-8 with or without a BOM is
read as is; UTF-16 with a BOM is unambiguous and decoded; anything else that is not valid
UTF-8 (Latin-1, Windows-1252, UTF-16 without a BOM) is refused with a message saying to save
the file as "CSV UTF-8", because guessing between the 8-bit code pages silently garbles names.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

import msgspec

# The largest file and the most lines an import takes (stated in docs/import.md). A file of
# 20,000 people with a dozen answers each is about 5 MB.
MAX_BYTES = 10_000_000
MAX_ROWS = 20_000

ANSWER_PREFIX = "answer:"
REQUIRED_COLUMNS = ("email", "role")
PROFILE_COLUMNS = ("email", "display_name", "role", "capacity", "time_zone", "skills_offered",
                   "skills_sought", "headline", "department")
# Exported for reading (``export.py``) and ignored by the import, so an export imports again.
IGNORED_COLUMNS = ("state",)
SAVE_AS_UTF8 = "save it as “CSV UTF-8” (in Excel: File, Save As, CSV UTF-8) and upload it again"


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing wrong with the file: ``line`` as a spreadsheet numbers it (the header is
    line 1; None for the whole file), the ``column`` it is in (None for the whole line)."""

    line: int | None
    column: str | None
    message: str


def file_problem(message: str, column: str | None = None) -> Problem:
    """A problem with the file as a whole (its size, encoding or header)."""
    return Problem(line=None, column=column, message=message)


def size_problem(size: int) -> Problem | None:
    """The size check, made before anything is read or parsed."""
    if size > MAX_BYTES:
        return file_problem(f"the file is {size:,} bytes; an import takes at most {MAX_BYTES:,} bytes "
                            f"and {MAX_ROWS:,} lines: split it into smaller files")
    return None


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem with its encoding."""
    if problem := size_problem(len(data)):
        return None, problem
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, file_problem(f"the file starts like UTF-16 but is not valid UTF-16: {SAVE_AS_UTF8}")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data:
        return None, file_problem(f"the file looks like UTF-16 without a byte-order mark: {SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, file_problem(f"the file is not UTF-8 (line {line} has a byte that is not; it looks like "
                                  f"Latin-1 or Windows-1252): {SAVE_AS_UTF8}")


def header_problems(header: list[str], question_keys: set[str]) -> tuple[list[str], list[Problem]]:
    """The header's column names (trimmed, lower-cased) and what is wrong with them: unknown,
    duplicate and missing required columns, each named."""
    names = [name.strip().lower() for name in header]
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(file_problem(f"the column “{name}” appears more than once", name))
        seen.add(name)
        if name.startswith(ANSWER_PREFIX):
            if name[len(ANSWER_PREFIX):] not in question_keys:
                known = ", ".join(sorted(question_keys)) or "none"
                problems.append(file_problem(
                    f"the column “{name}” names no question of this program (questions: {known})", name))
        elif name not in PROFILE_COLUMNS and name not in IGNORED_COLUMNS:
            problems.append(file_problem(
                f"unknown column “{name or '(empty)'}”; the columns are {', '.join(PROFILE_COLUMNS)} "
                f"and answer:<question key>", name))
    for required in REQUIRED_COLUMNS:
        if required not in seen:
            problems.append(file_problem(f"the required column “{required}” is missing", required))
    return names, problems


def read_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """The file's records numbered as a spreadsheet shows them (the header is line 1; a cell
    with line breaks in it is still one row)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            yield number, record
    except csv.Error as exc:
        raise CsvSyntaxError(number + 1, str(exc)) from None


class CsvSyntaxError(ValueError):
    """The CSV cannot be parsed from ``line`` on (an unclosed quote, a stray character)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
