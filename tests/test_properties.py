"""Property tests (hypothesis): random `ExecutorEvent`s survive encode -> validate -> decode.

The strategies aim at the corners serde_json + chrono care about: i64 extremes, strings with
control characters, DEL, U+2028/U+2029 and astral characters, timestamps with nanoseconds and
leap seconds, Values holding u64 integers, -0.0, subnormals and extreme magnitudes.

(a) encode(e) is accepted by the serde profile;
(b) decode(encode(e), profile="serde") re-encodes to the same bytes exactly when every float of
    e is a serde_json fixed point (else the bytes change, since serde reads another double);
(c) contract-valid events are canonical (up to `canonical.float-roundtrip`, and exactly when a
    float is not a fixed point) and decode under `contract` to e itself, floats bit for bit;
(d) one batch of ~300 generated encodings through the Rust harness: serde_json accepts every
    one and writes back exactly encode(decode(doc, profile="serde")).
"""

from __future__ import annotations

import calendar
import math
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envelope import ADDED, SPECS, typical_event
from harness import rust_check
from noetl_envelope import ExecutorEvent, Timestamp, decode, encode, validate
from noetl_envelope.model.schema import load_schema
from noetl_envelope.wire.numbers import format_float, parse_number

I64_MIN = -(2**63)
I64_MAX = 2**63 - 1
U64_MAX = 2**64 - 1
STATUSES = list(load_schema()["properties"]["status"]["enum"])
FIELDS = [spec.name for spec in SPECS]
# The fields added since 0.3.1 (tests/envelope.py) keep their typical value in every drawn event.
ADDED_VALUES = {spec.name: st.just(getattr(typical_event(), spec.name)) for spec in ADDED}

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies ---------------------------------------------------------------------------

i64s = st.one_of(
    st.integers(I64_MIN, I64_MAX),
    st.sampled_from([I64_MIN, I64_MIN + 1, -1, 0, 1, 2**53 + 1, 290123456789012345, I64_MAX - 1, I64_MAX]),
)
value_ints = st.one_of(
    st.integers(I64_MIN, U64_MAX),
    st.sampled_from([I64_MIN, I64_MAX, 2**63, U64_MAX - 1, U64_MAX, 2**53 + 1, -(2**53) - 1, 0, -1]),
)
SPECIAL_FLOATS = [
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.225073858507201e-308,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    1e16,
    1e15,
    9007199254740993.0,
    1e-5,
    1.5e-5,
    1e-7,
    1e-4,
    100.0,
    0.1,
    0.30000000000000004,
    123456789012345680.0,
    1e21,
    1e22,
    1e23,
    2.7715077941825975e-163,
]
floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True, min_value=-1e-300, max_value=1e-300),
    st.sampled_from(SPECIAL_FLOATS),
)
SPECIAL_CHARS = [
    "\x00",
    "\x01",
    "\x1f",
    "\x7f",
    "\u2028",
    "\u2029",
    '"',
    "\\",
    "/",
    "\n",
    "\r",
    "\t",
    "\b",
    "\f",
    "\ufeff",
    "\uffff",
    "\U0001f600",
    "\U0010ffff",
    "\u00e9",
    "\u4e2d",
]
# Lists joined, not st.text(one_of(...)): hypothesis merges a union of character strategies into
# one that favours low code points, and U+2028 or astral characters then never show up.
chars = st.one_of(st.sampled_from(SPECIAL_CHARS), st.characters(codec="utf-8"))
texts = st.lists(chars, max_size=12).map("".join)
nonempty_texts = st.lists(chars, min_size=1, max_size=12).map("".join)

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), value_ints, floats, texts),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(texts, children, max_size=4),
    ),
    max_leaves=16,
)
json_objects = st.dictionaries(texts, json_values, max_size=5)

nanos = st.one_of(
    st.integers(0, 999_999_999),
    st.sampled_from([0, 1, 100, 123_000_000, 123_456_000, 123_456_700, 999_999_999]),
)


