"""The `projectable` check: what projecting one document into `noetl.event` loses or is refused.

`predict(data)` works from the lexical tree (so the numbers' written text, key order and
duplicate keys are visible) and serde's field binding, and returns a `Prediction`: the
`project.*` violations naming each loss, the server's refusal messages when the row cannot be
written, and the row the server will store otherwise. `[]` violations is the `projectable`
verdict: the envelope comes back from the table unchanged. `noetl-envelope validate --project`
reports these violations next to the profile's own. `violations_from_changes` words the same
violations from what the native engine found projection may change in a document it read
(rust/accel: `Projection`), without the tree.

Three kinds of rule (see rules.py and the README):
- refusals: the server refuses the row (NUL characters, years before 4714 BC, a leap second
  past 24:00:00, a number whose scale numeric cannot hold);
- envelope losses: the row is written but the envelope read back differs from the canonical
  encoding of the input (sub-microsecond digits, leap seconds, numbers JSONB normalizes);
- written-form losses: the canonical envelope is unaffected, but a reader of the table sees
  something other than what the producer wrote (the offset, key order, duplicate keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import orjson

from noetl_envelope.core.rules import PROJECTION, Rule
from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.binding import Binding
from noetl_envelope.model.rusttypes import write_value
from noetl_envelope.profiles import serde
from noetl_envelope.projection import pgtypes
from noetl_envelope.projection.findings import Projection, ProjectionChange
from noetl_envelope.projection.row import StoredRow, columns, read_number
from noetl_envelope.wire.jsontree import Num, Obj, excerpt
from noetl_envelope.wire.lexer import LexError, scan
from noetl_envelope.wire.numbers import NumberRangeError
from noetl_envelope.wire.timestamp import Timestamp, _parse_fixed

PROJECT_NUL_CHARACTER = Rule(
    "project.nul-character",
    PROJECTION,
    "Refused: a string or key holds U+0000; VARCHAR refuses NUL bytes and JSONB refuses the \\u0000 escape.",
    message={
        "varchar": "{value} holds U+0000, which a VARCHAR column refuses: the row is not written",
        "jsonb": "{value} holds U+0000, which JSONB refuses: the row is not written",
        "jsonb-key": "{value} holds U+0000, which a JSONB key refuses: the row is not written",
    },
)

PROJECT_YEAR_RANGE = Rule(
    "project.year-range",
    PROJECTION,
    "Refused: created_at is before 4714-11-24 BC, TIMESTAMP's first day (or rounds past chrono's last "
    "year, so the row cannot be read back).",
    message={
        "refused": "{value}: before 4714-11-24 BC, the earliest TIMESTAMP; the server refuses the row",
        "unreadable": "{value} is stored as {stored}, beyond chrono's last year: the row cannot be read back",
    },
)

PROJECT_NUMBER_RANGE = Rule(
    "project.number-range",
    PROJECTION,
    "Refused: a number needs more than 16383 digits after the point (e.g. 1e-16384), more than "
    "JSONB's numeric holds (or its stored digits are beyond what serde_json reads back, so the row "
    "cannot be exported).",
    message={
        "refused": "{value} needs more than numeric holds ({limit} digits after the point, {integer_limit} "
        "before): the server refuses the row",
        "unreadable": "{value} is stored as the {digits}-digit numeric {stored}, which serde_json reads as out of "
        "range: the row cannot be read back",
    },
)

PROJECT_SUB_MICROSECOND = Rule(
    "project.sub-microsecond",
    PROJECTION,
    "Envelope changes: created_at has digits below a microsecond; TIMESTAMP rounds them (half to "
    "even), possibly into the next second.",
    message="{value} has digits below a microsecond; TIMESTAMP rounds them: {stored}",
)

PROJECT_LEAP_SECOND = Rule(
    "project.leap-second",
    PROJECTION,
    "Envelope changes: a leap second (second 60) is stored as the first second of the next minute; "
    "with a fraction at 23:59:60 it is refused.",
    message={
        "stored": "{value} is a leap second; TIMESTAMP reads second 60 as the next minute: {stored}",
        "refused": "{value}: a leap second with a fraction at the end of a day passes 24:00:00; the server refuses "
        "the row",
    },
)

PROJECT_NUMBER_NORMALIZED = Rule(
    "project.number-normalized",
    PROJECTION,
    "Envelope changes: JSONB stores numbers as numeric, so 1e2 comes back as the integer 100 and -0.0 as 0.0.",
    message="{value} is stored as numeric {stored} and reads back as {after}, not {before}",
)

PROJECT_OFFSET = Rule(
    "project.offset",
    PROJECTION,
    "Written form lost: created_at was written with a non-zero offset; TIMESTAMP keeps the UTC wall "
    "clock without a zone.",
    message="written with offset {offset}; TIMESTAMP keeps the UTC wall clock {wall} and no zone, so the offset "
    "does not come back",
)

PROJECT_KEY_ORDER = Rule(
    "project.key-order",
    PROJECTION,
    "Written form lost: JSONB stores object keys by length, then bytes; a reader of the table does "
    "not see the written order.",
    message="JSONB stores keys by length, then bytes: {keys}; the written order does not come back",
)

PROJECT_DUPLICATE_KEY = Rule(
    "project.duplicate-key",
    PROJECTION,
    "Written form lost: a key repeated in one object; JSONB keeps only the last value.",
    message="key {key} appears again later; JSONB keeps only the last value",
)


NUL_REFUSAL = "PostgreSQL text fields cannot contain NUL (0x00) bytes"

# The kind of each rule (module docstring): "refused", "envelope" (the envelope read back
# differs from the input's canonical encoding) or "written-form". The refusal rules name a
# refusal only where their message says so (e.g. a leap second is refused only at 23:59:60.f).
RULE_KINDS = {
    PROJECT_NUL_CHARACTER: "refused",
    PROJECT_YEAR_RANGE: "refused",
    PROJECT_NUMBER_RANGE: "refused",
    PROJECT_SUB_MICROSECOND: "envelope",
    PROJECT_LEAP_SECOND: "envelope",
    PROJECT_NUMBER_NORMALIZED: "envelope",
    PROJECT_OFFSET: "written-form",
    PROJECT_KEY_ORDER: "written-form",
    PROJECT_DUPLICATE_KEY: "written-form",
}


@dataclass(slots=True)
class Prediction:
    """What the projection of one serde-accepted document does."""

    violations: list[Violation] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # why the server refuses the row; [] = written
    row: StoredRow | None = None  # the stored row, when written

    @property
    def projectable(self) -> bool:
        return not self.violations


def binding_of(data: bytes) -> Binding | None:
    """serde's field binding when serde accepts the document, else None (not an envelope)."""
    try:
        tree = scan(data)
    except LexError:
        return None
    violations, binding = serde.check(tree)
    return None if violations else binding


