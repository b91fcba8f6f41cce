"""The triad fixture plugin (``tests/fixtures/mentorkit-triad``), pip-installed like an outside
plugin and tested with ``mentorkit.testing`` alone: a format with three labelled roles, a cap
on students per supervisor read through ``mentorkit.api``, a relationship-page panel, a
"My triads" page and a command. Also: every fixture plugin imports only the modules
docs/plugins.md lists as public, and the triad plugin stays small.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from mentorkit.testing import sign_in_as
from tests.plugin_install import FIXTURES, importable, install_fixture_plugins

DOCS = Path(__file__).parent.parent / "docs"
LABELS = ("Supervisor", "Co-supervisor", "Doctoral student")
ROLES = ("supervisor", "co_supervisor", "doctoral_student")


@pytest.fixture(scope="module")
def triad_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_fixture_plugins(["mentorkit-triad"], tmp_path_factory.mktemp("triad"))


@pytest.fixture
def mentorkit_plugin_manager(triad_site: Path, mentorkit_plugins: list[tuple[str, object]],
                             mentorkit_env: dict[str, str]) -> Iterator[Any]:
    """The installed plugins, the triad among them through its entry point."""
    from mentorkit.plugins import create_plugin_manager

    if "triad" in {ep.name for ep in entry_points(group="mentorkit")}:  # installed here already
        yield create_plugin_manager(mentorkit_env, extra_plugins=mentorkit_plugins)
        return
    with importable(triad_site, "mentorkit_triad"):
        yield create_plugin_manager(mentorkit_env, extra_plugins=mentorkit_plugins)


def triad(factory: Any, program: Any, *names: str) -> tuple[list[Any], list[Any]]:
    """Three people enrolled in ``program`` as supervisor, co-supervisor and student."""
    people = [factory.user(name) for name in names]
    return people, [factory.enrol(program, person, role) for person, role in zip(people, ROLES, strict=True)]


def labelled(text: str, names: tuple[str, ...]) -> bool:
    """Each label is followed by its person (the panel's and the table's order)."""
    pattern = ".*".join(re.escape(part) for pair in zip(LABELS, names, strict=True) for part in pair)
    return re.search(pattern, text, re.S) is not None


def test_pairing_three_people_shows_them_with_labels_on_the_panel_and_my_triads(
    mentorkit_client: Any, mentorkit_factory: Any
) -> None:
    client, factory = mentorkit_client, mentorkit_factory
    program = factory.program(format="thesis_triad", state="running", default_capacity=3)
    people, enrolments = triad(factory, program, "Sam Supervisor", "Cleo Cosup", "Dara Student")
    sign_in_as(client, factory.admin)
    form = client.get(f"/programs/{program.id}?section=pairing").text
    assert all(label in form for label in LABELS)
    paired = client.post(f"/programs/{program.id}/relationships",
                         data={role: str(e.id) for role, e in zip(ROLES, enrolments, strict=True)},
                         follow_redirects=False)
    assert paired.status_code == 303, paired.text

    sign_in_as(client, people[2])
    [relationship] = client.get("/api/v1/relationships").json()
    page = client.get(f"/relationships/{relationship['id']}").text
    panel = page[page.index("Thesis triad</h2>"):]
    assert labelled(panel, ("Sam Supervisor", "Cleo Cosup", "Dara Student"))
    mine = client.get("/p/triad/mine")
    assert mine.status_code == 200
    assert 'href="/p/triad/mine"' in mine.text and 'class="account-nav__user"' in mine.text
    assert labelled(mine.text, ("Sam Supervisor", "Cleo Cosup", "Dara Student"))
    assert f'href="/relationships/{relationship["id"]}"' in mine.text


def test_a_one_to_one_relationship_gets_no_triad_panel(mentorkit_client: Any, mentorkit_factory: Any) -> None:
    program = mentorkit_factory.program(state="running")
    mentor, mentee = mentorkit_factory.user("Mo"), mentorkit_factory.user("Mia")
    pair = mentorkit_factory.pair(program, [mentorkit_factory.enrol(program, mentor, "mentor"),
                                            mentorkit_factory.enrol(program, mentee, "mentee")])
    sign_in_as(mentorkit_client, mentee)
    assert "Thesis triad" not in mentorkit_client.get(f"/relationships/{pair.id}").text
    assert "You are in no thesis supervision triad yet." in mentorkit_client.get("/p/triad/mine").text


def test_the_cap_defaults_to_three_students(mentorkit_settings: Any) -> None:
    assert mentorkit_settings.plugin("triad").max_students == 3


@pytest.mark.parametrize("mentorkit_settings_overrides", [{"plugins": {"triad": {"max_students": 2}}}])
def test_the_cap_refuses_another_student_for_the_same_supervisor_on_the_page_and_in_the_api(
    mentorkit_settings_overrides: Any, mentorkit_client: Any, mentorkit_factory: Any
) -> None:
    client, factory = mentorkit_client, mentorkit_factory
    program = factory.program(format="thesis_triad", state="running", default_capacity=3)
    _, first = triad(factory, program, "Sam", "Cleo", "Dara")
    factory.pair(program, first)
    second = factory.enrol(program, factory.user("Eli"), "doctoral_student")
    factory.pair(program, [first[0], first[1], second])
    third = factory.enrol(program, factory.user("Fay"), "doctoral_student")
    reason = "Sam already supervises 2 doctoral students in this program (at most 2)"

    sign_in_as(client, factory.admin)
    page = client.post(f"/programs/{program.id}/relationships",
                       data={"supervisor": str(first[0].id), "co_supervisor": str(first[1].id),
                             "doctoral_student": str(third.id)})
    assert page.status_code == 400 and reason in page.text
    api = client.post(f"/api/v1/programs/{program.id}/relationships",
                      json={"enrolment_ids": [first[0].id, first[1].id, third.id]})
    assert api.status_code == 400 and api.headers["content-type"].startswith("application/problem+json")
    assert reason in str(api.json()["errors"])
    # Another supervisor may still take the student.
    other = factory.enrol(program, factory.user("Gil"), "supervisor")
    ok = client.post(f"/api/v1/programs/{program.id}/relationships",
                     json={"enrolment_ids": [other.id, first[1].id, third.id]})
    assert ok.status_code == 201, ok.text


def test_the_command_lists_a_programs_triads(mentorkit_client: Any, mentorkit_factory: Any,
                                             mentorkit_cli: Any) -> None:
    program = mentorkit_factory.program(format="thesis_triad", state="running")
    pair = mentorkit_factory.pair(program, triad(mentorkit_factory, program, "Sam", "Cleo", "Dara")[1])
    result = mentorkit_cli("triad", "list", str(program.id))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"#{pair.id} active  Supervisor: Sam; Co-supervisor: Cleo; Doctoral student: Dara\n"
    missing = mentorkit_cli("triad", "list", "999999")
    assert missing.exit_code == 1 and missing.output.startswith("Error:")


@pytest.mark.parametrize("mentorkit_settings_overrides", [{"plugins": {"triad": {"max_students": 1}}}])
def test_triads_made_before_the_plugin_saw_any_event_show_and_count_at_once(
    mentorkit_settings_overrides: Any, mentorkit_client: Any, mentorkit_factory: Any
) -> None:
    """No event is ever delivered here (nothing drains the outbox): the plugin keeps no copy
    of core data, so what the site already holds is on its pages and in its cap at once."""
    client, factory = mentorkit_client, mentorkit_factory
    programs = [factory.program(format="thesis_triad", state="running") for _ in range(2)]
    (supervisor, _, student), first = triad(factory, programs[0], "Sam", "Cleo", "Dara")
    factory.pair(programs[0], first)
    factory.pair(programs[1], [factory.enrol(programs[1], supervisor, "supervisor"),
                               factory.enrol(programs[1], factory.user("Hal"), "co_supervisor"),
                               factory.enrol(programs[1], student, "doctoral_student")])
    sign_in_as(client, student)
    mine = client.get("/p/triad/mine").text
    assert labelled(mine, ("Sam", "Cleo", "Dara")) and labelled(mine, ("Sam", "Hal", "Dara"))
    assert all(p.name in mine for p in programs)

    sign_in_as(client, factory.admin)
    late = factory.enrol(programs[0], factory.user("Ivy"), "doctoral_student")
    refused = client.post(f"/api/v1/programs/{programs[0].id}/relationships",
                          json={"enrolment_ids": [first[0].id, first[1].id, late.id]})
    assert refused.status_code == 400 and "Sam already supervises 1" in str(refused.json()["errors"])


# --------------------------------------------------------------------------- written from docs/ alone


def public_modules() -> set[str]:
    """The modules docs/plugins.md lists under "Public modules" (one backticked name a line)."""
    text = (DOCS / "plugins.md").read_text()
    section = text.split("\n## Public modules\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^[*-] `(mentorkit(?:\.\w+)*)`", section, re.M))


def mentorkit_imports(path: Path) -> set[str]:
    """Every ``mentorkit`` module a file imports, ``TYPE_CHECKING`` blocks included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name == "mentorkit" or name.startswith("mentorkit.")}


