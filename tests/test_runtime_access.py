"""Runtime outside a request: ``running()`` gives settings and the database in ``on_event`` (the
process's open runtime, left open) and in a script (opened and closed for the block)."""

from __future__ import annotations

from typing import Any

import pytest

from mentorkit import hookimpl
from mentorkit.runtime import current_runtime, running


class ProgramWatcher:
    """A throwaway plugin whose ``on_event`` reads a setting and the database via ``running()``."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    @hookimpl
    async def on_event(self, event: Any) -> None:
        if event.type != "program.created":
            return
        from mentorkit.programs.tables import Program

        async with running() as runtime:
            row = await Program.select(Program.name).where(Program.slug == event.payload["slug"]).first()
            self.seen.append((runtime.settings.base_url, row["name"]))


@pytest.fixture
def watcher(mentorkit_plugins: list[tuple[str, object]]) -> ProgramWatcher:
    plugin = ProgramWatcher()
    mentorkit_plugins.append(("watcher", plugin))
    return plugin


def test_on_event_reads_settings_and_the_database_and_leaves_the_database_open(
    watcher: ProgramWatcher, mentorkit_client: Any
) -> None:
    from mentorkit.testing.auth import create_user, csrf_headers, sign_in

    create_user(mentorkit_client, "ada@example.org", "Ada", is_admin=True)
    sign_in(mentorkit_client, "ada@example.org")
    created = mentorkit_client.post("/api/v1/programs", json={"slug": "spring", "name": "Spring"},
                                    headers=csrf_headers(mentorkit_client))
    assert created.status_code == 201
    mentorkit_client.drain_events()
    assert watcher.seen == [("http://testserver.local", "Spring")]
    # The block reused the app's open database and did not close it.
    assert mentorkit_client.app.state.runtime.database.is_open
    assert mentorkit_client.get("/api/v1/programs").status_code == 200


async def test_running_opens_and_closes_the_database_outside_the_app(mentorkit_runtime_factory: Any) -> None:
    runtime = mentorkit_runtime_factory()
    assert not runtime.database.is_open
    async with running() as inside:
        assert inside is runtime is current_runtime()
        assert inside.database.is_open
        from mentorkit.db import fetch

        assert [dict(row) for row in await fetch("SELECT 1 AS one")] == [{"one": 1}]
    assert not runtime.database.is_open
