"""Managing the tag vocabulary (site admins): add, rename, synonyms, merge, delete.

Every spelling (a tag's key, its label, each synonym, all normalised) belongs to one tag at
most, so a label always resolves to one canonical key; a change that would give a spelling to
a second tag is a ``ConflictError`` naming the tag that has it. Each change is one
transaction with its ``vocabulary.changed`` event (``tag_key``, ``change``).
"""

from __future__ import annotations

import json
from typing import Any

from mentorkit.api.actors import Actor
from mentorkit.db import transaction
from mentorkit.db.reads import fetch
from mentorkit.db.values import as_json
from mentorkit.errors import ConflictError, NotFound, PermissionDenied, ValidationFailed
from mentorkit.events.emit import emit
from mentorkit.profiles.schemas import Synonym, Tag
from mentorkit.profiles.tables import ProfileTag, TagSynonym
from mentorkit.profiles.tables import Tag as TagRow
from mentorkit.profiles.vocabulary import key_for, normalise, tag_index

# One page of tags with their use counts; synonyms come in one more statement.
_LIST = """
    SELECT t.id AS id, t.key AS key, t.label AS label,
           (SELECT COUNT(*) FROM mentorkit_profile_tag pt WHERE pt.tag = t.id AND pt.kind = 'offered') AS offered,
           (SELECT COUNT(*) FROM mentorkit_profile_tag pt WHERE pt.tag = t.id AND pt.kind = 'sought') AS sought
    FROM mentorkit_tag t
    WHERE {where}
    ORDER BY LOWER(t.label), t.id
    LIMIT {} OFFSET {}
"""
_COUNT = "SELECT COUNT(*) AS n FROM mentorkit_tag t WHERE {where}"
# A word of the search matches the key, the label or a synonym (all compared in lower case).
_WORD = ("(LOWER(t.key) LIKE {} OR LOWER(t.label) LIKE {} OR EXISTS (SELECT 1 FROM mentorkit_tag_synonym s "
         "WHERE s.tag = t.id AND LOWER(s.synonym) LIKE {}))")
_SYNONYMS = "SELECT id, tag, synonym FROM mentorkit_tag_synonym WHERE tag IN ({ids}) ORDER BY synonym"
# Answers to "tags" questions hold lists of canonical keys.
_TAG_ANSWERS = """
    SELECT a.id AS id, a.value AS value
    FROM mentorkit_enrolment_answer a JOIN mentorkit_program_question q ON q.id = a.question
    WHERE q.kind = 'tags'
"""


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only site admins manage the tag vocabulary")


def _filter(query: str) -> tuple[str, list[Any]]:
    words = [normalise(word) for word in query.split()[:5]]
    if not words:
        return "1 = 1", []
    params: list[Any] = []
    for word in words:
        pattern = f"%{word}%"
        params += [pattern, pattern, pattern]
    return " AND ".join([_WORD] * len(words)), params


async def list_tags(query: str = "", *, limit: int = 50, offset: int = 0) -> tuple[list[Tag], int]:
    """A page of tags (search: every word in the key, label or a synonym) and how many match.
    Readable by everyone signed in (forms suggest tags from it)."""
    where, params = _filter(query)
    rows = await fetch(_LIST.replace("{where}", where), *params, limit, offset)
    total = (await fetch(_COUNT.replace("{where}", where), *params))[0]["n"]
    ids = [row["id"] for row in rows]
    synonyms: dict[int, list[Synonym]] = {}
    if ids:
        for row in await fetch(_SYNONYMS.replace("{ids}", ", ".join(["{}"] * len(ids))), *ids):
            synonyms.setdefault(row["tag"], []).append(Synonym(id=row["id"], synonym=row["synonym"]))
    tags = [Tag(id=row["id"], key=row["key"], label=row["label"], synonyms=synonyms.get(row["id"], []),
                offered=int(row["offered"]), sought=int(row["sought"])) for row in rows]
    return tags, int(total)


async def get_tag(tag_id: int) -> Tag:
    """One tag with its synonyms and use counts; ``NotFound`` if there is none."""
    rows = await fetch(_LIST.replace("{where}", "t.id = {}"), tag_id, 1, 0)
    if not rows:
        raise NotFound("no such tag")
    row = rows[0]
    synonyms = [Synonym(id=s["id"], synonym=s["synonym"]) for s in
                await fetch(_SYNONYMS.replace("{ids}", "{}"), tag_id)]
    return Tag(id=row["id"], key=row["key"], label=row["label"], synonyms=synonyms,
               offered=int(row["offered"]), sought=int(row["sought"]))