def predict(data: bytes) -> Prediction | None:
    """The projection of one document; None when serde rejects it (nothing to project)."""
    binding = binding_of(data)
    return None if binding is None else predict_binding(binding)


def projection_violations(data: bytes) -> list[Violation]:
    """The `project.*` violations of one document ([] also when serde rejects it: the profile's
    own violations already say why it is not an envelope)."""
    outcome = predict(data)
    return [] if outcome is None else outcome.violations


def violations_from_changes(data: bytes, projection: Projection) -> list[Violation] | None:
    """`projection_violations(data)` for a serde-accepted document in which the native engine
    found only the changes and timestamps in `projection` (each judged here as the prediction
    judges it, column by column in its order), or None when one is not in a column it knows."""
    changes, timestamps = projection
    if not changes and not timestamps:
        return []
    stamps = {name: (start, end) for name, start, end in timestamps}
    by_field: dict[str, list[ProjectionChange]] = {}
    for change in changes:
        by_field.setdefault(str(change[0][0]), []).append(change)
    outcome = Prediction()
    for wire, sql_type in _column_types():
        if sql_type == "TIMESTAMP" and wire in stamps:
            start, end = stamps.pop(wire)
            _timestamp(orjson.loads(data[start:end]), (wire,), outcome)
        elif sql_type == "JSONB" and wire in by_field:
            for path, kind, texts, count in by_field.pop(wire):
                if kind == "number":
                    _number(Num(texts[0]), path, outcome, kept=True)
                else:
                    outcome.violations.append(_key_order_violation(path, tuple(texts), count))
    return None if stamps or by_field else outcome.violations


@cache
def _column_types() -> tuple[tuple[str, str], ...]:
    """Each projected column's field as written (its wire name) and SQL type, in `columns()` order."""
    return tuple((column.spec.wire, column.sql_type) for column in columns())


