"""Passwords: Argon2id hashes computed off the event loop, and the rules a new password meets."""

from __future__ import annotations

import functools
import os

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 256


@functools.cache
def _hasher_for(memory_kib: int, iterations: int) -> PasswordHasher:
    return PasswordHasher(time_cost=iterations, memory_cost=memory_kib, parallelism=1)


def _hasher() -> PasswordHasher:
    """Argon2id with the configured cost. Hashing takes tens of milliseconds: it always runs
    in a worker thread so other requests keep flowing."""
    from mentorkit.runtime import current_runtime

    settings = current_runtime().settings
    return _hasher_for(settings.password_hash_memory_kib, settings.password_hash_iterations)


@functools.cache
def common_passwords() -> frozenset[str]:
    """The list of common passwords (lower-cased) a new password must not be on."""
    path = os.path.join(os.path.dirname(__file__), "common_passwords.txt")
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """What is wrong with a new password, or None. No composition rules (ASVS 6.2.5)."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in common_passwords():
        return "is one of the most common passwords; choose something harder to guess"
    if lowered in {email.lower(), email.split("@")[0].lower(), display_name.lower()}:
        return "must not be your e-mail address or name"
    return None


async def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (computed in a worker thread)."""
    return await anyio.to_thread.run_sync(_hasher().hash, password)


def _verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str, password: str) -> bool:
    """True if ``password`` matches (computed in a worker thread)."""
    return await anyio.to_thread.run_sync(_verify, _hasher(), stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with older parameters (upgrade it at the next sign-in)."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so timing reveals nothing."""
    hasher = _hasher()
    return _dummy_hash(hasher.memory_cost, hasher.time_cost)


@functools.cache
def _dummy_hash(memory_kib: int, iterations: int) -> str:
    return _hasher_for(memory_kib, iterations).hash("not a real password, only here for timing")
