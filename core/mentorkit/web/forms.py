"""HTML forms: validate every field against a msgspec Struct and report all errors at once.

msgspec stops at the first error, which suits the API; a person filling in a form wants to
see every problem together, with what they typed kept.
"""

from __future__ import annotations

import re
import typing
from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)

_FRIENDLY = [
    (re.compile(r"Expected `str` of length >= 1"), "this field is required"),
    (re.compile(r"Expected `str` of length >= (\d+)"), r"must be at least \1 characters"),
    (re.compile(r"Expected `str` of length <= (\d+)"), r"must be at most \1 characters"),
    (re.compile(r"Expected `str` matching regex '\^\[\^\\\\r\\\\n\]\*\$'"), "must be a single line (no line breaks)"),
    (re.compile(r"Expected `str` matching regex '\^\[\^@"), "must be an e-mail address like name@example.org"),
    (re.compile(r"Expected `str` matching regex"), "is not in the expected format"),
    (re.compile(r"Invalid enum value"), "choose one of the options"),
    (re.compile(r"Object missing required field"), "this field is required"),
    (re.compile(r"Expected `(?:int|float)` >= (-?[\d.]+)"), r"must be at least \1"),
    (re.compile(r"Expected `(?:int|float)` <= (-?[\d.]+)"), r"must be at most \1"),
    (re.compile(r"Expected `int`"), "must be a whole number"),
    (re.compile(r"Expected `datetime`"), "must be a date and time"),
    (re.compile(r"Invalid RFC3339 encoded datetime"), "must be a date and time"),
]


_DATETIME_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d$")


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


def _field_types(struct: type[msgspec.Struct]) -> dict[str, tuple[Any, bool, bool]]:
    """name -> (annotation, required, is_bool) for each field of the Struct."""
    hints = typing.get_type_hints(struct, include_extras=True)
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    out = {}
    for f in info.fields:
        is_bool = isinstance(f.type, msgspec.inspect.BoolType)
        out[f.name] = (hints[f.name], f.required, is_bool)
    return out


def validate_form(
    struct: type[S], data: dict[str, Any], *, secret_fields: tuple[str, ...] = ()
) -> tuple[S | None, Form]:
    """Validate ``data`` (a parsed form) field by field; return the Struct (or None) and the Form.

    Unknown fields (other than the CSRF token) are refused like in the API. Secret fields
    (passwords) are never echoed back into the form.
    """
    fields = _field_types(struct)
    values = {k: str(v) for k, v in data.items() if k != "_csrf_token" and k not in secret_fields}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in data:
        if name == "_csrf_token":
            continue
        if name not in fields:
            errors[name] = "is not a field of this form"
    for name, (annotation, required, is_bool) in fields.items():
        raw = data.get(name)
        if raw in (None, "") and not required:
            continue
        if raw in (None, "") and not is_bool:
            errors[name] = "this field is required"
            continue
        if raw is None:
            raw = ""
        if isinstance(raw, str) and _DATETIME_LOCAL.match(raw):
            # <input type="datetime-local"> sends minutes only, without a zone.
            raw += ":00"
        if is_bool:
            raw = str(raw).lower() in {"1", "true", "on", "yes"}
        try:
            one = msgspec.defstruct("One", [(name, annotation)], forbid_unknown_fields=True)
            clean[name] = getattr(msgspec.convert({name: raw}, one, strict=False), name)
        except msgspec.ValidationError as exc:
            errors[name] = friendly(str(exc))
    if errors:
        return None, Form(values, errors)
    try:
        return msgspec.convert(clean, struct, strict=False), Form(values)
    except msgspec.ValidationError as exc:  # cross-field rules in __post_init__
        return None, Form(values, {"__all__": friendly(str(exc))})
