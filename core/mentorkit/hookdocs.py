"""Generate the hook reference, ``docs/plugin-hooks.md``, from ``mentorkit/hookspecs.py``.

``python -m mentorkit.hookdocs > docs/plugin-hooks.md``. The hookspecs module is the truth: each
hook's signature and docstring are copied, grouped by the banner comments of that module
(``# ---- register``), in source order. A test fails when the committed file drifts.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from mentorkit import hookspecs

# A banner comment: "# ------------ register" starts the "register" section.
_BANNER = re.compile(r"^# -{10,} (?P<title>\w[\w ]*)$")

HEADER = """\
# Plugin hooks

<!-- Generated from core/mentorkit/hookspecs.py by `python -m mentorkit.hookdocs`. Do not edit:
     change the docstrings there and regenerate. tests/test_hook_docs.py checks they agree. -->

Every hook a Mentorkit plugin can implement, with its signature and contract. Implement one by
writing a function of the same name and arguments, marked with `@mentorkit.hookimpl`; an
implementation may leave out arguments it does not need. See [the plugin guide](plugins.md).
"""


@dataclass(frozen=True)
class HookDoc:
    """One hook: where it is grouped, how it is called and what it promises."""

    section: str
    name: str
    signature: str
    docstring: str | None


def _is_hookspec(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef) and any(
        isinstance(d, ast.Name) and d.id == "hookspec" for d in node.decorator_list
    )


def section_of(source: str) -> Callable[[int], str]:
    """For a module's source: the title of the banner above a line number ("other" if none)."""
    banners = [
        (number, match.group("title"))
        for number, line in enumerate(source.splitlines(), start=1)
        if (match := _BANNER.match(line))
    ]
    return lambda lineno: next((title for number, title in reversed(banners) if number < lineno), "other")


def collect(source: str | None = None) -> list[HookDoc]:
    """Every hookspec in source order, with the banner section it sits under."""
    source = inspect.getsource(hookspecs) if source is None else source
    section = section_of(source)
    hooks = []
    for node in ast.parse(source).body:
        if not _is_hookspec(node):
            continue
        assert isinstance(node, ast.FunctionDef)
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        signature = f"{node.name}({ast.unparse(node.args)}){returns}"
        hooks.append(HookDoc(section(node.lineno), node.name, signature, ast.get_docstring(node)))
    return hooks


def undocumented(hooks: list[HookDoc] | None = None) -> list[str]:
    """Names of hookspecs without a docstring (each one is a broken promise to plugin authors)."""
    return [hook.name for hook in (collect() if hooks is None else hooks) if not hook.docstring]


class Entry(Protocol):
    """What a generated reference groups: an item with a section and a name."""

    @property
    def section(self) -> str: ...

    @property
    def name(self) -> str: ...


E = TypeVar("E", bound=Entry)


def render_reference(header: str, entries: Sequence[E], anchor: Callable[[E], str],
                     body: Callable[[E], list[str]]) -> str:
    """A generated reference: ``header``, then per section a heading, a line of links and each
    entry's ``### name`` with its ``body`` paragraphs (shared by the hook and contract references)."""
    sections: dict[str, list[E]] = {}
    for entry in entries:
        sections.setdefault(entry.section, []).append(entry)
    lines = [header]
    for title, members in sections.items():
        lines.append(f"## {title.capitalize()}\n")
        lines.append(" · ".join(f"[`{entry.name}`](#{anchor(entry)})" for entry in members) + "\n")
        for entry in members:
            lines.append(f"### {entry.name}\n")
            lines.extend(body(entry))
    return "\n".join(lines).rstrip("\n") + "\n"


def render(hooks: list[HookDoc] | None = None) -> str:
    """The Markdown reference for ``hooks`` (default: every hook in ``mentorkit.hookspecs``)."""
    return render_reference(
        HEADER, collect() if hooks is None else hooks, lambda hook: hook.name,
        lambda hook: [f"```python\n{hook.signature}\n```\n", f"{hook.docstring or '*(undocumented)*'}\n"])


def main() -> None:
    """Print the reference to standard output."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
