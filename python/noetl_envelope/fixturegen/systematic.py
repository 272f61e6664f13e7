"""Cases derived from the schema alone: for every field, the boundaries of its Rust type.

Each field starts from a canonical base envelope (a typical value per field, in declaration
order) and is varied alone: the values of its Rust type's table below (`TYPE_CASES`, keyed by
the inner `x-rust-type`), the wrong JSON types, absent / null / duplicated, an escaped or
differently cased key, its position, its serde aliases and its schema `enum`. A field added
to the schema therefore gets its fixtures with no hand work; a new Rust type needs one entry in
`TYPE_CASES`, like `rusttypes.RUST_TYPES`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from noetl_envelope.fixturegen.cases import Case, Member, key, nested, render_object, replace
from noetl_envelope.model.rusttypes import MAX_NESTING
from noetl_envelope.model.schema import FieldSpec, field_specs
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN


@dataclass(frozen=True, slots=True)
class Variant:
    """One raw value to put in a field: `suffix` names the case (`<field>.<suffix>`)."""

    suffix: str
    raw: str
    description: str
    category: str


# What each systematic category holds; the manifest lists these next to the catalogue's.
CATEGORIES = {
    "numbers": "Integers at and beyond the bounds of a Rust integer type, and numbers serde_json reads as floats.",
    "strings": "Escapes, Unicode, control characters, surrogates and invalid UTF-8 in a Rust String.",
    "timestamps": "chrono's DateTime<Utc> grammar: fraction digits, offsets, leap seconds, calendar limits.",
    "values": "serde_json::Value: float forms, big integers, key order and duplicate keys.",
    "nesting": "Nesting at and beyond serde_json's recursion limit.",
    "types": "A JSON type the field's Rust type or schema type does not take.",
    "presence": "A field absent or null: required vs Option (null and absent both mean None).",
    "duplicates-and-aliases": "A field twice, under an escaped key, or under its serde alias.",
    "structure": "Key spelling and position: unknown keys are skipped, order decides canonical bytes.",
    "enums": "Each value of a closed `enum`, and one outside it.",
}

_TIMESTAMP = "2024-05-01T12:00:00Z"


def _i64_variants() -> list[Variant]:
    def v(suffix: str, raw: str, what: str) -> Variant:
        return Variant(suffix, raw, what, "numbers")

    return [
        v("zero", "0", "0"),
        v("minus-one", "-1", "-1"),
        v("i64-max", str(I64_MAX), "i64::MAX, the largest value"),
        v("i64-min", str(I64_MIN), "i64::MIN, the smallest value"),
        v("i64-max-plus-1", str(I64_MAX + 1), "i64::MAX + 1: out of range for i64 (serde_json reads it as u64)"),
        v("i64-min-minus-1", str(I64_MIN - 1), "i64::MIN - 1: out of range (serde_json reads it as f64)"),
        v("u64-max", str(2**64 - 1), "u64::MAX: a valid JSON integer, out of range for i64"),
        v("above-2-pow-53", str(2**53 + 1), "2^53 + 1: exact in i64, silently rounded by float-based readers"),
        v("float-integral", "1.0", "1.0 is a float to serde_json, rejected for i64 (JSON Schema calls it an integer)"),
        v("exponent", "1e3", "1e3 is a float to serde_json, rejected for i64"),
        v("negative-zero", "-0", "-0 is the float -0.0 to serde_json, rejected for i64"),
        v("negative-zero-float", "-0.0", "-0.0, a float"),
        v("tiny-float", "1e-400", "1e-400 underflows to 0.0, still a float"),
        v("overflow", "1e400", "1e400 overflows f64: a number serde_json cannot hold"),
        v("leading-zero", "01", "01: a leading zero is not JSON"),
        v("plus-sign", "+1", "+1: a leading plus is not JSON"),
        v("huge-integer", "1" + "0" * 30, "an integer beyond u64: serde_json reads it as f64"),
    ]


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


def _timestamp_variants() -> list[Variant]:
    def v(suffix: str, text: str, what: str) -> Variant:
        return Variant(suffix, f'"{text}"', what, "timestamps")

    return [
        v("utc-z", "2024-05-01T12:00:00Z", "whole seconds in UTC: chrono writes no fraction"),
        v("lowercase-t-z", "2024-05-01t12:00:00z", "lower-case 't' and 'z' are accepted"),
        v("space-separator", "2024-05-01 12:00:00Z", "a space instead of 'T'"),
        v("offset-colon", "2024-05-01T12:00:00+05:30", "an offset: converted to UTC on the way back"),
        v(
            "offset-no-colon",
            "2024-05-01T12:00:00+0530",
            "an offset without a colon (chrono accepts, RFC 3339 does not)",
        ),
        v("offset-negative-zero", "2024-05-01T12:00:00-00:00", "-00:00, 'unknown local offset'"),
        v("no-offset", "2024-05-01T12:00:00", "no offset at all"),
        v("utc-suffix", "2024-05-01T12:00:00 UTC", "' UTC' is not an offset"),
        v("no-seconds", "2024-05-01T12:00Z", "minutes without seconds"),
        v("fraction-1", "2024-05-01T12:00:00.1Z", "1 fraction digit: written back as 3"),
        v("fraction-3", "2024-05-01T12:00:00.123Z", "3 fraction digits"),
        v("fraction-6", "2024-05-01T12:00:00.123456Z", "6 fraction digits"),
        v("fraction-7", "2024-05-01T12:00:00.1234567Z", "7 fraction digits: written back as 9"),
        v("fraction-9", "2024-05-01T12:00:00.123456789Z", "9 fraction digits, nanoseconds"),
        v("fraction-10", "2024-05-01T12:00:00.1234567891Z", "10 fraction digits: chrono truncates to 9"),
        v("fraction-empty", "2024-05-01T12:00:00.Z", "a dot with no digits"),
        v("fraction-comma", "2024-05-01T12:00:00,5Z", "a comma as the decimal sign"),
        v("leap-second", "2016-12-31T23:59:60Z", "a leap second"),
        v("leap-second-fraction", "2016-12-31T23:59:60.5Z", "inside a leap second"),
        v("leap-second-any-minute", "2024-05-01T12:34:60Z", "second 60 at a minute with no leap second"),
        v("leap-second-offset", "2017-01-01T05:29:60+05:30", "a leap second written through an offset"),
        v("feb-29-leap-year", "2024-02-29T00:00:00Z", "29 February of a leap year"),
        v("feb-29-common-year", "2023-02-29T00:00:00Z", "29 February of a common year"),
        v("feb-30", "2024-02-30T00:00:00Z", "30 February"),
        v("hour-24", "2024-05-01T24:00:00Z", "hour 24"),
        v("month-13", "2024-13-01T00:00:00Z", "month 13"),
        v("year-0000", "0000-01-01T00:00:00Z", "year 0"),
        v("year-9999-last-nanosecond", "9999-12-31T23:59:59.999999999Z", "the last nanosecond of year 9999"),
        v("year-plus-10000", "+10000-01-01T00:00:00Z", "a signed five-digit year"),
        v("year-minus-0001", "-0001-01-01T00:00:00Z", "a negative year"),
        v("year-max", "+262142-12-31T23:59:59Z", "chrono's last representable year"),
        v("year-beyond-max", "+262143-01-01T00:00:00Z", "beyond chrono's range"),
        v("date-only", "2024-05-01", "a date without a time"),
        v("padding-missing", "2024-5-1T1:2:3Z", "fields without zero padding"),
        v("offset-hour-only", "2024-05-01T12:00:00+05", "an offset without minutes"),
        v("offset-24h", "2024-05-01T12:00:00+24:00", "an offset of 24 hours"),
    ]


def _slug(number: str) -> str:
    """A number as part of a case name: 1E3 -> 1e3, -0.0 -> minus-0p0."""
    text = number.lower().replace(".", "p").replace("+", "")
    return "minus-" + text[1:] if text.startswith("-") else text


def _value_variants() -> list[Variant]:
    def v(suffix: str, raw: str, what: str, category: str = "values") -> Variant:
        return Variant(suffix, raw, what, category)

    floats = [
        ("1e16", "written 1e+16"),
        ("1e15", "written 1000000000000000.0"),
        ("1e-7", "written 1e-7"),
        ("1e-5", "written 0.00001"),
        ("100.0", "written 100.0"),
        ("1E3", "an upper-case exponent, written 1000.0"),
        ("-0.0", "negative zero as a float, written -0.0"),
        ("-0", "-0 reads as the float -0.0 and is written -0.0"),
        ("0.30000000000000004", "a shortest round-trip double"),
        ("5e-324", "the smallest subnormal double"),
        ("1.7976931348623157e308", "f64::MAX"),
        ("1e-400", "underflows to 0.0"),
        ("1e400", "overflows f64: rejected"),
    ]
    variants = [v(f"float-{_slug(raw)}", f'{{"n":{raw}}}', f"the number {raw}: {what}") for raw, what in floats]
    variants += [
        v("empty-object", "{}", "an empty object"),
        v("u64-max", f'{{"n":{2**64 - 1}}}', "u64::MAX stays an exact integer inside a Value"),
        v("above-u64", f'{{"n":{2**64}}}', "2^64 does not fit u64: becomes a float"),
        v("i64-min", f'{{"n":{I64_MIN}}}', "i64::MIN stays exact"),
        v("keys-unsorted", '{"b":1,"a":{"d":[3,{"z":1,"y":2}],"c":null}}', "keys come back sorted, at every level"),
        v("keys-code-point-order", '{"\uffff":1,"😀":2,"é":3,"Z":4}', "keys sort by code point (not UTF-16)"),
        v("escaped-key", r'{"\u0061":1}', "an escaped key, written back raw"),
        v(
            "duplicate-key",
            '{"a":1,"a":2}',
            "a duplicate key: serde_json keeps the last value",
            "duplicates-and-aliases",
        ),
        v("nested-duplicate-key", '{"x":{"a":1,"a":2}}', "a duplicate key one level down", "duplicates-and-aliases"),
        v("key-lone-surrogate", r'{"\udc00":1}', "a key holding a lone surrogate escape"),
        v("array", "[1,2]", "an array: fine for Value, not for a schema `object`"),
        v("string", '"text"', "a string: fine for Value, not for a schema `object`"),
    ]
    # The field's value sits at level 2 (the envelope is level 1), so `MAX_NESTING - 1` nested
    # containers reach the limit and one more passes it.
    for container in ("array", "object"):
        variants.append(
            v(
                f"depth-{MAX_NESTING}-{container}",
                "{" + f'"d":{nested(MAX_NESTING - 2, container)}' + "}",
                f"{container}s nested to level {MAX_NESTING}, serde_json's limit",
                "nesting",
            )
        )
        variants.append(
            v(
                f"depth-{MAX_NESTING + 1}-{container}",
                "{" + f'"d":{nested(MAX_NESTING - 1, container)}' + "}",
                f"{container}s nested to level {MAX_NESTING + 1}, one beyond serde_json's limit",
                "nesting",
            )
        )
    return variants


TYPE_CASES: dict[str, list[Variant]] = {
    "i64": _i64_variants(),
    "String": _string_variants(),
    "DateTime<Utc>": _timestamp_variants(),
    "serde_json::Value": _value_variants(),
}

# One sample of each JSON type, for the wrong-type cases.
_JSON_TYPES = {
    "boolean": "true",
    "integer": "7",
    "float": "1.5",
    "string": '"text"',
    "array": "[]",
    "object": "{}",
}


def typical_value(spec: FieldSpec) -> str:
    """A raw value the field accepts under every profile, for the base envelope."""
    schema: dict[str, Any] = spec.schema
    inner = spec.inner_rust_type
    if inner == "i64":
        low = int(schema.get("minimum", I64_MIN))
        high = int(schema.get("maximum", I64_MAX))
        return str(min(max(1, low), high))
    if inner == "String":
        if schema.get("enum"):
            return key(str(schema["enum"][0]))
        if schema.get("examples"):
            return key(str(schema["examples"][0]))
        return key(spec.name.replace("_", "-"))
    if inner == "DateTime<Utc>":
        return f'"{_TIMESTAMP}"'
    if inner == "serde_json::Value":
        return '{"k":1}'
    raise KeyError(f"x-rust-type {inner!r} has no entry in noetl_envelope.fixturegen.systematic.TYPE_CASES")


def _json_type(raw: str) -> str:
    """The JSON type of a raw value, named as in `_JSON_TYPES`."""
    first = raw[:1]
    named = {'"': "string", "{": "object", "[": "array", "t": "boolean", "f": "boolean", "n": "null"}
    if first in named:
        return named[first]
    return "float" if any(c in raw for c in ".eE") else "integer"


def systematic_cases(schema: dict[str, Any] | None = None) -> list[Case]:
    """Every derived case for every field of `schema` (default: the package's schema)."""
    specs = field_specs(schema)
    base: list[Member] = [(key(spec.name), typical_value(spec)) for spec in specs]
    cases: list[Case] = []
    for index, spec in enumerate(specs):
        for suffix, members, description, category in _field_variants(spec, index, base):
            cases.append(
                Case(
                    name=f"{spec.name}.{suffix}",
                    category=category,
                    description=f"{spec.name} ({spec.rust_type}): {description}",
                    source="systematic",
                    document=render_object(members),
                    field=spec.name,
                )
            )
    return cases


def _field_variants(spec: FieldSpec, index: int, base: list[Member]) -> Iterator[tuple[str, list[Member], str, str]]:
    name = key(spec.name)
    if spec.inner_rust_type not in TYPE_CASES:
        raise KeyError(f"x-rust-type {spec.inner_rust_type!r} has no entry in fixturegen.systematic.TYPE_CASES")
    for variant in TYPE_CASES[spec.inner_rust_type]:
        yield variant.suffix, replace(base, name, variant.raw), variant.description, variant.category
    for value in spec.schema.get("enum") or ():
        text = str(value)
        yield f"enum-{text.lower()}", replace(base, name, key(text)), f"{text!r}, one of the enum", "enums"
    if spec.schema.get("enum"):
        outside = str(spec.schema["enum"][0]).lower()
        if outside not in spec.schema["enum"]:
            yield "enum-outside", replace(base, name, key(outside)), f"{outside!r}: not in the enum", "enums"

    own_type = _json_type(base[index][1])
    for type_name, sample in _JSON_TYPES.items():
        if type_name != own_type:
            yield f"type-{type_name}", replace(base, name, sample), f"a JSON {type_name}", "types"

    without = base[:index] + base[index + 1 :]
    if spec.optional:
        yield "absent", without, "absent: None, and omitted when written", "presence"
        yield "null", replace(base, name, "null"), "null: None like absent, so omitted when written", "presence"
    else:
        yield "absent", without, "absent: a required field is missing", "presence"
        yield "null", replace(base, name, "null"), "null for a required field", "presence"

    yield "duplicate", [*base, base[index]], "the field twice: a duplicate struct field", "duplicates-and-aliases"
    escaped = '"\\u' + f"{ord(spec.name[0]):04x}" + name[2:]
    yield (
        "key-escaped",
        [(escaped if k == name else k, v) for k, v in base],
        f"the key written {escaped}: serde decodes it to the field name",
        "duplicates-and-aliases",
    )
    for alias in spec.aliases:
        renamed = [(key(alias) if k == name else k, v) for k, v in base]
        yield f"alias-{alias}", renamed, f"under its serde alias {alias!r}", "duplicates-and-aliases"
        yield (
            f"alias-{alias}-and-name",
            [*base, (key(alias), base[index][1])],
            f"under its name and its alias {alias!r}: a duplicate field",
            "duplicates-and-aliases",
        )
    upper = [(key(spec.name.upper()) if k == name else k, v) for k, v in base]
    yield "key-uppercase", upper, "the key in upper case: an unknown key, skipped by serde", "structure"
    moved = [*without, base[index]] if index == 0 else [base[index], *without]
    where = "last" if index == 0 else "first"
    yield f"moved-{where}", moved, f"the field moved {where}: same event, different bytes", "structure"
