"""Try smart matching on a participants CSV (the program's export) without a database.

``pool_from_csv`` reads the export's columns (``email``, ``display_name``, ``role``, ``state``,
``capacity``, ``time_zone``, ``skills_offered``, ``skills_sought``, ``headline``,
``department`` and ``answer:<key>``); enrolment and account ids are the line numbers (the
header is line 1). ``dry_run`` matches it and measures the result; ``mentorkit match
dry-run FILE.csv`` prints that.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Sequence
from typing import Any

import click
import msgspec

from mentorkit.contracts import MatchOutcome, MatchPool, PoolEnrolment, PoolProgram, PoolQuestion, PoolRole
from mentorkit_matching_smart.settings import SmartMatchingSettings, settings_from
from mentorkit_matching_smart.strategy import registered_criteria, run, sides_of

ANSWER_PREFIX = "answer:"
_SPLIT = re.compile(r"\s*[;,]\s*")
_LONG_TEXT = 40  # answers this long on average are free text (compared as goals)


class DryRunMetrics(msgspec.Struct, kw_only=True):
    """What a dry run measured."""

    seekers: int
    offerers: int
    proposals: int
    matched: int
    coverage: float
    mean_score: float
    min_score: float
    seconds: float


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _tags(cell: str) -> list[str]:
    return list(dict.fromkeys(t.casefold() for t in _SPLIT.split(cell.strip().lstrip("'")) if t))


def _question_kind(cells: Sequence[str]) -> str:
    filled = [c for c in cells if c.strip()]
    if not filled:
        return "short_text"
    if all(re.fullmatch(r"-?\d+(\.\d+)?", c.strip()) for c in filled):
        return "scale"
    if sum(len(c) for c in filled) / len(filled) >= _LONG_TEXT:
        return "long_text"
    if any(_SPLIT.search(c.strip()) for c in filled):
        return "tags"
    return "short_text"


def pool_from_csv(data: bytes, *, offering: str = "mentor", seeking: str = "mentee",
                  direction: str = "senior_mentors", default_capacity: int = 1) -> MatchPool:
    """A ``MatchPool`` from a participants CSV: active lines only (an empty ``state`` counts as
    active), roles by their label or key (``Mentor`` is ``mentor``), answer columns as
    matching questions (numbers: a scale; long texts: compared as goals; several values: tags)."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        header = []
    lines = [dict(zip(header, row, strict=False)) for row in reader]
    answer_keys = [h.removeprefix(ANSWER_PREFIX) for h in header if h.startswith(ANSWER_PREFIX)]
    questions = [PoolQuestion(key=key, label=key.replace("_", " ").capitalize(),
                              kind=_question_kind([line.get(ANSWER_PREFIX + key, "") for line in lines]),
                              matching_criterion=True) for key in answer_keys]
    kinds = {q.key: q.kind for q in questions}
    enrolments = []
    for number, line in enumerate(lines, start=2):
        if (line.get("state") or "active").strip().lower() != "active":
            continue
        role = _slug(line.get("role", ""))
        capacity = (line.get("capacity") or "").strip()
        answers: dict[str, Any] = {}
        for key in answer_keys:
            cell = (line.get(ANSWER_PREFIX + key) or "").strip()
            if cell:
                answers[key] = (_tags(cell) if kinds[key] == "tags" else float(cell) if kinds[key] == "scale"
                                else cell.lstrip("'"))
        enrolments.append(PoolEnrolment(
            id=number, user_id=number, display_name=(line.get("display_name") or line.get("email") or "").strip(),
            role=role, capacity=int(capacity) if capacity.isdigit() else default_capacity,
            skills_offered=_tags(line.get("skills_offered", "")), skills_sought=_tags(line.get("skills_sought", "")),
            answers=answers, time_zone=(line.get("time_zone") or "UTC").strip(),
            headline=(line.get("headline") or "").strip().lstrip("'"),
            department=(line.get("department") or "").strip().lstrip("'"),
        ))
    roles = [PoolRole(role=offering, label=offering.replace("_", " ").capitalize(), takes_capacity=True),
             PoolRole(role=seeking, label=seeking.replace("_", " ").capitalize(), takes_capacity=False)]
    program = PoolProgram(id=0, slug="dry-run", name="Dry run", format="one_to_one", roles=roles,
                          seniority_direction=direction, default_capacity=default_capacity)
    return MatchPool(program=program, enrolments=enrolments, questions=questions)