@st.composite
def timestamps(draw: st.DrawFn, *, leap_anywhere: bool = True) -> Timestamp:
    """Years 1..9999, nanoseconds, leap seconds (chrono: second 59 with nanosecond >= 1e9)."""
    year = draw(st.one_of(st.integers(1, 9999), st.sampled_from([1, 1970, 2016, 2024, 9999])))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    nano = draw(nanos)
    if draw(st.integers(0, 7)) == 0:
        # A leap second; RFC 3339 (the contract) allows second 60 only at 23:59 UTC, chrono anywhere.
        second, nano = 59, nano + 1_000_000_000
        if not leap_anywhere:
            hour, minute = 23, 59
    return Timestamp(year, month, day, hour, minute, second, nano)


def events(*, contract_valid: bool) -> st.SearchStrategy[ExecutorEvent]:
    """Random events; with contract_valid, only what the schema accepts (status enum, ...)."""
    return st.builds(
        ExecutorEvent,
        execution_id=i64s,
        event_type=nonempty_texts if contract_valid else texts,
        step=texts,
        status=st.sampled_from(STATUSES) if contract_valid else st.one_of(st.sampled_from(STATUSES), texts),
        created_at=timestamps(leap_anywhere=not contract_valid),
        context=json_objects if contract_valid else json_values,
        event_id=st.one_of(st.none(), i64s),
        worker_id=st.one_of(st.none(), texts),
        meta=st.one_of(st.none(), json_objects) if contract_valid else st.one_of(st.none(), json_objects, json_values),
        **ADDED_VALUES,
    )


any_events = events(contract_valid=False)
valid_events = events(contract_valid=True)

# --- helpers ------------------------------------------------------------------------------


def iter_floats(value: Any) -> Any:
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for member in value.values():
            yield from iter_floats(member)
    elif isinstance(value, list):
        for item in value:
            yield from iter_floats(item)


def is_serde_fixed_point(x: float) -> bool:
    """serde_json writes x and reads back the very same double."""
    y = parse_number(format_float(x))
    return isinstance(y, float) and struct.pack(">d", y) == struct.pack(">d", x)


def all_fixed_points(event: ExecutorEvent) -> bool:
    return all(is_serde_fixed_point(x) for x in [*iter_floats(event.context), *iter_floats(event.meta)])


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Deep equality with exact types and floats compared by their bits (-0.0 != 0.0)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})"
    if isinstance(a, float):
        assert struct.pack(">d", a) == struct.pack(">d", b), f"{where}: {a!r} != {b!r} (bits)"
    elif isinstance(a, dict):
        assert sorted(a) == sorted(b), f"{where}: keys {sorted(a)!r} != {sorted(b)!r}"
        for key in a:
            assert_same(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{where}: length {len(a)} != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}/{index}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def assert_same_event(a: ExecutorEvent, b: ExecutorEvent) -> None:
    for name in FIELDS:
        assert_same(getattr(a, name), getattr(b, name), name)


# --- the strategies themselves reach the corners they claim to ------------------------------


def test_helpers_can_fail() -> None:
    with pytest.raises(AssertionError):
        assert_same(0.0, -0.0)
    with pytest.raises(AssertionError):
        assert_same({"a": 1}, {"a": 1.0})
    with pytest.raises(AssertionError):
        assert_same([True], [1])
    assert is_serde_fixed_point(0.1)
    assert not is_serde_fixed_point(2.7715077941825975e-163)  # serde_json reads ...978e-163


# --- (a) -----------------------------------------------------------------------------------


@SETTINGS
@given(any_events)
def test_encoding_is_accepted_by_serde_profile(event: ExecutorEvent) -> None:
    data = encode(event, check=False)  # any event, contract-valid or not
    assert isinstance(data, bytes)
    data.decode("utf-8")  # never a lone surrogate or other non-UTF-8 bytes
    found = validate(data, profile="serde")
    # Accepted, with float read-back warnings (one per float) exactly when some float is no
    # serde fixed point.
    assert {(v.rule, v.severity) for v in found} == (
        set() if all_fixed_points(event) else {("canonical.float-roundtrip", "warning")}
    ), found


# --- (b) -----------------------------------------------------------------------------------


