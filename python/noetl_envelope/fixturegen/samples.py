"""Deterministic Python-produced canonical events (what `noetl-envelope sample` writes as NDJSON).

The Python side of the conformance run (the Rust side is `envelope-harness emit --contract`):
events built as `ExecutorEvent` values and written with `encode`, aimed at the corners where
the stacks can disagree: i64 extremes and snowflake ids above 2^53, every status of the
schema's enum, the known event types (the schema's `examples`), escape- and Unicode-heavy
strings and keys, nested `context` / `meta` with u64/i64 integers and floats, timestamps with
nanoseconds and leap seconds in years 0..9999, and each Option field set or unset.

Every event is contract-valid and canonical, and a fixed point for Rust: floats are chosen so
that serde_json's (not correctly rounded) parser reads their text back to the same f64, i.e.
encode(decode(encode(e), profile="serde")) == encode(e). Same seed, same bytes
(`random.Random` with an int seed is stable across Python versions for the calls used here).
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from noetl_envelope.wire.numbers import I64_MAX, I64_MIN, U64_MAX

if TYPE_CHECKING:
    from noetl_envelope.model.schema import FieldSpec
    from noetl_envelope.wire.timestamp import Timestamp
    from noetl_envelope_generated import ExecutorEvent

TWO_53 = 2**53

# Characters that stress escaping and Unicode handling: what serde_json escapes ('"', '\\',
# controls, with and without short escapes), what it writes raw although others escape it
# ('/', DEL, C1 controls, U+2028/2029, BOM, noncharacters), astral characters (surrogate
# pairs in UTF-16), combining marks, ZWJ, bidi overrides and case-mapping oddities.
SPECIAL_CHARS = (
    '"\\/\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f\x7f\x80\x9f\xa0\xad\u2028\u2029\u200b\u200d\u202e'
    "\ufeff\ufffd\ufffe\uffff\U00010000\U0001f600\U0001f468\U000e0001\U0010ffff\u0301\u0308"
    "\u20dbéßıİﬀ中日Ω<>&'%$"
)
STEP_NAMES = ("start", "end", "fetch_users", "loop_items", "http_call", "load.postgres", "node-1", "")
OBJECT_KEYS = ("result", "data", "error", "rows", "status", "id", "attempt", "payload", "context", "", "ключ", "a.b")
WORKER_IDS = ("cli-local", "worker-0", "noetl-worker-7f3a2c1e-12")
# Float corners that are serde_json fixed points (checked anyway, see _fixed_point).
FLOAT_CORNERS = (0.0, -0.0, 100.0, -1.0, 0.1, 0.5, 1e16, 1e15, 1e-7, 1e-5, 1e21, 1e22, 2.220446049250313e-16)


def events(count: int, seed: int) -> Iterator[ExecutorEvent]:
    """`count` deterministic events for `seed` (a generator: constant memory)."""
    rng = random.Random(seed)
    for _ in range(count):
        yield event(rng)


def event(rng: random.Random) -> ExecutorEvent:
    """One varied, canonical event: every field of the schema drawn in declaration order by the
    generator of its Rust type (`_draw`), each Option field set or unset independently."""
    from noetl_envelope.model.codec import event_class
    from noetl_envelope.model.schema import field_specs

    return event_class()(**{spec.name: _draw(rng, spec) for spec in field_specs()})


def _draw(rng: random.Random, spec: FieldSpec) -> Any:
    """A value for the field, chosen by its Rust type (no field is named here). The chances for
    an Option to be set are per type: ids mostly are, metadata mostly is not."""
    rust = spec.inner
    prop = spec.schema
    if rust.integer_range is not None:
        low, high = prop.get("minimum", rust.integer_range[0]), prop.get("maximum", rust.integer_range[1])
        narrow = (low, high) != rust.integer_range
        if spec.optional and rng.random() >= 2 / 3:
            return None
        if narrow:
            return rng.randint(low, high)
        return _id(rng)
    if rust.timestamp:
        if spec.optional and rng.random() >= 1 / 2:
            return None
        return _timestamp(rng)
    if rust.free_form:
        if spec.optional:
            return _object(rng, 0, 4) if rng.random() < 1 / 3 else None
        return _object(rng, 0, 6) if rng.random() < 0.9 else {}
    return _draw_string(rng, spec)


def _draw_string(rng: random.Random, spec: FieldSpec) -> str | None:
    prop = spec.schema
    low, high = prop.get("minLength", 0), prop.get("maxLength")
    if prop.get("enum"):
        return str(rng.choice(prop["enum"]))  # optional or not: an enum field is always set
    if spec.optional and rng.random() >= 1 / 2:
        return None
    examples = [e for e in prop.get("examples") or () if isinstance(e, str)]
    if examples:
        text = rng.choice(examples) if rng.random() < 0.8 else _string(rng, max(low, 1))
    else:
        names = WORKER_IDS if spec.optional else STEP_NAMES
        text = rng.choice(names) if rng.random() < 0.5 else _string(rng, low)
    if len(text) < low:
        text += "x" * (low - len(text))
    return text if high is None else text[:high]


def _id(rng: random.Random) -> int:
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice((I64_MIN, I64_MAX, 0, -1, 1, I64_MIN + 1, I64_MAX - 1))
    if kind == 1:
        return rng.choice((TWO_53 - 1, TWO_53, TWO_53 + 1, -TWO_53 - 1))
    if kind == 2:
        return rng.randrange(1_000_001)
    # A snowflake: 41-bit milliseconds << 22 | 10-bit worker << 12 | 12-bit sequence; above
    # 2^53 once the generator has run for a month.
    millis = rng.randrange(2**31, 2**41)
    return (millis << 22) | (rng.randrange(1024) << 12) | rng.randrange(4096)


def _string(rng: random.Random, min_length: int = 0) -> str:
    roll = rng.randrange(8)
    length = 0 if roll == 0 else rng.randrange(120) if roll == 1 else rng.randrange(16)
    return "".join(_char(rng) for _ in range(max(length, min_length)))


def _char(rng: random.Random) -> str:
    roll = rng.randrange(20)
    if roll < 8:
        return chr(0x20 + rng.randrange(0x5F))
    if roll < 13:
        return rng.choice(SPECIAL_CHARS)
    if roll < 15:
        return chr(rng.randrange(0x20))
    while True:  # any Unicode scalar value; surrogates cannot be in a Rust String
        code = rng.randrange(0x110000)
        if not 0xD800 <= code <= 0xDFFF:
            return chr(code)


def _timestamp(rng: random.Random) -> Timestamp:
    from noetl_envelope.wire.timestamp import Timestamp

    roll = rng.randrange(6)
    if roll < 3:
        year = rng.randrange(1970, 2101)
    elif roll == 3:
        year = rng.choice((0, 1, 1969, 1970, 2000, 2038, 9999))
    else:
        year = rng.randrange(10000)
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29) if rng.random() < 0.8 else 31
    while True:  # clamp to the month's end: exercises Feb 29 and 30-day months
        try:
            Timestamp(year, month, day)
            break
        except ValueError:
            day -= 1
    digits = rng.randrange(4)
    nano = (
        0
        if digits == 0
        else rng.randrange(1000) * 1_000_000
        if digits == 1
        else rng.randrange(10**6) * 1000
        if digits == 2
        else rng.randrange(10**9)
    )
    roll = rng.randrange(20)
    if roll == 0:
        # A leap second, where RFC 3339 allows one: 23:59:60 UTC (chrono: second 59, nanos >= 1e9).
        return Timestamp(year, month, day, 23, 59, 59, 1_000_000_000 + nano)
    if roll == 1:
        return Timestamp(year, month, day, rng.choice((0, 23)), rng.choice((0, 59)), rng.choice((0, 59)), nano)
    return Timestamp(year, month, day, rng.randrange(24), rng.randrange(60), rng.randrange(60), nano)


def _value(rng: random.Random, depth: int, max_depth: int) -> Any:
    if depth >= max_depth or rng.random() < 0.6:
        return _scalar(rng)
    if rng.random() < 0.5:
        return _object(rng, depth, max_depth)
    return [_value(rng, depth + 1, max_depth) for _ in range(rng.randrange(6))]


def _object(rng: random.Random, depth: int, max_depth: int) -> dict[str, Any]:
    return {_key(rng): _value(rng, depth + 1, max_depth) for _ in range(rng.randrange(7))}


def _key(rng: random.Random) -> str:
    return rng.choice(OBJECT_KEYS) if rng.random() < 0.5 else _string(rng)


def _scalar(rng: random.Random) -> Any:
    roll = rng.randrange(10)
    if roll == 0:
        return None
    if roll == 1:
        return rng.random() < 0.5
    if roll in (2, 3):
        return _string(rng)
    if roll in (4, 5):
        return _integer(rng)
    return _float(rng)


def _integer(rng: random.Random) -> int:
    roll = rng.randrange(5)
    if roll == 0:
        return rng.choice((I64_MIN, I64_MAX, 0, -1, TWO_53, TWO_53 + 1, U64_MAX, U64_MAX - 1, I64_MAX + 1))
    if roll == 1:
        return rng.randrange(U64_MAX + 1)
    if roll == 2:
        return rng.randrange(I64_MIN, 0)
    return rng.randrange(-1000, 1001)


def _float(rng: random.Random) -> float:
    """A finite f64 that serde_json reads back exactly from its own text (redrawn if none near)."""
    while True:
        fixed = _fixed_point(_float_candidate(rng))
        if fixed is not None:
            return fixed


def _float_candidate(rng: random.Random) -> float:
    roll = rng.randrange(8)
    if roll == 0:
        return rng.choice(FLOAT_CORNERS)
    if roll == 1:  # subnormals
        return _from_bits(rng.randrange(1, 2**52)) * rng.choice((1.0, -1.0))
    if roll == 2:  # integer-valued floats: ".0" or an exponent on the wire
        return float(rng.randrange(-(2**60), 2**60))
    if roll in (3, 4):  # a short decimal times a power of ten
        return float(f"{rng.randrange(-99_999, 100_000)}e{rng.randrange(-300, 290)}")
    while True:  # random bit patterns: every exponent, 17-digit mantissas
        candidate = _from_bits(rng.getrandbits(64))
        if candidate == candidate and abs(candidate) != float("inf"):
            return candidate


def _fixed_point(value: float) -> float | None:
    """Follow write -> serde_json read a few steps, as emit.rs does; the stable value, if any."""
    from noetl_envelope.wire.numbers import f64_bits, format_float, parse_number

    for _ in range(4):
        back = float(parse_number(format_float(value)))
        if f64_bits(back) == f64_bits(value):
            return value
        value = back
    return None


def _from_bits(bits: int) -> float:
    value: float = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
    return value
