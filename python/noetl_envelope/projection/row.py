"""The `noetl.event` row an envelope projects to, and the envelope a stored row reads back as.

Columns come from the schema: each property names its column in `x-db-column` and its Rust
type's entry names the SQL type (`RustType.sql_type`: BIGINT, VARCHAR, TIMESTAMP without time
zone, JSONB), so a field added to the schema is projected with no edit here. This package owns
what each SQL column type does with a value (`INSERT_VALUE`, `READ_VALUE`, predict's
`STORE_VALUE`, one entry per SQL type). Two row shapes exist because the server changes values on the way in:

- `insert_params`: what the projector sends, taken from the document as written: JSON values
  as their own text (re-serialized from the lossless tree, so key order, duplicate keys and
  number spellings reach PostgreSQL untouched), the timestamp as UTC wall-clock text.
- `StoredRow`: what the server gives back: JSONB as `jsonb::text`, TIMESTAMP as microseconds
  since 1970-01-01 (from `extract(epoch ...)`, exact numeric, whatever the session's DateStyle).

`event_from_row` turns a stored row into the envelope, reading JSON numbers the way a
correctly rounding serde_json consumer would (`read_number`); the export and the prediction
both go through it, so they can only differ where the server did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from noetl_envelope.model.binding import Binding
from noetl_envelope.model.codec import event_class
from noetl_envelope.model.rusttypes import RustType, value_to_python
from noetl_envelope.model.schema import FieldSpec, field_specs
from noetl_envelope.projection import pgtypes
from noetl_envelope.wire.jsontree import Num, Obj
from noetl_envelope.wire.lexer import LexError, scan
from noetl_envelope.wire.numbers import NumberRangeError, parse_number
from noetl_envelope.wire.timestamp import Timestamp, TimestampError
from noetl_envelope_generated import ExecutorEvent

SCHEMA_NAME = "noetl"
TABLE = f"{SCHEMA_NAME}.event"


class RowError(ValueError):
    """A stored row that is not an envelope (a NULL where the envelope needs a value, a time
    chrono cannot hold, JSON the codec cannot write)."""


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # the envelope's field name
    name: str  # the column name (x-db-column)
    rust: RustType  # the field's Rust type without Option<>
    optional: bool
    spec: FieldSpec

    def bound(self, binding: Binding) -> Any:
        """The tree value serde binds to the field: the document's, else the default serde's
        `#[serde(default)]` fills in (None for an absent field without one)."""
        if self.field in binding.values:
            return binding.values[self.field]
        return self.spec.absent_tree if self.spec.serde_default else None

    @property
    def sql_type(self) -> str:
        return self.rust.sql_type


@cache
def columns() -> tuple[Column, ...]:
    """The projected columns, in the schema's field order."""
    return tuple(Column(spec.name, spec.db_column, spec.inner, spec.optional, spec) for spec in field_specs())


def read_number(value: Num) -> int | float:
    """A JSON number as serde_json classifies it (integer within i64/u64, else f64; `-0` is a
    float) with the correctly rounded value, i.e. what the producer wrote."""
    number = parse_number(value)
    return number if isinstance(number, int) else float(value)


def json_text(value: Any) -> str:
    """A lossless tree value as compact JSON: members in written order with duplicates, numbers
    as written. (`\\u0000` is written as that escape, which is what JSONB then refuses.)"""
    if isinstance(value, Num):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Obj):
        return "{" + ",".join(json_text(key) + ":" + json_text(member) for key, member in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(json_text(item) for item in value) + "]"
    if value is None:
        return "null"
    return "true" if value else "false"


def insert_params(binding: Binding) -> tuple[Any, ...]:
    """The parameters of the INSERT for a serde-accepted document, in `columns()` order."""
    params: list[Any] = []
    for column in columns():
        value: Any = column.bound(binding)
        if value is None and column.optional:
            params.append(None)  # None / absent: SQL NULL, as both stacks' projectors write it
        else:
            params.append(INSERT_VALUE[column.sql_type](value))
    return tuple(params)


def _timestamp_param(value: Any) -> str:
    return pgtypes.timestamp_input(Timestamp.parse(value))


# The INSERT parameter for a serde-accepted tree value, per SQL column type.
INSERT_VALUE: dict[str, Callable[[Any], Any]] = {
    "BIGINT": int,
    "VARCHAR": str,
    "TIMESTAMP": _timestamp_param,
    "JSONB": json_text,
}


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A row as the server returns it: column name -> int, str (VARCHAR, jsonb::text), int
    microseconds (TIMESTAMP) or None."""

    values: dict[str, Any]  # TIMESTAMP: microseconds, or the server's text for infinity / -infinity

    def describe(self) -> str:
        """Which row this is, for messages: its execution_id and event_id."""
        return f"row execution_id={self.values.get('execution_id')} event_id={self.values.get('event_id')}"


def epoch_micros(text: str) -> int:
    """`extract(epoch from ts)::text` (exact numeric, 6 fraction digits) as microseconds."""
    return int(Decimal(text) * pgtypes.USECS_PER_SEC)


def event_from_row(row: StoredRow) -> ExecutorEvent:
    """The envelope a stored row reads back as; RowError when it cannot be one."""
    kwargs: dict[str, Any] = {}
    for column in columns():
        value = row.values.get(column.name)
        if value is None:
            if column.optional:
                kwargs[column.field] = None
                continue
            if not column.rust.free_form:
                raise RowError(f"{row.describe()}: column {column.name} is NULL; field `{column.field}` needs a value")
            kwargs[column.field] = None  # SQL NULL in a required JSONB column: the JSON null
        else:
            kwargs[column.field] = READ_VALUE[column.sql_type](row, column, value)
    return event_class()(**kwargs)


def _stored(row: StoredRow, column: Column, value: Any) -> Any:
    return value


def _stored_timestamp(row: StoredRow, column: Column, value: Any) -> Timestamp:
    if isinstance(value, str):  # PostgreSQL's infinity or -infinity: no instant at all
        raise RowError(f"{row.describe()}: column {column.name} is {value.lower()}, which chrono cannot hold")
    seconds, micros = divmod(int(value), pgtypes.USECS_PER_SEC)
    try:
        return Timestamp.from_unix(seconds, micros * 1000)
    except TimestampError as exc:
        raise RowError(f"{row.describe()}: column {column.name}: {exc}") from exc


def _stored_jsonb(row: StoredRow, column: Column, value: Any) -> Any:
    text = str(value).encode("utf-8")
    try:
        return value_to_python(scan(text), read_number)
    except NumberRangeError as exc:  # numeric holds numbers no f64 can, e.g. 1e400
        raise RowError(f"{row.describe()}: column {column.name}: {exc}") from exc
    except LexError as exc:  # pragma: no cover - jsonb::text is always JSON
        raise RowError(f"{row.describe()}: column {column.name}: {exc.violation(text).message}") from exc


# The envelope's value for a non-NULL stored value, per SQL column type.
READ_VALUE: dict[str, Callable[[StoredRow, Column, Any], Any]] = {
    "BIGINT": _stored,
    "VARCHAR": _stored,
    "TIMESTAMP": _stored_timestamp,
    "JSONB": _stored_jsonb,
}
