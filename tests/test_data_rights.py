"""Data rights: every personal table is handled, the export holds every category (and nothing of
other people's), and erasure locks the account, leaves no trace of the person's e-mail address
or name, keeps what the other members share, and can be run again after a failure."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from piccolo.conf.apps import AppRegistry

from mentorkit import hookimpl
from mentorkit.hooks import Hooks
from mentorkit.plugins import create_plugin_manager
from mentorkit.privacy import coverage
from mentorkit.testing.auth import DEFAULT_PASSWORD, sign_in
from mentorkit.web.auth import SESSION_COOKIE
from tests.plugin_install import importable

CORE = "mentorkit.builtin.data_rights"
ADA_EMAIL = "ada.quillfeather@example.org"
ADA_NAME = "Ada Quillfeather"
BOB_EMAIL = "bob.marrow@example.org"
BOB_NAME = "Bob Marrow"
ADA_PRIVATE = "ada-private: nervous about the thesis defence"
BOB_PRIVATE = "bob-private: she is doing better than she thinks"
HELLO = Path(__file__).parent / "fixtures" / "mentorkit-hello"


# --------------------------------------------------------------------------- the schema test


def test_every_table_with_personal_data_is_covered(mentorkit_runtime_factory: Callable[[], Any]) -> None:
    runtime = mentorkit_runtime_factory()
    registry = runtime.database.registry
    personal = coverage.personal_tables(registry)
    # The detection finds the core's personal tables (a guard against it finding nothing).
    assert {"mentorkit_user", "mentorkit_event", "mentorkit_session_private_note",
            "mentorkit_notification", "mentorkit_rate_limit"} <= personal.keys()
    assert coverage.uncovered_tables(registry, runtime.pm) == {}, (
        "tables with personal data that no plugin's export_user_data/erase_user_data handles: declare "
        "them in the plugin's PERSONAL_DATA_TABLES, or in coverage.NOT_PERSONAL with the reason")
    assert coverage.incomplete_declarations(runtime.pm) == {}
    # Declarations and allowlists name real tables (no stale entries).
    names = {table._meta.tablename for table in coverage.all_tables(registry)}
    assert set(coverage.covered_tables(runtime.pm)) <= names
    assert set(coverage.NOT_PERSONAL) <= names
    assert set(coverage.PERSONAL_TABLES) <= names


PROBE_TABLES = '''
from piccolo.columns import ForeignKey, OnDelete, Text
from piccolo.table import Table

from mentorkit.accounts.tables import User


class ProbeNote(Table, tablename="rights_probe_note"):
    author = ForeignKey(references=User, on_delete=OnDelete.cascade)
    body = Text()


class ProbeLog(Table, tablename="rights_probe_log"):
    line = Text()
'''

PROBE_APP = '''
import os

from piccolo.conf.apps import AppConfig

from rights_probe_app.tables import ProbeLog, ProbeNote

APP_CONFIG = AppConfig(
    app_name="rights_probe",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ProbeNote, ProbeLog],
    migration_dependencies=["mentorkit.db.piccolo_app"],
)
'''


@pytest.fixture
def probe_app(tmp_path: Path) -> Iterator[None]:
    """A throwaway Piccolo app with a table that references the user table."""
    package = tmp_path / "code" / "rights_probe_app"
    (package / "piccolo_migrations").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "piccolo_migrations" / "__init__.py").write_text("")
    (package / "tables.py").write_text(textwrap.dedent(PROBE_TABLES))
    (package / "piccolo_app.py").write_text(textwrap.dedent(PROBE_APP))
    with importable(package.parent, "rights_probe_app"):
        yield


class ProbeTables:
    """Contributes the probe app and nothing else."""

    @hookimpl
    def register_piccolo_apps(self, register: Callable[..., None]) -> None:
        register("rights_probe_app.piccolo_app")


class ProbeWithRights(ProbeTables):
    PERSONAL_DATA_TABLES = ("rights_probe_note",)

    @hookimpl
    def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"rights_probe_note": []}

    @hookimpl
    def erase_user_data(self, user_id: int) -> None:
        return None


class ProbeExportOnly(ProbeTables):
    PERSONAL_DATA_TABLES = ("rights_probe_note",)

    @hookimpl
    def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"rights_probe_note": []}


def _registry_and_pm(plugin: object) -> tuple[AppRegistry, Any]:
    pm = create_plugin_manager({}, extra_plugins=[("rights_probe", plugin)], entry_points=False)
    return AppRegistry(apps=Hooks(pm).piccolo_apps()), pm


def test_a_new_table_with_a_user_foreign_key_that_nobody_covers_fails(probe_app: None) -> None:
    registry, pm = _registry_and_pm(ProbeTables())
    assert coverage.uncovered_tables(registry, pm) == {
        "rights_probe_note": "author references mentorkit_user"}  # the log has no personal data

    registry, pm = _registry_and_pm(ProbeWithRights())
    assert coverage.uncovered_tables(registry, pm) == {}
    assert coverage.covered_tables(pm)["rights_probe_note"] == "rights_probe"

    # Declaring a table is not enough: the plugin must implement both hooks.
    registry, pm = _registry_and_pm(ProbeExportOnly())
    assert "rights_probe_note" in coverage.uncovered_tables(registry, pm)
    assert coverage.incomplete_declarations(pm) == {"rights_probe": ("rights_probe_note",)}


def test_the_hello_example_plugin_is_not_flagged() -> None:
    """Its tables hold greetings and received events, with no reference to a person."""
    with importable(HELLO, "mentorkit_hello"):
        import mentorkit_hello

        pm = create_plugin_manager({}, extra_plugins=[("hello", mentorkit_hello)], entry_points=False)
        registry = AppRegistry(apps=Hooks(pm).piccolo_apps())
        names = {table._meta.tablename for table in coverage.all_tables(registry)}
        assert {"hello_greeting", "hello_received_event"} <= names
        assert not any(name.startswith("hello_") for name in coverage.personal_tables(registry))
        assert coverage.uncovered_tables(registry, pm) == {}


# --------------------------------------------------------------------------- a person with data everywhere


class Person:
    """Ada (mentee, observer of another program) and everything around her."""

    admin: Any
    ada: Any
    bob: Any
    relationship_id: int
    session_ids: tuple[int, int]
    api_token: str
    cookie: str


def _build(client: Any) -> Person:
    from mentorkit.accounts import services as accounts
    from mentorkit.programs import services as programs
    from mentorkit.programs.schemas import ProgramCreate
    from mentorkit.relationships import services as relationships
    from mentorkit.relationships.schemas import SessionCreate

    p = Person()

    async def build() -> None:
        p.admin = await accounts.create_user(email="admin@example.org", display_name="Site Admin",
                                             password=DEFAULT_PASSWORD, is_admin=True)
        # Ada arrives by invitation: a one-time token, a notification and an event name her address.
        link = await accounts.invite(ADA_EMAIL, p.admin)
        p.ada = await accounts.accept_invitation(link.split("invite=")[1], display_name=ADA_NAME,
                                                 password=DEFAULT_PASSWORD)
        p.bob = await accounts.create_user(email=BOB_EMAIL, display_name=BOB_NAME, password=DEFAULT_PASSWORD)
        x = await programs.create_program(ProgramCreate(slug="program-x", name="Program X"), p.admin)
        y = await programs.create_program(ProgramCreate(slug="program-y", name="Program Y"), p.admin)
        await programs.change_program_state(x.id, "enrolling", p.admin)
        await programs.appoint_staff(y.id, ADA_EMAIL, "observer", p.admin)
        ada_enrolment = await programs.enrol(x.id, "mentee", p.ada)
        bob_enrolment = await programs.enrol(x.id, "mentor", p.bob)
        relationship = await relationships.pair(x.id, [bob_enrolment.id, ada_enrolment.id], p.admin)
        p.relationship_id = relationship.id
        held = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        first = await relationships.log_session(relationship.id, SessionCreate(
            held_at=held, duration_minutes=45, title="Kick-off", shared_notes="We agreed on three goals.",
            private_note=ADA_PRIVATE), p.ada)
        second = await relationships.log_session(relationship.id, SessionCreate(
            held_at=held + dt.timedelta(hours=1), duration_minutes=30, title="Plan review",
            shared_notes="Reviewed the plan together.", private_note=BOB_PRIVATE), p.bob)
        p.session_ids = (first.id, second.id)
        _, p.api_token = await accounts.create_api_token(p.ada, "my script")
        await accounts.request_password_reset(ADA_EMAIL)

    client.run(build)
    sign_in(client, ADA_EMAIL)  # a web session, and a per-account rate-limit counter
    p.cookie = client.cookies.get(SESSION_COOKIE)
    client.drain_events()
    return p


def _mentions(client: Any, needles: list[str]) -> list[str]:
    """Every (table.column) whose text holds one of ``needles``, across every registered table."""
    registry = client.app.state.runtime.database.registry

    async def search() -> list[str]:
        found = []
        for table in coverage.all_tables(registry):
            for row in await table.select():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if any(needle.lower() in text.lower() for needle in needles):
                        found.append(f"{table._meta.tablename}.{column}={text[:80]!r}")
        return found

    return list(client.run(search))


def _core(export: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = export["data"][CORE]
    return data


def test_export_holds_every_category_and_nothing_of_other_peoples(mentorkit_client: Any) -> None:
    p = _build(mentorkit_client)
    response = mentorkit_client.get("/account/export.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="mentorkit-data-{p.ada.id}.json"'
    assert response.headers["content-type"].startswith("application/json")
    text = response.text
    export = response.json()
    assert export["format"] == "mentorkit-export/1" and export["user_id"] == p.ada.id
    core = _core(export)

    assert core["account"]["email"] == ADA_EMAIL and core["account"]["display_name"] == ADA_NAME
    assert [s["user_agent"] for s in core["web_sessions"]] == ["testclient"]
    assert [(t["name"], t["prefix"][:3]) for t in core["api_tokens"]] == [("my script", "mk_")]
    assert {t["purpose"] for t in core["one_time_tokens"]} == {"invitation", "password_reset"}
    assert {n["subject"].split()[0] for n in core["notifications"]} == {"You", "Reset"}
    assert [b["bucket"].split(":")[0] for b in core["rate_limit_counters"]] == ["login"]
    assert [(s["program_slug"], s["role"]) for s in core["program_staff"]] == [("program-y", "observer")]
    assert [(e["program_slug"], e["role"], e["state"]) for e in core["enrolments"]] == [
        ("program-x", "mentee", "active")]
    [relationship] = core["relationships"]
    assert relationship["your_role"] == "mentee"
    assert relationship["other_members"] == [{"display_name": BOB_NAME, "role": "mentor"}]
    assert [(s["title"], s["shared_notes"], s["logged_by_you"]) for s in core["sessions"]] == [
        ("Kick-off", "We agreed on three goals.", True), ("Plan review", "Reviewed the plan together.", False)]
    assert [n["body"] for n in core["private_notes"]] == [ADA_PRIVATE]
    types = {e["type"] for e in core["events"]}
    assert {"user.created", "enrolment.created", "session.logged", "user.api_token_created"} <= types
    enrolled = next(e for e in core["events"] if e["type"] == "enrolment.created")
    assert enrolled["payload"]["role"] == "mentee"  # her own

    # Never: hashes, another person's private note or e-mail address.
    for secret in ("password_hash", "token_hash", "nonce", "$argon2", BOB_PRIVATE, BOB_EMAIL, "admin@example.org"):
        assert secret not in text, secret

    # Bob's export has his note and not Ada's.
    mentorkit_client.cookies.clear()
    sign_in(mentorkit_client, BOB_EMAIL)
    bob = mentorkit_client.get("/account/export.json").json()
    assert [n["body"] for n in _core(bob)["private_notes"]] == [BOB_PRIVATE]
    assert ADA_PRIVATE not in json.dumps(bob) and ADA_EMAIL not in json.dumps(bob)


def test_the_account_page_links_to_the_download(mentorkit_client: Any) -> None:
    from mentorkit.testing.auth import create_user

    create_user(mentorkit_client, "someone@example.org")
    sign_in(mentorkit_client, "someone@example.org")
    page = mentorkit_client.get("/account")
    assert 'href="/account/export.json"' in page.text and "Download my data" in page.text


def test_erasure_locks_the_account_and_leaves_no_trace_of_the_person(mentorkit_client: Any) -> None:
    from mentorkit.accounts.services import authenticate, create_user
    from mentorkit.events import EventRecord
    from mentorkit.privacy.services import erase_user, export_user
    from mentorkit.programs.tables import Enrolment, ProgramStaff
    from mentorkit.relationships import services as relationships

    client = mentorkit_client
    p = _build(client)
    assert _mentions(client, [ADA_EMAIL, ADA_NAME]), "the search finds nothing even before erasure?"

    result = client.run(erase_user, p.ada.id, p.admin)
    assert (result["email"], result["display_name"]) == (f"erased-{p.ada.id}@invalid", "Former member")

    # She cannot sign in, and nothing she held still works.
    assert client.run(authenticate, ADA_EMAIL, DEFAULT_PASSWORD) is None
    assert client.run(authenticate, result["email"], DEFAULT_PASSWORD) is None
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, p.cookie)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.clear()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {p.api_token}"}).status_code == 401

    # No table holds her address or her name any more.
    assert _mentions(client, [ADA_EMAIL, ADA_NAME, "quillfeather"]) == []
    assert _mentions(client, [ADA_PRIVATE]) == []

    async def state() -> dict[str, Any]:
        invited = await EventRecord.select(EventRecord.payload).where(EventRecord.type == "user.invited").first()
        return {
            "enrolments": await Enrolment.select(Enrolment.state).where(Enrolment.user == p.ada.id),
            "staff": await ProgramStaff.count().where(ProgramStaff.user == p.ada.id),
            "invited": invited["payload"] if invited else None,
            "actors": {r["actor_id"] for r in await EventRecord.select(EventRecord.actor_id).where(
                EventRecord.type == "enrolment.created")},
        }

    after = client.run(state)
    assert after["enrolments"] == [{"state": "withdrawn"}] and after["staff"] == 0
    invited = after["invited"]
    assert (json.loads(invited) if isinstance(invited, str) else invited) == {"email": result["email"]}
    assert p.ada.id in after["actors"]  # the audit trail keeps the (now pseudonymous) actor

    # Bob still has the relationship, both sessions with their shared notes, and his own note.
    async def bobs_view() -> tuple[Any, Any, Any]:
        [relationship] = await relationships.my_relationships(p.bob)
        sessions = await relationships.list_sessions(p.relationship_id, p.bob)
        mine = await relationships.get_session(p.relationship_id, p.session_ids[1], p.bob)
        return relationship, sessions, mine

    relationship, sessions, mine = client.run(bobs_view)
    assert relationship.state == "ended_early"
    assert sorted(m.display_name for m in relationship.members) == [BOB_NAME, "Former member"]
    assert [s.shared_notes for s in sessions] == ["Reviewed the plan together.", "We agreed on three goals."]
    assert mine.private_note == BOB_PRIVATE

    # Again: no error, nothing changes, one user.erased event.
    again = client.run(erase_user, p.ada.id, p.admin)
    assert again["already_erased"] is True

    async def erased_events() -> int:
        return int(await EventRecord.count().where(EventRecord.type == "user.erased"))

    assert client.run(erased_events) == 1

    # The export of the erased account holds no personal data of hers.
    export = client.run(export_user, p.ada.id)
    text = json.dumps(export)
    assert ADA_EMAIL not in text and ADA_NAME not in text and ADA_PRIVATE not in text
    core = _core(export)
    assert core["account"]["active"] is False
    for category in ("web_sessions", "api_tokens", "one_time_tokens", "notifications", "private_notes",
                     "program_staff", "rate_limit_counters"):
        assert core[category] == [], category

    # The address is free again: signing up with it makes a new, separate account.
    new = client.run(lambda: create_user(email=ADA_EMAIL, display_name="Ada Again", password=DEFAULT_PASSWORD))
    assert new.id != p.ada.id


class FlakyPlugin:
    """Keeps personal data elsewhere; its erasure fails the first time."""

    PERSONAL_DATA_TABLES = ()

    def __init__(self) -> None:
        self.failures_left = 1
        self.erased: list[int] = []

    @hookimpl
    def export_user_data(self, user_id: int) -> dict[str, Any]:
        return {"mailing_list": {"subscribed": True}}

    @hookimpl
    async def erase_user_data(self, user_id: int) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the mailing-list server is down")
        self.erased.append(user_id)


@pytest.fixture
def flaky(mentorkit_plugins: list[tuple[str, object]]) -> FlakyPlugin:
    plugin = FlakyPlugin()
    mentorkit_plugins.append(("flaky", plugin))
    return plugin


def test_an_erasure_that_fails_half_way_leaves_the_account_locked_and_finishes_when_run_again(
    flaky: FlakyPlugin, mentorkit_client: Any
) -> None:
    from mentorkit.accounts.services import authenticate
    from mentorkit.errors import PermissionDenied
    from mentorkit.events import EventRecord
    from mentorkit.privacy.services import ErasureIncomplete, erase_user, export_user, find_user_id
    from mentorkit.testing.auth import create_user

    client = mentorkit_client
    admin = create_user(client, "admin@example.org", is_admin=True)
    ada = create_user(client, ADA_EMAIL, ADA_NAME)
    sign_in(client, ADA_EMAIL)
    assert client.get("/account/export.json").json()["data"]["flaky"] == {"mailing_list": {"subscribed": True}}

    # Only site admins erase (the person herself has no such button).
    with pytest.raises(PermissionDenied):
        client.run(erase_user, ada.id, ada)

    with pytest.raises(ErasureIncomplete, match="run the erasure again"):
        client.run(erase_user, ada.id, admin)
    assert client.run(authenticate, ADA_EMAIL, DEFAULT_PASSWORD) is None
    assert client.get("/api/v1/me").status_code == 401

    # Named by the address the error gives, the erasure finishes.
    with pytest.raises(ErasureIncomplete) as failed:
        flaky.failures_left = 1
        client.run(erase_user, ada.id, admin)
    user_id = client.run(find_user_id, str(failed.value).rsplit(" ", 1)[1].rstrip(")"))
    assert user_id == ada.id
    result = client.run(erase_user, user_id, admin)
    assert result["already_erased"] is False and flaky.erased == [ada.id]
    client.run(erase_user, user_id, admin)
    assert flaky.erased == [ada.id, ada.id]  # plugins are asked again: their erasure is re-runnable

    async def erased_events() -> list[dict[str, Any]]:
        return list(await EventRecord.select(EventRecord.actor_id).where(EventRecord.type == "user.erased"))

    assert client.run(erased_events) == [{"actor_id": admin.id}]
    assert ADA_EMAIL not in json.dumps(client.run(export_user, ada.id))


def test_an_account_squatting_the_pseudonym_does_not_block_an_erasure(mentorkit_client: Any) -> None:
    from mentorkit.accounts.tables import User
    from mentorkit.privacy.services import erase_user
    from mentorkit.testing.auth import create_user

    ada = create_user(mentorkit_client, ADA_EMAIL, ADA_NAME)
    # Sign-up refuses such addresses now; an account from before that rule may still hold one.
    squatter = User(email=f"erased-{ada.id}@invalid", display_name="Squatter", password_hash="x")
    mentorkit_client.run(lambda: User.insert(squatter))
    result = mentorkit_client.run(erase_user, ada.id, None)
    assert result["email"].startswith(f"erased-{ada.id}-") and result["email"].endswith("@invalid")
    assert mentorkit_client.run(erase_user, ada.id, None)["email"] == result["email"]  # stable on re-runs


# --------------------------------------------------------------------------- the command line


def test_cli_exports_and_erases_by_email(
    mentorkit_runtime_factory: Callable[[], Any], mentorkit_settings: Any, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mentorkit.accounts.services import create_user
    from mentorkit.cli import build_cli
    from mentorkit.testing.database import run_sync

    runtime = mentorkit_runtime_factory()

    async def setup() -> int:
        await runtime.database.open()
        try:
            user = await create_user(email=ADA_EMAIL, display_name=ADA_NAME, password=DEFAULT_PASSWORD)
            return user.id
        finally:
            await runtime.database.close()

    user_id = run_sync(setup)
    monkeypatch.chdir(tmp_path)
    for name in ("MENTORKIT_CONFIG", "MENTORKIT_TEST_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MENTORKIT_DATABASE_URL", mentorkit_settings.database_url)
    monkeypatch.setenv("MENTORKIT_DATA_DIR", str(tmp_path / "cli-data"))
    cli = build_cli(create_plugin_manager({}))
    runner = CliRunner()

    printed = runner.invoke(cli, ["user", "export", ADA_EMAIL.upper()], prog_name="mentorkit")
    assert printed.exit_code == 0, printed.output
    assert _core(json.loads(printed.stdout))["account"]["display_name"] == ADA_NAME

    target = tmp_path / "ada.json"
    written = runner.invoke(cli, ["user", "export", ADA_EMAIL, "--output", str(target)], prog_name="mentorkit")
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text())["user_id"] == user_id
    assert target.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    unknown = runner.invoke(cli, ["user", "export", "nobody@example.org"], prog_name="mentorkit")
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: no account has the e-mail address 'nobody@example.org'"

    unconfirmed = runner.invoke(cli, ["user", "erase", ADA_EMAIL], input="n\n", prog_name="mentorkit")
    assert unconfirmed.exit_code == 1 and "Aborted" in unconfirmed.output

    erased = runner.invoke(cli, ["user", "erase", ADA_EMAIL, "--yes"], prog_name="mentorkit")
    assert erased.exit_code == 0, erased.output
    assert f"account {user_id} is erased; it is now Former member <erased-{user_id}@invalid>" in erased.output
    gone = runner.invoke(cli, ["user", "erase", ADA_EMAIL, "--yes"], prog_name="mentorkit")
    assert gone.exit_code == 1
    again = runner.invoke(cli, ["user", "erase", f"erased-{user_id}@invalid", "--yes"], prog_name="mentorkit")
    assert again.exit_code == 0 and "was already erased" in again.output