async def _owner(spelling: str, *, other_than: int | None = None) -> dict[str, Any] | None:
    """The tag (id, key, label) a spelling already resolves to, unless it is ``other_than``."""
    key = (await tag_index()).resolve(spelling)
    if key is None:
        return None
    row = await TagRow.select(TagRow.id, TagRow.key, TagRow.label).where(TagRow.key == key).first()
    if row is None or row["id"] == other_than:
        return None
    return dict(row)


async def tag_id_for(label: str) -> int:
    """The id of the tag a label, key or synonym names; ``ValidationFailed`` on ``into`` when
    none does."""
    key = (await tag_index()).resolve(label)
    row = None if key is None else await TagRow.select(TagRow.id).where(TagRow.key == key).first()
    if row is None:
        raise ValidationFailed({"into": f"no tag is called “{label.strip()}”"})
    return int(row["id"])


def _taken(field: str, spelling: str, owner: dict[str, Any]) -> ConflictError:
    error = ConflictError(f"“{spelling}” already names the tag “{owner['label']}” ({owner['key']})")
    error.fields = [field]  # type: ignore[attr-defined]
    return error


async def _changed(key: str, change: str, actor: Actor) -> None:
    await emit("vocabulary.changed", f"tag:{key}", {"tag_key": key, "change": change}, actor_id=actor.id)


async def create_tag(label: str, actor: Actor) -> Tag:
    """Add a tag; its key is ``key_for(label)``. 409 when the label (or key) already names a tag."""
    _require_admin(actor)
    label = " ".join(label.split())
    key = key_for(label)
    if not key:
        raise ValidationFailed({"label": "must contain a letter or a digit"})
    for spelling in (label, key):
        if owner := await _owner(spelling):
            raise _taken("label", spelling, owner)
    async with transaction():
        rows = await TagRow.insert(TagRow(key=key, label=label)).returning(TagRow.id)
        await _changed(key, "created", actor)
    return await get_tag(rows[0]["id"])


async def _tag_row(tag_id: int) -> dict[str, Any]:
    row = await TagRow.select(TagRow.id, TagRow.key, TagRow.label).where(TagRow.id == tag_id).first()
    if row is None:
        raise NotFound("no such tag")
    return dict(row)


async def rename_tag(tag_id: int, label: str, actor: Actor) -> Tag:
    """Give a tag a new label (its key, and so everything stored, stays)."""
    _require_admin(actor)
    tag = await _tag_row(tag_id)
    label = " ".join(label.split())
    if owner := await _owner(label, other_than=tag_id):
        raise _taken("label", label, owner)
    async with transaction():
        await TagRow.update({TagRow.label: label}).where(TagRow.id == tag_id)
        # A synonym spelt like the new label would now be redundant.
        await TagSynonym.delete().where((TagSynonym.tag == tag_id) & (TagSynonym.synonym == normalise(label)))
        await _changed(tag["key"], "renamed", actor)
    return await get_tag(tag_id)


async def add_synonym(tag_id: int, synonym: str, actor: Actor) -> Tag:
    """Add another name for a tag; 409 when it already names this or another tag."""
    _require_admin(actor)
    tag = await _tag_row(tag_id)
    spelling = normalise(synonym)
    if not spelling:
        raise ValidationFailed({"synonym": "this field is required"})
    if (await tag_index()).resolve(spelling) == tag["key"]:
        raise _taken("synonym", synonym.strip(), tag)
    if owner := await _owner(spelling):
        raise _taken("synonym", synonym.strip(), owner)
    async with transaction():
        await TagSynonym.insert(TagSynonym(tag=tag_id, synonym=spelling))
        await _changed(tag["key"], "synonym_added", actor)
    return await get_tag(tag_id)


async def remove_synonym(tag_id: int, synonym_id: int, actor: Actor) -> Tag:
    """Remove one of a tag's synonyms (what is stored never used it: tags are stored by key)."""
    _require_admin(actor)
    tag = await _tag_row(tag_id)
    async with transaction():
        rows = await TagSynonym.delete().where(
            (TagSynonym.id == synonym_id) & (TagSynonym.tag == tag_id)).returning(TagSynonym.id)
        if not rows:
            raise NotFound("no such synonym")
        await _changed(tag["key"], "synonym_removed", actor)
    return await get_tag(tag_id)


