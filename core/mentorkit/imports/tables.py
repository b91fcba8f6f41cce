"""Import jobs: a file uploaded on the import page, checked, then imported in the background."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mentorkit.accounts.tables import User
from mentorkit.programs.tables import Program


class ImportJob(Table, tablename="mentorkit_import_job"):
    """One uploaded participants file and what became of it.

    ``state``: checked (the report is ready; nothing written), running (the import is under
    way in the web process that started it), done, or failed (``error`` says why, e.g. the
    server restarted mid-import: the import is one transaction, so nothing was written). The
    file is kept as ``<data_dir>/imports/<file_name>`` until the job is done or failed.
    """

    id: Serial  # added by Piccolo; declared for type checkers

    program = ForeignKey(references=Program, on_delete=OnDelete.cascade, index=True)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, default=None)
    state = Varchar(length=16, default="checked")
    # A random name under <data_dir>/imports ("" once the file is deleted).
    file_name = Varchar(length=100, default="")
    # The name of the uploaded file, as the coordinator's computer called it (shown back).
    original_name = Varchar(length=200, default="")
    skip_bad_lines = Boolean(default=False)
    # "<host>:<pid>:<random>" of the process running the import, so another process can tell
    # a job whose process is gone (a restart) from one still under way.
    runner = Varchar(length=200, default="")
    lines = Integer(default=0)
    people = Integer(default=0)
    new_people = Integer(default=0)
    enrolments = Integer(default=0)
    skipped = Integer(default=0)
    # The check's problems: [{"line": 3, "column": "email", "message": "..."}].
    problems = JSON(default="[]")
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
