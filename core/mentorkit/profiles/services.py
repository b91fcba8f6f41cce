"""Profile use cases: read profiles as far as each field's visibility allows, change one's own.

Every change runs in one transaction with its ``profile.updated`` event, whose payload names
the changed fields, never their values.
"""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Sequence
from typing import Any

import msgspec

from mentorkit.accounts.model import CurrentUser
from mentorkit.accounts.services import TIME_ZONE_PROBLEM, set_time_zone
from mentorkit.accounts.tables import User
from mentorkit.accounts.time_zones import is_time_zone
from mentorkit.api.actors import Actor
from mentorkit.api.paging import MAX_LIMIT
from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_json
from mentorkit.errors import NotFound, ValidationFailed
from mentorkit.events import emit, utcnow
from mentorkit.profiles.photos import clean_photo, remove_photo_file, store_photo
from mentorkit.profiles.schemas import (
    DAYS,
    LANGUAGES,
    Availability,
    Link,
    Profile,
    ProfileUpdate,
    TagRef,
)
from mentorkit.profiles.tables import Profile as ProfileRow
from mentorkit.profiles.tables import ProfileTag
from mentorkit.profiles.visibility import field_levels, profiles_sql, reader_ids, visible_fields
from mentorkit.profiles.vocabulary import TagIndex, normalise, tag_index
from mentorkit.runtime import current_runtime

_LANGUAGE_KEYS = {tag.casefold(): tag for tag in LANGUAGES}

_TAGS_OF = """
    SELECT pt."user" AS user_id, pt.kind AS kind, t.key AS key, t.label AS label
    FROM mentorkit_profile_tag pt JOIN mentorkit_tag t ON t.id = pt.tag
    WHERE pt."user" IN ({ids})
    ORDER BY pt.id
"""

# Profile columns stored as JSON documents (the rest are plain values).
JSON_FIELDS = frozenset({"languages", "links", "availability", "visibility"})


def photo_url(user_id: int, photo: str) -> str | None:
    """Where a stored photo is served (the file name changes with every upload, so a new
    photo is never hidden by a cached old one)."""
    return f"/people/{user_id}/photo?v={photo.split('.')[0][:12]}" if photo else None


def _profile(row: Any, tags: list[Any], actor: Actor) -> Profile:
    levels = field_levels(as_json(row["visibility"], {}))
    everything = actor.is_admin or row["id"] == actor.id
    shown = visible_fields(levels, member=bool(row["member"]), staff=bool(row["staff"]), everything=everything)

    def pick(name: str, value: Any) -> Any:
        return value if name in shown else None

    offered = [TagRef(key=t["key"], label=t["label"]) for t in tags if t["kind"] == "offered"]
    sought = [TagRef(key=t["key"], label=t["label"]) for t in tags if t["kind"] == "sought"]
    links = [msgspec.convert(link, Link) for link in as_json(row["links"], [])]
    slots = [msgspec.convert(slot, Availability) for slot in as_json(row["availability"], [])]
    return Profile(
        user_id=row["id"],
        display_name=row["display_name"],
        headline=pick("headline", row["headline"] or ""),
        bio=pick("bio", row["bio"] or ""),
        seniority=pick("seniority", row["seniority"] or ""),
        years_experience=pick("years_experience", row["years_experience"]),
        department=pick("department", row["department"] or ""),
        languages=pick("languages", list(as_json(row["languages"], []))),
        time_zone=pick("time_zone", row["time_zone"]),
        links=pick("links", links),
        skills_offered=pick("skills", offered),
        skills_sought=pick("skills", sought),
        availability=pick("availability", slots),
        photo_url=pick("photo", photo_url(row["id"], row["photo"] or "")),
        visibility=levels if everything else None,
        hidden=sorted(set(levels) - shown),
    )


async def get_profiles(user_ids: Sequence[int], actor: Actor) -> list[Profile]:
    """The profiles of the active people among ``user_ids``, each with only the fields its
    visibility allows ``actor``, in id order; two statements for the whole list.

    Unknown and deactivated accounts are left out. At most ``MAX_LIMIT`` ids at once.
    """
    if len(user_ids) > MAX_LIMIT:
        raise ValidationFailed({"user_ids": f"at most {MAX_LIMIT} at once"})
    ids = sorted(set(user_ids))
    if not ids:
        return []
    rows = await fetch(profiles_sql(len(ids)), *reader_ids(actor.id, ids))
    tag_rows = await fetch(_TAGS_OF.replace("{ids}", ", ".join(["{}"] * len(ids))), *ids)
    by_user: dict[int, list[Any]] = {}
    for tag in tag_rows:
        by_user.setdefault(tag["user_id"], []).append(tag)
    return [_profile(row, by_user.get(row["id"], []), actor) for row in rows]


async def get_profile(user_id: int, actor: Actor) -> Profile:
    """One person's profile as ``actor`` may see it; ``NotFound`` for an unknown or
    deactivated account. Someone sharing nothing with the actor still has a name: the
    profile then carries the name and the fields visible to everyone signed in."""
    found = await get_profiles([user_id], actor)
    if not found:
        raise NotFound("no such person")
    return found[0]


