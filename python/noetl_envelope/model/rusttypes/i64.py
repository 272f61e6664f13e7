"""Rust `i64`: what serde_json accepts, decodes and writes, and every other facet of the type."""

from __future__ import annotations

from typing import Any

from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.rusttypes.base import (
    JSON_NUMBER_OUT_OF_RANGE,
    SERDE_INTEGER_OUT_OF_RANGE,
    SERDE_INVALID_TYPE,
    EncodeError,
    FastPath,
    NumberReader,
    RustType,
    Variant,
    invalid_type,
)
from noetl_envelope.wire.jsontree import Num, excerpt
from noetl_envelope.wire.numbers import I64_MAX, I64_MIN, NumberRangeError

NAME = "i64"


def _check_i64(value: Any, pointer: JsonPath, level: int, read_number: NumberReader) -> list[Violation]:
    if not isinstance(value, Num):
        return [invalid_type(value, pointer, "i64", "an integer")]
    try:
        number = read_number(value)
    except NumberRangeError:
        return [JSON_NUMBER_OUT_OF_RANGE.at(pointer, value=excerpt(value))]
    if isinstance(number, float):
        if number.is_integer() and I64_MIN <= number <= I64_MAX:
            return [
                SERDE_INVALID_TYPE.at(pointer, "integral-float", value=excerpt(value), rust=NAME, integer=int(number))
            ]
        return [SERDE_INVALID_TYPE.at(pointer, "float", value=excerpt(value), rust=NAME)]
    if not I64_MIN <= number <= I64_MAX:
        return [SERDE_INTEGER_OUT_OF_RANGE.at(pointer, value=value, rust=NAME, low=I64_MIN, high=I64_MAX)]
    return []


def _i64_to_python(value: Any, read_number: NumberReader) -> int:
    return int(value)


def _write_i64(value: Any, out: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not I64_MIN <= value <= I64_MAX:
        raise EncodeError(f"{value!r} is not an i64")
    out.append(str(value))


# --- the fast engine and the accelerator --------------------------------------------------


def _fast_condition(
    prop: dict[str, Any], types: tuple[str, ...], var: str, names: dict[str, Any], canonical: bool
) -> list[str] | None:
    if "integer" not in types:
        return None
    bounds = (prop.get("minimum", I64_MIN), prop.get("maximum", I64_MAX))
    if any(type(bound) is not int for bound in bounds):
        return None  # a fractional bound: left to python-jsonschema
    low, high = max(I64_MIN, bounds[0]), min(I64_MAX, bounds[1])
    return [f"type({var}) is int and {low!r} <= {var} <= {high!r}"]


def _accel(prop: dict[str, Any]) -> dict[str, Any] | None:
    if "enum" in prop:
        return None  # a str-only enum on an integer never passes: nothing to prove
    # bounds are ints here (`_fast_condition` checked), clamped to i64
    return {
        "minimum": max(I64_MIN, prop.get("minimum", I64_MIN)),
        "maximum": min(I64_MAX, prop.get("maximum", I64_MAX)),
    }


# --- fixtures -------------------------------------------------------------------------------


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


def _typical(prop: dict[str, Any], field_name: str) -> str:
    low = int(prop.get("minimum", I64_MIN))
    high = int(prop.get("maximum", I64_MAX))
    return str(min(max(1, low), high))


I64 = RustType(
    name=NAME,
    check=_check_i64,
    to_python=_i64_to_python,
    write=_write_i64,
    json_types=("integer",),
    integer_range=(I64_MIN, I64_MAX),
    timestamp=False,
    free_form=False,
    sql_type="BIGINT",
    reads=frozenset(),
    variants=tuple(_i64_variants()),
    typical=_typical,
    probes=(1, 0, -1, 2**53 + 1, I64_MIN, I64_MAX),
    fast=FastPath(_fast_condition, _accel, frozenset()),
    rust_source="i64",
    harness_gen="i64",
    rust_use="",
    constraints=frozenset({"minimum", "maximum"}),
    default=0,  # i64::default()
)
