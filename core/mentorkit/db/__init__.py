"""Persistence: one database URL, SQLite embedded or PostgreSQL at scale, over Piccolo."""

# Before anything imports Piccolo's configuration module (see deferred_imports).
from mentorkit.db.deferred_imports import defer_formatter_import

defer_formatter_import()

from mentorkit.db.database import Database, active_database, redact  # noqa: E402
from mentorkit.db.reads import fetch  # noqa: E402
from mentorkit.db.unit import after_commit, in_transaction, transaction  # noqa: E402

__all__ = ["Database", "active_database", "after_commit", "fetch", "in_transaction", "redact", "transaction"]
