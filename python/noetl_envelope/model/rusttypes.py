"""What each Rust field type accepts, decodes to and writes, the way serde_json + chrono do.

A schema property names its Rust type in `x-rust-type`; `resolve` maps that name to a
`RustType`: a value holding three small functions (check a tree value, turn it into the
Python value the generated dataclass holds, write a Python value as serde_json would). Like
python-jsonschema's TypeChecker it is a table you extend: a new field of an existing type
needs no code, a new Rust type needs one entry here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from noetl_envelope.core.rules import ALL_PROFILES, Rule
from noetl_envelope.core.violations import Violation, pointer_join
from noetl_envelope.wire.jsontree import BadStr, Num, Obj, a_type_name, excerpt
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN, U64_MAX, NumberRangeError, format_float, parse_number
from noetl_envelope.wire.timestamp import Timestamp, TimestampError

# serde_json's Deserializer starts with remaining_depth = 128 and fails when an array or
# object brings it to 0: the 128th nested container is rejected, the 127th is accepted.
MAX_NESTING = 127

Checker = Callable[[Any, str, int], list[Violation]]
# How numbers are read when decoding: `parse_number` (what serde_json computes) for the serde
# profile, `Num.exact_value` (correctly rounded, what the producer wrote) for the others.
NumberReader = Callable[[Num], int | float]


@dataclass(frozen=True, slots=True)
class RustType:
    """One Rust type: `check(value, pointer, level)` lists what serde rejects (level = nesting
    level of the enclosing struct, 1 at the top), `to_python(value, read_number)` decodes an accepted tree value,
    `write` appends serde_json's output for a Python value to a list of str chunks."""

    name: str
    check: Checker
    to_python: Callable[[Any, NumberReader], Any]
    write: Callable[[Any, list[str]], None]


class EncodeError(ValueError):
    """A Python value that the Rust type cannot hold (so serde_json could never write it)."""


# --- i64 -------------------------------------------------------------------------------


def _check_i64(value: Any, pointer: str, level: int) -> list[Violation]:
    if not isinstance(value, Num):
        return [_invalid_type(value, pointer, "i64", "an integer")]
    try:
        number = parse_number(value)
    except NumberRangeError:
        return [Violation("json.number-out-of-range", pointer, f"{excerpt(value)} is out of range for f64")]
    if isinstance(number, float):
        hint = ""
        if number.is_integer() and I64_MIN <= number <= I64_MAX:
            hint = f" (write {int(number)})"
        return [Violation("serde.invalid-type", pointer, f"{excerpt(value)} is a float; Rust i64 rejects it{hint}")]
    if not I64_MIN <= number <= I64_MAX:
        return [
            Violation(
                "serde.integer-out-of-range",
                pointer,
                f"{value} does not fit Rust i64 ({I64_MIN}..{I64_MAX})",
            )
        ]
    return []


def _i64_to_python(value: Any, read_number: NumberReader) -> int:
    return int(value)


