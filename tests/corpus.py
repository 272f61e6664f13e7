"""The differential corpus: documents that probe every corner of serde_json + chrono behaviour.

Deterministic (seeded) so a disagreement reproduces. Categories: numbers in each i64 field and
inside Values, strings (escapes, surrogates, control characters, invalid UTF-8) in known and
unknown members, duplicate and unknown keys, null vs absent, the `payload` alias, serde's
sequence form, nesting depth, whitespace/BOM/trailing characters, chrono's timestamp grammar,
and random byte-level mutations of valid documents.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from envelope import ADDED_REQUIRED, SPECS
from noetl_envelope.fixturegen.systematic import typical_value
from noetl_envelope.model.rusttypes import key as json_key

Member = tuple[bytes, bytes]  # raw key (with quotes) and raw value

BASE: list[Member] = [
    (b'"execution_id"', b"1"),
    (b'"event_type"', b'"step.enter"'),
    (b'"step"', b'"fetch"'),
    (b'"status"', b'"STARTED"'),
    (b'"created_at"', b'"2024-05-01T12:00:00Z"'),
    (b'"context"', b'{"a":1}'),
]
OPTIONAL: list[Member] = [
    (b'"event_id"', b"290123456789012345"),
    (b'"worker_id"', b'"worker-1"'),
    (b'"meta"', b'{"retries":2}'),
]
# Fields the working schema requires beyond 0.3.1 (tests/envelope.py): typical values, after the rest.
BASE += [(json_key(spec.name).encode(), typical_value(spec).encode()) for spec in ADDED_REQUIRED]
FIELDS = [key for key, _ in BASE + OPTIONAL]
_ORDER = {json_key(spec.name).encode(): index for index, spec in enumerate(SPECS)}
FULL: list[Member] = sorted(BASE + OPTIONAL, key=lambda member: _ORDER[member[0]])  # declaration order

NUMBERS = [
    b"0",
    b"1",
    b"-1",
    b"1.0",
    b"1e3",
    b"1E3",
    b"1e+3",
    b"1e-3",
    b"-0",
    b"-0.0",
    b"0.0",
    b"-0e0",
    b"00",
    b"01",
    b"1.",
    b".5",
    b"+1",
    b"-",
    b"1e",
    b"1e+",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"-18446744073709551616",
    b"123456789012345678901234567890",
    b"1e400",
    b"-1e400",
    b"1e-400",
    b"4.9e-324",
    b"2.2250738585072014e-308",
    b"1.7976931348623157e308",
    b"1.7976931348623159e308",
    b"0.1",
    b"0.30000000000000004",
    b"1e16",
    b"1e15",
    b"100.0",
    b"1e-7",
    b"1e-5",
    b"123.456e-2",
    b"9007199254740993",
    b"9007199254740993.0",
    b"3.141592653589793238462643383279",
    b"1" + b"0" * 400,
    b"0." + b"0" * 400 + b"1",
    b"1" + b"0" * 30 + b".5e-10",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"0x10",
    b"1_000",
    b"\xef\xbc\x91",
]

STRINGS = [
    b'""',
    b'"plain"',
    b'"\\"\\\\\\/\\b\\f\\n\\r\\t"',
    b'"\\u0000"',
    b'"\\u001f\\u007f"',
    b'"\\u00e9\\u4e2d"',
    b'"\\ud83d\\ude00"',
    b'"\\ud83d"',
    b'"\\ude00"',
    b'"\\ud83d\\u0041"',
    b'"\\ud83d\\ud83d\\ude00"',
    b'"\\ud83dx"',
    b'"\\uDFFF"',
    b'"\\u12"',
    b'"\\u12g4"',
    b'"\\x41"',
    b'"\\a"',
    b'"\\\'"',
    b'"a\tb"',
    b'"a\nb"',
    b'"a\x00b"',
    b'"a\x1fb"',
    b'"a\x7fb"',
    '"\u2028\u2029"'.encode(),
    '"é中😀"'.encode(),
    b'"\xff"',
    b'"\xc3"',
    b'"\xed\xa0\x80"',
    b'"\xc0\xaf"',
    b'"\xf4\x90\x80\x80"',
    b'"unterminated',
    b"'single'",
    b'"\\',
    b'"\\u',
]

TIMESTAMPS = [
    "2024-05-01T12:00:00Z",
    "2024-05-01t12:00:00z",
    "2024-05-01 12:00:00Z",
    "2024-05-01T12:00:00+05:30",
    "2024-05-01T12:00:00+0530",
    "2024-05-01T12:00:00-00:00",
    "2024-05-01T12:00:00",
    "2024-05-01T12:00Z",
    "2024-05-01T12:00:00.1Z",
    "2024-05-01T12:00:00.123Z",
    "2024-05-01T12:00:00.123456Z",
    "2024-05-01T12:00:00.123456789Z",
    "2024-05-01T12:00:00.1234567891234Z",
    "2024-05-01T12:00:00.Z",
    "2024-05-01T12:00:00,5Z",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-05-01T24:00:00Z",
    "2016-12-31T23:59:60Z",
    "2016-12-31T23:59:60.5Z",
    "2024-05-01T12:34:60Z",
    "2016-12-31T18:29:60-05:30",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
    "+10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "+262142-12-31T23:59:59Z",
    "+262143-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    " 2024-05-01T12:00:00Z",
    "2024-05-01T12:00:00Z ",
    "2024-5-1T1:2:3Z",
    "2024-05-01T12:00:00 UTC",
    "2024-05-01T12:00:00GMT",
    "2024-05-01T12:00:00+05",
    "2024-05-01T12:00:00+24:00",
    "2024-05-01T12:00:00+05:30Z",
    "",
    "now",
    "2024-05-01",
    "2024-05-01T12:00:00\u2212" + "05:00",
    "2024-13-01T00:00:00Z",
    "2024-05-01T12:60:00Z",
]

WHITESPACE = [b" ", b"\t", b"\n", b"\r", b"\r\n", b"\x0b", b"\x0c", b"\xc2\xa0", b"\xef\xbb\xbf"]


def render(members: list[Member], *, sep: bytes = b",", colon: bytes = b":") -> bytes:
    return b"{" + sep.join(key + colon + value for key, value in members) + b"}"


def replace(members: list[Member], key: bytes, value: bytes) -> list[Member]:
    return [(k, value if k == key else v) for k, v in members]


def _json_string(text: str) -> bytes:
    import json

    return json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass")


def systematic() -> Iterator[bytes]:
    full = FULL
    yield render(BASE)
    yield render(full)
    # Numbers in every i64 field, and inside context/meta/unknown members.
    for number in NUMBERS:
        for key in (b'"execution_id"', b'"event_id"'):
            yield render(replace(full, key, number))
        yield render(replace(full, b'"context"', b'{"n":' + number + b"}"))
        yield render(replace(full, b'"meta"', b"[" + number + b"]"))
        yield render([*full, (b'"unknown"', number)])
    # Strings in every string field, in context values and keys, in unknown members and keys.
    for string in STRINGS:
        for key in (b'"event_type"', b'"step"', b'"worker_id"', b'"created_at"'):
            yield render(replace(full, key, string))
        yield render(replace(full, b'"context"', b'{"s":' + string + b"}"))
        yield render(replace(full, b'"context"', b"{" + string + b":1}"))
        yield render([*full, (b'"unknown"', string)])
        yield render([*full, (string, b"1")])
        yield render([*full, (b'"unknown"', b'{"deep":[' + string + b"]}")])
    for stamp in TIMESTAMPS:
        yield render(replace(full, b'"created_at"', _json_string(stamp)))
    # Wrong JSON types for every field.
    for wrong in (b"null", b"true", b"false", b"1", b"1.5", b'"x"', b"[]", b"{}", b"[1]", b'{"a":null}'):
        for key in FIELDS:
            yield render(replace(full, key, wrong))
    # Absent fields, null vs absent, duplicates, alias, unknown.
    for index in range(len(full)):
        yield render(full[:index] + full[index + 1 :])
        yield render([*full, full[index]])
        yield render([full[index], *full])
    yield render([(b'"payload"' if k == b'"context"' else k, v) for k, v in full])
    yield render([*full, (b'"payload"', b"{}")])
    yield render([(b'"Context"' if k == b'"context"' else k, v) for k, v in full])
    yield render([(b'"event\\u005fid"' if k == b'"event_id"' else k, v) for k, v in full])
    yield render([(b'"execution_id "' if k == b'"execution_id"' else k, v) for k, v in full])
    yield render(replace(full, b'"context"', b'{"a":1,"a":2}'))
    yield render(replace(full, b'"context"', b'{"b":1,"a":2,"c":{"z":1,"y":[3,2,{"k":1,"j":0}]}}'))
    yield render(replace(full, b'"meta"', b"null"))
    yield render(replace(full, b'"meta"', b"[]"))
    yield render(replace(full, b'"meta"', b'"text"'))
    yield render([*full, (b'"extra"', b'{"x":[1,2,{"y":null}]}')])
    # Sequence form of every length, with null and non-null options.
    seq_values = [value for _, value in full]
    for length in range(len(seq_values) + 3):
        values = ([*seq_values, b"null", b"1", b"2"])[:length]
        yield b"[" + b",".join(values) + b"]"
    yield b"[" + b",".join(v if i < 6 else b"null" for i, v in enumerate(seq_values)) + b"]"
    # Nesting depth around serde_json's limit, in context, meta and an unknown member.
    for depth in (1, 2, 125, 126, 127, 128, 129, 200, 2000):
        nested = b"[" * depth + b"]" * depth
        nested_obj = b'{"a":' * depth + b"1" + b"}" * depth
        yield render(replace(full, b'"context"', b'{"d":' + nested + b"}"))
        yield render(replace(full, b'"context"', nested_obj))
        yield render(replace(full, b'"meta"', nested))
        yield render([*full, (b'"unknown"', nested)])
    # Whitespace, BOM, trailing characters, empties.
    for ws in WHITESPACE:
        yield ws + render(full)
        yield render(full) + ws
        yield render(full, sep=b"," + ws, colon=ws + b":" + ws)
    for tail in (b"x", b"{}", b",", b"]", b"}", b"\x00", b"// comment"):
        yield render(full) + tail
    yield from (b"", b" ", b"null", b"1", b'"x"', b"true", b"{}", b"[]", b"{", b"[", b'{"a"', b"{,}", b"[,]")
    yield render(full)[:-1] + b",}"
    yield render(full).replace(b":", b" : ")


def mutations(seed: int, count: int, bases: list[bytes]) -> Iterator[bytes]:
    """Random byte-level mutations (replace, insert, delete, duplicate a span) of valid documents."""
    rng = random.Random(seed)
    alphabet = b'{}[]",:0123456789.eE+-\\ unlrtfa\x00\x1f\x7f\xff\xc3\xa9'
    for _ in range(count):
        doc = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 3)):
            if not doc:
                break
            pos = rng.randrange(len(doc))
            action = rng.randrange(4)
            if action == 0:
                doc[pos] = rng.choice(alphabet)
            elif action == 1:
                doc.insert(pos, rng.choice(alphabet))
            elif action == 2:
                del doc[pos]
            else:
                end = min(len(doc), pos + rng.randint(1, 12))
                doc[pos:pos] = doc[pos:end]
        yield bytes(doc)


def corpus(emitted: list[bytes], *, mutation_count: int = 3000, seed: int = 20261129) -> list[bytes]:
    """The full differential corpus: systematic cases, Rust-emitted events, and mutations."""
    docs = list(systematic())
    docs.extend(emitted)
    docs.extend(mutations(seed, mutation_count, [*emitted[:50], render(FULL)]))
    return docs
