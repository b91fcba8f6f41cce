"""Domain errors: one type per thing that can go wrong, mapped to HTTP and CLI exits in one place."""

from __future__ import annotations


class MentorkitError(Exception):
    """Base of every error Mentorkit raises on purpose; its message is meant for people."""


class ConfigurationError(MentorkitError):
    """A setting, a plugin or the environment is wrong; the process cannot start."""


class PluginError(ConfigurationError):
    """A plugin cannot be used as installed (misspelt hook, bad registration)."""


class DatabaseUnavailable(ConfigurationError):
    """The database URL cannot be reached or opened."""


class ConflictError(MentorkitError):
    """The change conflicts with stored data (a duplicate, a missing reference): HTTP 409."""


class NotFound(MentorkitError):
    """The thing asked for does not exist, or the caller may not know it exists: HTTP 404."""


class PermissionDenied(MentorkitError):
    """The caller is known but may not do this: HTTP 403."""


class ValidationFailed(MentorkitError):
    """Input broke a rule; ``errors`` maps each field to what is wrong with it: HTTP 400."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in errors.items()))