def _key_order_violation(path: JsonPath, first: tuple[str, ...], count: int) -> Violation:
    """`project.key-order` at `path` for an object of `count` keys whose first (at most four)
    in JSONB's stored order are `first`: memoized where short, since a producer writes the same
    objects in every event (violations are immutable, so one may be handed out again)."""
    if sum(len(str(part)) for part in path) + sum(map(len, first)) > _CACHED_TEXT_LIMIT:
        return _worded_key_order_violation(path, first, count)
    return _cached_key_order_violation(path, first, count)


def _worded_key_order_violation(path: JsonPath, first: tuple[str, ...], count: int) -> Violation:
    keys = ", ".join(excerpt(key, 20) for key in first) + (", ..." if count > 4 else "")
    return PROJECT_KEY_ORDER.at(path, keys=keys)


_CACHED_TEXT_LIMIT = 256  # bounded memory: a cache entry holds at most this much text
_cached_key_order_violation = lru_cache(maxsize=4096)(_worded_key_order_violation)


def predict_binding(binding: Binding) -> Prediction:
    """The projection of a serde-accepted document, given its binding."""
    outcome = Prediction()
    stored: dict[str, Any] = {}
    for column in columns():
        value: Any = column.bound(binding)
        pointer = binding.pointers.get(column.field, (column.spec.wire,))
        if value is None and column.optional:
            stored[column.name] = None
        else:
            stored[column.name] = STORE_VALUE[column.sql_type](value, pointer, outcome)
    if not outcome.refusals:
        outcome.row = StoredRow(stored)
    return outcome


def _bigint(value: Any, pointer: JsonPath, outcome: Prediction) -> int:
    return int(value)


def _varchar(value: Any, pointer: JsonPath, outcome: Prediction) -> str | None:
    return _string(str(value), pointer, outcome)


def _timestamp_column(value: Any, pointer: JsonPath, outcome: Prediction) -> int | None:
    return _timestamp(str(value), pointer, outcome)


def _refuse(outcome: Prediction, message: str) -> None:
    if message not in outcome.refusals:
        outcome.refusals.append(message)


# --- VARCHAR ------------------------------------------------------------------------------


def _string(text: str, pointer: JsonPath, outcome: Prediction) -> str | None:
    if "\x00" in text:
        outcome.violations.append(PROJECT_NUL_CHARACTER.at(pointer, "varchar", value=excerpt(text)))
        _refuse(outcome, NUL_REFUSAL)
        return None
    return text


# --- TIMESTAMP ----------------------------------------------------------------------------


def _timestamp(text: str, pointer: JsonPath, outcome: Prediction) -> int | None:
    value = Timestamp.parse(text)
    # The offset as written: Timestamp.parse converts to UTC, so ask chrono's grammar (the same
    # port the parse uses) for the offset field before the conversion. A parsed text ending in
    # `Z` ends with that offset (the grammar's others end in a digit or `UTC`, and whitespace
    # may follow any): UTC, without scanning it again.
    offset = 0 if text[-1:] in ("Z", "z") else _parse_fixed(text)[7]
    if offset:
        sign, minutes = ("+" if offset > 0 else "-"), abs(offset) // 60
        written = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        outcome.violations.append(PROJECT_OFFSET.at(pointer, offset=written, wall=value.format()[:-1]))
    try:
        micros = pgtypes.store_timestamp(value)
    except pgtypes.Refused as exc:
        rule = PROJECT_LEAP_SECOND if value.is_leap_second and "field value" in str(exc) else PROJECT_YEAR_RANGE
        outcome.violations.append(rule.at(pointer, "refused", value=value.format()))
        _refuse(outcome, str(exc))
        return None
    stored = _format_micros(micros)
    if value.is_leap_second:
        outcome.violations.append(PROJECT_LEAP_SECOND.at(pointer, "stored", value=value.format(), stored=stored))
    if value.nanosecond % 1000:
        outcome.violations.append(PROJECT_SUB_MICROSECOND.at(pointer, value=value.format(), stored=stored))
    seconds = micros // pgtypes.USECS_PER_SEC
    if _beyond_chrono(seconds):
        outcome.violations.append(PROJECT_YEAR_RANGE.at(pointer, "unreadable", value=value.format(), stored=stored))
    return micros


