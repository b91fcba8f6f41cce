"""Rate limits on costly or abusable actions, counted in the database (shared by processes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time

from litestar.exceptions import TooManyRequestsException

from mentorkit.accounts.tables import RateLimitCounter
from mentorkit.events import utcnow
from mentorkit.runtime import current_runtime

_UPSERT = (
    "INSERT INTO mentorkit_rate_limit (bucket, hits, window_ends_at) VALUES ({}, 1, {}) "
    "ON CONFLICT (bucket) DO UPDATE SET hits = mentorkit_rate_limit.hits + 1 RETURNING hits"
)

Limit = tuple[int, int]  # (attempts, window in seconds)

# Per client address and per account, after Mastodon's rack-attack rules: generous for people,
# useless for credential stuffing.
LIMITS: dict[str, Limit] = {
    "login:ip": (30, 300),
    "login:account": (10, 900),
    "reset:ip": (10, 900),
    "reset:account": (3, 3600),
    "invite:user": (100, 86400),
}

# Sign-up limits are settings: a kick-off behind one NAT address signs up a whole room at once,
# and only the site knows how big its rooms are. name: (setting, window in seconds).
CONFIGURED: dict[str, tuple[str, int]] = {
    "signup:address": ("sign_up_attempts_per_address_hour", 3600),
    "signup:ip": ("sign_up_attempts_per_ip_hour", 3600),
    "signup:ip:minute": ("sign_up_attempts_per_ip_minute", 60),
}


def limit_of(name: str) -> Limit:
    """The limit called ``name``: attempts allowed per window, and the window in seconds."""
    if name in CONFIGURED:
        setting, window = CONFIGURED[name]
        return int(getattr(current_runtime().settings, setting)), window
    return LIMITS[name]


def wait_text(seconds: int) -> str:
    """How long to wait, as people say it: "in 40 seconds", "in 1 minute", "in 12 minutes"."""
    if seconds < 60:
        return f"in {seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"in {minutes} minute{'' if minutes == 1 else 's'}"


class RateLimited(TooManyRequestsException):
    """Over a limit (429 with Retry-After). Forms catch it to show the page again, with what
    was typed and ``message``; anywhere else it becomes the error page."""

    def __init__(self, name: str, retry_after: int) -> None:
        self.name = name  # which limit, e.g. "signup:address"
        self.retry_after = retry_after
        super().__init__(detail=f"too many attempts; try again {wait_text(retry_after)}",
                         headers={"Retry-After": str(retry_after)})


def bucket_key(identity: str) -> str:
    """The identity as it is counted: lower-cased, and hashed when too long for the bucket
    column (an e-mail address may have 254 characters)."""
    key = identity.lower()
    return key if len(key) <= 100 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


async def hit(name: str, identity: str) -> None:
    """Count one attempt; raise :class:`RateLimited` when over the limit."""
    limit, window = limit_of(name)
    now = time.time()
    index = math.floor(now / window)
    window_ends = dt.datetime.fromtimestamp((index + 1) * window, dt.UTC)
    rows = await RateLimitCounter.raw(_UPSERT, f"{name}:{bucket_key(identity)}:{index}", window_ends)
    hits = int(rows[0]["hits"])
    if hits == 1 and index % 7 == 0:
        # Now and then, forget windows that ended long ago.
        await RateLimitCounter.delete().where(RateLimitCounter.window_ends_at < utcnow() - dt.timedelta(days=1))
    if hits > limit:
        raise RateLimited(name, max(1, math.ceil((index + 1) * window - now)))


def client_address(scope_client: tuple[str, int] | None) -> str:
    """The client's address as the server saw it (proxy headers are not trusted)."""
    return scope_client[0] if scope_client else "unknown"
