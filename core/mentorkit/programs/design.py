"""A program's design checked as a whole: settings against their Structs, role limits against
the format's roles, dates against each other; and a settings Struct turned into form fields.

Services call ``design_problems`` on create, edit and duplicate, so the API, the pages and the
domain API refuse the same things with the same field names (``format_settings.<field>``,
``role_limits.<role>``, ``ends_on``).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Mapping
from typing import Any

import msgspec

from mentorkit.contracts import ProgramFormat
from mentorkit.web.forms import friendly

SETTINGS_PREFIXES = ("format_settings", "strategy_settings")
_PATH = re.compile(r" - at `\$\.?([^`]*)`$")
LABELS = {
    "matching_mode": {
        "coordinator": "Coordinator-led: coordinators pair people",
        "mentee": "Mentee-led: mentees request from suggestions, mentors accept or decline",
        "mentor": "Mentor-led: mentors choose their mentees",
        "automatic": "Automatic: the matching strategy pairs people",
    },
    "enrolment_mode": {
        "open": "Open: anyone signed in may join",
        "invitation": "By invitation link",
        "application": "By application, reviewed by a coordinator",
    },
    "intake": {
        "cohort": "Cohort: everyone starts together",
        "rolling": "Rolling: people join and are matched at any time",
    },
    "acceptance": {
        "none": "No: a match starts at once",
        "one_sided": "One side: the mentors (the format's first role) accept or decline",
        "two_sided": "Both sides: every member accepts or declines",
    },
    "meeting_cadence": {
        "weekly": "Weekly", "fortnightly": "Every two weeks", "monthly": "Monthly", "as_needed": "As needed",
    },
}


def choice_label(field: str, key: str) -> str:
    """The words forms show for a design choice (``"Mentee-led: mentees request ..."``)."""
    return LABELS.get(field, {}).get(key, key.replace("_", " "))


def short_label(field: str, key: str) -> str:
    """The first part of a choice's label ("Mentee-led"), for the overview."""
    return choice_label(field, key).split(":")[0]


def settings_problems(struct: type[msgspec.Struct], raw: Mapping[str, Any], prefix: str
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """``raw`` checked against ``struct``: the settings with defaults filled in, and problems
    keyed ``<prefix>.<field>`` (an unknown name is a problem too, whatever the Struct says)."""
    names = [f.encode_name for f in msgspec.structs.fields(struct)]
    problems = {f"{prefix}.{key}"[:120]: "is not a setting here" for key in list(raw)[:5] if key not in names}
    if problems:
        return {}, problems
    try:
        value = msgspec.convert(dict(raw), struct, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _PATH.search(message)
        field = found.group(1).split(".")[0].split("[")[0] if found and found.group(1) else ""
        return {}, {f"{prefix}.{field}" if field else prefix: friendly(message)}
    return typing.cast(dict[str, Any], msgspec.to_builtins(value)), {}


def role_limit_problems(fmt: ProgramFormat, limits: Mapping[str, int]) -> dict[str, str]:
    """A limit for a role the format does not have is a problem of that role's field."""
    roles = fmt.role_keys()
    return {f"role_limits.{role}"[:120]: f"is not a role of this format (roles: {', '.join(roles)})"
            for role in list(limits)[:5] if role not in roles}


def date_problems(starts_on: dt.date | None, ends_on: dt.date | None) -> dict[str, str]:
    """The end must come after the start."""
    if starts_on and ends_on and ends_on <= starts_on:
        return {"ends_on": "must be after the start date"}
    return {}


# --------------------------------------------------------------------------- form fields


def settings_fields(struct: type[msgspec.Struct], values: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    """One form field per field of a settings Struct, named ``<prefix>.<field>``: a checkbox
    for a bool, a number for an int or float, a select for a Literal, text otherwise; the
    value typed (or stored), else the Struct's default."""
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    fields = []
    for field in info.fields:
        kind, options, attrs = _control(field.type)
        default = None if field.default is msgspec.NODEFAULT else field.default
        value = values.get(field.encode_name, default)
        if kind == "checkbox":
            value = "on" if value in (True, "on", "true", "1", "yes") else ""
        fields.append({
            "name": f"{prefix}.{field.encode_name}",
            "label": field.name.replace("_", " ").capitalize(),
            "kind": kind,
            "options": options,
            "attrs": attrs,
            "value": "" if value is None else str(value),
            "hint": "" if default is None or kind == "checkbox" else f"Default: {default}.",
        })
    return fields


def _control(ftype: Any) -> tuple[str, list[tuple[str, str]], dict[str, Any]]:
    if isinstance(ftype, msgspec.inspect.BoolType):
        return "checkbox", [], {}
    if isinstance(ftype, (msgspec.inspect.IntType, msgspec.inspect.FloatType)):
        attrs: dict[str, Any] = {}
        low = ftype.ge if ftype.ge is not None else ftype.gt
        high = ftype.le if ftype.le is not None else ftype.lt
        if low is not None:
            attrs["min"] = low
        if high is not None:
            attrs["max"] = high
        if isinstance(ftype, msgspec.inspect.FloatType):
            attrs["step"] = "any"
        return "number", [], attrs
    if isinstance(ftype, msgspec.inspect.LiteralType):
        return "select", [(str(v), str(v).replace("_", " ")) for v in ftype.values], {}
    return "text", [], {}


def settings_from_form(struct: type[msgspec.Struct], data: Mapping[str, str], prefix: str) -> dict[str, Any]:
    """The ``<prefix>.<field>`` values of a posted form as a settings document: an unticked
    checkbox is False, an empty box is left out (the default applies). Names the Struct does
    not have are dropped: they were the fields of the format chosen before (the API, where
    nobody switches formats mid-form, reports them)."""
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    out: dict[str, Any] = {}
    for field in info.fields:
        raw = data.get(f"{prefix}.{field.encode_name}")
        if isinstance(field.type, msgspec.inspect.BoolType):
            out[field.encode_name] = str(raw or "").lower() in {"1", "true", "on", "yes"}
        elif raw not in (None, ""):
            out[field.encode_name] = str(raw).strip()
    return out
