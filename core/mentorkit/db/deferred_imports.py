"""Import-time savings for the start-up budget (0.6 s from `mentorkit serve` to first answer).

Piccolo's configuration module imports ``black`` (a code formatter, ~0.14 s) at import time,
although it only formats newly written migration files. Until something uses it, a stand-in
module takes its place; the first attribute access imports the real one. ``black`` is a
compiled package, so ``importlib.util.LazyLoader`` cannot defer it.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _DeferredModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        real = importlib.import_module(self.__name__)
        return getattr(real, name)


def defer_formatter_import() -> None:
    """Put the stand-in for ``black`` in place, unless it is already imported."""
    if "black" not in sys.modules:
        sys.modules["black"] = _DeferredModule("black")
