"""Starting a process without the cyclic garbage collector.

Start-up imports about 800 modules and builds the app: hundreds of thousands of objects that
live as long as the process. The collector would walk them again and again while they are
being created and find nothing to free; pausing it saves about a tenth of the time from
``mentorkit serve`` to its first answer. Frozen afterwards (``gc.freeze``), they also stay out
of every later full collection while the server runs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """Run the block with the collector off; then (optionally) freeze what exists and turn it back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
