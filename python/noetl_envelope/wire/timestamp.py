"""Lossless ``created_at`` timestamps: chrono 0.4.44 ``DateTime<Utc>`` semantics in Python.

Role in the pipeline: the envelope's ``created_at`` is a ``chrono::DateTime<Utc>`` on the
Rust side. serde deserializes it with ``DateTime<FixedOffset>::from_str`` (chrono's
*relaxed* RFC 3339 parser, ``format/parse.rs::parse_rfc3339_relaxed``) followed by
``with_timezone(&Utc)``, and serializes it with ``to_rfc3339_opts(SecondsFormat::AutoSi,
true)``. Python's :class:`datetime.datetime` holds neither nanoseconds nor leap seconds
nor years outside 1..9999, so it cannot stand in for that type without loss.
:class:`Timestamp` can: it stores exactly what chrono stores (a proleptic Gregorian UTC
date and time with nanoseconds, a leap second being ``second == 59`` with
``nanosecond >= 1_000_000_000``), :meth:`Timestamp.parse` accepts exactly the strings
serde accepts and :meth:`Timestamp.format` writes exactly what ``serde_json::to_string``
writes (minus the quotes).

:func:`rfc3339_problem` is the *strict* side: RFC 3339 ``date-time`` as JSON Schema's
``format: "date-time"`` means it. The contract profile combines the two: a value must be
strict RFC 3339 *and* accepted by chrono (and carry at most 9 fraction digits, because
chrono silently truncates the rest).

The parser below is a line-by-line port of chrono rather than a regular expression
because chrono's grammar is context dependent (a sign on the year lifts the 4-digit
limit, whitespace is skipped before every number but not before the fraction, the
offset scanner swallows any run of ``:`` and whitespace, ...). Every behaviour was
checked against the real crate; ``tests/test_timestamp.py`` holds the evidence table.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from noetl_envelope.wire.jsontree import ends

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Timestamp",
    "TimestampError",
    "rfc3339_problem",
]

# chrono/src/naive/date/mod.rs: MIN_YEAR = (i32::MIN >> 13) + 1, MAX_YEAR = (i32::MAX >> 13) - 1.
MIN_YEAR = -262_143
MAX_YEAR = 262_142

_NANOS_PER_SEC = 1_000_000_000
_SECS_PER_DAY = 86_400
# chrono's FixedOffset::east_opt accepts -86_400 < secs < 86_400 (exclusive).
_MAX_OFFSET_SECS = 86_400

# chrono's ParseErrorKind Display texts (format/mod.rs); TimestampError.kind carries the
# variant name so the serde profile can report what chrono itself would say.
_CHRONO_MESSAGES = {
    "OutOfRange": "input is out of range",
    "Impossible": "no possible date and time matching input",
    "NotEnough": "input is not enough for unique date and time",
    "Invalid": "input contains invalid characters",
    "TooShort": "premature end of input",
    "TooLong": "trailing input",
}

# Rust's char::is_whitespace (Unicode White_Space). It is NOT Python's str.isspace, which
# also says yes to U+001C..U+001F; chrono skips exactly these characters.
_RUST_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_ASCII_DIGITS = frozenset("0123456789")


class TimestampError(ValueError):
    """A value chrono's ``DateTime<Utc>`` would not accept or cannot represent.

    ``kind`` names chrono's ``ParseErrorKind`` variant for parse failures (``"Invalid"``,
    ``"TooShort"``, ``"TooLong"``, ``"OutOfRange"``, ``"Impossible"``), or ``"Type"`` /
    ``"Range"`` / ``"Lossy"`` for failures outside parsing; ``text`` is the input string
    when there is one.
    """

    def __init__(self, message: str, *, kind: str = "Invalid", text: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.text = text


# --------------------------------------------------------------------------------------
# Proleptic Gregorian arithmetic for chrono's whole year range (datetime.date stops at
# 1..9999). Python's floor division makes these formulas correct for negative years.
# --------------------------------------------------------------------------------------


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 (Howard Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """Inverse of :func:`_days_from_civil`."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