# --------------------------------------------------------------------------- checks


def _suggestion(index: TagIndex, label: str) -> str:
    """ "did you mean …" for an unknown tag, from the vocabulary's spellings."""
    close = difflib.get_close_matches(normalise(label), list(index.by_spelling), n=1, cutoff=0.75)
    return f" (did you mean “{index.label(index.by_spelling[close[0]])}”?)" if close else ""


def resolve_skills(index: TagIndex, labels: Sequence[str]) -> tuple[list[str], str | None]:
    """Canonical keys of ``labels`` and a problem naming every unknown one, or None."""
    keys, unknown = index.canonical(labels)
    if not unknown:
        return keys, None
    named = ", ".join(f"“{label}”{_suggestion(index, label)}" for label in unknown[:5])
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    noun = "tag" if len(unknown) == 1 else "tags"
    return keys, f"unknown {noun}: {named}{more}; ask a site admin to add missing tags"


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def availability_problem(slots: Sequence[Availability]) -> str | None:
    """What is wrong with a week of time ranges (end before start, overlaps), or None."""
    for number, slot in enumerate(slots, start=1):
        if _minutes(slot.end) <= _minutes(slot.start):
            return f"row {number}: the end must be after the start"
    ordered = sorted(enumerate(slots, start=1), key=lambda item: (item[1].day, _minutes(item[1].start)))
    for (_, first), (number, second) in itertools.pairwise(ordered):
        if first.day == second.day and _minutes(second.start) < _minutes(first.end):
            return (f"row {number}: {DAYS[second.day]} {second.start} to {second.end} overlaps "
                    f"{first.start} to {first.end}")
    return None


def languages_problem(tags: Sequence[str]) -> tuple[list[str], str | None]:
    """The languages in their listed spelling, and a problem naming unknown ones, or None."""
    known: list[str] = []
    unknown: list[str] = []
    for tag in tags:
        found = _LANGUAGE_KEYS.get(tag.strip().casefold())
        if found is None:
            unknown.append(tag.strip())
        elif found not in known:
            known.append(found)
    if unknown:
        return known, "not in the list of languages: " + ", ".join(unknown[:5])
    return known, None


# --------------------------------------------------------------------------- changes

_COLUMNS = ("headline", "bio", "seniority", "years_experience", "department")


async def _current(user_id: int) -> dict[str, Any]:
    row = await ProfileRow.select().where(ProfileRow.user == user_id).first()
    return dict(row) if row else {}


async def _tag_keys(user_id: int) -> dict[str, list[str]]:
    rows = await ProfileTag.select(ProfileTag.kind, ProfileTag.tag.key.as_alias("key")).where(
        ProfileTag.user == user_id).order_by(ProfileTag.id)
    keys: dict[str, list[str]] = {"offered": [], "sought": []}
    for row in rows:
        keys.setdefault(row["kind"], []).append(row["key"])
    return keys


async def profile_problems(changes: ProfileUpdate) -> dict[str, str]:
    """Every problem ``update_profile`` would refuse ``changes`` for, by field, without saving
    (a form with other errors shows these too, all at once)."""
    return (await _prepare(changes))[2]


