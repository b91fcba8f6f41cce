"""Profiles, the tag vocabulary and matching preferences: what matching strategies read."""

from __future__ import annotations

from collections.abc import Sequence

from mentorkit.api.actors import Actor
from mentorkit.api.paging import DEFAULT_LIMIT, Page, read_page
from mentorkit.profiles import services, tags
from mentorkit.profiles.schemas import Profile, ResolvedTags, Tag
from mentorkit.profiles.vocabulary import canonical_tags
from mentorkit.programs import preferences
from mentorkit.programs.preferences import Preferences


async def get_profile(user_id: int, actor: Actor) -> Profile:
    """One person's profile with the fields its visibility allows ``actor`` (hidden ones None
    and named in ``hidden``; ``SYSTEM`` and site admins see all). ``NotFound`` for an unknown
    or deactivated account."""
    return await services.get_profile(user_id, actor)


async def get_profiles(user_ids: Sequence[int], actor: Actor) -> list[Profile]:
    """Profiles of many people at once (at most ``MAX_LIMIT`` ids; two statements), in id
    order, visibility applied to ``actor``; unknown and deactivated accounts are left out."""
    return await services.get_profiles(user_ids, actor)


async def list_tags(actor: Actor, *, query: str = "", limit: int = DEFAULT_LIMIT, offset: int = 0) -> Page[Tag]:
    """The tag vocabulary (search: every word in a key, label or synonym), with synonyms and
    how many people offer and seek each tag. Anyone may read it."""
    del actor  # everyone signed in reads the vocabulary; the argument keeps the API uniform

    async def read(n: int, start: int) -> list[Tag]:
        return (await tags.list_tags(query, limit=n, offset=start))[0]

    return await read_page(read, limit, offset)


async def resolve_tags(labels: Sequence[str]) -> ResolvedTags:
    """Canonical keys of ``labels`` (any label, key or synonym; each once, in order) and the
    labels the vocabulary does not know (one statement)."""
    keys, unknown = await canonical_tags(labels)
    return ResolvedTags(keys=keys, unknown=unknown)


async def get_preferences(enrolment_id: int, actor: Actor) -> Preferences:
    """An enrolment's wish list and "not with" list: for the enrolled person, the program's
    coordinators, site admins and ``SYSTEM`` (matching strategies); ``NotFound`` otherwise."""
    return await preferences.get_preferences(enrolment_id, actor)
