"""Long work a web process runs in the background (imports, match runs), and how another
process tells whether it is still under way.

A job runs as an asyncio task of the process that started it; its row names that process
(``RUNNER``), so a page served by another process, after a restart, can tell a job whose
process is gone (show it as failed) from one still running elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import Coroutine
from typing import Any

_HOST = socket.gethostname()[:100]
RUNNER = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"
"""This process, as a job's ``runner`` column names it: ``"<host>:<pid>:<random>"``."""
_tasks: set[asyncio.Task[Any]] = set()


def runner_gone(runner: str) -> bool:
    """Whether the process named by ``runner`` is known to have stopped."""
    host, _, rest = runner.partition(":")
    pid, _, _ = rest.partition(":")
    if runner == RUNNER:
        return False
    if host != _HOST or not pid.isdigit():
        return False  # another machine's process: it may well be running
    if int(pid) == os.getpid():
        return True  # this pid, another token: an earlier process with the same pid
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def spawn(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` in the background of this process (kept referenced until it ends)."""
    task = asyncio.get_running_loop().create_task(work)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def wait_for_background() -> None:
    """Wait until this process's background jobs end (for tests and an orderly shutdown)."""
    while _tasks:
        await asyncio.gather(*list(_tasks), return_exceptions=True)
