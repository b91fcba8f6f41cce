"""Shared wire types: text constraints used by API bodies and HTML forms alike."""

from __future__ import annotations

from typing import Annotated

import msgspec

# One line of text: no CR/LF, which would let a name or subject inject e-mail headers or
# forge log lines (ASVS 1.3.11, 16.4.1).
SINGLE_LINE = r"^[^\r\n]*$"

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=SINGLE_LINE,
                                   description="a name, one line")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=SINGLE_LINE,
                                    description="a title or subject, one line")]
LongText = Annotated[str, msgspec.Meta(max_length=20_000, description="free text")]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254,
                                    pattern=r"^[^@\s\r\n]+@[^@\s\r\n]+\.[^@\s\r\n]+$",
                                    description="an e-mail address")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=256, description="at least 8 characters")]


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused with a 400 naming them."""