async def _prepare(changes: ProfileUpdate) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, str]]:
    """The column values and canonical skills of ``changes``, and the problems found."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in _COLUMNS:
        value = getattr(changes, name)
        if value is not msgspec.UNSET:
            values[name] = value.strip() if isinstance(value, str) and name != "bio" else value
    if changes.languages is not msgspec.UNSET:
        values["languages"], problem = languages_problem(changes.languages)
        if problem:
            problems["languages"] = problem
    if changes.links is not msgspec.UNSET:
        values["links"] = [msgspec.to_builtins(link) for link in changes.links]
    if changes.availability is not msgspec.UNSET:
        if problem := availability_problem(changes.availability):
            problems["availability"] = problem
        values["availability"] = [msgspec.to_builtins(slot) for slot in
                                  sorted(changes.availability, key=lambda s: (s.day, s.start))]
    if changes.time_zone is not msgspec.UNSET and not is_time_zone(changes.time_zone):
        problems["time_zone"] = TIME_ZONE_PROBLEM
    skills: dict[str, list[str]] = {}
    if changes.skills_offered is not msgspec.UNSET or changes.skills_sought is not msgspec.UNSET:
        index = await tag_index()
        for kind, labels in (("offered", changes.skills_offered), ("sought", changes.skills_sought)):
            if labels is msgspec.UNSET:
                continue
            keys, problem = resolve_skills(index, labels)
            if problem:
                problems[f"skills_{kind}"] = problem
            skills[kind] = keys
    return values, skills, problems


async def update_profile(actor: Actor, changes: ProfileUpdate) -> Profile:
    """Change the actor's own profile: only the fields set in ``changes``; every problem is
    reported at once (``ValidationFailed`` naming each field). Emits ``profile.updated``
    with the names of the fields that changed (nothing is emitted when nothing changed)."""
    if actor.id is None:
        raise NotFound("the system actor has no profile")
    user_id = actor.id
    values, skills, problems = await _prepare(changes)
    sent_visibility = changes.visibility.changes() if changes.visibility is not msgspec.UNSET else {}
    if problems:
        raise ValidationFailed(problems)

    async with transaction():
        current = await _current(user_id)
        if sent_visibility:
            # Only the fields sent change; the others keep their choice (or default).
            values["visibility"] = {**field_levels(as_json(current.get("visibility"), {})), **sent_visibility}
        changed = [name for name, value in values.items()
                   if (as_json(current.get(name)) if name in JSON_FIELDS else current.get(name)) != value]
        if changed and not current:
            await ProfileRow.insert(ProfileRow(user=user_id, **{column._meta.name: value
                                                                for column, value in _stored(values).items()}))
        elif changed:
            await ProfileRow.update({**_stored({n: values[n] for n in changed}), ProfileRow.updated_at: utcnow()}
                                    ).where(ProfileRow.user == user_id)
        if changes.time_zone is not msgspec.UNSET and isinstance(actor, CurrentUser):
            # The account's own setting (the one /account/time-zone changes), in this transaction.
            row = await User.select(User.time_zone).where(User.id == user_id).first()
            if row is not None and row["time_zone"] != changes.time_zone:
                await set_time_zone(actor, changes.time_zone)
                changed.append("time_zone")
        if skills:
            before = await _tag_keys(user_id)
            for kind, keys in skills.items():
                if keys != before.get(kind, []):
                    await _replace_tags(user_id, kind, keys)
                    changed.append(f"skills_{kind}")
        if changed:
            await emit("profile.updated", f"user:{user_id}", {"user_id": user_id, "fields": sorted(changed)},
                       actor_id=user_id)
    return await get_profile(user_id, actor)


def _stored(values: dict[str, Any]) -> dict[Any, Any]:
    """Column values as Piccolo writes them (JSON columns as JSON text)."""
    out: dict[Any, Any] = {}
    for name, value in values.items():
        column = getattr(ProfileRow, name)
        out[column] = json.dumps(value) if name in JSON_FIELDS else value
    return out


async def _replace_tags(user_id: int, kind: str, keys: list[str]) -> None:
    """Store exactly these canonical tags for one kind (inside the caller's transaction)."""
    from mentorkit.profiles.tables import Tag

    await ProfileTag.delete().where((ProfileTag.user == user_id) & (ProfileTag.kind == kind))
    if not keys:
        return
    ids = {row["key"]: row["id"] for row in await Tag.select(Tag.id, Tag.key).where(Tag.key.is_in(keys))}
    await ProfileTag.insert(*[
        ProfileTag(user=user_id, tag=ids[key], kind=kind, profile_tag_key=f"{user_id}:{ids[key]}:{kind}")
        for key in keys if key in ids
    ])


async def upload_photo(actor: Actor, data: bytes) -> Profile:
    """Replace the actor's photo with ``data`` (cleaned: see ``mentorkit.profiles.photos``);
    the old file is removed once the change commits. Emits ``profile.updated``."""
    if actor.id is None:
        raise NotFound("the system actor has no profile")
    jpeg = clean_photo(data, current_runtime().settings.photo_max_bytes)
    name = store_photo(jpeg)
    try:
        old = await _set_photo(actor.id, name)
    except BaseException:
        remove_photo_file(name)
        raise
    remove_photo_file(old)
    return await get_profile(actor.id, actor)


async def remove_photo(actor: Actor) -> Profile:
    """Remove the actor's photo (the file too). Emits ``profile.updated`` if there was one."""
    if actor.id is None:
        raise NotFound("the system actor has no profile")
    current = await _current(actor.id)
    if current.get("photo"):
        remove_photo_file(await _set_photo(actor.id, ""))
    return await get_profile(actor.id, actor)


async def _set_photo(user_id: int, file_name: str) -> str:
    """Record a new photo file name ("" for none) in one transaction with its event; returns
    the old name for the caller to remove once this has committed."""
    async with transaction():
        current = await _current(user_id)
        old = str(current.get("photo") or "")
        if current:
            await ProfileRow.update({ProfileRow.photo: file_name, ProfileRow.updated_at: utcnow()}).where(
                ProfileRow.user == user_id)
        else:
            await ProfileRow.insert(ProfileRow(user=user_id, photo=file_name))
        await emit("profile.updated", f"user:{user_id}", {"user_id": user_id, "fields": ["photo"]},
                   actor_id=user_id)
    return old


async def stored_photo_name(user_id: int) -> str:
    """The person's photo file name ("" for none), for erasure to remove after its transaction."""
    row = await ProfileRow.select(ProfileRow.photo).where(ProfileRow.user == user_id).first()
    return str(row["photo"]) if row and row["photo"] else ""


async def photo_file(user_id: int, actor: Actor) -> str:
    """The stored photo's file name if ``actor`` may see it; ``NotFound`` otherwise."""
    profile = await get_profile(user_id, actor)
    if profile.photo_url is None:
        raise NotFound("no photo")
    row = await ProfileRow.select(ProfileRow.photo).where(ProfileRow.user == user_id).first()
    if not row or not row["photo"]:
        raise NotFound("no photo")
    return str(row["photo"])
