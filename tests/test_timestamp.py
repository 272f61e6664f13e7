"""Tests for noetl_envelope.wire.timestamp: chrono 0.4.44 ``DateTime<Utc>`` under serde, in Python.

CHRONO_TABLE is the committed evidence. Every row was produced by a scratch Rust program
(serde 1.0.228, serde_json 1.0.150, chrono 0.4.44 with feature "serde") that ran
``serde_json::from_str::<chrono::DateTime<chrono::Utc>>`` on the JSON-encoded input and,
when it was accepted, ``serde_json::to_string`` on the result. Columns: the decoded input
string, whether chrono accepted it, and either the serialized output (without quotes) or
the chrono ``ParseErrorKind`` it reported. Do not edit rows by hand: re-run the probe.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from noetl_envelope.wire.timestamp import (
    MAX_YEAR,
    MIN_YEAR,
    Timestamp,
    TimestampError,
    rfc3339_problem,
)

# (input, chrono accepts?, serde_json output if accepted else chrono's ParseErrorKind)
CHRONO_TABLE: list[tuple[str, bool, str]] = [
    ("2020-01-01T00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01t00:00:00z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01 00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01 T00:00:00Z", False, "Invalid"),
    ("2020-01-01_00:00:00Z", False, "Invalid"),
    ("2020-01-01  00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T 00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00+05:30", True, "2019-12-31T18:30:00Z"),
    ("2020-01-01T00:00:00+0530", True, "2019-12-31T18:30:00Z"),
    ("2020-01-01T00:00:00-00:00", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00+00:00", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00-0800", True, "2020-01-01T08:00:00Z"),
    ("2020-01-01T00:00:00+23:59", True, "2019-12-31T00:01:00Z"),
    ("2020-01-01T00:00:00-23:59", True, "2020-01-01T23:59:00Z"),
    ("2020-01-01T00:00:00+24:00", False, "OutOfRange"),
    ("2020-01-01T00:00:00+99:00", False, "OutOfRange"),
    ("2020-01-01T00:00:00+05:60", False, "OutOfRange"),
    ("2020-01-01T00:00:00+05", False, "TooShort"),
    ("2020-01-01T00:00:00+5:30", False, "Invalid"),
    ("2020-01-01T00:00:00+05:3", False, "TooShort"),
    ("2020-01-01T00:00:00+", False, "TooShort"),
    ("2020-01-01T00:00:00", False, "TooShort"),
    ("2020-01-01T00:00:00\u221205:00", True, "2020-01-01T05:00:00Z"),
    ("2020-01-01T00:00:00+05::::30", True, "2019-12-31T18:30:00Z"),
    ("2020-01-01T00:00:00+05 30", True, "2019-12-31T18:30:00Z"),
    ("2020-01-01T00:00:00+05: 30", True, "2019-12-31T18:30:00Z"),
    ("2020-01-01T00:00:00+ 05:30", False, "Invalid"),
    ("2020-01-01T00:00:00+05:30:00", False, "TooLong"),
    ("2020-01-01T00:00:00 +05:30", True, "2019-12-31T18:30:00Z"),
    ("2020-01-01T00:00:00UTC", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00 utc", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00 UT", False, "Invalid"),
    ("2020-01-01T00:00:00GMT", False, "Invalid"),
    ("2020-01-01T00:00:00+05:30Z", False, "TooLong"),
    ("2020-01-01T00:00:00ZZ", False, "TooLong"),
    ("2020-01-01T00:00:00+\uff10\uff15:00", False, "Invalid"),
    ("2020-01-01T00:00:00.Z", False, "Invalid"),
    ("2020-01-01T00:00:00.1Z", True, "2020-01-01T00:00:00.100Z"),
    ("2020-01-01T00:00:00.12Z", True, "2020-01-01T00:00:00.120Z"),
    ("2020-01-01T00:00:00.123Z", True, "2020-01-01T00:00:00.123Z"),
    ("2020-01-01T00:00:00.1234Z", True, "2020-01-01T00:00:00.123400Z"),
    ("2020-01-01T00:00:00.12345Z", True, "2020-01-01T00:00:00.123450Z"),
    ("2020-01-01T00:00:00.123456Z", True, "2020-01-01T00:00:00.123456Z"),
    ("2020-01-01T00:00:00.1234567Z", True, "2020-01-01T00:00:00.123456700Z"),
    ("2020-01-01T00:00:00.12345678Z", True, "2020-01-01T00:00:00.123456780Z"),
    ("2020-01-01T00:00:00.123456789Z", True, "2020-01-01T00:00:00.123456789Z"),
    ("2020-01-01T00:00:00.1234567891Z", True, "2020-01-01T00:00:00.123456789Z"),
    ("2020-01-01T00:00:00.12345678912Z", True, "2020-01-01T00:00:00.123456789Z"),
    ("2020-01-01T00:00:00.123456789123Z", True, "2020-01-01T00:00:00.123456789Z"),
    ("2020-01-01T00:00:00.999999999999Z", True, "2020-01-01T00:00:00.999999999Z"),
    ("2020-01-01T00:00:00.000Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00.000000000000Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00.100000Z", True, "2020-01-01T00:00:00.100Z"),
    ("2020-01-01T00:00:00.000001Z", True, "2020-01-01T00:00:00.000001Z"),
    ("2020-01-01T00:00:00.000000001Z", True, "2020-01-01T00:00:00.000000001Z"),
    ("2020-01-01T00:00:00.000000000999Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00.120000001Z", True, "2020-01-01T00:00:00.120000001Z"),
    ("2020-01-01T00:00:00.5+01:00", True, "2019-12-31T23:00:00.500Z"),
    ("2020-01-01T00:00:00,5Z", False, "Invalid"),
    ("2020-01-01T00:00:00 .5Z", False, "Invalid"),
    ("2020-01-01T00:00:00.5 Z", True, "2020-01-01T00:00:00.500Z"),
    ("2016-12-31T23:59:60Z", True, "2016-12-31T23:59:60Z"),
    ("2016-12-31T23:59:60.999999999Z", True, "2016-12-31T23:59:60.999999999Z"),
    ("2015-06-30T23:59:60.5Z", True, "2015-06-30T23:59:60.500Z"),
    ("2020-01-01T12:34:60Z", True, "2020-01-01T12:34:60Z"),
    ("2020-01-01T00:00:60Z", True, "2020-01-01T00:00:60Z"),
    ("2020-01-01T05:29:60+05:30", True, "2019-12-31T23:59:60Z"),
    ("2020-01-01T12:34:60+05:30", True, "2020-01-01T07:04:60Z"),
    ("2017-01-01T00:59:60+01:00", True, "2016-12-31T23:59:60Z"),
    ("2016-12-31T15:59:60.123-08:00", True, "2016-12-31T23:59:60.123Z"),
    ("2016-12-31T23:59:60-00:01", True, "2017-01-01T00:00:60Z"),
    ("2020-01-01T00:00:61Z", False, "OutOfRange"),
    ("2020-01-01T00:00:99Z", False, "OutOfRange"),
    ("9999-12-31T23:59:60Z", True, "9999-12-31T23:59:60Z"),
    ("+262142-12-31T23:59:60.5Z", True, "+262142-12-31T23:59:60.500Z"),
    ("2020-02-29T00:00:00Z", True, "2020-02-29T00:00:00Z"),
    ("2019-02-29T00:00:00Z", False, "OutOfRange"),
    ("1900-02-29T00:00:00Z", False, "OutOfRange"),
    ("2000-02-29T00:00:00Z", True, "2000-02-29T00:00:00Z"),
    ("2020-02-30T00:00:00Z", False, "OutOfRange"),
    ("2020-04-31T00:00:00Z", False, "OutOfRange"),
    ("2020-00-01T00:00:00Z", False, "OutOfRange"),
    ("2020-13-01T00:00:00Z", False, "OutOfRange"),
    ("2020-01-00T00:00:00Z", False, "OutOfRange"),
    ("2020-01-32T00:00:00Z", False, "OutOfRange"),
    ("2020-01-01T24:00:00Z", False, "OutOfRange"),
    ("2020-01-01T23:60:00Z", False, "OutOfRange"),
    ("2020-12-31T23:59:59-01:00", True, "2021-01-01T00:59:59Z"),
    ("2020-03-01T00:30:00+01:00", True, "2020-02-29T23:30:00Z"),
    ("0000-01-01T00:00:00Z", True, "0000-01-01T00:00:00Z"),
    ("0000-02-29T00:00:00Z", True, "0000-02-29T00:00:00Z"),
    ("9999-12-31T23:59:59.999999999Z", True, "9999-12-31T23:59:59.999999999Z"),
    ("9999-12-31T23:30:00-01:00", True, "+10000-01-01T00:30:00Z"),
    ("0000-01-01T00:30:00+01:00", True, "-0001-12-31T23:30:00Z"),
    ("+10000-01-01T00:00:00Z", True, "+10000-01-01T00:00:00Z"),
    ("10000-01-01T00:00:00Z", False, "Invalid"),
    ("-0001-01-01T00:00:00Z", True, "-0001-01-01T00:00:00Z"),
    ("-0000-01-01T00:00:00Z", True, "0000-01-01T00:00:00Z"),
    ("+2020-01-01T00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("+002020-01-01T00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("-1-01-01T00:00:00Z", True, "-0001-01-01T00:00:00Z"),
    ("1-01-01T00:00:00Z", True, "0001-01-01T00:00:00Z"),
    ("020-01-01T00:00:00Z", True, "0020-01-01T00:00:00Z"),
    ("+262142-12-31T23:59:59.999999999Z", True, "+262142-12-31T23:59:59.999999999Z"),
    ("262142-12-31T23:59:59Z", False, "Invalid"),
    ("+262143-01-01T00:00:00Z", False, "OutOfRange"),
    ("-262143-01-01T00:00:00Z", True, "-262143-01-01T00:00:00Z"),
    ("-262144-12-31T23:59:59Z", False, "OutOfRange"),
    ("+262142-12-31T23:59:59-00:01", False, "Impossible"),
    ("-262143-01-01T00:00:00+00:01", False, "Impossible"),
    ("+262142-12-31T23:00:00+01:00", True, "+262142-12-31T22:00:00Z"),
    ("-262143-01-01T23:00:00-01:00", True, "-262143-01-02T00:00:00Z"),
    ("+99999999999-01-01T00:00:00Z", False, "OutOfRange"),
    ("+99999999999999999999-01-01T00:00:00Z", False, "OutOfRange"),
    ("- 2020-01-01T00:00:00Z", False, "Invalid"),
    ("+-2020-01-01T00:00:00Z", False, "Invalid"),
    ("\uff12\uff10\uff12\uff10-01-01T00:00:00Z", False, "Invalid"),
    ("2020-1-1T1:2:3Z", True, "2020-01-01T01:02:03Z"),
    ("2020-001-01T00:00:00Z", False, "OutOfRange"),
    ("2020-01-001T00:00:00Z", False, "OutOfRange"),
    ("2020-01-01T000:00:00Z", False, "Invalid"),
    ("2020-01-01T00:00:000Z", False, "Invalid"),
    ("2020 - 01 - 01T00 : 00 : 00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00 Z", True, "2020-01-01T00:00:00Z"),
    (" 2020-01-01T00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00Z ", True, "2020-01-01T00:00:00Z"),
    ("\t2020-01-01T00:00:00Z\n", True, "2020-01-01T00:00:00Z"),
    ("\u00a02020-01-01T00:00:00Z\u3000", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00\u0085Z", True, "2020-01-01T00:00:00Z"),
    ("\u2028 2020-01-01T00:00:00Z", True, "2020-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00Z\u001c", False, "TooLong"),
    ("\u001f2020-01-01T00:00:00Z", False, "Invalid"),
    ("2020-01-01T00:00:00Z\u200b", False, "TooLong"),
    ("2020-01-01T00:00:00Zjunk", False, "TooLong"),
    ("2020-01-01T00:00:00Z\u0000", False, "TooLong"),
    ("", False, "TooShort"),
    (" ", False, "TooShort"),
    ("Z", False, "Invalid"),
    ("2020-01-01", False, "TooShort"),
    ("2020-01-01T00:00", False, "TooShort"),
    ("2020-01-01T00:00Z", False, "Invalid"),
    ("2020-01-01T", False, "TooShort"),
    ("1998-12-31T23:59:60Z", True, "1998-12-31T23:59:60Z"),
    ("1998-12-31T15:59:60.123-08:00", True, "1998-12-31T23:59:60.123Z"),
    ("1998-12-31T23:58:60Z", True, "1998-12-31T23:58:60Z"),
    ("1998-12-31T22:59:60Z", True, "1998-12-31T22:59:60Z"),
    ("1990-02-31T15:59:59.123-08:00", False, "OutOfRange"),
    ("1990-12-31T15:59:59-24:00", False, "OutOfRange"),
    ("1963-06-19T08:30:06.28123+01:00Z", False, "TooLong"),
    ("06/19/1963 08:30:06 PST", False, "Invalid"),
    ("1963-06-19t08:30:06.283185z", True, "1963-06-19T08:30:06.283185Z"),
    ("2013-350T01:01:01", False, "OutOfRange"),
    ("1963-6-19T08:30:06.283185Z", True, "1963-06-19T08:30:06.283185Z"),
    ("1963-06-1\u09eaT00:00:00Z", False, "Invalid"),
    ("1963-06-11T0\u09ea:00:00Z", False, "Invalid"),
]

ACCEPTED = [(text, out) for text, ok, out in CHRONO_TABLE if ok]
REJECTED = [(text, kind) for text, ok, kind in CHRONO_TABLE if not ok]


def test_table_is_big_and_balanced() -> None:
    assert len(CHRONO_TABLE) >= 60
    assert len({text for text, _, _ in CHRONO_TABLE}) == len(CHRONO_TABLE)
    assert len(ACCEPTED) >= 30 and len(REJECTED) >= 30


# ---------------------------------------------------------------------------------------
# parse / format against chrono
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_chrono_accepts(text: str, expected: str) -> None:
    ts = Timestamp.parse(text)
    assert ts.format() == expected
    assert str(ts) == expected
    # serde's output is a fixed point: it parses back to the same value and text.
    again = Timestamp.parse(expected)
    assert again == ts and hash(again) == hash(ts)
    assert again.format() == expected


@pytest.mark.parametrize(("text", "kind"), REJECTED)
def test_chrono_rejects(text: str, kind: str) -> None:
    with pytest.raises(TimestampError) as info:
        Timestamp.parse(text)
    assert info.value.kind == kind
    assert info.value.text == text
    message = str(info.value)
    assert "\n" not in message and repr(text) in message and "chrono" in message


def test_leap_second_conversion_keeps_the_leap() -> None:
    # chrono moves whole seconds by the offset and keeps the >= 1e9 nanoseconds.
    ts = Timestamp.parse("2020-01-01T05:29:60.25+05:30")
    assert ts == Timestamp(2019, 12, 31, 23, 59, 59, 1_250_000_000)
    assert ts.is_leap_second
    assert Timestamp.parse("2020-01-01T12:34:60+05:30") == Timestamp(2020, 1, 1, 7, 4, 59, 10**9)


def test_parse_rejects_non_strings() -> None:
    for value in (None, 0, 1.5, b"2020-01-01T00:00:00Z", ["2020-01-01T00:00:00Z"]):
        with pytest.raises(TimestampError) as info:
            Timestamp.parse(value)  # type: ignore[arg-type]
        assert info.value.kind == "Type"


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Timestamp.parse("2020-01-01T00:00:00")


def test_repr_is_readable() -> None:
    assert repr(Timestamp.parse("2020-01-01T00:00:00.5Z")) == "Timestamp.parse('2020-01-01T00:00:00.500Z')"


# ---------------------------------------------------------------------------------------
# the value type
# ---------------------------------------------------------------------------------------


def days_in_month(year: int, month: int) -> int:
    # Independent of the module: calendar.isleap is plain arithmetic, valid for any year.
    return [31, 29 if calendar.isleap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]


@st.composite
def timestamps(draw: st.DrawFn, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> Timestamp:
    interesting = (MIN_YEAR, -1, 0, 1, 1969, 1970, 2000, 9999, 10000, MAX_YEAR)
    edges = [y for y in interesting if min_year <= y <= max_year]
    year = draw(st.one_of(st.integers(min_year, max_year), st.sampled_from(edges)))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, days_in_month(year, month)))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    nano = draw(
        st.one_of(
            st.just(0),
            st.integers(0, 999).map(lambda v: v * 1_000_000),
            st.integers(0, 999_999).map(lambda v: v * 1_000),
            st.integers(0, 999_999_999),
        )
    )
    if second == 59 and draw(st.integers(0, 3)) == 0:
        nano += 1_000_000_000  # chrono's leap second
    return Timestamp(year, month, day, hour, minute, second, nano)


_CANONICAL = re.compile(
    r"(?:[0-9]{4}|[+-][0-9]{4,6})-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{3}|\.[0-9]{6}|\.[0-9]{9})?Z"
)


@given(timestamps())
@settings(max_examples=500)
def test_format_parse_round_trip(ts: Timestamp) -> None:
    text = ts.format()
    assert _CANONICAL.fullmatch(text), text
    assert Timestamp.parse(text) == ts
    assert Timestamp.parse(text).format() == text
    date_part, time_part = text.split("T")
    year_text = date_part[:-6]
    assert int(year_text) == ts.year
    # The year form: four digits inside 0..9999, else a sign and at least four digits.
    if 0 <= ts.year <= 9999:
        assert len(year_text) == 4 and year_text.isdigit()
    else:
        assert year_text[0] in "+-" and len(year_text) >= 5
    # AutoSi: the shortest of 0/3/6/9 digits that is exact.
    frac = time_part[8:-1]
    sub = ts.nanosecond % 1_000_000_000
    assert (frac == "") == (sub == 0)
    if frac:
        assert int(frac[1:]) * 10 ** (10 - len(frac)) == sub
        assert len(frac) - 1 == min(d for d in (3, 6, 9) if sub % 10 ** (9 - d) == 0)
    # A leap second is written as second 60.
    assert (time_part[6:8] == "60") == ts.is_leap_second


@given(timestamps(), timestamps())
@example(Timestamp(2016, 12, 31, 23, 59, 59, 999_999_999), Timestamp(2016, 12, 31, 23, 59, 59, 1_000_000_000))
@example(Timestamp(2016, 12, 31, 23, 59, 59, 1_999_999_999), Timestamp(2017, 1, 1))
def test_ordering_matches_chrono(a: Timestamp, b: Timestamp) -> None:
    fields = lambda t: (t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanosecond)  # noqa: E731
    assert (a < b) == (fields(a) < fields(b))
    assert (a == b) == (fields(a) == fields(b))
    assert (a <= b) == (fields(a) <= fields(b))
    # And the same order on the time line: chrono's (timestamp(), timestamp_subsec_nanos()),
    # where a leap second keeps the :59 timestamp and carries >= 1e9 nanoseconds.
    assert (a < b) == ((a.unix_seconds, a.subsec_nanos) < (b.unix_seconds, b.subsec_nanos))


def test_ordering_and_hash_examples() -> None:
    leap = Timestamp.parse("2016-12-31T23:59:60Z")
    before = Timestamp.parse("2016-12-31T23:59:59.999999999Z")
    after = Timestamp.parse("2017-01-01T00:00:00Z")
    assert before < leap < after
    assert sorted([after, leap, before]) == [before, leap, after]
    assert len({Timestamp.parse("2020-01-01T05:30:00+05:30"), Timestamp.parse("2020-01-01 00:00:00z")}) == 1
    assert Timestamp.parse("-0001-12-31T23:59:59Z") < Timestamp.parse("0000-01-01T00:00:00Z")


def test_unix_seconds() -> None:
    assert Timestamp.parse("1970-01-01T00:00:00Z").unix_seconds == 0
    assert Timestamp.parse("2016-12-31T23:59:60.5Z").unix_seconds == 1483228799
    assert Timestamp.parse("2017-01-01T00:00:00Z").unix_seconds == 1483228800
    # chrono's MIN/MAX_UTC timestamps.
    assert Timestamp(MIN_YEAR, 1, 1).unix_seconds == -8_334_601_228_800
    assert Timestamp(MAX_YEAR, 12, 31, 23, 59, 59).unix_seconds == 8_210_266_876_799
    assert Timestamp.from_unix(1483228799, 1_500_000_000) == Timestamp.parse("2016-12-31T23:59:60.5Z")
    with pytest.raises(TimestampError):
        Timestamp.from_unix(1483228800, 1_000_000_000)  # not second 59: no leap second there


@pytest.mark.parametrize(
    "fields",
    [
        (MAX_YEAR + 1, 1, 1),
        (MIN_YEAR - 1, 12, 31),
        (2019, 2, 29),
        (2020, 13, 1),
        (2020, 1, 0),
        (2020, 1, 1, 24, 0, 0),
        (2020, 1, 1, 0, 60, 0),
        (2020, 1, 1, 0, 0, 60),
        (2020, 1, 1, 0, 0, 58, 1_000_000_000),
        (2020, 1, 1, 0, 0, 59, 2_000_000_000),
        (2020, 1, 1, 0, 0, 0, -1),
        (2020.0, 1, 1),
        (True, 1, 1),
    ],
)
def test_constructor_refuses_what_chrono_cannot_hold(fields: tuple) -> None:
    with pytest.raises(TimestampError):
        Timestamp(*fields)


def test_constructor_limits_are_chronos() -> None:
    assert Timestamp(MIN_YEAR, 1, 1).format() == "-262143-01-01T00:00:00Z"
    last = Timestamp(MAX_YEAR, 12, 31, 23, 59, 59, 1_999_999_999)
    assert last.format() == "+262142-12-31T23:59:60.999999999Z"
    assert (MIN_YEAR, MAX_YEAR) == (-262_143, 262_142)


def test_immutable() -> None:
    ts = Timestamp.parse("2020-01-01T00:00:00Z")
    with pytest.raises(AttributeError):
        ts.year = 2021  # type: ignore[misc]


# ---------------------------------------------------------------------------------------
# offsets: an independent oracle (Python's datetime) for the UTC conversion
# ---------------------------------------------------------------------------------------


@given(
    timestamps(min_year=2, max_year=9998),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
    st.sampled_from(["{h}:{m}", "{h}{m}"]),
)
@settings(max_examples=300)
def test_offset_conversion_matches_datetime(ts: Timestamp, offset_minutes: int, style: str) -> None:
    leap = ts.is_leap_second
    base = Timestamp(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second, ts.nanosecond % 10**9)
    tz = timezone(timedelta(minutes=offset_minutes))
    local = base.to_datetime().astimezone(tz)
    sign = "-" if offset_minutes < 0 else "+"
    h, m = divmod(abs(offset_minutes), 60)
    second = 60 if leap else local.second
    text = (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}:{second:02d}"
        f".{ts.nanosecond % 10**9:09d}{sign}{style.format(h=f'{h:02d}', m=f'{m:02d}')}"
    )
    assert Timestamp.parse(text) == ts


# ---------------------------------------------------------------------------------------
# datetime interop
# ---------------------------------------------------------------------------------------


ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]


@given(st.datetimes(timezones=st.sampled_from(ZONES)))
def test_from_datetime_to_datetime_round_trip(dt: datetime) -> None:
    ts = Timestamp.from_datetime(dt)
    assert ts.nanosecond == dt.microsecond * 1000
    if 1 <= ts.year <= 9999:
        back = ts.to_datetime()
        assert back == dt and back.tzinfo is UTC
        assert Timestamp.from_datetime(back) == ts


@given(st.datetimes(timezones=st.just(UTC)))
def test_from_datetime_agrees_with_isoformat(dt: datetime) -> None:
    assert Timestamp.from_datetime(dt) == Timestamp.parse(dt.isoformat())


def test_from_datetime_is_exact_at_the_edges() -> None:
    east = timezone(timedelta(hours=1))
    assert Timestamp.from_datetime(datetime(1, 1, 1, 0, 30, tzinfo=east)).format() == "0000-12-31T23:30:00Z"
    west = timezone(timedelta(hours=-1))
    last = datetime(9999, 12, 31, 23, 30, tzinfo=west)
    assert Timestamp.from_datetime(last).format() == "+10000-01-01T00:30:00Z"
    odd = timezone(timedelta(seconds=-3601, microseconds=-1))
    assert Timestamp.from_datetime(datetime(2020, 1, 1, tzinfo=odd)).format() == "2020-01-01T01:00:01.000001Z"


def test_from_datetime_refuses_naive() -> None:
    with pytest.raises(TimestampError) as info:
        Timestamp.from_datetime(datetime(2020, 1, 1))
    assert "naive" in str(info.value)
    with pytest.raises(TimestampError):
        Timestamp.from_datetime("2020-01-01T00:00:00Z")  # type: ignore[arg-type]


def test_to_datetime_truncates_nanoseconds() -> None:
    ts = Timestamp.parse("2020-01-01T00:00:00.999999999Z")
    assert ts.to_datetime() == datetime(2020, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)
    assert Timestamp.parse("2020-01-01T00:00:00.000001500Z").to_datetime().microsecond == 1


@given(timestamps(min_year=1, max_year=9999))
def test_to_datetime_keeps_everything_but_sub_microseconds(ts: Timestamp) -> None:
    assume(not ts.is_leap_second)
    dt = ts.to_datetime()
    assert (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second) == (
        ts.year,
        ts.month,
        ts.day,
        ts.hour,
        ts.minute,
        ts.second,
    )
    assert dt.microsecond == ts.nanosecond // 1000
    assert Timestamp.from_datetime(dt) <= ts


def test_to_datetime_leap_second_raises_or_clamps() -> None:
    ts = Timestamp.parse("2016-12-31T23:59:60.5Z")
    with pytest.raises(TimestampError) as info:
        ts.to_datetime()
    assert info.value.kind == "Lossy"
    clamped = ts.to_datetime(leap_second="clamp")
    assert clamped == datetime(2016, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    # Clamping keeps the order against neighbouring non-leap instants.
    assert Timestamp.parse("2016-12-31T23:59:59.9Z").to_datetime() <= clamped
    assert clamped < Timestamp.parse("2017-01-01T00:00:00Z").to_datetime()


@pytest.mark.parametrize("text", ["0000-06-01T00:00:00Z", "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"])
def test_to_datetime_refuses_years_outside_datetime(text: str) -> None:
    with pytest.raises(TimestampError) as info:
        Timestamp.parse(text).to_datetime()
    assert info.value.kind == "Lossy"


def test_now() -> None:
    before = datetime.now(UTC)
    ts = Timestamp.now()
    after = datetime.now(UTC)
    assert not ts.is_leap_second
    assert before - timedelta(microseconds=1) <= ts.to_datetime() <= after
    assert Timestamp.parse(ts.format()) == ts


# ---------------------------------------------------------------------------------------
# strict RFC 3339 (JSON Schema "date-time")
# ---------------------------------------------------------------------------------------

RFC3339_VALID = [
    "2020-01-01T00:00:00Z",
    "2020-01-01t00:00:00z",
    "1963-06-19T08:30:06.283185Z",
    "1985-04-12T23:20:50.52+05:30",
    "1996-12-19T16:39:57-08:00",
    "1990-12-31T15:59:59-00:00",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999999Z",
    "2020-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "2020-01-01T00:00:00+23:59",
    "1998-12-31T23:59:60Z",
    "1998-12-31T15:59:60.123-08:00",
    "1999-01-01T00:59:60+01:00",
    "1998-12-31T23:59:60-00:00",
]
RFC3339_INVALID = [
    "",
    "2020-01-01 00:00:00Z",
    "2020-01-01T00:00:00",
    "2020-01-01T00:00:00+0530",
    "2020-01-01T00:00:00+05",
    "2020-01-01T00:00:00UTC",
    "2020-01-01T00:00:00\u221205:00",
    "2020-01-01T00:00:00.Z",
    "2020-01-01T00:00:00,5Z",
    "2020-01-01T00:00:00+24:00",
    "2020-01-01T00:00:00+05:60",
    "2020-01-01T24:00:00Z",
    "2020-01-01T23:60:00Z",
    "2020-01-01T00:00:61Z",
    "2019-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2020-02-30T00:00:00Z",
    "2020-04-31T00:00:00Z",
    "2020-00-01T00:00:00Z",
    "2020-13-01T00:00:00Z",
    "2020-01-001T00:00:00Z",
    "2020-1-1T1:2:3Z",
    "+10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    " 2020-01-01T00:00:00Z",
    "2020-01-01T00:00:00Z ",
    "2020-01-01T00:00:00Z\n",
    "1963-06-19T08:30:06.28123+01:00Z",
    "06/19/1963 08:30:06 PST",
    "2013-350T01:01:01",
    "1963-06-1\u09eaT00:00:00Z",
    "\uff12\uff10\uff12\uff10-01-01T00:00:00Z",
    "1998-12-31T23:58:60Z",
    "1998-12-31T22:59:60Z",
    "2020-01-01T12:34:60+05:30",
    "1998-12-31T23:59:60+01:00",
]


@pytest.mark.parametrize("text", RFC3339_VALID)
def test_rfc3339_valid(text: str) -> None:
    assert rfc3339_problem(text) is None


@pytest.mark.parametrize("text", RFC3339_INVALID)
def test_rfc3339_invalid(text: str) -> None:
    problem = rfc3339_problem(text)
    assert isinstance(problem, str) and problem and "\n" not in problem


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2020-02-30T00:00:00Z", "day 30"),
        ("2020-01-01T24:00:00Z", "hour 24"),
        ("2020-01-01T00:00:00+24:00", "offset hour"),
        ("2020-01-01T00:00:00", "missing time offset"),
        ("2020-01-01 00:00:00Z", "'T'"),
        ("2020-01-01T12:34:60Z", "leap second"),
        ("2020-01-01T00:00:00.Z", "fraction digit"),
        ("2020-01-01T00:00:00Zjunk", "trailing"),
    ],
)
def test_rfc3339_reasons_name_the_problem(text: str, fragment: str) -> None:
    assert fragment in (rfc3339_problem(text) or "")


def test_strict_rfc3339_is_inside_what_chrono_accepts() -> None:
    # The contract profile relies on this: strict date-time never fails the Rust consumer.
    for text, ok, _ in CHRONO_TABLE:
        if rfc3339_problem(text) is None:
            assert ok, text
    for text in RFC3339_VALID:
        Timestamp.parse(text)


@given(timestamps(min_year=0, max_year=9999), st.integers(-(23 * 60 + 59), 23 * 60 + 59))
def test_canonical_output_is_strict_rfc3339(ts: Timestamp, offset_minutes: int) -> None:
    text = ts.format()
    utc_leap_ok = ts.hour == 23 and ts.minute == 59
    if ts.is_leap_second and not utc_leap_ok:
        assert rfc3339_problem(text) is not None
    else:
        assert rfc3339_problem(text) is None
        assert Timestamp.parse(text) == ts
