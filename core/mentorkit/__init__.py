"""Mentorkit: self-hosted, plugin-based mentorship programs.

The public API for plugins: ``hookimpl`` (the marker), the contracts registered through hooks
(``ProgramFormat``, ``RoleSlot``, ``MatchingStrategy``, ``NotificationChannel``), events
(``Event``, ``emit``, ``schedule``) and the unit of work (``transaction``). Anything else is
internal and may change.
"""

from mentorkit.hookspecs import hookimpl

__all__ = ["hookimpl"]
