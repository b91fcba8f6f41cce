"""People's own time zones: times are stored in UTC, shown and read in the viewer's zone.

Every conversion between a person's wall-clock time and UTC goes through this module: the
``local_time`` template filter to show a time, :func:`from_local` to read one typed into a form.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "UTC"
# Files in the time-zone database that are not zones a person lives in.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time-zone name people may choose, sorted: the list of the tzdata package, the
    same on every machine (``zoneinfo.available_timezones()`` differs with the system's zone
    database and takes a tenth of a second to walk it)."""
    names = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="ascii").split()
    return tuple(sorted(set(names) - _NOT_ZONES))


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """(name, label) pairs for a select of every zone: ``("America/New_York", "America/New York")``."""
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


def is_time_zone(name: str) -> bool:
    """True for an IANA time-zone name such as ``Europe/Berlin`` (exact spelling)."""
    return name in _known()


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(time_zone_names())


def zone_of(user: Any) -> ZoneInfo:
    """The person's time zone; UTC for visitors and for a name the database no longer knows."""
    name = getattr(user, "time_zone", "") or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


class NoSuchLocalTime(ValueError):
    """A wall-clock time the zone skips (the clocks go forward through it)."""


def from_local(wall_clock: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The UTC time of a wall-clock time (naive) in ``zone``.

    A time the clocks skip (a DST gap) raises :class:`NoSuchLocalTime`. A time that happens
    twice (the hour repeated when the clocks go back) is read as the first of the two.
    """
    local = wall_clock.replace(tzinfo=zone, fold=0)
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall_clock.replace(fold=0):
        raise NoSuchLocalTime(f"{wall_clock:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks go forward then")
    return utc


def format_local(moment: dt.datetime, zone: ZoneInfo, style: str = "datetime") -> str:
    """``moment`` as the viewer reads it: their wall-clock time with the zone's abbreviation
    (``2 Dec 2026, 10:00 CET``), or the day alone for ``style="date"`` (``2 Dec 2026``)."""
    if moment.tzinfo is None:  # the database's times are UTC
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(zone)
    day = format_day(local.date())
    if style == "date":
        return day
    return f"{day}, {local:%H:%M} {local.tzname()}"


def format_day(day: dt.date) -> str:
    """A calendar day as pages show it (``2 Dec 2026``), the same in every time zone."""
    return f"{day.day} {day:%b %Y}"  # no %-d: it is not portable
