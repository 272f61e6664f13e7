"""Rust `String`: what serde_json accepts, decodes and writes, and every other facet of the type."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.rusttypes.base import EncodeError, FastPath, NumberReader, RustType, Variant, invalid_type
from noetl_envelope.wire.jsontree import BadStr, DeferredStr, Num, excerpt

NAME = "String"


def check_string(value: Any, pointer: JsonPath, level: int, read_number: NumberReader) -> list[Violation]:
    if isinstance(value, BadStr):
        return [value.rule.at(pointer, "string", value=excerpt(value))]
    if not isinstance(value, str) or isinstance(value, Num):
        return [invalid_type(value, pointer, "String", "a string")]
    return []


def _string_to_python(value: Any, read_number: NumberReader) -> str:
    return str(value)


def _write_string(value: Any, out: list[str]) -> None:
    if not isinstance(value, str):
        raise EncodeError(f"{value!r} is not a string")
    out.append(quote(value))


# A deferred string is written, and compared with its bytes, this many bytes at a time.
WRITTEN_PIECE_BYTES = 2**20


def written_pieces(value: DeferredStr) -> Iterator[tuple[memoryview, str]]:
    """A deferred string a piece at a time: each piece's bytes as the document has them, and
    serde_json's form of its text (what `quote` writes, without the quotes)."""
    for raw, text in value.spans(WRITTEN_PIECE_BYTES):
        yield raw, quote(text)[1:-1]


def quote(text: str) -> str:
    """serde_json's string form: escapes only '"', '\\' and C0 controls (\\b \\f \\n \\r \\t short,
    the rest as lower-case \\u00XX); DEL, U+2028, U+2029 and all non-ASCII are written raw.
    json.dumps with ensure_ascii=False escapes exactly that set the same way."""
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise EncodeError(f"{text!r} holds a lone surrogate; a Rust String cannot")
    return json.dumps(text, ensure_ascii=False)


# --- the fast engine and the accelerator --------------------------------------------------


def string_condition(
    prop: dict[str, Any], types: tuple[str, ...], var: str, names: dict[str, Any], canonical: bool
) -> list[str] | None:
    """The fast check of a string-typed field (also the start of `DateTime<Utc>`'s)."""
    if "string" not in types:
        return None
    parts = [f"type({var}) is str"]
    if "minLength" in prop:
        parts.append(f"len({var}) >= {int(prop['minLength'])!r}")
    if "maxLength" in prop:
        parts.append(f"len({var}) <= {int(prop['maxLength'])!r}")
    return parts


def string_accel(prop: dict[str, Any]) -> dict[str, Any] | None:
    return {
        "min_length": int(prop["minLength"]) if "minLength" in prop else None,
        "max_length": int(prop["maxLength"]) if "maxLength" in prop else None,
    }


# --- fixtures -------------------------------------------------------------------------------


def _string_variants() -> list[Variant]:
    def v(suffix: str, raw: str, what: str) -> Variant:
        return Variant(suffix, raw, what, "strings")

    return [
        v("empty", '""', "the empty string"),
        v("short-escapes", r'"\"\\\b\f\n\r\t"', "every short escape serde_json writes back as is"),
        v("escaped-solidus", r'"a\/b"', "\\/ is read as '/' and written back unescaped"),
        v("unicode-raw", '"é中😀"', "raw non-ASCII, written back raw"),
        v("unicode-escaped", r'"\u00e9\u4e2d\ud83d\ude00"', "\\u escapes incl. a surrogate pair, written back raw"),
        v("nul-escape", r'"a\u0000b"', "\\u0000 is a valid string character"),
        v("control-escape-upper", r'"\u001F"', "an upper-case control escape, written back lower-case"),
        v("del-and-separators", '"\x7f\u2028\u2029"', "DEL, U+2028, U+2029 raw: serde_json never escapes them"),
        v("lone-high-surrogate", r'"\ud83d"', "a lone high surrogate escape"),
        v("lone-low-surrogate", r'"\ude00"', "a lone low surrogate escape"),
        v("raw-control", '"a\x01b"', "a raw control character inside a string"),
        v("raw-newline", '"a\nb"', "a raw line feed inside a string"),
        v("invalid-utf8", '"\udcff"', "the byte 0xFF, not UTF-8"),
        v("overlong-utf8", '"\udcc0\udcaf"', "an overlong UTF-8 encoding of '/'"),
        v("invalid-escape", r'"\x41"', "\\x is not a JSON escape"),
        v("unterminated", '"abc', "a string that never ends"),
    ]


def key(name: str) -> str:
    """The raw key text serde_json's own writer uses for a field name."""
    return json.dumps(name, ensure_ascii=False)


def _typical(prop: dict[str, Any], field_name: str) -> str:
    if prop.get("enum"):
        return key(str(prop["enum"][0]))
    if prop.get("examples"):
        return key(str(prop["examples"][0]))
    return key(field_name.replace("_", "-"))


# Reads DateTime<Utc>'s values: chrono writes an RFC 3339 string.
_READS = frozenset({"DateTime<Utc>"})

STRING = RustType(
    name=NAME,
    check=check_string,
    to_python=_string_to_python,
    write=_write_string,
    json_types=("string",),
    integer_range=None,
    timestamp=False,
    free_form=False,
    sql_type="VARCHAR",
    reads=_READS,
    variants=tuple(_string_variants()),
    typical=_typical,
    probes=("x", "step.enter", "", "A", "a b", "0"),
    fast=FastPath(string_condition, string_accel, frozenset()),
    rust_source="String",
    harness_gen="string",
    rust_use="",
    constraints=frozenset({"minLength", "maxLength", "enum"}),
    default="",  # String::new()
)