@SETTINGS
@given(any_events)
def test_serde_decode_reencodes_to_same_bytes_iff_floats_are_fixed_points(event: ExecutorEvent) -> None:
    data = encode(event, check=False)
    back = decode(data, profile="serde")
    if all_fixed_points(event):
        assert encode(back, check=False) == data
        assert_same_event(back, event)
    else:
        # serde_json reads some float as a neighbouring double: the next hop writes other bytes,
        # while the contract profile still reads what was written.
        assert encode(back, check=False) != data
        for name in FIELDS:
            if name not in ("context", "meta"):
                assert_same(getattr(back, name), getattr(event, name), name)


# --- (c) -----------------------------------------------------------------------------------


@SETTINGS
@given(valid_events)
def test_contract_valid_events_are_canonical_and_decode_exactly(event: ExecutorEvent) -> None:
    data = encode(event)
    # Valid under both; the float read-back is a warning, under every profile alike.
    expected = set() if all_fixed_points(event) else {("canonical.float-roundtrip", "warning")}
    contract = validate(data, profile="contract")
    assert {(v.rule, v.severity) for v in contract} == expected
    canonical = validate(data, profile="canonical")
    assert canonical == contract, canonical  # the same warnings, at the same floats
    assert_same_event(decode(data, profile="contract"), event)
    assert_same_event(decode(data), event)  # contract is the default profile
    # A trailing newline (as fixture files end with one) keeps the verdicts.
    assert validate(data + b"\n", profile="canonical") == canonical


@SETTINGS
@given(valid_events, st.sampled_from(["serde", "contract", "canonical"]))
def test_profiles_nest_on_generated_events(event: ExecutorEvent, profile: str) -> None:
    data = encode(event)
    ok = {
        p: all(v.severity == "warning" for v in validate(data, profile=p)) for p in ("serde", "contract", "canonical")
    }
    assert not ok["canonical"] or ok["contract"]
    assert not ok["contract"] or ok["serde"]
    if ok[profile]:
        decode(data, profile=profile)


def test_strategies_reach_the_corners() -> None:
    """Guard against a strategy that silently stopped producing the interesting values."""
    seen = {
        "leap": False,
        "not_fixed": False,
        "neg_zero": False,
        "u64": False,
        "control": False,
        "astral": False,
        "u2028": False,
    }

    @settings(max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(any_events)
    def probe(event: ExecutorEvent) -> None:
        seen["leap"] |= event.created_at.is_leap_second
        fl = [*iter_floats(event.context), *iter_floats(event.meta)]
        seen["not_fixed"] |= any(not is_serde_fixed_point(x) for x in fl)
        seen["neg_zero"] |= any(x == 0 and math.copysign(1, x) < 0 for x in fl)
        data = encode(event, check=False)
        seen["u64"] |= b"18446744073709551615" in data
        seen["control"] |= b"\\u00" in data
        seen["astral"] |= any(b >= 0xF0 for b in data)
        seen["u2028"] |= "\u2028".encode() in data

    probe()
    assert all(seen.values()), seen


# --- (d) -----------------------------------------------------------------------------------


@pytest.mark.rust
def test_batch_of_generated_encodings_matches_serde_json(harness: object) -> None:
    docs: list[bytes] = []
    fixed: list[bool] = []

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(any_events, valid_events))
    def collect(event: ExecutorEvent) -> None:
        docs.append(encode(event, check=False))
        fixed.append(all_fixed_points(event))

    collect()
    assert len(docs) >= 250
    verdicts = rust_check(docs)
    rejected = [(doc[:300], v.error) for doc, v in zip(docs, verdicts, strict=True) if not v.accepted]
    assert not rejected, f"{len(rejected)} rejected by serde_json, first: {rejected[:3]}"
    mismatches = []
    for doc, is_fixed, verdict in zip(docs, fixed, verdicts, strict=True):
        ours = encode(decode(doc, profile="serde"), check=False)
        if ours != verdict.output or (is_fixed and verdict.output != doc):
            mismatches.append((doc[:300], verdict.output[:300] if verdict.output else None, ours[:300]))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:3]}"
    assert sum(not f for f in fixed) > 0, "the batch should include floats serde_json does not read back"
