"""Generate the contracts reference, ``docs/contracts.md``, from ``mentorkit/contracts.py``.

``python -m mentorkit.contractdocs > docs/contracts.md``. The contracts module is the truth:
each public class's docstring and each field's type, default and docstring (the string right
after the field) are copied, grouped by the module's banner comments, in source order. A test
fails when the committed file drifts or a class or field has no docstring.
"""

from __future__ import annotations

import ast
import inspect
import sys
from dataclasses import dataclass

from mentorkit import contracts
from mentorkit.hookdocs import render_reference, section_of

HEADER = """\
# Contracts

<!-- Generated from core/mentorkit/contracts.py by `python -m mentorkit.contractdocs`. Do not
     edit: change the docstrings there and regenerate. tests/test_contract_docs.py checks. -->

Every object a plugin registers through a `register_*` hook (see [the hook reference](plugin-hooks.md)),
and the read models the core hands to their callbacks. Import them from `mentorkit.contracts`.
Registered objects are frozen dataclasses: build one with keyword arguments and leave out the
fields you do not need; new fields only ever come with defaults. Where a field holds a
callback, it may be a plain function or an `async def` unless it says "async". Types marked
*provisional* will grow in the matching issue (new fields with defaults).
"""


@dataclass(frozen=True)
class FieldDoc:
    """One field of a contract: its name, type, default (if any) and meaning."""

    name: str
    type: str
    default: str | None
    docstring: str | None


@dataclass(frozen=True)
class ContractDoc:
    """One contract class: where it is grouped, what kind of class it is and its fields."""

    section: str
    name: str
    kind: str
    docstring: str | None
    fields: list[FieldDoc]


def _kind(node: ast.ClassDef) -> str:
    bases = {ast.unparse(base) for base in node.bases}
    if "msgspec.Struct" in bases:
        return "msgspec Struct"
    if any(ast.unparse(d).startswith("dataclass") for d in node.decorator_list):
        return "frozen dataclass"
    return "class"


def _fields(node: ast.ClassDef) -> list[FieldDoc]:
    out = []
    body = node.body
    for index, statement in enumerate(body):
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        docstring = None
        if (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docstring = inspect.cleandoc(following.value.value)
        default = ast.unparse(statement.value) if statement.value is not None else None
        out.append(FieldDoc(statement.target.id, ast.unparse(statement.annotation), default, docstring))
    return out


def collect(source: str | None = None) -> list[ContractDoc]:
    """Every public class of the contracts module, in source order, with its fields."""
    source = inspect.getsource(contracts) if source is None else source
    section = section_of(source)
    return [
        ContractDoc(section(node.lineno), node.name, _kind(node), ast.get_docstring(node), _fields(node))
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
    ]


def undocumented(classes: list[ContractDoc] | None = None) -> list[str]:
    """Classes and fields (``Class.field``) without a docstring."""
    classes = collect() if classes is None else classes
    missing = [c.name for c in classes if not c.docstring]
    missing += [f"{c.name}.{f.name}" for c in classes for f in c.fields if not f.docstring]
    return missing


def _field_line(f: FieldDoc) -> str:
    default = f" = {f.default}" if f.default is not None else ""
    meaning = " ".join((f.docstring or "*(undocumented)*").split())
    return f"- `{f.name}: {f.type}{default}` — {meaning}"


def _entry_lines(c: ContractDoc) -> list[str]:
    lines = [f"`from mentorkit.contracts import {c.name}` · {c.kind}\n", f"{c.docstring or '*(undocumented)*'}\n"]
    if c.fields:
        lines.append("\n".join(_field_line(f) for f in c.fields) + "\n")
    return lines


def render(classes: list[ContractDoc] | None = None) -> str:
    """The Markdown reference for ``classes`` (default: every class in ``mentorkit.contracts``)."""
    return render_reference(HEADER, collect() if classes is None else classes, lambda c: c.name.lower(), _entry_lines)


def main() -> None:
    """Print the reference to standard output."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
