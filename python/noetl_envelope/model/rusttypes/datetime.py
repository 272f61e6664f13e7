"""chrono's `DateTime<Utc>`: what serde accepts, decodes and writes, and every other facet of the type."""

from __future__ import annotations

import re
from typing import Any

from noetl_envelope.core.violations import JsonPath, Violation
from noetl_envelope.model.rusttypes.base import (
    SERDE_INVALID_TIMESTAMP,
    SERDE_INVALID_TYPE,
    EncodeError,
    FastPath,
    NumberReader,
    RustType,
    Variant,
    invalid_type,
)
from noetl_envelope.model.rusttypes.string import check_string, string_accel, string_condition
from noetl_envelope.wire.jsontree import excerpt
from noetl_envelope.wire.timestamp import Timestamp, TimestampError, days_in_month

NAME = "DateTime<Utc>"


def _check_datetime(value: Any, pointer: JsonPath, level: int, read_number: NumberReader) -> list[Violation]:
    problems = check_string(value, pointer, level, read_number)
    if problems:
        if problems[0].rule == SERDE_INVALID_TYPE:
            return [invalid_type(value, pointer, "DateTime<Utc>", "an RFC 3339 string")]
        return problems
    try:
        Timestamp.parse(value)
    except TimestampError as exc:
        return [SERDE_INVALID_TIMESTAMP.at(pointer, value=excerpt(value), detail=exc)]
    return []


def _datetime_to_python(value: Any, read_number: NumberReader) -> Timestamp:
    return Timestamp.parse(value)


def _write_datetime(value: Any, out: list[str]) -> None:
    if not isinstance(value, Timestamp):
        raise EncodeError(f"{value!r} is not a Timestamp")
    out.append('"' + value.format() + '"')


# --- the fast engine and the accelerator --------------------------------------------------

# A timestamp every profile accepts: RFC 3339 with 'T' and 'Z', a four-digit year, 1-9
# fraction digits (chrono keeps 9; contract.fraction-digits), no leap second (second 60 is
# left to the reference engine). Day 29-31 is checked against the month by `date_exists`.
_DATE_TIME = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
CONTRACT_TIMESTAMP = re.compile(_DATE_TIME + r"(?:\.[0-9]{1,9})?Z")
# What chrono writes (SecondsFormat::AutoSi): 0, 3, 6 or 9 fraction digits, the fewest that
# are exact, so a fraction never ends in "000".
CANONICAL_TIMESTAMP = re.compile(_DATE_TIME + r"(?:\.(?:[0-9]{3}|[0-9]{6}|[0-9]{9})(?<!000))?Z")


def date_exists(text: str) -> bool:
    """Day 29, 30 or 31 of `text` ('YYYY-MM-DD...') exists in its month."""
    return int(text[8:10]) <= days_in_month(int(text[0:4]), int(text[5:7]))


def _fast_condition(
    prop: dict[str, Any], types: tuple[str, ...], var: str, names: dict[str, Any], canonical: bool
) -> list[str] | None:
    parts = string_condition(prop, types, var, names, canonical)
    if parts is None:
        return None
    names["_ts"] = (CANONICAL_TIMESTAMP if canonical else CONTRACT_TIMESTAMP).fullmatch
    names["_date_exists"] = date_exists
    parts.append(f'_ts({var}) is not None and ({var}[8:10] <= "28" or _date_exists({var}))')
    return parts


# --- fixtures -------------------------------------------------------------------------------


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


_TIMESTAMP = "2024-05-01T12:00:00Z"


def _typical(prop: dict[str, Any], field_name: str) -> str:
    return f'"{_TIMESTAMP}"'


DATETIME = RustType(
    name=NAME,
    check=_check_datetime,
    to_python=_datetime_to_python,
    write=_write_datetime,
    json_types=("string",),
    integer_range=None,
    timestamp=True,
    free_form=False,
    sql_type="TIMESTAMP",
    reads=frozenset(),
    variants=tuple(_timestamp_variants()),
    typical=_typical,
    probes=(
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.123456789Z",
        "2024-01-02T08:34:05+05:30",
        "2024-01-02T03:04:05+0000",
        "2024-01-02 03:04:05Z",
        "2024-01-02",
    ),
    fast=FastPath(_fast_condition, string_accel, frozenset({"date-time"})),
    rust_source="DateTime<Utc>",
    harness_gen="datetime",
    rust_use="use chrono::{DateTime, Utc};",
    constraints=frozenset({"format"}),
    default=Timestamp.parse("1970-01-01T00:00:00Z"),  # chrono: the Unix epoch
)