def test_the_public_module_list_is_read_from_the_docs() -> None:
    assert {"mentorkit", "mentorkit.api", "mentorkit.contracts", "mentorkit.web", "mentorkit.runtime",
            "mentorkit.testing"} <= public_modules()
    assert "mentorkit.relationships.services" not in public_modules()


def test_fixture_plugins_import_only_public_modules() -> None:
    public = public_modules()
    files = sorted(FIXTURES.glob("*/mentorkit_*/**/*.py"))
    assert any("mentorkit_triad" in str(f) for f in files) and any("mentorkit_hello" in str(f) for f in files)
    private = [f"{f.relative_to(FIXTURES)}: {name}" for f in files for name in sorted(mentorkit_imports(f))
               if name not in public]
    assert private == []


def test_a_private_import_is_caught(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from mentorkit.relationships.services import pair\nimport mentorkit.api\n")
    assert mentorkit_imports(sneaky) - public_modules() == {"mentorkit.relationships.services"}


def code_lines(path: Path) -> int:
    """Lines that are not blank and not only a comment (docstrings count)."""
    return sum(1 for line in path.read_text().splitlines() if line.strip() and not line.strip().startswith("#"))


def test_the_triad_plugin_is_about_120_lines_of_python_or_fewer() -> None:
    files = sorted((FIXTURES / "mentorkit-triad" / "mentorkit_triad").rglob("*.py"))
    assert len(files) == 4
    assert sum(code_lines(f) for f in files) <= 120
    assert code_lines(files[0]) > 10  # the count sees code
