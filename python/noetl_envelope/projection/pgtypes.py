"""What PostgreSQL 15 does to a value on its way into a `noetl.event` column, computed in Python.

The projection check (predict.py) predicts the stored row from these functions; the tests hold
each one against a real server. They model PostgreSQL's own code, not a guess at its output:

- `numeric_text`: JSONB stores a number as `numeric` (numeric_in / numeric_out): the exact
  decimal value with display scale max(0, fraction digits - exponent), no negative zero, and a
  scale above 16383 digits refused ("value overflows numeric format").
- `jsonb_text`: `jsonb::text` of a JSON value: duplicate keys keep the last value, keys sorted
  by byte length then bytes, `", "` / `": "` separators, strings escaped by escape_json, and
  `\\u0000` refused ("unsupported Unicode escape sequence").
- `store_timestamp`: `'<text>'::timestamp`: the fraction read by strtod and rounded to
  microseconds by rint (half to even on the double), second 60 accepted as the next minute
  unless the time of day then passes 24:00:00, dates before 4714-11-24 BC refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from noetl_envelope.wire.jsontree import Num, Obj
from noetl_envelope.wire.timestamp import Timestamp

NUMERIC_DSCALE_MAX = 0x3FFF  # src/include/utils/numeric.h: the largest display scale
# NUMERIC_WEIGHT_MAX (PG_INT16_MAX) base-10000 digits before the point: 4 * 32768 decimal digits.
NUMERIC_INTEGER_DIGITS_MAX = 4 * 32768
NUMERIC_EXPONENT_LIMIT = (2**31 - 1) // 2  # set_var_from_str: exponent >= INT_MAX / 2 overflows
USECS_PER_SEC = 1_000_000
USECS_PER_DAY = 86_400 * USECS_PER_SEC
# IS_VALID_JULIAN checks the written year and month only (from November of 4714 BC, the
# astronomical year -4713); IS_VALID_TIMESTAMP then checks the value against 4714-11-24 BC.
MIN_YEAR_MONTH = (-4713, 11)
# ...and its value in microseconds since 1970-01-01, as `extract(epoch ...)` reports it.
MIN_TIMESTAMP_US = -210_866_803_200 * USECS_PER_SEC


class Refused(ValueError):
    """PostgreSQL refuses the value; `message` is what the server says (its first line)."""


@dataclass(frozen=True, slots=True)
class Decimal10:
    """A JSON number as numeric_in reads it: sign, the digits as one integer, the display scale."""

    negative: bool
    # The value is digits * 10**shift; decimal text without leading zeros ("0" for zero), kept
    # as text: a JSON number may have more digits than Python's int() converts.
    digits: str
    shift: int
    scale: int  # numeric's dscale, max(0, -shift): the fraction digits numeric_out prints

    def text(self) -> str:
        """numeric_out: the value with exactly `scale` fraction digits, '-' only when non-zero."""
        zero = self.digits == "0"
        sign = "-" if self.negative and not zero else ""
        if self.shift >= 0:  # then scale == 0: an integer
            return sign + ("0" if zero else self.digits + "0" * self.shift)
        # shift < 0 means scale == -shift: exactly `scale` digits after the point
        padded = self.digits.rjust(self.scale + 1, "0")
        return sign + padded[: -self.scale] + "." + padded[-self.scale :]


def read_numeric(text: str) -> Decimal10:
    """numeric_in's reading of a JSON number token (set_var_from_str + make_result's checks)."""
    negative = text.startswith("-")
    body = text[1:] if negative else text
    mantissa, _, exponent_text = body.replace("E", "e").partition("e")
    whole, _, fraction = mantissa.partition(".")
    # set_var_from_str refuses an exponent beyond +-INT_MAX/2 before anything else.
    if len(exponent_text.lstrip("+-").lstrip("0")) > 10:
        raise Refused("value overflows numeric format")
    exponent = int(exponent_text) if exponent_text else 0
    if abs(exponent) >= NUMERIC_EXPONENT_LIMIT:
        raise Refused("value overflows numeric format")
    scale = max(0, len(fraction) - exponent)
    digits = (whole + fraction).lstrip("0") or "0"
    shift = exponent - len(fraction)
    # make_result: a display scale or a weight (integer digits) beyond what numeric stores.
    if scale > NUMERIC_DSCALE_MAX or (digits != "0" and len(digits) + shift > NUMERIC_INTEGER_DIGITS_MAX):
        raise Refused("value overflows numeric format")
    return Decimal10(negative, digits, shift, scale)


def numeric_text(text: str) -> str:
    """How `jsonb::text` writes back the JSON number `text` (raises Refused)."""
    return read_numeric(text).text()


def _key_order(key: str) -> tuple[int, bytes]:
    # jsonb's lengthCompareJsonbString: shorter keys first, then memcmp of the UTF-8 bytes.
    raw = key.encode("utf-8")
    return len(raw), raw


def jsonb_members(value: Obj) -> list[tuple[str, Any]]:
    """The members a JSONB object keeps, in its stored order: the last value of a repeated key."""
    kept: dict[str, Any] = {}
    for key, member in value:
        kept[key] = member
    return sorted(kept.items(), key=lambda item: _key_order(item[0]))


def escape_json(text: str) -> str:
    """PostgreSQL's escape_json: '"', '\\\\', \\b \\f \\n \\r \\t and other C0 controls as \\u00xx."""
    if "\x00" in text:
        raise Refused("unsupported Unicode escape sequence")
    # json.dumps(ensure_ascii=False) escapes the same set with the same spellings (lower-case hex).
    return json.dumps(text, ensure_ascii=False)


