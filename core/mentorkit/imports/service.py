"""Importing people and enrolments from a CSV file into a program.

The whole file is checked first (``check_file``): its size, encoding and header, every line,
the lines against each other and against the database. Nothing is written unless every line
is good, or the caller asked for the good lines only (``skip_bad_lines``); then everything is
written in one transaction. A person is never imported by halves: when one of their lines is
bad, all of their lines are skipped (account, profile, tags, enrolments and answers go in
together or not at all).

People without an account get one (active, with no usable password) and a notification with
a link to choose their password: the password-reset link of ``accounts.services``, valid for
14 days, derived again at send time like every one-time link, so none is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from mentorkit.accounts.services import normalise_email
from mentorkit.accounts.tables import Notification, OneTimeToken, User
from mentorkit.accounts.time_zones import DEFAULT_TIME_ZONE
from mentorkit.accounts.tokens import derived_token, hash_token, new_token
from mentorkit.db import transaction
from mentorkit.db.bulk import execute, insert_rows, placeholders
from mentorkit.db.database import active_database
from mentorkit.errors import ConflictError
from mentorkit.events import emit_many, utcnow
from mentorkit.imports.csv_reader import (
    MAX_ROWS,
    CsvSyntaxError,
    Problem,
    decode,
    file_problem,
    header_problems,
    read_rows,
)
from mentorkit.imports.rows import Line, Rules, check_line, duplicate_problems
from mentorkit.profiles.tables import Profile, ProfileTag, Tag
from mentorkit.profiles.vocabulary import normalise, tag_index
from mentorkit.programs.labels import role_label
from mentorkit.programs.question_services import program_questions
from mentorkit.programs.services import Actor, format_of, require_coordinator
from mentorkit.programs.tables import Enrolment, EnrolmentAnswer
from mentorkit.runtime import current_runtime

# Coordinators prepare a cohort before opening enrolment, so a draft takes imports too.
IMPORT_STATES = ("draft", "enrolling", "running")
INVITATION_DAYS = 14
UNUSABLE_PASSWORD = "!"  # noqa: S105 - never an Argon2 hash, so no password matches it
_CHUNK = 500

Progress = Callable[[str, int, int], None]
"""Told ``(stage, done, total)`` as the import goes: stage ``checking``, then ``importing``."""


class Report(msgspec.Struct, kw_only=True):
    """What an import found and did. ``lines`` counts the file's data lines; ``people``,
    ``new_people`` and ``enrolments`` what is (or, before the import, would be) imported;
    ``skipped`` the lines left out."""

    program_id: int
    lines: int = 0
    people: int = 0
    new_people: int = 0
    enrolments: int = 0
    skipped: int = 0
    problems: list[Problem] = msgspec.field(default_factory=list)
    imported: bool = False
    dry_run: bool = False


class _Plan(msgspec.Struct, kw_only=True):
    lines: list[Line]
    existing: dict[str, int]
    question_ids: dict[str, int] = msgspec.field(default_factory=dict)


class _Read(msgspec.Struct, kw_only=True):
    lines: list[Line] = msgspec.field(default_factory=list)
    # The e-mail address on every data line, good or bad, by line number.
    emails: dict[int, str] = msgspec.field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def _role_spellings(program: dict[str, Any]) -> tuple[dict[str, str], str]:
    fmt = format_of(program)
    spellings: dict[str, str] = {}
    for slot in fmt.roles:
        for spelling in (slot.role, slot.role.replace("_", " "), slot.label, slot.plural):
            spellings.setdefault(normalise(spelling), slot.role)
    names = ", ".join(f"{role_label(program['format'], key)} ({key})" for key in fmt.role_keys())
    return spellings, names


async def _users_by_email(emails: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(emails))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        rows = await User.select(User.id, User.email, User.active).where(User.email.is_in(chunk))
        found.update({row["email"]: row for row in rows})
    return found


async def _live_enrolments(program_id: int) -> set[tuple[int, str]]:
    rows = await Enrolment.select(Enrolment.user, Enrolment.role).where(
        (Enrolment.program == program_id) & Enrolment.active_key.is_not_null())
    return {(row["user"], row["role"]) for row in rows}


# --------------------------------------------------------------------------- checking


def _lines_of(text: str, rules: Rules, question_keys: set[str], report: Report,
              progress: Progress | None) -> _Read:
    read = _Read()
    names: list[str] | None = None
    estimate = text.count("\n")
    try:
        for number, cells in read_rows(text):
            if names is None:
                names, problems = header_problems(cells, question_keys)
                report.problems.extend(problems)
                if problems:
                    return read
                continue
            if not any(cell.strip() for cell in cells):
                continue  # an empty row, as spreadsheets leave at the end
            report.lines += 1
            if report.lines > MAX_ROWS:
                report.problems.append(file_problem(f"the file has more than {MAX_ROWS:,} lines: split it"))
                return _Read()
            if len(cells) > (at := names.index("email")):
                read.emails[number] = normalise_email(cells[at])
            line, problems = check_line(number, names, cells, rules)
            report.problems.extend(problems)
            if line is not None:
                read.lines.append(line)
            if progress and number % 250 == 0:
                progress("checking", number, max(estimate, number))
    except CsvSyntaxError as exc:
        report.problems.append(Problem(line=exc.line, column=None, message=f"is not valid CSV: {exc}"))
        return _Read()
    if names is None:
        report.problems.append(file_problem("the file is empty: it needs a header row and a line per person"))
    elif not report.lines:
        report.problems.append(file_problem("the file has a header row but no line below it"))
    return read


async def check_file(program_id: int, data: bytes, actor: Actor,
                     progress: Progress | None = None) -> tuple[_Plan, Report]:
    """Check a whole file; the plan holds the good lines (persons with a bad line left out)."""
    program = await require_coordinator(program_id, actor)
    report = Report(program_id=program_id)
    if program["state"] not in IMPORT_STATES:
        raise ConflictError(f"the program is {program['state']}; people can no longer be imported into it")
    text, problem = decode(data)
    if text is None:
        report.problems.append(problem or file_problem("the file cannot be read"))
        return _Plan(lines=[], existing={}), report
    questions = await program_questions(program)
    roles, role_names = _role_spellings(program)
    rules = Rules(roles=roles, role_names=role_names, questions=questions, tags=await tag_index())
    read = _lines_of(text, rules, {q.key for q in questions}, report, progress)
    lines = read.lines
    report.problems.extend(duplicate_problems(lines))

    users = await _users_by_email([line.email for line in lines])
    live = await _live_enrolments(program_id)
    named = {line.email for line in lines if line.display_name}
    for line in lines:
        user = users.get(line.email)
        if user is None:
            if line.email not in named:
                report.problems.append(Problem(line=line.number, column="display_name",
                                               message=f"is required: {line.email} has no account yet"))
        elif not user["active"]:
            report.problems.append(Problem(line=line.number, column="email",
                                           message=f"the account of {line.email} is deactivated"))
        elif (user["id"], line.role) in live:
            report.problems.append(Problem(
                line=line.number, column="role",
                message=f"{line.email} is already enrolled in this program as "
                        f"{role_label(program['format'], line.role)}"))

    # Never half a person: a bad line of someone leaves out all of their lines.
    bad_numbers = {p.line for p in report.problems if p.line is not None}
    bad_people = {read.emails[number] for number in bad_numbers if number in read.emails}
    good = [line for line in lines if line.email not in bad_people]
    report.problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    report.skipped = report.lines - len(good)
    report.enrolments = len(good)
    report.people = len({line.email for line in good})
    report.new_people = len({line.email for line in good if line.email not in users})
    existing = {email: user["id"] for email, user in users.items()}
    return _Plan(lines=good, existing=existing, question_ids={q.key: q.id for q in questions}), report


# --------------------------------------------------------------------------- writing


async def import_participants(program_id: int, data: bytes, actor: Actor, *, dry_run: bool = False,
                              skip_bad_lines: bool = False, progress: Progress | None = None) -> Report:
    """Check ``data`` (a CSV file's bytes) and import it into the program.

    Nothing is written on a dry run, or when the file has problems and ``skip_bad_lines`` is
    off (the report lists them: ``imported`` is False). Otherwise the good lines are written
    in one transaction with one ``enrolments.imported`` event and an ``enrolment.created``
    per enrolment. Coordinators of the program and site admins only.
    """
    plan, report = await check_file(program_id, data, actor, progress)
    report.dry_run = dry_run
    file_level = any(p.line is None for p in report.problems)
    if dry_run or file_level or (report.problems and not skip_bad_lines) or not plan.lines:
        return report
    async with transaction():
        # Checked again inside the transaction: another import may have finished meanwhile.
        live = await _live_enrolments(program_id)
        if any((plan.existing.get(line.email), line.role) in live for line in plan.lines):
            raise ConflictError("someone in the file was enrolled while the file was checked; check it again")
        await _write(program_id, plan, actor, progress)
        await emit_many([("enrolments.imported", f"program:{program_id}", {
            "rows": report.lines, "created_people": report.new_people, "enrolments": report.enrolments,
            "skipped": report.skipped})], actor.id)
    report.imported = True
    return report


def _first_of_each_person(lines: Sequence[Line]) -> dict[str, Line]:
    first: dict[str, Line] = {}
    for line in lines:
        first.setdefault(line.email, line)
    return first


async def _write(program_id: int, plan: _Plan, actor: Actor, progress: Progress | None) -> None:
    now = utcnow()
    total = len(plan.lines)
    tell = progress or (lambda stage, done, total: None)
    people = _first_of_each_person(plan.lines)
    user_ids = dict(plan.existing)
    new = [line for email, line in people.items() if email not in plan.existing]
    created = await insert_rows(User, [
        {"email": line.email, "display_name": line.display_name, "password_hash": UNUSABLE_PASSWORD,
         "is_admin": False, "active": True, "time_zone": line.time_zone or DEFAULT_TIME_ZONE,
         "created_at": now, "last_login_at": None}
        for line in new
    ], returning="email")
    user_ids.update({email: user_id for user_id, email in created})
    tell("importing", total // 5, total)

    await _write_profiles(people, user_ids, {line.email for line in new}, now)
    await _write_tags(plan.lines, user_ids)
    tell("importing", 2 * total // 5, total)

    enrolled = await insert_rows(Enrolment, [
        {"program": program_id, "user": user_ids[line.email], "role": line.role, "state": "active",
         "active_key": f"{program_id}:{user_ids[line.email]}:{line.role}", "capacity": line.capacity,
         "paused": False, "invitation": None, "decided_by": actor.id, "decided_at": now,
         "decision_reason": "imported from a CSV file", "created_at": now, "ended_at": None}
        for line in plan.lines
    ], returning="active_key")
    enrolment_ids = {key: enrolment_id for enrolment_id, key in enrolled}
    question_ids = plan.question_ids
    await insert_rows(EnrolmentAnswer, [
        {"enrolment": enrolment_id, "question": question_ids[key],
         "answer_key": f"{enrolment_id}:{question_ids[key]}", "value": json.dumps(value), "updated_at": now}
        for line in plan.lines
        for enrolment_id in [enrolment_ids[f"{program_id}:{user_ids[line.email]}:{line.role}"]]
        for key, value in line.answers.items()
    ])
    tell("importing", 3 * total // 5, total)

    invitations = await _invite(new, user_ids, actor, now)
    tell("importing", 4 * total // 5, total)
    await emit_many(
        [("user.created", f"user:{user_ids[line.email]}", {"is_admin": False}) for line in new]
        + [("notification.created", f"notification:{notification_id}", {"notification_id": notification_id})
           for notification_id in invitations]
        + [("enrolment.created", f"program:{program_id}", {
            "enrolment_id": enrolment_ids[f"{program_id}:{user_ids[line.email]}:{line.role}"],
            "user_id": user_ids[line.email], "role": line.role, "state": "active"}) for line in plan.lines],
        actor.id,
    )
    tell("importing", total, total)


async def _write_profiles(people: dict[str, Line], user_ids: dict[str, int], new: set[str], now: dt.datetime) -> None:
    """New people get a profile with the file's headline and department; people with an
    account keep theirs, and only empty fields are filled."""
    with_profile = set()
    email_of = {user_ids[email]: email for email in people}
    existing_ids = [user_ids[email] for email in people if email not in new]
    for start in range(0, len(existing_ids), _CHUNK):
        rows = await Profile.select(Profile.user, Profile.headline, Profile.department).where(
            Profile.user.is_in(existing_ids[start:start + _CHUNK]))
        for row in rows:
            with_profile.add(row["user"])
            email = email_of[row["user"]]
            changes: dict[Any, Any] = {}
            if not row["headline"] and people[email].headline:
                changes[Profile.headline] = people[email].headline
            if not row["department"] and people[email].department:
                changes[Profile.department] = people[email].department
            if changes:
                await Profile.update(changes).where(Profile.user == row["user"])
    await insert_rows(Profile, [
        {"user": user_ids[email], "headline": line.headline, "bio": "", "photo": "", "seniority": "",
         "years_experience": None, "department": line.department, "languages": "[]", "links": "[]",
         "availability": "[]", "visibility": "{}", "updated_at": now}
        for email, line in people.items() if user_ids[email] not in with_profile
    ])


async def _write_tags(lines: Sequence[Line], user_ids: dict[str, int]) -> None:
    wanted = {key for line in lines for key in (*line.offered, *line.sought)}
    if not wanted:
        return
    tag_ids = {row["key"]: row["id"] for row in await Tag.select(Tag.id, Tag.key).where(Tag.key.is_in(list(wanted)))}
    rows: dict[str, dict[str, Any]] = {}
    for line in lines:
        user_id = user_ids[line.email]
        for kind, keys in (("offered", line.offered), ("sought", line.sought)):
            for key in keys:
                row_key = f"{user_id}:{tag_ids[key]}:{kind}"
                rows.setdefault(row_key, {"user": user_id, "tag": tag_ids[key], "kind": kind,
                                          "profile_tag_key": row_key})
    have: set[str] = set()
    keys = list(rows)
    for start in range(0, len(keys), _CHUNK):
        have.update(row["profile_tag_key"] for row in await ProfileTag.select(ProfileTag.profile_tag_key).where(
            ProfileTag.profile_tag_key.is_in(keys[start:start + _CHUNK])))
    await insert_rows(ProfileTag, [row for key, row in rows.items() if key not in have])


async def _invite(new: Sequence[Line], user_ids: dict[str, int], actor: Actor, now: dt.datetime) -> list[int]:
    """A choose-your-password link for each new person (one-time tokens, then notifications);
    returns the notification ids."""
    if not new:
        return []
    settings = current_runtime().settings
    nonces = {secrets.token_hex(16): line for line in new}
    tokens = await insert_rows(OneTimeToken, [
        {"token_hash": hash_token(new_token()), "nonce": nonce, "purpose": "password_reset", "email": line.email,
         "user": user_ids[line.email], "created_by": actor.id, "created_at": now,
         "expires_at": now + dt.timedelta(days=INVITATION_DAYS), "used_at": None}
        for nonce, line in nonces.items()
    ], returning="nonce")
    # The stored hash is of the token derived from the id, known only now: one UPDATE per
    # chunk, through a CASE over the ids.
    engine_type = active_database().engine_type
    for start in range(0, len(tokens), _CHUNK):
        chunk = tokens[start:start + _CHUNK]
        marks = placeholders(engine_type, 3 * len(chunk))
        cases = " ".join(f"WHEN {marks[2 * n]} THEN {marks[2 * n + 1]}" for n in range(len(chunk)))
        ids = ", ".join(marks[2 * len(chunk):])
        args: list[Any] = []
        for token_id, nonce in chunk:
            args += [token_id, hash_token(derived_token(settings.secret_key, "password_reset", token_id, nonce))]
        await execute(f"UPDATE mentorkit_one_time_token SET token_hash = CASE id {cases} END WHERE id IN ({ids})",
                      [*args, *[token_id for token_id, _ in chunk]])
    inviter = actor.display_name or settings.site_name
    notifications = await insert_rows(Notification, [
        {"key": f"import_invitation:{token_id}", "user": user_ids[nonces[nonce].email], "email": nonces[nonce].email,
         "secret_ref": f"one_time_token:{token_id}", "subject": f"You are invited to {settings.site_name}",
         "body": (f"Hello {nonces[nonce].display_name},\n\n{inviter} added you to a mentoring program on "
                  f"{settings.site_name}. Choose your password with this link to sign in; it works once, for "
                  f"{INVITATION_DAYS} days."),
         "link": None, "created_at": now, "read_at": None}
        for token_id, nonce in tokens
    ], returning="key")
    return sorted(notification_id for notification_id, _ in notifications)
