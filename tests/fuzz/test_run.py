"""The fuzz script's reading of the server's log: every error, with the exception it ended in."""

from __future__ import annotations

from tests.fuzz.run import server_errors

LOG = """INFO:     Started server process [12]
ERROR - 2026-12-01 22:40:40 - mentorkit.web - errors - unhandled error on GET /api/v1/relationships/7
Traceback (most recent call last):
  File "a.py", line 1, in handle
    run()
ValueError: bad

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "b.py", line 2, in run
asyncpg.exceptions.DataError: invalid input for query argument $1
INFO:     Shutting down
WARNING - 2026-12-01 22:41:00 - mentorkit.events - worker - slow delivery
ERROR - 2026-12-01 22:41:01 - mentorkit.events - worker - a delivery failed
"""


def test_each_error_with_the_exception_it_ended_in() -> None:
    assert server_errors(LOG) == [
        "ERROR - 2026-12-01 22:40:40 - mentorkit.web - errors - unhandled error on GET /api/v1/relationships/7"
        " -> asyncpg.exceptions.DataError: invalid input for query argument $1",
        "ERROR - 2026-12-01 22:41:01 - mentorkit.events - worker - a delivery failed",
    ]


def test_a_clean_log_has_no_errors() -> None:
    assert server_errors("INFO:     Started server process [12]\nWARNING - slow\n") == []
