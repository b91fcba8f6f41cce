"""Passwords: Argon2id hashes computed off the event loop, and the rules a new password meets."""

from __future__ import annotations

import functools
import os

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 256

# argon2-cffi's default is RFC 9106's low-memory profile (Argon2id, t=3, m=64 MiB, p=4),
# above OWASP's minimum (m=19 MiB, t=2). Hashing takes tens of milliseconds: always in a
# worker thread so other requests keep flowing.
_hasher = PasswordHasher()


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
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str, password: str) -> bool:
    """True if ``password`` matches (computed in a worker thread)."""
    return await anyio.to_thread.run_sync(_verify, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with older parameters (upgrade it at the next sign-in)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so timing reveals nothing."""
    return _hasher.hash("not a real password, only here for timing")