_MIN_DAYS = _days_from_civil(MIN_YEAR, 1, 1)
_MAX_DAYS = _days_from_civil(MAX_YEAR, 12, 31)


def _format_year(year: int) -> str:
    # formatting.rs::write_rfc3339: four digits inside 0..=9999, else `{year:+05}` (the sign
    # counts towards the width, so -1 -> "-0001" and 10000 -> "+10000").
    return f"{year:04d}" if 0 <= year <= 9999 else f"{year:+05d}"


# --------------------------------------------------------------------------------------
# The value type
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    """An instant in UTC with chrono's range and precision.

    Proleptic Gregorian years ``-262143..=262142`` (chrono's ``NaiveDate::MIN``/``MAX``),
    nanosecond precision, and chrono's leap-second representation: second ``59`` with
    ``nanosecond`` in ``1_000_000_000..=1_999_999_999`` (allowed at the end of *any*
    minute, as in chrono). The fields are exactly chrono's ``naive_utc()`` view, in
    order, so dataclass equality, hashing and ordering coincide with chrono's ``Eq`` and
    ``Ord`` on ``DateTime<Utc>`` (a leap second sorts after ``:59.999999999`` and before
    the next minute).
    """

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    nanosecond: int = 0

    def __post_init__(self) -> None:
        for name in ("year", "month", "day", "hour", "minute", "second", "nanosecond"):
            value = getattr(self, name)
            if type(value) is not int:  # bool is an int subclass but never a valid field
                raise TimestampError(f"Timestamp.{name} must be an int, found {type(value).__name__}", kind="Type")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise TimestampError(f"year {self.year} is outside chrono's range {MIN_YEAR}..={MAX_YEAR}", kind="Range")
        if not 1 <= self.month <= 12:
            raise TimestampError(f"month {self.month} is outside 1..=12", kind="Range")
        if not 1 <= self.day <= days_in_month(self.year, self.month):
            raise TimestampError(
                f"day {self.day} does not exist in {_format_year(self.year)}-{self.month:02d}",
                kind="Range",
            )
        if not 0 <= self.hour <= 23 or not 0 <= self.minute <= 59 or not 0 <= self.second <= 59:
            raise TimestampError(
                f"time {self.hour}:{self.minute}:{self.second} is outside 00:00:00..=23:59:59"
                " (a leap second is second=59 with nanosecond >= 1_000_000_000)",
                kind="Range",
            )
        # NaiveTime::from_hms_nano_opt: nano < 2e9, and >= 1e9 only at second 59.
        limit = 2 * _NANOS_PER_SEC if self.second == 59 else _NANOS_PER_SEC
        if not 0 <= self.nanosecond < limit:
            raise TimestampError(
                f"nanosecond {self.nanosecond} is outside 0..{limit}"
                " (only second 59 may carry a leap-second nanosecond >= 1_000_000_000)",
                kind="Range",
            )

    # -- wire form ---------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """Parse ``text`` exactly as serde's ``Deserialize for DateTime<Utc>`` does.

        ``text`` is the decoded JSON string (no quotes). Accepted forms are described by
        the grammar in :func:`_parse_fixed`; a non-zero offset is converted to UTC the way
        chrono does it, keeping a leap second's extra nanoseconds, so
        ``05:29:60+05:30`` becomes ``23:59:60Z`` of the previous day and
        ``12:34:60+05:30`` becomes ``07:04:60Z``. Raises :class:`TimestampError`.
        """
        if not isinstance(text, str):
            raise TimestampError(
                f"created_at must be a JSON string, found {type(text).__name__}"
                " (chrono expects an RFC 3339 formatted date and time string)",
                kind="Type",
            )
        year, month, day, hour, minute, second, nano, offset = _parse_fixed(text)

        # Parsed::to_naive_date: NaiveDate::from_ymd_opt, else OUT_OF_RANGE.
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _parse_error(text, "OutOfRange", f"year {year} is outside {MIN_YEAR}..={MAX_YEAR}")
        if day > days_in_month(year, month):
            raise _parse_error(text, "OutOfRange", f"day {day} does not exist in {_format_year(year)}-{month:02d}")
        # Parsed::to_naive_time: second 60 is stored as 59 plus 1e9 nanoseconds.
        if second == 60:
            second, nano = 59, nano + _NANOS_PER_SEC
        # Parsed::to_datetime: FixedOffset::east_opt (|offset| < 24h), else OUT_OF_RANGE.
        if not -_MAX_OFFSET_SECS < offset < _MAX_OFFSET_SECS:
            raise _parse_error(text, "OutOfRange", f"offset {_describe_offset(offset)} is not within +-23:59")
        # FixedOffset::from_local_datetime -> NaiveDateTime::checked_sub_offset: whole
        # seconds move, the fraction (leap part included) stays; the UTC date must be in range.
        secs = hour * 3600 + minute * 60 + second - offset
        days = _days_from_civil(year, month, day) + secs // _SECS_PER_DAY
        secs %= _SECS_PER_DAY
        if not _MIN_DAYS <= days <= _MAX_DAYS:
            raise _parse_error(
                text,
                "Impossible",
                f"converting offset {_describe_offset(offset)} to UTC leaves chrono's year range",
            )
        uy, um, ud = _civil_from_days(days)
        return cls(uy, um, ud, secs // 3600, secs // 60 % 60, secs % 60, nano)

    def format(self) -> str:
        """``serde_json::to_string`` of the chrono value, without the quotes.

        ``to_rfc3339_opts(SecondsFormat::AutoSi, use_z=true)``: ``T`` separator, ``Z``,
        a leap second printed as second ``60``, and 0, 3, 6 or 9 fraction digits (the
        fewest of those that are exact).
        """
        second, nano = self.second, self.nanosecond
        if nano >= _NANOS_PER_SEC:
            second, nano = second + 1, nano - _NANOS_PER_SEC
        if nano == 0:
            frac = ""
        elif nano % 1_000_000 == 0:
            frac = f".{nano // 1_000_000:03d}"
        elif nano % 1_000 == 0:
            frac = f".{nano // 1_000:06d}"
        else:
            frac = f".{nano:09d}"
        return (
            f"{_format_year(self.year)}-{self.month:02d}-{self.day:02d}"
            f"T{self.hour:02d}:{self.minute:02d}:{second:02d}{frac}Z"
        )

    __str__ = format

    def __repr__(self) -> str:
        return f"Timestamp.parse({self.format()!r})"

    # -- conversions -------------------------------------------------------------------

    @classmethod
    def from_datetime(cls, dt: datetime) -> Timestamp:
        """The same instant as an aware ``datetime``, in UTC.

        A naive ``datetime`` is refused: chrono has no naive ``DateTime<Utc>`` and
        guessing a zone is how clocks drift. The conversion is exact (it does not go
        through ``astimezone``, which overflows near years 1 and 9999), so
        ``0001-01-01T00:30+01:00`` becomes year 0, which chrono can hold.
        """
        if not isinstance(dt, datetime):
            raise TimestampError(f"expected a datetime, found {type(dt).__name__}", kind="Type")
        offset = dt.utcoffset()
        if offset is None:
            raise TimestampError(
                f"naive datetime {dt.isoformat()!r} has no UTC offset; chrono's DateTime<Utc> needs an aware datetime",
                kind="Type",
            )
        micros = (
            (_days_from_civil(dt.year, dt.month, dt.day) * _SECS_PER_DAY + dt.hour * 3600 + dt.minute * 60 + dt.second)
            * 1_000_000
            + dt.microsecond
            - offset // timedelta(microseconds=1)
        )
        return cls._from_unix_nanos(micros * 1000)

    def to_datetime(self, *, leap_second: Literal["raise", "clamp"] = "raise") -> datetime:
        """An aware UTC ``datetime`` (``tzinfo=timezone.utc``).

        What it loses, by design:

        * nanoseconds are *truncated* (not rounded) to microseconds, like PostgreSQL's
          ``TIMESTAMP`` column would need and so that the result never moves to the
          next second;
        * a leap second cannot be represented: ``leap_second="raise"`` (the default)
          raises :class:`TimestampError`; ``"clamp"`` returns ``...:59.999999``, the last
          representable instant before the following minute, which keeps ordering;
        * years outside ``1..=9999`` raise :class:`TimestampError`.
        """
        if not 1 <= self.year <= 9999:
            raise TimestampError(
                f"{self.format()} has year {self.year}; datetime only holds years 1..=9999",
                kind="Lossy",
            )
        micro = self.nanosecond // 1000
        if self.is_leap_second:
            if leap_second != "clamp":
                raise TimestampError(
                    f"{self.format()} is a leap second, which datetime cannot hold"
                    " (pass leap_second='clamp' to get :59.999999)",
                    kind="Lossy",
                )
            micro = 999_999
        return datetime(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            micro,
            tzinfo=UTC,
        )

    @classmethod
    def now(cls) -> Timestamp:
        """The current time from ``time.time_ns()`` (never a leap second)."""
        return cls._from_unix_nanos(time.time_ns())

    @classmethod
    def from_unix(cls, seconds: int, nanosecond: int = 0) -> Timestamp:
        """chrono's ``DateTime::from_timestamp(secs, nsecs)``.

        ``nanosecond`` may be ``>= 1_000_000_000`` only when ``seconds`` falls on
        second 59 (chrono's leap-second rule); anything else raises.
        """
        if type(seconds) is not int or type(nanosecond) is not int:
            raise TimestampError("from_unix takes integer seconds and nanoseconds", kind="Type")
        days, secs = divmod(seconds, _SECS_PER_DAY)
        if not _MIN_DAYS <= days <= _MAX_DAYS:
            raise TimestampError(f"unix time {seconds} is outside chrono's range", kind="Range")
        year, month, day = _civil_from_days(days)
        return cls(year, month, day, secs // 3600, secs // 60 % 60, secs % 60, nanosecond)

    @classmethod
    def _from_unix_nanos(cls, nanos: int) -> Timestamp:
        seconds, nano = divmod(nanos, _NANOS_PER_SEC)
        return cls.from_unix(seconds, nano)

    # -- accessors ---------------------------------------------------------------------

    @property
    def is_leap_second(self) -> bool:
        """True for chrono's leap-second representation (nanosecond >= 1e9 at second 59)."""
        return self.nanosecond >= _NANOS_PER_SEC

    @property
    def unix_seconds(self) -> int:
        """chrono's ``timestamp()``: whole seconds since the epoch; a leap second counts as :59."""
        days = _days_from_civil(self.year, self.month, self.day)
        return days * _SECS_PER_DAY + self.hour * 3600 + self.minute * 60 + self.second

    @property
    def subsec_nanos(self) -> int:
        """chrono's ``timestamp_subsec_nanos()``: 0..=1_999_999_999 (>= 1e9 in a leap second)."""
        return self.nanosecond


# --------------------------------------------------------------------------------------
# The chrono port: parse_rfc3339_relaxed + FromStr for DateTime<FixedOffset>
# --------------------------------------------------------------------------------------


def _parse_error(text: str, kind: str, what: str) -> TimestampError:
    return TimestampError(
        f"created_at {ends(repr(text), 80)}: {what}; chrono expects an RFC 3339 date-time such as"
        f" '2024-05-01T12:00:00.123Z' ({_CHRONO_MESSAGES[kind]})",
        kind=kind,
        text=text,
    )


def _describe_offset(offset: int) -> str:
    sign = "-" if offset < 0 else "+"
    return f"{sign}{abs(offset) // 3600:02d}:{abs(offset) // 60 % 60:02d}"


def _found(text: str, i: int) -> str:
    return f"found {text[i : i + 12]!r}" if i < len(text) else "found end of input"


def _skip_ws(text: str, i: int) -> int:
    # str::trim_start / Item::Space: skip Unicode White_Space.
    n = len(text)
    while i < n and text[i] in _RUST_WHITESPACE:
        i += 1
    return i


def _utf8_len_at_least(text: str, i: int, n: int) -> bool:
    # chrono compares *byte* lengths; a non-ASCII char is at least two bytes. Only used
    # for n <= 2, where this is exact.
    rest = len(text) - i
    return rest >= n or (rest >= 1 and ord(text[i]) >= 0x80)


def _number(text: str, i: int, max_digits: int | None, field: str) -> tuple[int, int]:
    """scan::number(s, 1, max): 1..=max ASCII digits, the value must fit in i64."""
    if i >= len(text):
        raise _parse_error(text, "TooShort", f"expected {field}, found end of input")
    j = i
    n = len(text)
    while j < n and text[j] in _ASCII_DIGITS and (max_digits is None or j - i < max_digits):
        j += 1
    if j == i:
        raise _parse_error(text, "Invalid", f"expected {field} digits, {_found(text, i)}")
    # chrono accepts any number of leading zeros; past them, more than 19 digits cannot fit an
    # i64 (and Python refuses int() of 4,300 digits and more).
    significant = text[i:j].lstrip("0") or "0"
    value = int(significant) if len(significant) <= 19 else 2**63
    if value > 2**63 - 1:
        raise _parse_error(text, "OutOfRange", f"{field} {ends(text[i:j])} overflows i64")
    return value, j


def _literal(text: str, i: int, char: str, after: str) -> int:
    if i >= len(text):
        raise _parse_error(text, "TooShort", f"expected {char!r} after {after}, found end of input")
    if text[i] != char:
        raise _parse_error(text, "Invalid", f"expected {char!r} after {after}, {_found(text, i)}")
    return i + 1


def _ranged(text: str, field: str, value: int, low: int, high: int) -> int:
    # Parsed::set_month / set_day / set_hour / set_minute / set_second range checks.
    if not low <= value <= high:
        raise _parse_error(text, "OutOfRange", f"{field} {value} is outside {low}..={high}")
    return value


def _parse_fixed(text: str) -> tuple[int, int, int, int, int, int, int, int]:
    """Scan ``text`` like chrono; return (year, month, day, hour, minute, second, nano, offset).

    Grammar (``WS*`` = any run of Rust ``char::is_whitespace``; digits are ASCII only)::

        WS* year WS* "-" WS* month WS* "-" WS* day ("T" | "t" | " ")
        WS* hour WS* ":" WS* minute WS* ":" WS* second ["." 1*DIGIT] WS*
        ( "UTC" (any ASCII case) | "Z" | "z" | sign 2DIGIT (":" | WS)* 2DIGIT ) WS*

        year   = 1*4DIGIT | ("+" | "-") 1*DIGIT        (value within -262143..=262142)
        month  = 1*2DIGIT (1..12)   day = 1*2DIGIT (1..31, then checked against the month)
        hour   = 1*2DIGIT (0..23)   minute = 1*2DIGIT (0..59)   second = 1*2DIGIT (0..60)
        sign   = "+" | "-" | U+2212 MINUS SIGN;  offset minutes 00..59, hours 00..99 but
                 |offset| must be < 24h; fraction digits past the ninth are ignored.
    """
    # DATE_ITEMS: Numeric(Year) (signed: an explicit sign allows any number of digits),
    # Space, "-", Numeric(Month), Space, "-", Numeric(Day). Numeric items skip whitespace.
    i = _skip_ws(text, 0)
    if text.startswith(("-", "+"), i):
        negative = text[i] == "-"
        value, i = _number(text, i + 1, None, "year")
        year = -value if negative else value
    else:
        year, i = _number(text, i, 4, "year")
    # Parsed::set_year rejects a year outside i32 right away (the calendar range is
    # checked only after the whole string has been scanned, as in chrono).
    if not -(2**31) <= year <= 2**31 - 1:
        raise _parse_error(text, "OutOfRange", f"year {year} does not fit in i32")
    i = _literal(text, _skip_ws(text, i), "-", "the year")
    month, i = _number(text, _skip_ws(text, i), 2, "month")
    _ranged(text, "month", month, 1, 12)
    i = _literal(text, _skip_ws(text, i), "-", "the month")
    day, i = _number(text, _skip_ws(text, i), 2, "day")
    _ranged(text, "day", day, 1, 31)

    # Exactly one separator byte, no whitespace skipped before it.
    if i >= len(text):
        raise _parse_error(text, "TooShort", "expected 'T', 't' or ' ' after the date, found end of input")
    if text[i] not in "Tt ":
        raise _parse_error(text, "Invalid", f"expected 'T', 't' or ' ' after the date, {_found(text, i)}")
    i += 1

    # TIME_ITEMS: Hour, Space, ":", Minute, Space, ":", Second, Fixed(Nanosecond), Space.
    hour, i = _number(text, _skip_ws(text, i), 2, "hour")
    _ranged(text, "hour", hour, 0, 23)
    i = _literal(text, _skip_ws(text, i), ":", "the hour")
    minute, i = _number(text, _skip_ws(text, i), 2, "minute")
    _ranged(text, "minute", minute, 0, 59)
    i = _literal(text, _skip_ws(text, i), ":", "the minute")
    second, i = _number(text, _skip_ws(text, i), 2, "second")
    _ranged(text, "second", second, 0, 60)
    nano = 0
    if text.startswith(".", i):  # no whitespace allowed before the dot
        start = i + 1
        digits, i = _number(text, start, 9, "fraction")
        nano = digits * 10 ** (9 - (i - start))
        while i < len(text) and text[i] in _ASCII_DIGITS:  # digits past the 9th: dropped
            i += 1

    # Offset: "UTC" (ASCII case-insensitive), "Z"/"z", or scan::timezone_offset with
    # colon_or_space between hours and minutes and no optional minutes.
    i = _skip_ws(text, i)
    if text[i : i + 3].isascii() and text[i : i + 3].upper() == "UTC":
        offset, i = 0, i + 3
    elif text.startswith(("Z", "z"), i):
        offset, i = 0, i + 1
    else:
        offset, i = _scan_offset(text, i)

    # FromStr: only whitespace may follow.
    if _skip_ws(text, i) != len(text):
        raise _parse_error(text, "TooLong", f"unexpected trailing input {text[i : i + 12]!r}")
    return year, month, day, hour, minute, second, nano, offset


def _scan_offset(text: str, i: int) -> tuple[int, int]:
    if i >= len(text):
        raise _parse_error(text, "TooShort", "missing UTC offset: expected 'Z', '+HH:MM' or '-HH:MM'")
    sign = text[i]
    if sign not in "+-\u2212":
        raise _parse_error(text, "Invalid", f"expected 'Z', '+HH:MM' or '-HH:MM', {_found(text, i)}")
    i += 1
    if not _utf8_len_at_least(text, i, 2):
        raise _parse_error(text, "TooShort", "expected two offset hour digits, found end of input")
    pair = text[i : i + 2]  # fewer than 2 chars here means a non-ASCII char: not digits
    if not (len(pair) == 2 and pair[0] in _ASCII_DIGITS and pair[1] in _ASCII_DIGITS):
        raise _parse_error(text, "Invalid", f"expected two offset hour digits, {_found(text, i)}")
    hours = int(pair)  # 00..99 is scanned; the 24h limit is applied later, as in chrono
    i += 2
    n = len(text)
    while i < n and (text[i] == ":" or text[i] in _RUST_WHITESPACE):  # colon_or_space
        i += 1
    if not _utf8_len_at_least(text, i, 2):
        raise _parse_error(text, "TooShort", "expected two offset minute digits, found end of input")
    pair = text[i : i + 2]
    if len(pair) == 2 and pair[0] in "012345" and pair[1] in _ASCII_DIGITS:
        minutes = int(pair)
    elif len(pair) == 2 and pair[0] in "6789" and pair[1] in _ASCII_DIGITS:
        raise _parse_error(text, "OutOfRange", f"offset minutes {pair} are outside 00..=59")
    else:
        raise _parse_error(text, "Invalid", f"expected two offset minute digits, {_found(text, i)}")
    seconds = hours * 3600 + minutes * 60
    return (-seconds if sign != "+" else seconds), i + 2


# --------------------------------------------------------------------------------------
# Strict RFC 3339 (JSON Schema "date-time")
# --------------------------------------------------------------------------------------

# The lookaheads keep a third digit ("2020-01-001", "00:00:000") from being reported as a
# range problem of the first two.
_RFC3339_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])", re.ASCII)
_RFC3339_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?![0-9])(\.[0-9]*)?", re.ASCII)
_RFC3339_OFFSET = re.compile(r"[Zz]|([+-])([0-9]{2}):([0-9]{2})", re.ASCII)


