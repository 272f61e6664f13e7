"""Decode a checked tree into the generated `ExecutorEvent`, and encode an event as serde_json would.

Both directions walk the fields the schema declares (`schema.field_specs`) and delegate each
value to its Rust type (`rusttypes`), so a field added to the schema flows through with no
edit here. Values are the Rust field names' (the dataclass's); the document's keys are the
wire names (`FieldSpec.wire`). `encode` writes what `serde_json::to_string` writes: fields in
declaration order under their wire names, None omitted where serde skips it, compact, keys sorted
inside Values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from noetl_envelope.model.binding import Binding
from noetl_envelope.model.rusttypes import NumberReader, quote, value_to_python
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
    binding: Binding,
    read_number: NumberReader,
    specs: tuple[FieldSpec, ...] | None = None,
    *,
    verbatim: bool = False,
) -> dict[str, Any]:
    """The decoded field values serde's binding describes; an absent field that serde may leave
    out (an `Option`, or `#[serde(default)]`) holds what serde puts there (`FieldSpec.absent_value`).
    `specs`: the fields of another schema than the package's (the harness variants' tests).
    `verbatim`: values to write back (`write_values`), not to hand out: the deferred strings inside
    a `Value` stay deferred (`value_to_python`)."""
    values: dict[str, Any] = {}
    for spec in specs if specs is not None else field_specs():
        if spec.name in binding.values:
            node = binding.values[spec.name]
            if verbatim and spec.rust.inner.free_form:
                values[spec.name] = value_to_python(node, read_number, verbatim=True)  # Option's None too
            else:
                values[spec.name] = spec.rust.to_python(node, read_number)
        elif spec.optional or spec.serde_default:
            values[spec.name] = spec.absent_value
    return values


def event_class() -> type[ExecutorEvent]:
    """The dataclass events of this process's schema are: the generated `ExecutorEvent` when the
    schema declares its fields, else one with the schema's fields (a repository's own schema,
    chosen by `--schema` or a config file, that adds or drops a field `make gen` never saw)."""
    return _event_class(tuple((spec.name, spec.optional) for spec in field_specs()))


@cache
def _event_class(fields: tuple[tuple[str, bool], ...]) -> type[ExecutorEvent]:
    if tuple(name for name, _ in fields) == tuple(f.name for f in dataclasses.fields(ExecutorEvent)):
        return ExecutorEvent
    spec = [(name, Any, dataclasses.field(default=None)) if optional else (name, Any) for name, optional in fields]
    made = dataclasses.make_dataclass("ExecutorEvent", spec, kw_only=True)
    return cast("type[ExecutorEvent]", made)


def is_event(value: object) -> bool:
    """Whether `value` is an event `encode_event` can write: the generated class or `event_class()`."""
    return isinstance(value, (ExecutorEvent, event_class()))


def build_event(binding: Binding, read_number: NumberReader) -> ExecutorEvent:
    """The event serde's binding describes (absent fields as `field_values` fills them)."""
    return event_class()(**field_values(binding, read_number))


def encode_event(event: ExecutorEvent) -> bytes:
    """serde_json::to_string(&event) as bytes (no trailing newline)."""
    return encode_values({spec.name: getattr(event, spec.name) for spec in field_specs()})


def encode_values(values: Mapping[str, Any], specs: tuple[FieldSpec, ...] | None = None) -> bytes:
    """`encode_event` on field values by name. The profiles and the fixture generator use this
    form so that they work from the schema alone: while `make gen` renders, the generated
    dataclass may not have a field the schema just gained."""
    out: list[str] = []
    write_values(values, out, specs)
    return "".join(out).encode("utf-8")


def write_values(values: Mapping[str, Any], out: list[str], specs: tuple[FieldSpec, ...] | None = None) -> None:
    """`encode_values` as str pieces appended to `out`."""
    out.append("{")
    first = True
    for spec in specs if specs is not None else field_specs():
        value = values[spec.name]
        if value is None and spec.optional and spec.skip_if_none:
            continue
        if not first:
            out.append(",")
        first = False
        out.append(quote(spec.wire))
        out.append(":")
        spec.rust.write(value, out)
    out.append("}")