def _beyond_chrono(seconds: int) -> bool:
    try:
        Timestamp.from_unix(seconds)
    except ValueError:
        return True
    return False


def _format_micros(micros: int) -> str:
    seconds, rest = divmod(micros, pgtypes.USECS_PER_SEC)
    try:
        return Timestamp.from_unix(seconds, rest * 1000).format()
    except ValueError:
        return f"{micros} microseconds after 1970-01-01"


# --- JSONB --------------------------------------------------------------------------------


def _jsonb(value: Any, pointer: JsonPath, outcome: Prediction) -> str | None:
    _walk(value, pointer, outcome)
    try:
        return pgtypes.jsonb_text(value)
    except pgtypes.Refused as exc:
        _refuse(outcome, str(exc))
        return None


def _canonical(number: int | float) -> str:
    out: list[str] = []
    write_value(number, out)
    return "".join(out)


def _walk(value: Any, pointer: JsonPath, outcome: Prediction) -> None:
    """Name every loss inside one JSON value (the refusals are also found by jsonb_text)."""
    # `kept` is False below a member JSONB drops for a later equal key: the server still parses
    # it (so it can still refuse the row) but nothing of it is stored, so nothing else is lost.
    stack: list[tuple[Any, JsonPath, bool]] = [(value, pointer, True)]
    while stack:
        item, where, kept = stack.pop()
        if isinstance(item, Num):
            _number(item, where, outcome, kept=kept)
        elif isinstance(item, str):
            if "\x00" in item:
                outcome.violations.append(PROJECT_NUL_CHARACTER.at(where, "jsonb", value=excerpt(item)))
        elif isinstance(item, Obj):
            last = {key: index for index, (key, _) in enumerate(item)}
            if kept:
                _object(item, where, outcome)
            for index in range(len(item) - 1, -1, -1):
                key, member = item[index]
                stack.append((member, (*where, key), kept and last[key] == index))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], (*where, index), kept))


def _number(item: Num, where: JsonPath, outcome: Prediction, *, kept: bool) -> None:
    try:
        stored = pgtypes.numeric_text(item)
    except pgtypes.Refused:
        outcome.violations.append(
            PROJECT_NUMBER_RANGE.at(
                where,
                "refused",
                value=excerpt(item),
                limit=pgtypes.NUMERIC_DSCALE_MAX,
                integer_limit=pgtypes.NUMERIC_INTEGER_DIGITS_MAX,
            )
        )
        return
    if not kept:
        return
    try:
        after = _canonical(read_number(Num(stored)))
    except NumberRangeError:
        # numeric keeps the exact decimal expansion of a float near f64's limit; serde_json's
        # (not correctly rounded) integer parser overflows on that text.
        outcome.violations.append(
            PROJECT_NUMBER_RANGE.at(
                where, "unreadable", value=excerpt(item), digits=len(stored.lstrip("-")), stored=excerpt(stored)
            )
        )
        return
    before = _canonical(read_number(item))
    if before != after:
        outcome.violations.append(
            PROJECT_NUMBER_NORMALIZED.at(where, value=excerpt(item), stored=excerpt(stored), after=after, before=before)
        )


def _object(item: Obj, where: JsonPath, outcome: Prediction) -> None:
    last: dict[str, int] = {}
    for index, (key, _) in enumerate(item):
        last[key] = index
    for index, (key, _) in enumerate(item):
        if "\x00" in key:
            outcome.violations.append(PROJECT_NUL_CHARACTER.at((*where, key), "jsonb-key", value=excerpt(key)))
        if last[key] != index:
            outcome.violations.append(PROJECT_DUPLICATE_KEY.at((*where, key), key=excerpt(key)))
    written = list(last)  # dict order: each key at its first appearance
    stored = [key for key, _ in pgtypes.jsonb_members(item)]
    if written != stored:
        outcome.violations.append(_key_order_violation(where, tuple(stored[:4]), len(stored)))


# What the server stores for a serde-accepted tree value, per SQL column type (naming each loss
# in the outcome as it goes).
STORE_VALUE: dict[str, Callable[[Any, JsonPath, Prediction], Any]] = {
    "BIGINT": _bigint,
    "VARCHAR": _varchar,
    "TIMESTAMP": _timestamp_column,
    "JSONB": _jsonb,
}
