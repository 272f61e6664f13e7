"""The shape of one Rust type's entry: every facet a consumer may ask of an `x-rust-type`.

A `RustType` is the one owner of what the package knows about a Rust field type: what serde
rejects (`check`), what it decodes to (`to_python`) and writes (`write`), the JSON types
serde_json writes it as, the `noetl.event` column it projects to, what the compatibility gate
may assume, the fixture generator's boundary cases and the fast engine's compiled check. The
consumers (engines.fast, profiles.drift, projection, compat, fixturegen) ask the entry; none of
them switches on a type's name. `Option<T>` is not an entry but a wrapper (`OptionType`) around
T's entry; every facet but the codec is T's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from noetl_envelope.core.rules import ALL_PROFILES, Rule
from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.wire.jsontree import Num, a_type_name, excerpt

# The serde_json / chrono rules every Rust type's check can emit.
JSON_NUMBER_OUT_OF_RANGE = Rule(
    "json.number-out-of-range",
    ALL_PROFILES,
    "A number serde_json cannot hold (an f64 overflow such as 1e400).",
    message="{value} is out of range for f64",
)

JSON_DEPTH = Rule(
    "json.depth",
    ALL_PROFILES,
    "Arrays and objects nested deeper than serde_json's recursion limit of 128.",
    message="nesting level {level} exceeds serde_json's recursion limit ({limit} levels)",
)

SERDE_INVALID_TYPE = Rule(
    "serde.invalid-type",
    ALL_PROFILES,
    "A field holds a JSON type its Rust type does not accept (e.g. 1.0 for i64).",
    message={
        "type": "{value} is {kind}; Rust {rust} expects {expected}",
        "float": "{value} is a float; Rust {rust} rejects it",
        "integral-float": "{value} is a float; Rust {rust} rejects it (write {integer})",
    },
)

SERDE_INTEGER_OUT_OF_RANGE = Rule(
    "serde.integer-out-of-range",
    ALL_PROFILES,
    "An integer outside the range of the field's Rust integer type.",
    message="{value} does not fit Rust {rust} ({low}..{high})",
)

SERDE_INVALID_TIMESTAMP = Rule(
    "serde.invalid-timestamp",
    ALL_PROFILES,
    "chrono's DateTime<Utc> rejects the string.",
    message="{value}: {detail}",
)


# serde_json's Deserializer starts with remaining_depth = 128 and fails when an array or
# object brings it to 0: the 128th nested container is rejected, the 127th is accepted.
MAX_NESTING = 127

# How numbers are read when decoding: `parse_number` (what serde_json computes) for the serde
# profile, `Num.exact_value` (correctly rounded, what the producer wrote) for the others. A
# check takes the serde reader of the schema's consumers (`codec.serde_reader`): with
# `float_roundtrip` they overflow f64 on other tokens near f64::MAX than the default parser.
NumberReader = Callable[[Num], int | float]
Checker = Callable[[Any, JsonPath, int, NumberReader], list[Violation]]
Decoder = Callable[[Any, NumberReader], Any]
Writer = Callable[[Any, list[str]], None]


class EncodeError(ValueError):
    """A Python value that the Rust type cannot hold (so serde_json could never write it)."""


@dataclass(frozen=True, slots=True)
class Variant:
    """One raw value to put in a field: `suffix` names the case (`<field>.<suffix>`)."""

    suffix: str
    raw: str
    description: str
    category: str


# `condition(prop, types, var, names, canonical)`: Python source fragments (joined with `and`)
# true only for a valid non-null value in `var` given the property `prop` and its declared JSON
# `types`; None when the property asks for something the fragments do not reproduce. Constants
# the fragments use go into `names`.
FastCondition = Callable[[dict[str, Any], tuple[str, ...], str, dict[str, Any], bool], list[str] | None]


@dataclass(frozen=True, slots=True)
class FastPath:
    """What the fast engine and the native accelerator compile for a field of this type.

    `condition`: see `FastCondition`. `accel(prop)`: the keys of the accelerator's field spec
    (rust/accel/src/spec.json) this type fills, or None when a property passing `condition` can
    still never be proved natively (a string enum on a non-string type). `formats`: the
    `format` values `condition` already implies."""

    condition: FastCondition
    accel: Callable[[dict[str, Any]], dict[str, Any] | None]
    formats: frozenset[str]


@dataclass(frozen=True, slots=True, eq=False)
class RustType:
    """One Rust field type, with every facet (see the module docstring).

    - serde: `check(value, pointer, level, read_number)` lists what serde rejects (level = nesting
      level of the enclosing struct, 1 at the top; `read_number`: how the consumers' serde_json
      reads numbers); `to_python(value, read_number)` decodes an accepted tree value; `write`
      appends serde_json's output for a Python value to a list of str chunks.
    - what serde_json writes: `json_types` (for a property whose schema declares no `type`);
      `integer_range` (an integer type's (min, max), else None: a float spelling of an integral
      value is a number-form drift, a bound at the range is no narrowing); `timestamp` (a chrono
      timestamp string: chrono's forms and fraction digits apply); `free_form` (any JSON value,
      null included, with number forms and key order inside).
    - `sql_type`: the `noetl.event` column type (projection owns what PostgreSQL does with it).
    - compat: `reads` names the other types whose written values this type reads (a free-form
      type reads every type).
    - fixturegen: `variants`, the boundary cases every field of the type is tried with;
      `typical(prop, field_name)`, a raw value every profile accepts, for the base envelope;
      compat: `probes`, typical Python values worth trying in a counterexample.
    - `fast`: the fast engine's and accelerator's compiled check.
    - the generated Rust harness: `rust_source`, the type as the struct writes it (`Value` for
      serde_json::Value, imported by the generated file); `harness_gen`, the `Gen` method in
      rust/src/emit.rs that draws its values; `rust_use`, the `use` line the struct needs for it
      ("" if none); `constraints`, the schema keywords besides `type` the harness draws values
      for on a field of this type.
    - `default`: the Python value of the type's `Default::default()`, what serde's derive puts in
      a field with `#[serde(default)]` that the document leaves out.
    """

    name: str
    check: Checker
    to_python: Decoder
    write: Writer
    json_types: tuple[str, ...]
    integer_range: tuple[int, int] | None
    timestamp: bool
    free_form: bool
    sql_type: str
    reads: frozenset[str]
    variants: tuple[Variant, ...]
    typical: Callable[[dict[str, Any], str], str]
    probes: tuple[Any, ...]
    fast: FastPath
    rust_source: str
    harness_gen: str
    rust_use: str
    constraints: frozenset[str]
    default: Any

    optional: ClassVar[bool] = False

    @property
    def inner(self) -> RustType:
        """The type itself (`Option<T>`'s T for an `OptionType`)."""
        return self

    def reads_values_of(self, writer: RustType) -> bool:
        """A field of this type reads every value serde_json writes for a field of `writer`."""
        return self.free_form or writer.name == self.name or writer.name in self.reads

    @property
    def implied_bounds(self) -> dict[str, int]:
        """The `minimum` / `maximum` the type itself imposes (an integer type's range)."""
        if self.integer_range is None:
            return {}
        return {"minimum": self.integer_range[0], "maximum": self.integer_range[1]}


@dataclass(frozen=True, slots=True, eq=False)
class OptionType:
    """`Option<T>`: null (and, with serde's default, absent) mean None; otherwise T."""

    inner: RustType
    name: str
    check: Checker
    to_python: Decoder
    write: Writer

    optional: ClassVar[bool] = True
    default: ClassVar[None] = None  # Option's Default::default() is None


FieldType = RustType | OptionType


def invalid_type(value: Any, pointer: JsonPath, rust: str, expected: str) -> Violation:
    return SERDE_INVALID_TYPE.at(
        pointer, "type", value=excerpt(value), kind=a_type_name(value), rust=rust, expected=expected
    )
