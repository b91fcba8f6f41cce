"""Persistence: one database URL, SQLite embedded or PostgreSQL at scale, over Piccolo."""

from mentorkit.db.database import Database, active_database, redact
from mentorkit.db.unit import after_commit, in_transaction, transaction

__all__ = ["Database", "active_database", "after_commit", "in_transaction", "redact", "transaction"]
