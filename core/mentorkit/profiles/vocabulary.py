"""The managed tag vocabulary: canonical tags and their synonyms, so "ML" and "machine learning"
meet. Everything that takes tags from people (profiles, ``tags`` questions, CSV import, search
and filters) turns labels into canonical keys here, and stores only the keys.

A label matches a tag when its normalised form (``normalise``) equals the tag's key, its
normalised label or one of its synonyms. Unknown labels are reported, never invented: the
vocabulary is managed by site admins (``docs/profiles.md``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mentorkit.db.reads import fetch

_SPACES = re.compile(r"[\s_]+")
# Letters and digits of any script stay ("日本語" is a fine tag); everything else becomes "-".
_KEY_JUNK = re.compile(r"[^\w+#.]+")

_INDEX = """
    SELECT t.key AS key, t.label AS label, s.synonym AS synonym
    FROM mentorkit_tag t LEFT JOIN mentorkit_tag_synonym s ON s.tag = t.id
"""


def normalise(label: str) -> str:
    """The form labels are compared in: NFKC, case-folded, trimmed, inner spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", label).casefold()).strip()


def key_for(label: str) -> str:
    """A canonical key for a new tag's label ("Machine learning" -> "machine-learning";
    "C++" and "C#" keep their signs)."""
    return _KEY_JUNK.sub("-", normalise(label)).strip("-.")


class TagIndex:
    """Every spelling of every tag, loaded once (one statement), for many lookups: the CSV
    import resolves thousands of cells against one index."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.by_spelling: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        for row in rows:
            key, label, synonym = str(row["key"]), str(row["label"]), row["synonym"]
            self.labels[key] = label
            self.by_spelling.setdefault(normalise(key), key)
            self.by_spelling.setdefault(normalise(label), key)
            if synonym:
                self.by_spelling.setdefault(normalise(synonym), key)

    def resolve(self, label: str) -> str | None:
        """The canonical key a label means, or None when the vocabulary does not know it."""
        return self.by_spelling.get(normalise(label))

    def canonical(self, labels: Sequence[str]) -> tuple[list[str], list[str]]:
        """The canonical keys of ``labels`` (each once, in the order given) and the labels the
        vocabulary does not know (as given)."""
        keys: list[str] = []
        unknown: list[str] = []
        for label in labels:
            if not label.strip():
                continue
            key = self.resolve(label)
            if key is None:
                unknown.append(label.strip())
            elif key not in keys:
                keys.append(key)
        return keys, unknown

    def label(self, key: str) -> str:
        """What pages show for a canonical key (the key itself if the tag is gone)."""
        return self.labels.get(key, key)


async def tag_index() -> TagIndex:
    """The vocabulary as it is now, read in one statement."""
    return TagIndex(await fetch(_INDEX))


async def canonical_tags(labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """Canonical keys of ``labels`` and the labels nobody defined (see ``TagIndex.canonical``)."""
    return (await tag_index()).canonical(labels)


def split_labels(text: str) -> list[str]:
    """Labels typed in one field or CSV cell: separated by commas or semicolons."""
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]
