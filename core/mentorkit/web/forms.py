"""HTML forms: validate every field against a msgspec Struct and report all errors at once.

msgspec stops at the first error, which suits the API; a person filling in a form wants to
see every problem together, with what they typed kept.
"""

from __future__ import annotations

import re
import typing
from typing import Any, TypeVar

import msgspec

from mentorkit.schemas import (
    MULTI_LINE,
    MULTI_LINE_PATTERNS,
    NOT_BLANK_LINE,
    NOT_BLANK_TEXT,
    SINGLE_LINE,
    Email,
    control_problem,
)

S = TypeVar("S", bound=msgspec.Struct)

# Unknown fields named one by one in the reply, at most (a crafted post may send thousands).
NAMED_UNKNOWN_FIELDS = 3


def _regex_message(pattern: str) -> re.Pattern[str]:
    """Matches msgspec's message for a value that fails ``pattern`` (as msgspec quotes it)."""
    return re.compile(re.escape(f"Expected `str` matching regex {pattern!r}"))


def _pattern_of(annotation: Any) -> str:
    meta = next(m for m in typing.get_args(annotation) if isinstance(m, msgspec.Meta))
    return str(meta.pattern)


_FRIENDLY = [
    (re.compile(r"Expected `str` of length >= 1"), "this field is required"),
    (re.compile(r"Expected `str` of length >= (\d+)"), r"must be at least \1 characters"),
    (re.compile(r"Expected `str` of length <= (\d+)"), r"must be at most \1 characters"),
    (_regex_message(SINGLE_LINE), "must be a single line without control characters"),
    (_regex_message(NOT_BLANK_LINE), "must be a single line without control characters"),
    (_regex_message(MULTI_LINE), "must not contain control characters"),
    (_regex_message(NOT_BLANK_TEXT), "write something here (and no control characters)"),
    (_regex_message(_pattern_of(Email)), "must be an e-mail address like name@example.org"),
    (re.compile(r"Expected `str` matching regex"), "is not in the expected format"),
    (re.compile(r"Invalid enum value"), "choose one of the options"),
    (re.compile(r"Object missing required field"), "this field is required"),
    (re.compile(r"Expected `(?:int|float)` >= (-?[\d.]+)"), r"must be at least \1"),
    (re.compile(r"Expected `(?:int|float)` <= (-?[\d.]+)"), r"must be at most \1"),
    (re.compile(r"Expected `int`"), "must be a whole number"),
    (re.compile(r"Expected `datetime`"), "must be a date and time"),
    (re.compile(r"Invalid RFC3339 encoded datetime"), "must be a date and time"),
]


_DATETIME_LOCAL = re.compile(r"\A\d{4}-\d\d-\d\d[T ]\d\d:\d\d\Z")


def friendly(message: str) -> str:
    """A person-readable version of a msgspec validation message."""
    message = re.sub(r" - at `\$[^`]*`$", "", message)
    for pattern, replacement in _FRIENDLY:
        if pattern.search(message):
            return pattern.sub(replacement, message) if "\\1" in replacement else replacement
    return message


class Form:
    """What the person typed (``values``) and what is wrong with it (``errors``)."""

    def __init__(self, values: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> None:
        self.values = values or {}
        self.errors = errors or {}

    @property
    def ok(self) -> bool:
        """True when no field has an error."""
        return not self.errors

    def error(self, field: str, message: str) -> Form:
        """Add an error found after validation (a conflict, a wrong password ...)."""
        self.errors.setdefault(field, message)
        return self


def _is_multi_line(ftype: Any) -> bool:
    """True for free-text fields (``LongText``): they may hold tabs and line breaks."""
    types = ftype.types if isinstance(ftype, msgspec.inspect.UnionType) else (ftype,)
    # A type with a description comes wrapped in ``Metadata``.
    types = tuple(t.type if isinstance(t, msgspec.inspect.Metadata) else t for t in types)
    return any(isinstance(t, msgspec.inspect.StrType) and t.pattern in MULTI_LINE_PATTERNS for t in types)


class _Field(typing.NamedTuple):
    annotation: Any
    required: bool
    is_bool: bool
    multi_line: bool


def _field_types(struct: type[msgspec.Struct]) -> dict[str, _Field]:
    """name -> what validation needs to know about each field of the Struct."""
    hints = typing.get_type_hints(struct, include_extras=True)
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    return {f.name: _Field(hints[f.name], f.required, isinstance(f.type, msgspec.inspect.BoolType),
                           _is_multi_line(f.type))
            for f in info.fields}


def _unknown_fields_error(names: list[str]) -> dict[str, str]:
    """Errors for fields the form does not have: each by name when few, else a few and a count."""
    if len(names) <= NAMED_UNKNOWN_FIELDS:
        return {name: "is not a field of this form" for name in names}
    shown = ", ".join(name[:40] for name in names[:NAMED_UNKNOWN_FIELDS])
    return {"__all__": f"the form has fields it does not know: {shown} "
                       f"and {len(names) - NAMED_UNKNOWN_FIELDS:,} more"}


def validate_form(
    struct: type[S], data: dict[str, Any], *, secret_fields: tuple[str, ...] = ()
) -> tuple[S | None, Form]:
    """Validate ``data`` (a parsed form) field by field; return the Struct (or None) and the Form.

    Unknown fields (other than the CSRF token) are refused like in the API. Secret fields
    (passwords) are never echoed back into the form. One-line fields lose surrounding white
    space first (so a blank title is "required"); every field, typed as ``str`` or not, is
    refused if it holds control characters (free text may hold tabs and line breaks).
    """
    fields = _field_types(struct)
    values = {k: str(v) for k, v in data.items() if k in fields and k not in secret_fields}
    errors = _unknown_fields_error([name for name in data if name != "_csrf_token" and name not in fields])
    clean: dict[str, Any] = {}
    for name, field in fields.items():
        raw = data.get(name)
        if isinstance(raw, str):
            if problem := control_problem(raw, multi_line=field.multi_line):
                errors[name] = problem
                continue
            if not field.multi_line and name not in secret_fields:
                raw = raw.strip()
        if raw in (None, "") and not field.required:
            continue
        if raw in (None, "") and not field.is_bool:
            errors[name] = "this field is required"
            continue
        if raw is None:
            raw = ""
        if isinstance(raw, str) and _DATETIME_LOCAL.match(raw):
            # <input type="datetime-local"> sends minutes only, without a zone.
            raw += ":00"
        if field.is_bool:
            raw = str(raw).lower() in {"1", "true", "on", "yes"}
        try:
            one = msgspec.defstruct("One", [(name, field.annotation)], forbid_unknown_fields=True)
            clean[name] = getattr(msgspec.convert({name: raw}, one, strict=False), name)
        except msgspec.ValidationError as exc:
            errors[name] = friendly(str(exc))
    if errors:
        return None, Form(values, errors)
    try:
        return msgspec.convert(clean, struct, strict=False), Form(values)
    except msgspec.ValidationError as exc:  # cross-field rules in __post_init__
        return None, Form(values, {"__all__": friendly(str(exc))})