def dry_run(data: bytes | MatchPool, settings: SmartMatchingSettings | None = None,
            **pool_options: Any) -> tuple[MatchOutcome, DryRunMetrics]:
    """Match a participants CSV (or a pool) and measure the result."""
    settings = settings or SmartMatchingSettings()
    pool = data if isinstance(data, MatchPool) else pool_from_csv(data, **pool_options)
    started = time.perf_counter()
    outcome = run(pool, settings, lambda done, total, stage: None, registered_criteria())
    seconds = time.perf_counter() - started
    sides = sides_of(pool)
    seeking = sides.seeking if not isinstance(sides, str) else ""
    seekers = pool.in_role(seeking)
    matched = {i for p in outcome.proposals for i in p.members.get(seeking, [])}
    scores = [p.score for p in outcome.proposals]
    offerers = [e for e in pool.enrolments if e.role != seeking]
    return outcome, DryRunMetrics(
        seekers=len(seekers), offerers=len(offerers), proposals=len(outcome.proposals), matched=len(matched),
        coverage=len(matched) / len(seekers) if seekers else 0.0,
        mean_score=sum(scores) / len(scores) if scores else 0.0, min_score=min(scores) if scores else 0.0,
        seconds=seconds)


def assignment_csv(pool: MatchPool, outcome: MatchOutcome) -> str:
    """The proposals as CSV: one line per pair (names, e-mail-less ids, score, reasons)."""
    names = {e.id: e.display_name for e in pool.enrolments}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["offerer_line", "offerer", "seeker_line", "seeker", "score", "why"])
    sides = sides_of(pool)
    if isinstance(sides, str):
        return out.getvalue()
    for p in outcome.proposals:
        o, s = p.members[sides.offering][0], p.members[sides.seeking][0]
        why = " ".join(c.sentence for c in p.explanation if c.contribution > 0)
        writer.writerow([o, names.get(o, ""), s, names.get(s, ""), f"{p.score:.4f}", why])
    for enrolment_id, reason in outcome.unmatched.items():
        writer.writerow(["", "", enrolment_id, names.get(enrolment_id, ""), "", f"unmatched: {reason}"])
    return out.getvalue()


def _site_settings() -> SmartMatchingSettings:
    try:
        from mentorkit.cli import cli_runtime

        found = cli_runtime().settings.plugins.get("matching_smart")
    except Exception:  # no mentorkit command around it (a script): the defaults
        return SmartMatchingSettings()
    return found if isinstance(found, SmartMatchingSettings) else SmartMatchingSettings()


def parse_sets(pairs: Sequence[str]) -> dict[str, Any]:
    """``key=value`` options as a settings document (``criterion_weights.city=0.5`` nests)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--set")
        key = key.strip()
        if key.startswith("criterion_weights."):
            values.setdefault("criterion_weights", {})[key.split(".", 1)[1]] = value.strip()
        else:
            values[key] = None if value.strip().lower() in ("", "none") else value.strip()
    return values


@click.command("dry-run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="A setting for this run (repeatable).")
@click.option("--assignment", type=click.Path(dir_okay=False, writable=True), help="Write the pairs to this CSV.")
@click.option("--offering", default="mentor", show_default=True, help="The role that takes capacity.")
@click.option("--seeking", default="mentee", show_default=True, help="The role that is matched to it.")
@click.option("--direction", type=click.Choice(["senior_mentors", "junior_mentors"]), default="senior_mentors",
              show_default=True, help="Which way seniority counts.")
@click.option("--default-capacity", type=int, default=1, show_default=True, help="Capacity when a line has none.")
def dry_run_command(file: str, sets: Sequence[str], assignment: str | None, offering: str, seeking: str,
                    direction: str, default_capacity: int) -> None:
    """Match the participants CSV FILE (a program's export) and print how well it went,
    without touching the database."""
    try:
        settings = settings_from(parse_sets(sets), _site_settings())
    except msgspec.ValidationError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from exc
    with open(file, "rb") as handle:
        data = handle.read()
    pool = pool_from_csv(data, offering=offering, seeking=seeking, direction=direction,
                         default_capacity=default_capacity)
    outcome, metrics = dry_run(pool, settings)
    click.echo(f"{metrics.seekers} {seeking}(s), {metrics.offerers} {offering}(s), "
               f"{metrics.proposals} proposal(s) in {metrics.seconds:.2f} s")
    click.echo(f"coverage: {metrics.matched} of {metrics.seekers} matched ({metrics.coverage:.0%})")
    click.echo(f"score: mean {metrics.mean_score:.3f}, minimum {metrics.min_score:.3f}")
    for note in outcome.notes:
        click.echo(f"note: {note}")
    names = {e.id: e.display_name for e in pool.enrolments}
    if outcome.unmatched:
        click.echo("unmatched:")
        for enrolment_id, reason in outcome.unmatched.items():
            click.echo(f"  line {enrolment_id} {names.get(enrolment_id, '')}: {reason}")
    if assignment:
        with open(assignment, "w", encoding="utf-8", newline="") as handle:
            handle.write(assignment_csv(pool, outcome))
        click.echo(f"assignment written to {assignment}")
