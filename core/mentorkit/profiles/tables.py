"""Profile tables: one global profile per person, the tag vocabulary with its synonyms, and the
skills people offer and seek (as canonical tags)."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User


class Profile(Table, tablename="mentorkit_profile"):
    """A person's global profile (the time zone lives on the account: ``User.time_zone``).

    ``visibility`` maps a field name to who may read it besides the person: ``signed_in``
    (everyone signed in), ``members`` (people in a program with them) or ``staff`` (staff of
    their programs only). A field not named there has its default from the profile service.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, unique=True)
    headline = Varchar(length=150, default="")
    bio = Text(default="")
    # The stored photo's file name under <data_dir>/photos (a random name), or "".
    photo = Varchar(length=100, default="")
    # student | junior | mid | senior | lead | executive, or "".
    seniority = Varchar(length=16, default="")
    years_experience = Integer(null=True, default=None)
    department = Varchar(length=100, default="")
    # BCP 47 language tags ("en", "pt-BR").
    languages = JSON(default="[]")
    # [{"label": "LinkedIn", "url": "https://..."}]
    links = JSON(default="[]")
    # [{"day": 0, "start": "09:00", "end": "12:00"}]: weekly, in the person's time zone (day 0 is Monday).
    availability = JSON(default="[]")
    visibility = JSON(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())


class Tag(Table, tablename="mentorkit_tag"):
    """A tag of the managed vocabulary: skills, topics. ``key`` is its canonical form."""

    id: Serial  # added by Piccolo; declared for type checkers

    key = Varchar(length=100, unique=True)
    label = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class TagSynonym(Table, tablename="mentorkit_tag_synonym"):
    """Another name of a tag ("ML" for machine learning), stored normalised."""

    id: Serial  # added by Piccolo; declared for type checkers

    tag = ForeignKey(references=Tag, on_delete=OnDelete.cascade, index=True)
    synonym = Varchar(length=100, unique=True)


class ProfileTag(Table, tablename="mentorkit_profile_tag"):
    """A skill a person offers or seeks: ``kind`` is ``offered`` or ``sought``."""

    id: Serial  # added by Piccolo; declared for type checkers

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    tag = ForeignKey(references=Tag, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=8)
    # "<user>:<tag>:<kind>": each tag once per person and kind.
    profile_tag_key = Varchar(length=50, unique=True)
