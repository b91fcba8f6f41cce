"""Profile wire types and read models: what the profile pages, the JSON API and the domain API
exchange. The choices (seniority, languages, visibility levels) live here, once, so pages,
the API's schema and the service's checks agree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from mentorkit.accounts.schemas import TimeZone
from mentorkit.schemas import END, NOT_BLANK_LINE, SINGLE_LINE, Id, Input, LongText

SENIORITY = {
    "student": "Student",
    "junior": "Junior",
    "mid": "Mid-level",
    "senior": "Senior",
    "lead": "Lead",
    "executive": "Executive",
}

VISIBILITY = {
    "signed_in": "Everyone signed in",
    "members": "Members of my programs",
    "staff": "Staff of my programs only",
}
Visibility = Literal["signed_in", "members", "staff"]

# Every field a visibility applies to, with its default and its label (the Privacy section's
# order). The name and the account stay visible to everyone signed in.
FIELDS: dict[str, tuple[str, str]] = {
    "headline": ("signed_in", "Headline"),
    "skills": ("signed_in", "Skills"),
    "languages": ("signed_in", "Languages"),
    "bio": ("members", "About me"),
    "seniority": ("members", "Seniority"),
    "department": ("members", "Department"),
    "time_zone": ("members", "Time zone"),
    "links": ("members", "Links"),
    "availability": ("members", "Availability"),
    "photo": ("members", "Photo"),
    "years_experience": ("staff", "Years of experience"),
}
DEFAULT_VISIBILITY = {name: default for name, (default, _) in FIELDS.items()}

# Common languages as BCP 47 tags with their names (English and their own), the list people
# choose from. A site that needs another adds it here.
LANGUAGES = {
    "ar": "Arabic (العربية)",
    "bn": "Bengali (বাংলা)",
    "ca": "Catalan (català)",
    "cs": "Czech (čeština)",
    "da": "Danish (dansk)",
    "de": "German (Deutsch)",
    "el": "Greek (Ελληνικά)",
    "en": "English",
    "es": "Spanish (español)",
    "fa": "Persian (فارسی)",
    "fi": "Finnish (suomi)",
    "fr": "French (français)",
    "he": "Hebrew (עברית)",
    "hi": "Hindi (हिन्दी)",
    "hu": "Hungarian (magyar)",
    "id": "Indonesian (Bahasa Indonesia)",
    "it": "Italian (italiano)",
    "ja": "Japanese (日本語)",
    "ko": "Korean (한국어)",
    "ms": "Malay (Bahasa Melayu)",
    "nb": "Norwegian Bokmål (norsk bokmål)",
    "nl": "Dutch (Nederlands)",
    "pl": "Polish (polski)",
    "pt": "Portuguese (português)",
    "pt-BR": "Brazilian Portuguese (português do Brasil)",
    "ro": "Romanian (română)",
    "ru": "Russian (русский)",
    "sv": "Swedish (svenska)",
    "sw": "Swahili (Kiswahili)",
    "th": "Thai (ไทย)",
    "tr": "Turkish (Türkçe)",
    "uk": "Ukrainian (українська)",
    "ur": "Urdu (اردو)",
    "vi": "Vietnamese (Tiếng Việt)",
    "zh-Hans": "Chinese, simplified (简体中文)",
    "zh-Hant": "Chinese, traditional (繁體中文)",
}

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MAX_LINKS = 5
MAX_AVAILABILITY = 21
MAX_SKILLS = 30

Headline = Annotated[str, msgspec.Meta(max_length=150, pattern=SINGLE_LINE, description="one line")]
ShortLine = Annotated[str, msgspec.Meta(max_length=100, pattern=SINGLE_LINE, description="one line")]
LinkLabel = Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=SINGLE_LINE,
                                        description="what the link is, e.g. LinkedIn")]
Url = Annotated[str, msgspec.Meta(min_length=8, max_length=500, pattern=rf"^https?://[^\s\x00-\x1f\x7f]+{END}",
                                  description="an http:// or https:// address")]
ClockTime = Annotated[str, msgspec.Meta(pattern=rf"^(?:[01][0-9]|2[0-3]):[0-5][0-9]{END}|^24:00{END}",
                                        description="a time of day, HH:MM (24:00 is midnight at the end of the day)")]
Day = Annotated[int, msgspec.Meta(ge=0, le=6, description="0 is Monday, 6 is Sunday")]
Years = Annotated[int, msgspec.Meta(ge=0, le=70, description="whole years")]
TagLabel = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NOT_BLANK_LINE,
                                       description="a tag's label, key or synonym")]
# One of the listed languages, so the OpenAPI document says exactly which tags are accepted.
if TYPE_CHECKING:
    LanguageTag = str
else:
    LanguageTag = Annotated[Literal[tuple(LANGUAGES)], msgspec.Meta(
        description="a BCP 47 language tag from the list, e.g. pt-BR")]


class Link(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A link on a profile: a label and an http(s) address."""

    label: LinkLabel
    url: Url


