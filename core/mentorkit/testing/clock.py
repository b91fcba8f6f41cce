"""A controllable clock for tests of time-driven behaviour (expiries, due dates, timers).

``mentorkit_clock`` (a fixture of ``mentorkit.testing``) starts at the real time and moves
only when told: ``clock.advance(days=8)``. Everything that reads the time through
``mentorkit.events.utcnow`` (services, the worker's timers) sees the same moment.
"""

from __future__ import annotations

import datetime as dt

from mentorkit.events import model


class Clock:
    """The time ``utcnow`` returns while this clock is installed."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        """Move the time on by a ``timedelta``'s keyword arguments; returns the new time."""
        self.now += dt.timedelta(**delta)
        return self.now

    def install(self) -> Clock:
        """Make ``utcnow`` read this clock."""
        model.set_clock(self)
        return self

    def uninstall(self) -> None:
        """Back to the real time."""
        model.set_clock(None)
