"""Rate limits on costly or abusable actions, counted in the database (shared by processes)."""

from __future__ import annotations

import datetime as dt
import math
import time

from litestar.exceptions import TooManyRequestsException

from mentorkit.accounts.tables import RateLimitCounter
from mentorkit.events import utcnow

_UPSERT = (
    "INSERT INTO mentorkit_rate_limit (bucket, hits, window_ends_at) VALUES ({}, 1, {}) "
    "ON CONFLICT (bucket) DO UPDATE SET hits = mentorkit_rate_limit.hits + 1 RETURNING hits"
)

# name: (attempts, window in seconds). Per client address and per account, after Mastodon's
# rack-attack rules: generous for people, useless for credential stuffing.
LIMITS: dict[str, tuple[int, int]] = {
    "login:ip": (30, 300),
    "login:account": (10, 900),
    "reset:ip": (10, 900),
    "reset:account": (3, 3600),
    "signup:ip": (10, 3600),
    "invite:user": (100, 86400),
}


async def hit(name: str, identity: str) -> None:
    """Count one attempt; raise 429 (with Retry-After) when over the limit."""
    limit, window = LIMITS[name]
    now = time.time()
    index = math.floor(now / window)
    window_ends = dt.datetime.fromtimestamp((index + 1) * window, dt.UTC)
    rows = await RateLimitCounter.raw(_UPSERT, f"{name}:{identity.lower()}:{index}", window_ends)
    hits = int(rows[0]["hits"])
    if hits == 1 and index % 7 == 0:
        # Now and then, forget windows that ended long ago.
        await RateLimitCounter.delete().where(RateLimitCounter.window_ends_at < utcnow() - dt.timedelta(days=1))
    if hits > limit:
        retry = max(1, int((index + 1) * window - now))
        raise TooManyRequestsException(
            detail=f"too many attempts; try again in {retry // 60 + 1} minute(s)",
            headers={"Retry-After": str(retry)},
        )


def client_address(scope_client: tuple[str, int] | None) -> str:
    """The client's address as the server saw it (proxy headers are not trusted)."""
    return scope_client[0] if scope_client else "unknown"
