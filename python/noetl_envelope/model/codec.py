"""Decode a checked tree into the generated `ExecutorEvent`, and encode an event as serde_json would.

Both directions walk the fields the schema declares (`schema.field_specs`) and delegate each
value to its Rust type (`rusttypes`), so a field added to the schema flows through with no
edit here. `encode` writes what `serde_json::to_string` writes: fields in declaration order,
None omitted where serde skips it, compact, keys sorted inside Values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from noetl_envelope.model.binding import Binding
from noetl_envelope.model.rusttypes import NumberReader, quote
from noetl_envelope.model.schema import FieldSpec, field_specs, float_roundtrip
from noetl_envelope.wire.jsontree import Num
from noetl_envelope.wire.numbers import number_reader
from noetl_envelope_generated import ExecutorEvent


def exact_reader(value: Num) -> int | float:
    return value.exact_value()


def serde_reader(schema: dict[str, Any] | None = None) -> NumberReader:
    """What the schema's Rust consumers compute for a number token: serde_json's default parser,
    or a correctly rounded one when the schema declares their `float_roundtrip` feature."""
    return number_reader(float_roundtrip(schema))


def field_values(
    binding: Binding, read_number: NumberReader, specs: tuple[FieldSpec, ...] | None = None
) -> dict[str, Any]:
    """The decoded field values serde's binding describes; absent Option fields become None.
    `specs`: the fields of another schema than the package's (the harness variants' tests)."""
    values: dict[str, Any] = {}
    for spec in specs if specs is not None else field_specs():
        if spec.name in binding.values:
            values[spec.name] = spec.rust.to_python(binding.values[spec.name], read_number)
        elif spec.optional:
            values[spec.name] = None
    return values


def build_event(binding: Binding, read_number: NumberReader) -> ExecutorEvent:
    """The event serde's binding describes; absent Option fields become None."""
    return ExecutorEvent(**field_values(binding, read_number))


def encode_event(event: ExecutorEvent) -> bytes:
    """serde_json::to_string(&event) as bytes (no trailing newline)."""
    return encode_values({spec.name: getattr(event, spec.name) for spec in field_specs()})


def encode_values(values: Mapping[str, Any], specs: tuple[FieldSpec, ...] | None = None) -> bytes:
    """`encode_event` on field values by name. The profiles and the fixture generator use this
    form so that they work from the schema alone: while `make gen` renders, the generated
    dataclass may not have a field the schema just gained."""
    out: list[str] = ["{"]
    for spec in specs if specs is not None else field_specs():
        value = values[spec.name]
        if value is None and spec.optional and spec.skip_if_none:
            continue
        if len(out) > 1:
            out.append(",")
        out.append(quote(spec.name))
        out.append(":")
        spec.rust.write(value, out)
    out.append("}")
    return "".join(out).encode("utf-8")