def rfc3339_problem(text: str) -> str | None:
    """``None`` if ``text`` is an RFC 3339 ``date-time``, else a one-line reason.

    RFC 3339 section 5.6 as JSON Schema's ``format: "date-time"`` reads it:
    ``YYYY-MM-DD`` ``T`` ``HH:MM:SS`` [``.`` 1*DIGIT] (``Z`` | ``+HH:MM`` | ``-HH:MM``),
    ASCII digits only, ``T`` and ``Z`` in either case, a real calendar date, hour 00-23,
    minute 00-59, offset hour 00-23 and minute 00-59, and second 60 only where a leap
    second can be: at 23:59 UTC once the offset is applied (RFC 3339 section 5.7, as in
    the JSON-Schema-Test-Suite). No whitespace anywhere; any number of fraction digits.
    """
    if not isinstance(text, str):  # callers outside the type checker (format checkers)
        return f"expected a string, found {type(text).__name__}"  # type: ignore[unreachable]
    m = _RFC3339_DATE.match(text)
    if m is None:
        return f"expected full-date YYYY-MM-DD at the start, found {text[:12]!r}"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"month {m.group(2)} is outside 01-12"
    if not 1 <= day <= days_in_month(year, month):
        return f"day {m.group(3)} does not exist in {m.group(1)}-{m.group(2)}"
    i = m.end()
    if i >= len(text) or text[i] not in "Tt":
        return f"expected 'T' between date and time, {_found(text, i)}"
    m = _RFC3339_TIME.match(text, i + 1)
    if m is None:
        return f"expected time HH:MM:SS after 'T', {_found(text, i + 1)}"
    hour, minute, second = (int(g) for g in m.groups()[:3])
    if m.group(4) == ".":
        return "a '.' must be followed by at least one fraction digit"
    if hour > 23:
        return f"hour {m.group(1)} is outside 00-23"
    if minute > 59:
        return f"minute {m.group(2)} is outside 00-59"
    if second > 60:
        return f"second {m.group(3)} is outside 00-60"
    i = m.end()
    m = _RFC3339_OFFSET.match(text, i)
    if m is None:
        if i >= len(text):
            return "missing time offset: expected 'Z' or ±HH:MM"
        return f"expected time offset 'Z' or ±HH:MM, {_found(text, i)}"
    offset_minutes = 0
    if m.group(1) is not None:
        oh, om = int(m.group(2)), int(m.group(3))
        if oh > 23:
            return f"offset hour {m.group(2)} is outside 00-23"
        if om > 59:
            return f"offset minute {m.group(3)} is outside 00-59"
        offset_minutes = (oh * 60 + om) * (-1 if m.group(1) == "-" else 1)
    if m.end() != len(text):
        return f"unexpected trailing characters {text[m.end() : m.end() + 12]!r} after the offset"
    if second == 60 and (hour * 60 + minute - offset_minutes) % 1440 != 23 * 60 + 59:
        return "second 60 (leap second) is only allowed at 23:59 UTC"
    return None
