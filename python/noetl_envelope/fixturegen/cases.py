"""The unit the fixture generator works on: a named `Case` (one document's exact bytes), and the
small document builder both case sources share.

A document is built from raw member texts, never from Python values: the point of a fixture is
often a spelling (`1.0`, `-0`, an escaped key, a duplicate) that a JSON serializer would not
produce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (raw key text including its quotes, raw value text), both exactly as they appear in the document.
Member = tuple[str, str]

SOURCES = ("catalogue", "systematic")
# File-name safe, stable in URLs and shells; the name is the fixture's identity in the manifest.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
CATEGORY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True, slots=True)
class Case:
    """One fixture before it is judged: `document` is the exact bytes under test."""

    name: str
    category: str
    description: str
    source: str
    document: bytes
    field: str | None = None  # the struct field a systematic case was derived for


def to_bytes(text: str) -> bytes:
    """Raw text as document bytes. Lone surrogates U+DC80..U+DCFF stand for single bytes that are
    not UTF-8 (Python's surrogateescape), so a text source can still describe invalid UTF-8."""
    return text.encode("utf-8", "surrogateescape")


def render_object(members: list[Member], *, separator: str = ",", colon: str = ":") -> bytes:
    """`{key:value,...}` from raw member texts, in the given order (duplicates kept)."""
    return to_bytes("{" + separator.join(k + colon + v for k, v in members) + "}")


def render_sequence(values: list[str]) -> bytes:
    """Serde's sequence form of a struct: the field values as a JSON array, in declaration order."""
    return to_bytes("[" + ",".join(values) + "]")


def replace(members: list[Member], raw_key: str, value: str) -> list[Member]:
    """`members` with every member named `raw_key` given `value`."""
    return [(k, value if k == raw_key else v) for k, v in members]
