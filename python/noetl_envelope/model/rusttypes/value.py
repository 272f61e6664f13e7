"""serde_json's `Value`: what serde_json accepts, decodes and writes, and every other facet of the type."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.rusttypes.base import (
    JSON_DEPTH,
    JSON_NUMBER_OUT_OF_RANGE,
    MAX_NESTING,
    EncodeError,
    FastPath,
    NumberReader,
    RustType,
    Variant,
)
from noetl_envelope.model.rusttypes.string import quote, written_pieces
from noetl_envelope.wire.jsontree import BadStr, DeferredStr, Num, Obj, excerpt
from noetl_envelope.wire.numbers import I64_MIN, U64_MAX, NumberRangeError, format_float

NAME = "serde_json::Value"

NumberRule = Callable[[Num, JsonPath, list[Violation]], None]
ObjectRule = Callable[[Obj, JsonPath, list[Violation]], None]


def walk_problems(
    value: Any, pointer: JsonPath, level: int, number_rule: NumberRule, object_rule: ObjectRule | None = None
) -> list[Violation]:
    """Walk a tree value iteratively (no input can exhaust Python's recursion) reporting strings
    and keys serde_json cannot decode and nesting beyond its limit; `number_rule` judges each
    number and `object_rule` each object, so the serde and contract profiles share one walk."""
    problems: list[Violation] = []
    # One iterator per open container, each making its children's paths as they are visited:
    # pushing every child with its path at once held several objects per member of a large
    # array or object (more than the tree itself).
    stack: list[Iterator[tuple[Any, JsonPath, int]]] = [iter(((value, pointer, level),))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        item, where, depth = entry
        if isinstance(item, Num):
            number_rule(item, where, problems)
        elif isinstance(item, BadStr):
            problems.append(item.rule.at(where, "string", value=excerpt(item)))
        elif isinstance(item, list):
            if depth + 1 > MAX_NESTING:
                problems.append(JSON_DEPTH.at(where, level=depth + 1, limit=MAX_NESTING))
                continue
            if isinstance(item, Obj):
                if object_rule is not None:
                    object_rule(item, where, problems)
                for key, _member in reversed(item):  # an object's keys are reported before its members
                    if isinstance(key, BadStr):
                        problems.append(key.rule.at((*where, key), "key", value=excerpt(key)))
            stack.append(_children(item, where, depth + 1))
    return problems


def _children(container: list[Any], where: JsonPath, depth: int) -> Iterator[tuple[Any, JsonPath, int]]:
    """The members of an object or array with their paths, made one at a time."""
    if isinstance(container, Obj):
        for key, member in container:
            yield member, (*where, key), depth
    else:
        for index, member in enumerate(container):
            yield member, (*where, index), depth


def number_in_range(read_number: NumberReader) -> NumberRule:
    """serde_json's only objection to a well-formed number it decodes, f64 overflow, for a
    serde_json reading numbers as `read_number` does."""

    def rule(item: Num, where: JsonPath, problems: list[Violation]) -> None:
        try:
            read_number(item)
        except NumberRangeError:
            problems.append(JSON_NUMBER_OUT_OF_RANGE.at(where, value=excerpt(item)))

    return rule


def check_value_tree(value: Any, pointer: JsonPath, level: int, read_number: NumberReader) -> list[Violation]:
    """What serde_json rejects when it decodes `value` into a `Value` at nesting `level`:
    strings and keys it cannot decode, numbers out of range, and nesting beyond its limit."""
    return walk_problems(value, pointer, level, number_in_range(read_number))


def value_to_python(value: Any, read_number: NumberReader, *, verbatim: bool = False) -> Any:
    """serde_json's Value as plain Python: objects become dicts (a duplicate key keeps its last
    value, as Map::insert does), numbers become what `read_number` reads. With `verbatim`, a
    `DeferredStr` stays one (only `write_value` reads the result: it writes its text in pieces)."""
    if isinstance(value, Num):
        return read_number(value)
    if isinstance(value, Obj):
        return {key: value_to_python(member, read_number, verbatim=verbatim) for key, member in value}
    if isinstance(value, list):
        return [value_to_python(item, read_number, verbatim=verbatim) for item in value]
    if isinstance(value, DeferredStr) and not verbatim:
        return str(value)
    return value


def write_value(value: Any, out: list[str]) -> None:
    """serde_json's compact output of a Value: object keys sorted (BTreeMap order, which is
    code point order), integers exact, floats in serde_json's shortest form. A value nested
    past serde_json's recursion limit (a cyclic one too) is an EncodeError: serde_json could
    not read it back, and Python would recurse forever."""
    _write_value(value, out, 1)


def _write_value(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_NESTING and isinstance(value, (dict, list, tuple)):
        raise EncodeError(f"nested deeper than serde_json's recursion limit ({MAX_NESTING} levels), or cyclic")
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
    elif isinstance(value, DeferredStr):
        out.append('"')
        for _raw, written in written_pieces(value):
            out.append(written)  # a piece at a time; only appends (canonical compares as it goes)
        out.append('"')
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
            _write_value(value[key], out, depth + 1)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write_value(item, out, depth + 1)
        out.append("]")
    else:
        raise EncodeError(f"{type(value).__name__} is not a JSON value")


# --- the fast engine and the accelerator --------------------------------------------------

_PYTHON_TYPES = {"object": "dict", "array": "list", "string": "str", "boolean": "bool"}


def _fast_condition(
    prop: dict[str, Any], types: tuple[str, ...], var: str, names: dict[str, Any], canonical: bool
) -> list[str] | None:
    if not types or any(t not in _PYTHON_TYPES and t != "null" for t in types):
        return None
    allowed = [_PYTHON_TYPES[t] for t in types if t in _PYTHON_TYPES]
    if not allowed:
        return None
    return [f"type({var}) in ({', '.join(allowed)},)"]


def _accel(prop: dict[str, Any]) -> dict[str, Any] | None:
    if "enum" in prop:
        return None  # a str-only enum on a Value: left to the Python checks
    declared = prop["type"]
    return {"types": [t for t in ((declared,) if isinstance(declared, str) else declared) if t != "null"]}


# --- fixtures -------------------------------------------------------------------------------


def nested(depth: int, container: str) -> str:
    """A JSON value made of `depth` nested containers ('object' or 'array'), innermost empty."""
    if depth < 1:
        raise ValueError("a nested value has at least one container")
    if container == "array":
        return "[" * depth + "]" * depth
    if container == "object":
        return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)
    raise ValueError(f"container must be 'object' or 'array', not {container!r}")


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


def _typical(prop: dict[str, Any], field_name: str) -> str:
    return '{"k":1}'


VALUE = RustType(
    name=NAME,
    check=check_value_tree,
    to_python=value_to_python,
    write=write_value,
    json_types=("object", "array", "string", "integer", "number", "boolean", "null"),
    integer_range=None,
    timestamp=False,
    free_form=True,
    sql_type="JSONB",
    reads=frozenset(),
    variants=tuple(_value_variants()),
    typical=_typical,
    probes=({}, {"k": 1}, [], "s"),
    fast=FastPath(_fast_condition, _accel, frozenset()),
    rust_source="Value",
    harness_gen="value",
    rust_use="use serde_json::Value;",
    constraints=frozenset(),
    default=None,  # Value::Null
)
