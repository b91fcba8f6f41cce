"""Mentorkit: self-hosted, plugin-based mentorship programs.

The public API for plugins: ``hookimpl`` (the marker), the contracts registered through hooks
(``ProgramFormat``, ``RoleSlot``, ``MatchingStrategy``, ``NotificationChannel``), events
(``Event``, ``emit``, ``schedule``), the unit of work (``transaction``) and the runtime outside
a request (``mentorkit.runtime``: ``running``, ``with_runtime``, ``current_runtime``). Anything
else is internal and may change.
"""

from mentorkit.hookspecs import hookimpl

__all__ = ["hookimpl"]
