"""What each Rust field type accepts, decodes to and writes, the way serde_json + chrono do, and
everything else the package knows about it: one object per `x-rust-type`.

A schema property names its Rust type in `x-rust-type`; `resolve` maps that name to its
`RustType` (`Option<T>` to an `OptionType` around T's). Each type lives in its own module
(`i64`, `string`, `datetime`, `value`) and holds every facet a consumer needs (see
`base.RustType`): serde's check, decode and encode; the JSON types it is written as; its SQL
column type; what the compat gate may assume; the fixture variants; the fast engine's and the
native accelerator's compiled check. Like python-jsonschema's TypeChecker it is a table you
extend: a new field of an existing type needs no code, a new Rust type needs one module and one
entry in `registry.RUST_TYPES` (tests/test_rusttypes.py checks that every entry has every facet).
"""

from noetl_envelope.model.rusttypes.base import (
    MAX_NESTING,
    Checker,
    EncodeError,
    FastPath,
    FieldType,
    NumberReader,
    OptionType,
    RustType,
    Variant,
)
from noetl_envelope.model.rusttypes.datetime import DATETIME
from noetl_envelope.model.rusttypes.i64 import I64
from noetl_envelope.model.rusttypes.registry import RUST_TYPES, UnknownRustType, resolve
from noetl_envelope.model.rusttypes.string import STRING, key, quote, written_pieces
from noetl_envelope.model.rusttypes.value import (
    VALUE,
    NumberRule,
    check_value_tree,
    nested,
    number_in_range,
    value_to_python,
    walk_problems,
    write_value,
)

__all__ = [
    "DATETIME",
    "I64",
    "MAX_NESTING",
    "RUST_TYPES",
    "STRING",
    "VALUE",
    "Checker",
    "EncodeError",
    "FastPath",
    "FieldType",
    "NumberReader",
    "NumberRule",
    "OptionType",
    "RustType",
    "UnknownRustType",
    "Variant",
    "check_value_tree",
    "key",
    "nested",
    "number_in_range",
    "quote",
    "resolve",
    "value_to_python",
    "walk_problems",
    "write_value",
    "written_pieces",
]
