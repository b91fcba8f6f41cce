"""The 1:1 mentoring slice as a built-in plugin: programs, enrolments, relationships, sessions."""

from __future__ import annotations
