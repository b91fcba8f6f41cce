"""Shared wire types: text and id constraints used by API bodies, HTML forms and paths alike."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

# Characters no text field accepts: C0 and C1 controls (NUL among them, which PostgreSQL
# cannot store), DEL, and the line and paragraph separators. (Lone surrogates never arrive:
# msgspec refuses them in JSON, and form decoding replaces them. A range of them here would
# also make the pattern unusable for JSON Schema tools such as schemathesis.)
_CONTROLS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"

# The very end of the string. Not ``$``, which in Python also matches before a final newline
# (msgspec checks patterns with ``re.search``), nor ``\Z``, which ECMAScript (the dialect of
# the JSON Schema in the OpenAPI document) does not know.
END = r"(?![\s\S])"

# One line of text: none of the above, so no line break of any kind ``str.splitlines`` knows
# (a name or subject with one could inject e-mail headers or forge log lines, ASVS 1.3.11,
# 16.4.1).
SINGLE_LINE = rf"^[^{_CONTROLS}]*{END}"
# A required line: one line with something other than white space on it.
NOT_BLANK_LINE = rf"^(?=.*\S)[^{_CONTROLS}]*{END}"
# Free text: tabs and line breaks (``\n``, or ``\r\n`` as browsers send) but no other controls.
MULTI_LINE = rf"^(?:[^{_CONTROLS}]|[\t\n]|\r\n)*{END}"
# Required free text: the same, with something other than white space in it.
NOT_BLANK_TEXT = rf"^(?=[\s\S]*\S)(?:[^{_CONTROLS}]|[\t\n]|\r\n)*{END}"
MULTI_LINE_PATTERNS = (MULTI_LINE, NOT_BLANK_TEXT)

# Ids are PostgreSQL ``serial`` columns (int4): anything outside this range cannot exist.
ID_MIN, ID_MAX = 1, 2**31 - 1

Id = Annotated[int, msgspec.Meta(ge=ID_MIN, le=ID_MAX, description="an id")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NOT_BLANK_LINE,
                                   description="a name, one line")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK_LINE,
                                    description="a title or subject, one line")]
Line = Annotated[str, msgspec.Meta(max_length=1000, pattern=SINGLE_LINE, description="one line of text")]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, pattern=MULTI_LINE, description="free text")]
RequiredText = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000, pattern=NOT_BLANK_TEXT,
                                           description="free text, not blank")]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254,
                                    pattern=rf"^[^@\s{_CONTROLS}]+@[^@\s{_CONTROLS}]+\.[^@\s{_CONTROLS}]+{END}",
                                    description="an e-mail address")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=256, pattern=SINGLE_LINE,
                                       description="at least 8 characters")]
# A password being checked rather than chosen (no length rule of its own).
Secret = Annotated[str, msgspec.Meta(max_length=256, pattern=SINGLE_LINE, description="a password")]


def control_problem(value: str, *, multi_line: bool = False) -> str | None:
    """What is wrong with ``value`` by the rules above (for text read outside a Struct), or None."""
    if re.search(MULTI_LINE if multi_line else SINGLE_LINE, value):
        return None
    if multi_line:
        return "must not contain control characters"
    return "must be a single line without control characters"


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused with a 400 naming them."""