def _answer_keys(value: Any) -> list[str] | None:
    value = as_json(value)
    return [str(v) for v in value] if isinstance(value, list) else None


async def _rewrite_answers(old_key: str, new_key: str | None) -> int:
    """Replace (or, with None, drop) a key in every answer to a "tags" question; how many changed."""
    from mentorkit.programs.tables import EnrolmentAnswer

    changed = 0
    for row in await fetch(_TAG_ANSWERS):
        keys = _answer_keys(row["value"])
        if keys is None or old_key not in keys:
            continue
        moved: list[str] = []
        for key in keys:
            kept = new_key if key == old_key else key
            if kept is not None and kept not in moved:
                moved.append(kept)
        await EnrolmentAnswer.update({EnrolmentAnswer.value: json.dumps(moved)}).where(
            EnrolmentAnswer.id == row["id"])
        changed += 1
    return changed


async def usage_count(tag_id: int) -> int:
    """How many uses deleting the tag removes: people's skills plus answers naming it."""
    tag = await _tag_row(tag_id)
    skills = await ProfileTag.count().where(ProfileTag.tag == tag_id)
    answers = sum(1 for row in await fetch(_TAG_ANSWERS) if tag["key"] in (_answer_keys(row["value"]) or []))
    return int(skills) + answers


async def merge_tags(source_id: int, target_id: int, actor: Actor) -> Tag:
    """Merge tag ``source_id`` into ``target_id``: people's skills and "tags" answers move to
    the target (each once), the source's key, label and synonyms become the target's synonyms,
    and the source is gone. One transaction."""
    _require_admin(actor)
    if source_id == target_id:
        error = ConflictError("a tag cannot be merged into itself: choose another tag")
        error.fields = ["into"]  # type: ignore[attr-defined]
        raise error
    source, target = await _tag_row(source_id), await _tag_row(target_id)
    async with transaction():
        for row in await ProfileTag.select(ProfileTag.id, ProfileTag.user, ProfileTag.kind).where(
                ProfileTag.tag == source_id):
            key = f"{row['user']}:{target_id}:{row['kind']}"
            if await ProfileTag.exists().where(ProfileTag.profile_tag_key == key):
                await ProfileTag.delete().where(ProfileTag.id == row["id"])
            else:
                await ProfileTag.update({ProfileTag.tag: target_id, ProfileTag.profile_tag_key: key}).where(
                    ProfileTag.id == row["id"])
        await _rewrite_answers(source["key"], target["key"])
        await TagSynonym.update({TagSynonym.tag: target_id}).where(TagSynonym.tag == source_id)
        await TagRow.delete().where(TagRow.id == source_id)
        taken = {normalise(target["key"]), normalise(target["label"])} | {
            row["synonym"] for row in await TagSynonym.select(TagSynonym.synonym).where(TagSynonym.tag == target_id)}
        for spelling in dict.fromkeys([normalise(source["label"]), normalise(source["key"])]):
            if spelling and spelling not in taken:
                await TagSynonym.insert(TagSynonym(tag=target_id, synonym=spelling))
                taken.add(spelling)
        await _changed(target["key"], "merged", actor)
        await _changed(source["key"], "merged_away", actor)
    return await get_tag(target_id)


async def delete_tag(tag_id: int, uses: int, actor: Actor) -> int:
    """Delete a tag with its synonyms, people's skills and its place in "tags" answers;
    returns how many uses were removed.

    ``uses`` confirms what the deleter was told (``usage_count``): when it differs from the
    count now (someone added the skill meanwhile, or nobody asked), nothing is deleted and
    the ``ConflictError`` says the count."""
    _require_admin(actor)
    tag = await _tag_row(tag_id)
    async with transaction():
        now = await usage_count(tag_id)
        if uses != now:
            error = ConflictError(f"deleting “{tag['label']}” removes {now} {'use' if now == 1 else 'uses'}; "
                                  f"confirm with uses={now}")
            error.fields = ["uses"]  # type: ignore[attr-defined]
            raise error
        skills = await ProfileTag.count().where(ProfileTag.tag == tag_id)
        answers = await _rewrite_answers(tag["key"], None)
        await TagRow.delete().where(TagRow.id == tag_id)  # synonyms and skills cascade
        await _changed(tag["key"], "deleted", actor)
    return int(skills) + answers
