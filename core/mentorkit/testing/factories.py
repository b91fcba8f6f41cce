"""Factories for tests: people, programs in a chosen state, enrolments and relationships.

Each call creates real rows through the core's services (the same checks, the same events),
on the app's event loop, and returns the domain API's read models.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal

from mentorkit.testing.auth import DEFAULT_PASSWORD

# The order a program moves through to reach each state.
_PATH = {"draft": (), "enrolling": ("enrolling",), "matching": ("enrolling", "matching"),
         "running": ("enrolling", "running"), "closed": ("enrolling", "running", "closed"),
         "archived": ("enrolling", "running", "closed", "archived")}


class Factory:
    """Makes test data on ``client``'s app (``mentorkit_factory`` is one bound to
    ``mentorkit_client``). Every created thing is owned by a site admin the factory makes
    once, unless a method says otherwise."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._numbers = itertools.count(1)
        self._admin: Any = None

    def user(self, name: str | None = None, *, admin: bool = False, email: str | None = None,
             time_zone: str = "UTC", password: str = DEFAULT_PASSWORD) -> Any:
        """A person with an active account (a site admin with ``admin=True``): a ``CurrentUser``.

        ``name`` is the display name (default "Person <n>"); the e-mail address is made from it
        unless given. Sign in with ``sign_in_as(client, user)`` or the password.
        """
        from mentorkit.accounts.services import create_user

        number = next(self._numbers)
        name = name or f"Person {number}"
        email = email or f"{''.join(c for c in name.lower() if c.isalnum()) or 'person'}-{number}@example.org"
        return self.client.run(lambda: create_user(email=email, display_name=name, password=password,
                                                   is_admin=admin, time_zone=time_zone))

    @property
    def admin(self) -> Any:
        """The factory's own site admin (made on first use), who creates programs."""
        if self._admin is None:
            self._admin = self.user("Factory Admin", admin=True)
        return self._admin

    def program(self, *, format: str = "one_to_one", strategy: str = "manual", state: str = "enrolling",
                name: str | None = None, slug: str | None = None, coordinators: Sequence[Any] = (),
                intake: Literal["cohort", "rolling"] = "rolling", default_capacity: int = 1,
                acceptance: Literal["none", "one_sided", "two_sided"] = "none") -> Any:
        """A program with the given format and matching strategy keys, moved to ``state``
        ("draft", "enrolling", "matching", "running", "closed" or "archived"), with
        ``coordinators`` appointed (the factory's admin coordinates it too). Returns the
        ``Program``. The intake is ``"rolling"`` unless asked otherwise, so people can be
        enrolled in a matching or running program too (a cohort program takes enrolments
        while enrolling only). ``default_capacity``: how many open relationships a mentor
        holds (pairing beyond it is refused); ``acceptance``: who must accept a new
        relationship before it starts (``"none"``: it starts at once)."""
        from mentorkit.programs import services
        from mentorkit.programs.schemas import ProgramCreate

        if state not in _PATH:
            raise ValueError(f"state must be one of {', '.join(_PATH)}")
        number = next(self._numbers)
        admin = self.admin

        async def make() -> Any:
            program = await services.create_program(ProgramCreate(
                slug=slug or f"program-{number}", name=name or f"Program {number}",
                format=format, matching_strategy=strategy, intake=intake, default_capacity=default_capacity,
                acceptance=acceptance), admin)
            for person in coordinators:
                await services.appoint_staff(program.id, person.email, "coordinator", admin)
            for step in _PATH[state]:
                program = await services.change_program_state(program.id, step, admin)
            return program

        return self.client.run(make)

    def enrol(self, program: Any, user: Any, role: str) -> Any:
        """Enrol ``user`` in ``program`` with the role key ``role``; returns the ``Enrolment``."""
        from mentorkit.api import enrol

        return self.client.run(enrol, program.id, role, user)

    def pair(self, program: Any, enrolments: Sequence[Any], *, strategy: str = "manual") -> Any:
        """A relationship of ``enrolments`` made by the factory's admin; returns the
        ``Relationship``."""
        from mentorkit.api import pair

        return self.client.run(lambda: pair(program.id, [e.id for e in enrolments], self.admin, strategy=strategy))
