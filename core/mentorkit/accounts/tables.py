"""Accounts: people, their web sessions, API tokens, one-time tokens and rate-limit counters."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="mentorkit_user"):
    """A person with an account. ``email`` is stored normalised (trimmed, lower-case)."""

    id: Serial  # added by Piccolo; declared for type checkers

    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=100)
    password_hash = Text()
    is_admin = Boolean(default=False)
    active = Boolean(default=True)
    time_zone = Varchar(length=64, default="UTC")
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="mentorkit_web_session"):
    """A signed-in browser. Only a hash of the cookie value is stored."""

    id: Serial  # added by Piccolo; declared for type checkers

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=200, default="")


class ApiToken(Table, tablename="mentorkit_api_token"):
    """A personal API token for ``/api/v1`` (``Authorization: Bearer ...``); stored hashed."""

    id: Serial  # added by Piccolo; declared for type checkers

    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    name = Varchar(length=100)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class OneTimeToken(Table, tablename="mentorkit_one_time_token"):
    """A single-use, expiring token: a password reset or an invitation.

    The raw token is an HMAC of the site's secret key over ``purpose:id:nonce``; only its hash
    is stored, and the sender derives it again when a notification goes out.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    token_hash = Varchar(length=64, unique=True)
    nonce = Varchar(length=64)
    purpose = Varchar(length=32)
    email = Varchar(length=254)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class RateLimitCounter(Table, tablename="mentorkit_rate_limit"):
    """Attempts per key per time window, shared by every process using this database."""

    id: Serial  # added by Piccolo; declared for type checkers

    bucket = Varchar(length=200, unique=True)
    hits = Integer(default=0)
    window_ends_at = Timestamptz(index=True)


class Notification(Table, tablename="mentorkit_notification"):
    """A message for one person: shown in their in-app inbox and sent through every channel.

    ``secret_ref`` points at a one-time token whose link is derived again at send time, so no
    usable reset or invitation link is ever stored.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    key = Varchar(length=200, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True, null=True, default=None)
    email = Varchar(length=254)
    secret_ref = Varchar(length=100, null=True, default=None)
    subject = Varchar(length=200)
    body = Text()
    link = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
