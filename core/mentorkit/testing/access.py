"""Access declarations: which roles may use each route a plugin adds.

The core's access test (``tests/test_access.py``) calls every route as each role below, on a
world where every role exists, and checks each answer against a table. A plugin with routes
ships its own rows as a module attribute named ``ROUTE_ACCESS``, in the same form as the
core's table: ``{(method, path template): set of roles allowed}``::

    ROUTE_ACCESS = {
        ("GET", "/p/hello"): {"anonymous", "outsider", "mentee", "mentor", "coordinator",
                              "observer", "other_coordinator", "admin"},
        ("POST", "/api/v1/p/hello/greetings"): {"admin"},
    }

Paths are Litestar's templates (``/p/hello/{greeting_id:int}``), as ``route_cases`` lists
them. Allowed means any answer below 500 other than a denial; denied means 401, 403, 404 or a
redirect to sign-in. Installing a plugin never breaks the core's tests, and a plugin route
without a row fails them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ATTRIBUTE = "ROUTE_ACCESS"

ROLES = ("anonymous", "outsider", "mentee", "mentor", "coordinator", "observer", "other_coordinator", "admin")
"""The roles of the access test's world: ``anonymous`` (signed out), ``outsider`` (signed in,
in no program), ``mentee`` and ``mentor`` (paired in program X), ``coordinator`` (of program
X), ``observer`` (of program X: reads its aggregates only), ``other_coordinator`` (of program
Y only), ``admin`` (a site admin)."""

Route = tuple[str, str]


def declared_access(plugins: Iterable[tuple[str, Any]]) -> dict[Route, set[str]]:
    """Every plugin's ``ROUTE_ACCESS`` rows, merged; ``plugins`` are ``(name, plugin)`` pairs
    (``pm.list_name_plugin()``). ``ValueError`` for a malformed row or an unknown role."""
    table: dict[Route, set[str]] = {}
    for name, plugin in plugins:
        declared = getattr(plugin, ATTRIBUTE, None)
        if declared is None:
            continue
        for route, roles in dict(declared).items():
            if not (isinstance(route, tuple) and len(route) == 2 and all(isinstance(p, str) for p in route)):
                raise ValueError(f"plugin {name!r}: {ATTRIBUTE} keys are (method, path) pairs, not {route!r}")
            unknown = set(roles) - set(ROLES)
            if unknown:
                raise ValueError(f"plugin {name!r}: {ATTRIBUTE}[{route!r}] names unknown roles "
                                 f"{sorted(unknown)} (roles: {', '.join(ROLES)})")
            table[(route[0].upper(), route[1])] = set(roles)
    return table


def table_problems(routes: Iterable[Route], table: dict[Route, set[str]]) -> list[str]:
    """What is wrong between an app's routes and an access table: routes without a row and
    rows for routes that do not exist (empty when they match)."""
    served = set(routes)
    return ([f"{m} {p}: no access declaration (add it to the plugin's {ATTRIBUTE})"
             for m, p in sorted(served - table.keys())]
            + [f"{m} {p}: declared, but no such route" for m, p in sorted(table.keys() - served)])