class Availability(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A weekly time range in the person's time zone (day 0 is Monday; ``end`` after ``start``)."""

    day: Day
    start: ClockTime
    end: ClockTime


class TagRef(msgspec.Struct, frozen=True, kw_only=True):
    """A tag as profiles show it: its canonical key and its label."""

    key: str
    label: str


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """A person's profile as the reader may see it.

    A field the person's visibility hides from the reader is None (an empty list or text means
    the person left it empty). ``visibility`` (field -> signed_in | members | staff) is filled
    for the person themselves, site admins and the system actor only.
    """

    user_id: int
    display_name: str
    headline: str | None = None
    bio: str | None = None
    seniority: str | None = None
    years_experience: int | None = None
    department: str | None = None
    languages: list[str] | None = None
    time_zone: str | None = None
    links: list[Link] | None = None
    skills_offered: list[TagRef] | None = None
    skills_sought: list[TagRef] | None = None
    availability: list[Availability] | None = None
    photo_url: str | None = None
    visibility: dict[str, str] | None = None
    hidden: list[str] = []
    """The fields the reader may not see (each None above)."""


class ProfileUpdate(Input):
    """A change to one's own profile: only the fields sent change.

    Skills are labels (any synonym); they are stored as the vocabulary's canonical tags, and
    unknown ones are refused by name. ``years_experience`` null clears it.
    """

    headline: Headline | msgspec.UnsetType = msgspec.UNSET
    bio: LongText | msgspec.UnsetType = msgspec.UNSET
    seniority: Literal["", "student", "junior", "mid", "senior", "lead", "executive"] | msgspec.UnsetType = (
        msgspec.UNSET)
    years_experience: Years | msgspec.UnsetType | None = msgspec.UNSET
    department: ShortLine | msgspec.UnsetType = msgspec.UNSET
    languages: Annotated[list[LanguageTag], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    time_zone: TimeZone | msgspec.UnsetType = msgspec.UNSET
    links: Annotated[list[Link], msgspec.Meta(max_length=MAX_LINKS)] | msgspec.UnsetType = msgspec.UNSET
    skills_offered: Annotated[list[TagLabel], msgspec.Meta(max_length=MAX_SKILLS)] | msgspec.UnsetType = (
        msgspec.UNSET)
    skills_sought: Annotated[list[TagLabel], msgspec.Meta(max_length=MAX_SKILLS)] | msgspec.UnsetType = (
        msgspec.UNSET)
    availability: Annotated[list[Availability], msgspec.Meta(max_length=MAX_AVAILABILITY)] | msgspec.UnsetType = (
        msgspec.UNSET)
    visibility: VisibilityUpdate | msgspec.UnsetType = msgspec.UNSET


class VisibilityUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who may see each field: only the fields sent change."""

    headline: Visibility | msgspec.UnsetType = msgspec.UNSET
    skills: Visibility | msgspec.UnsetType = msgspec.UNSET
    languages: Visibility | msgspec.UnsetType = msgspec.UNSET
    bio: Visibility | msgspec.UnsetType = msgspec.UNSET
    seniority: Visibility | msgspec.UnsetType = msgspec.UNSET
    department: Visibility | msgspec.UnsetType = msgspec.UNSET
    time_zone: Visibility | msgspec.UnsetType = msgspec.UNSET
    links: Visibility | msgspec.UnsetType = msgspec.UNSET
    availability: Visibility | msgspec.UnsetType = msgspec.UNSET
    photo: Visibility | msgspec.UnsetType = msgspec.UNSET
    years_experience: Visibility | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> dict[str, str]:
        """The fields sent, with their new visibility."""
        return {name: value for name in FIELDS if (value := getattr(self, name)) is not msgspec.UNSET}


# --------------------------------------------------------------------------- the vocabulary


class Tag(msgspec.Struct, frozen=True, kw_only=True):
    """A tag of the vocabulary with its synonyms and how many people offer and seek it."""

    id: int
    key: str
    label: str
    synonyms: list[Synonym]
    offered: int
    sought: int


class Synonym(msgspec.Struct, frozen=True, kw_only=True):
    """Another name of a tag (stored normalised)."""

    id: int
    synonym: str


class TagCreate(Input):
    """A new tag: its label (the key is made from it)."""

    label: TagLabel


class TagRename(Input):
    """A tag's new label (its key stays)."""

    label: TagLabel


class SynonymCreate(Input):
    """Another name for a tag."""

    synonym: TagLabel


class TagMerge(Input):
    """Merge this tag into ``into``: its uses move there and its names become synonyms."""

    into: Id


class ResolvedTags(msgspec.Struct, frozen=True, kw_only=True):
    """Labels turned into canonical keys, and the labels nobody defined."""

    keys: list[str]
    unknown: list[str]