def _write_i64(value: Any, out: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not I64_MIN <= value <= I64_MAX:
        raise EncodeError(f"{value!r} is not an i64")
    out.append(str(value))


# --- String ----------------------------------------------------------------------------


def _check_string(value: Any, pointer: str, level: int) -> list[Violation]:
    if isinstance(value, BadStr):
        return [Violation(value.rule, pointer, f"string holds {value.what}: {excerpt(value)}")]
    if not isinstance(value, str) or isinstance(value, Num):
        return [_invalid_type(value, pointer, "String", "a string")]
    return []


def _string_to_python(value: Any, read_number: NumberReader) -> str:
    return str(value)


def _write_string(value: Any, out: list[str]) -> None:
    if not isinstance(value, str):
        raise EncodeError(f"{value!r} is not a string")
    out.append(quote(value))


def quote(text: str) -> str:
    """serde_json's string form: escapes only '"', '\\' and C0 controls (\\b \\f \\n \\r \\t short,
    the rest as lower-case \\u00XX); DEL, U+2028, U+2029 and all non-ASCII are written raw.
    json.dumps with ensure_ascii=False escapes exactly that set the same way."""
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise EncodeError(f"{text!r} holds a lone surrogate; a Rust String cannot")
    return json.dumps(text, ensure_ascii=False)


# --- DateTime<Utc> -----------------------------------------------------------------------


def _check_datetime(value: Any, pointer: str, level: int) -> list[Violation]:
    problems = _check_string(value, pointer, level)
    if problems:
        if problems[0].rule == "serde.invalid-type":
            return [_invalid_type(value, pointer, "DateTime<Utc>", "an RFC 3339 string")]
        return problems
    try:
        Timestamp.parse(value)
    except TimestampError as exc:
        return [Violation("serde.invalid-timestamp", pointer, f"{excerpt(value)}: {exc}")]
    return []


def _datetime_to_python(value: Any, read_number: NumberReader) -> Timestamp:
    return Timestamp.parse(value)


def _write_datetime(value: Any, out: list[str]) -> None:
    if not isinstance(value, Timestamp):
        raise EncodeError(f"{value!r} is not a Timestamp")
    out.append('"' + value.format() + '"')


# --- serde_json::Value -------------------------------------------------------------------


NumberRule = Callable[[Num, str, list[Violation]], None]
ObjectRule = Callable[[Obj, str, list[Violation]], None]


def walk_problems(
    value: Any, pointer: str, level: int, number_rule: NumberRule, object_rule: ObjectRule | None = None
) -> list[Violation]:
    """Walk a tree value iteratively (no input can exhaust Python's recursion) reporting strings
    and keys serde_json cannot decode and nesting beyond its limit; `number_rule` judges each
    number and `object_rule` each object, so the serde and contract profiles share one walk."""
    problems: list[Violation] = []
    stack: list[tuple[Any, str, int]] = [(value, pointer, level)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, Num):
            number_rule(item, where, problems)
        elif isinstance(item, BadStr):
            problems.append(Violation(item.rule, where, f"string holds {item.what}: {excerpt(item)}"))
        elif isinstance(item, list):
            if depth + 1 > MAX_NESTING:
                problems.append(
                    Violation(
                        "json.depth",
                        where,
                        f"nesting level {depth + 1} exceeds serde_json's recursion limit ({MAX_NESTING} levels)",
                    )
                )
                continue
            if isinstance(item, Obj):
                if object_rule is not None:
                    object_rule(item, where, problems)
                for key, member in reversed(item):
                    child = pointer_join(where, key)
                    if isinstance(key, BadStr):
                        problems.append(Violation(key.rule, child, f"key holds {key.what}: {excerpt(key)}"))
                    stack.append((member, child, depth + 1))
            else:
                for index in range(len(item) - 1, -1, -1):
                    stack.append((item[index], pointer_join(where, index), depth + 1))
    return problems


def number_in_range(item: Num, where: str, problems: list[Violation]) -> None:
    """serde_json's only objection to a well-formed number it decodes: f64 overflow."""
    try:
        parse_number(item)
    except NumberRangeError:
        problems.append(Violation("json.number-out-of-range", where, f"{excerpt(item)} is out of range for f64"))


def check_value_tree(value: Any, pointer: str, level: int) -> list[Violation]:
    """What serde_json rejects when it decodes `value` into a `Value` at nesting `level`:
    strings and keys it cannot decode, numbers out of range, and nesting beyond its limit."""
    return walk_problems(value, pointer, level, number_in_range)


def value_to_python(value: Any, read_number: NumberReader) -> Any:
    """serde_json's Value as plain Python: objects become dicts (a duplicate key keeps its last
    value, as Map::insert does), numbers become what `read_number` reads."""
    if isinstance(value, Num):
        return read_number(value)
    if isinstance(value, Obj):
        return {key: value_to_python(member, read_number) for key, member in value}
    if isinstance(value, list):
        return [value_to_python(item, read_number) for item in value]
    return value


def write_value(value: Any, out: list[str]) -> None:
    """serde_json's compact output of a Value: object keys sorted (BTreeMap order, which is
    code point order), integers exact, floats in serde_json's shortest form."""
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if not I64_MIN <= value <= U64_MAX:
            raise EncodeError(f"{value} is outside serde_json's integer range (i64/u64)")
        out.append(str(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise EncodeError(f"{value} is not a finite number; serde_json's Value cannot hold it")
        out.append(format_float(value))
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, dict):
        out.append("{")
        first = True
        for key in sorted(value):
            if not isinstance(key, str):
                raise EncodeError(f"object key {key!r} is not a string")
            if not first:
                out.append(",")
            first = False
            out.append(quote(key))
            out.append(":")
            write_value(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            write_value(item, out)
        out.append("]")
    else:
        raise EncodeError(f"{type(value).__name__} is not a JSON value")


# --- Option<T> and the table ---------------------------------------------------------------


def _invalid_type(value: Any, pointer: str, rust: str, expected: str) -> Violation:
    return Violation(
        "serde.invalid-type",
        pointer,
        f"{excerpt(value)} is {a_type_name(value)}; Rust {rust} expects {expected}",
    )


def _option(inner: RustType) -> RustType:
    def check(value: Any, pointer: str, level: int) -> list[Violation]:
        return [] if value is None else inner.check(value, pointer, level)

    def to_python(value: Any, read_number: NumberReader) -> Any:
        return None if value is None else inner.to_python(value, read_number)

    def write(value: Any, out: list[str]) -> None:
        if value is None:
            out.append("null")
        else:
            inner.write(value, out)

    return RustType(f"Option<{inner.name}>", check, to_python, write)


RUST_TYPES: dict[str, RustType] = {
    t.name: t
    for t in (
        RustType("i64", _check_i64, _i64_to_python, _write_i64),
        RustType("String", _check_string, _string_to_python, _write_string),
        RustType("DateTime<Utc>", _check_datetime, _datetime_to_python, _write_datetime),
        RustType("serde_json::Value", check_value_tree, value_to_python, write_value),
    )
}


def resolve(name: str) -> RustType:
    """The RustType for an `x-rust-type` annotation (Option<T> built from T)."""
    if name.startswith("Option<") and name.endswith(">"):
        return _option(resolve(name[len("Option<") : -1]))
    try:
        return RUST_TYPES[name]
    except KeyError:
        raise KeyError(f"x-rust-type {name!r} has no entry in noetl_envelope.model.rusttypes.RUST_TYPES") from None


JSON_NUMBER_OUT_OF_RANGE = Rule(
    "json.number-out-of-range",
    ALL_PROFILES,
    "A number serde_json cannot hold (an f64 overflow such as 1e400).",
)

JSON_DEPTH = Rule(
    "json.depth",
    ALL_PROFILES,
    "Arrays and objects nested deeper than serde_json's recursion limit of 128.",
)

SERDE_INVALID_TYPE = Rule(
    "serde.invalid-type",
    ALL_PROFILES,
    "A field holds a JSON type its Rust type does not accept (e.g. 1.0 for i64).",
)

SERDE_INTEGER_OUT_OF_RANGE = Rule(
    "serde.integer-out-of-range",
    ALL_PROFILES,
    "An integer outside the range of the field's Rust integer type.",
)

SERDE_INVALID_TIMESTAMP = Rule(
    "serde.invalid-timestamp",
    ALL_PROFILES,
    "chrono's DateTime<Utc> rejects the string.",
)