def jsonb_text(value: Any) -> str:
    """`'<json>'::jsonb::text` for a lossless tree value (raises Refused)."""
    if isinstance(value, Num):
        return numeric_text(value)
    if isinstance(value, str):
        return escape_json(value)
    if isinstance(value, Obj):
        # The server parses every member before it drops the earlier of two equal keys, so a
        # dropped member can still make it refuse the whole value.
        rendered = Obj((key, jsonb_text(member)) for key, member in value)
        return "{" + ", ".join(escape_json(key) + ": " + text for key, text in jsonb_members(rendered)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    if value is None:
        return "null"
    return "true" if value else "false"


def timestamp_input(value: Timestamp) -> str:
    """The text the projector sends for a TIMESTAMP column: the UTC wall clock, no zone.

    All nine fraction digits go to the server so that PostgreSQL, not this package, decides
    the rounding; a leap second is written as second 60, which the server itself interprets.
    Astronomical years <= 0 are written the way PostgreSQL reads them, as BC years.
    """
    second, nano = value.second, value.nanosecond
    if nano >= 1_000_000_000:
        second, nano = 60, nano - 1_000_000_000
    year = value.year if value.year > 0 else 1 - value.year
    era = "" if value.year > 0 else " BC"
    fraction = f".{nano:09d}" if nano else ""
    return (
        f"{year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{second:02d}{fraction}{era}"
    )


def store_timestamp(value: Timestamp) -> int:
    """The microseconds since 1970-01-01 a TIMESTAMP column holds for `value` (raises Refused)."""
    second, nano = value.second, value.nanosecond
    if nano >= 1_000_000_000:
        second, nano = 60, nano - 1_000_000_000
    text = timestamp_input(value)
    # ParseFractionalSecond: frac = strtod(".fffffffff"); fsec = rint(frac * 1000000). Python's
    # float() is correctly rounded like glibc's strtod, and round() on a float is half-to-even
    # like rint in the default rounding mode, so this is the same double arithmetic.
    fsec = round(float(f"0.{nano:09d}") * USECS_PER_SEC) if nano else 0
    # time_overflows: second 60 is allowed, but the time of day may not pass 24:00:00.
    time_us = ((value.hour * 60 + value.minute) * 60 + second) * USECS_PER_SEC + fsec
    if time_us > USECS_PER_DAY:
        raise Refused(f'date/time field value out of range: "{text}"')
    # tm2timestamp: IS_VALID_JULIAN on the year and month as written, IS_VALID_TIMESTAMP on the sum.
    midnight = Timestamp(value.year, value.month, value.day)
    stored = midnight.unix_seconds * USECS_PER_SEC + time_us
    if (value.year, value.month) < MIN_YEAR_MONTH or stored < MIN_TIMESTAMP_US:
        raise Refused(f'timestamp out of range: "{text}"')
    return stored
