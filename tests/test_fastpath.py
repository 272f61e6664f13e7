"""The fast engine (fastpath.py) against the reference engine: same verdicts, same violations.

`decide` may only answer True where the reference engine finds nothing, under every profile;
`profiles.check(engine="fast")` must then return exactly the reference's violation list for
every document. Checked on the whole differential corpus (systematic cases, Rust-emitted
events, byte mutations), on `emit --contract` events, on realistic benchmark events (valid
and with two violations) and on targeted near-misses that the fast engine must decline. The
facts the proof leans on (orjson writes floats and strings exactly as serde_json does, the
timestamp patterns imply chrono's and RFC 3339's acceptance) are tested here as well.
"""

from __future__ import annotations

import random
import struct
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus import corpus
from harness import rust_emit
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import check
from noetl_envelope.engines import fast as fastpath
from noetl_envelope.engines.reference import run
from noetl_envelope.model.rusttypes import quote
from noetl_envelope.model.rusttypes.datetime import CANONICAL_TIMESTAMP, CONTRACT_TIMESTAMP, date_exists
from noetl_envelope.pipeline import Checks, checker_for, conform_violations
from noetl_envelope.profiles.contract import date_time_problem
from noetl_envelope.wire.numbers import format_float
from noetl_envelope.wire.timestamp import Timestamp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_data import mixed_events, realistic_events, with_two_violations
from envelope import complete

BASE = complete(
    b'{"execution_id":280640865532228085,"event_type":"step.enter","step":"start","status":"STARTED",'
    b'"created_at":"2026-03-01T12:00:00.123Z","context":{"a":1,"b":[0.5,{"c":"x"}]},'
    b'"event_id":280640865532228086,"worker_id":"w","meta":{"retry":0}}'
)


# `fastpath.violations(doc, profile)` with no `prove` is the Python proof on its own: the native
# accelerator, when given, would answer first for most documents (it has its own differential
# test, tests/test_accel.py). The engine-equivalence tests take `accelerator` (conftest): both ways.


class Reference:
    """The reference engine's answers, computed once for all instances of the tests."""

    def __init__(self) -> None:
        self._violations: dict[tuple[bytes, str], list[Violation]] = {}
        self._conform: dict[bytes, list[Violation]] = {}

    def violations(self, doc: bytes, profile: str) -> list[Violation]:
        if (doc, profile) not in self._violations:
            self._violations[doc, profile] = run(doc, profile).violations  # = check(doc, profile, "reference")
        return self._violations[doc, profile]

    def conform(self, doc: bytes) -> list[Violation]:
        if doc not in self._conform:
            self._conform[doc] = conform_violations(doc)
        return self._conform[doc]


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference()


@pytest.fixture(scope="module")
def documents(harness: Path) -> list[bytes]:
    emitted_contract = subprocess.run(
        [str(harness), "emit", "--contract", "--count", "1500", "--seed", "7"], capture_output=True, check=True
    ).stdout.split(b"\n")[:-1]
    realistic = realistic_events(500, seed=3, harness=harness)
    docs = corpus(rust_emit(1500, seed=11))
    docs += emitted_contract + realistic + [with_two_violations(line) for line in realistic[:100]]
    docs += [doc + b"\n" for doc in realistic[:50]] + list(near_misses())
    # Issue 15's mix: floats from random bit patterns (some misread by serde_json), broken lines.
    docs += mixed_events(1000, seed=6, harness=harness)
    return docs


def near_misses() -> list[bytes]:
    """Valid-looking documents each differing from canonical in one way the fast engine must see."""
    deep = b"[" * 126 + b"]" * 126
    return [
        BASE,
        BASE.replace(b'"step":"start"', b'"step" : "start"'),  # whitespace
        BASE.replace(b'{"a":1,', b'{"a":1,"a":2,'),  # duplicate key in context
        BASE.replace(b'"a":1', b'"a":-0'),  # -0
        BASE.replace(b'"execution_id":280640865532228085', b'"execution_id":1.0'),
        BASE.replace(b'"execution_id":280640865532228085', b'"execution_id":9223372036854775808'),
        BASE.replace(b'"a":1', b'"a":18446744073709551616'),  # past u64: a float to both
        BASE.replace(b'"context"', b'"payload"'),  # alias
        BASE.replace(b'"worker_id":"w"', b'"worker_id":null'),  # null Option
        BASE.replace(b'{"a":1,"b":', b'{"b":'),  # shape still fine, fewer keys
        BASE.replace(b'{"a":1,"b":[0.5,{"c":"x"}]}', b'{"b":1,"a":2}'),  # unsorted (canonical only)
        BASE.replace(b'"a":1', b'"a":' + deep),  # 128 levels: beyond serde_json's limit
        BASE.replace(b'"a":1', b'"a":' + deep[1:-1]),  # 127 levels: at the limit
        BASE.replace(b"0.5", b"1e+16"),
        BASE.replace(b"0.5", b"1e16"),  # not serde_json's form
        BASE.replace(b"0.5", b"1.7976931348623157e+308"),
        BASE.replace(b"0.5", b"0.30000000000000004"),
        BASE.replace(b'"c":"x"', b'"c":"[1e999,1.5e-7"'),  # number-like text inside a string
        BASE.replace(b'"c":"x"', b'"c":"[1e999,1.5e-7,2.00000000"').replace(b"0.5", b"1e+16"),
        BASE.replace(b"0.5", b"0.1000000000000000055511151231257827"),
        BASE.replace(b"0.5", b"100"),
        BASE.replace(b"0.5", b"100.0"),
        BASE.replace(b".123Z", b".123000Z"),  # not chrono's form
        BASE.replace(b".123Z", b".123456789Z"),
        BASE.replace(b".123Z", b".1234567891Z"),  # 10 fraction digits
        BASE.replace(b".123Z", b".000Z"),
        BASE.replace(b"2026-03-01", b"2026-02-29"),  # no such day
        BASE.replace(b"2026-03-01", b"2024-02-29"),
        BASE.replace(b"12:00:00", b"23:59:60"),  # leap second
        BASE.replace(b"T12", b"t12"),
        BASE.replace(b'"status":"STARTED"', b'"status":"DONE"'),
        BASE.replace(b'"event_type":"step.enter"', b'"event_type":""'),
        BASE.replace(b'"meta":{"retry":0}', b'"meta":[1]'),
        BASE.replace(b'"step":"start"', b'"step":"\\u0041"'),  # escape serde_json would not write
        BASE.replace(b'"step":"start"', b'"step":"\\ud800"'),  # lone surrogate
        BASE.replace(b'"step":"start"', b'"step":"\xff"'),  # not UTF-8
        BASE.replace(b'"c":"x"', b'"c":"\\u001f\\"\\\\\xe2\x80\xa8"'),
        BASE + b" ",
        b"\xef\xbb\xbf" + BASE,
        BASE[:-1] + b',"extra":1}',
        BASE.replace(b'"execution_id":280640865532228085', b'"execution_id":1.5'),
        BASE.replace(b'"execution_id":280640865532228085', b'"execution_id":true'),
        BASE.replace(b'"execution_id":280640865532228085', b'"execution_id":"1"'),
        BASE.replace(b'"step":"start"', b'"step":null'),
        BASE.replace(b'"status":"STARTED"', b'"status":5'),
        BASE.replace(b'"event_id":280640865532228086', b'"event_id":-9223372036854775809'),
        BASE.replace(b'"worker_id":"w"', b'"worker_id":["w"]'),
        BASE.replace(b"2026-03-01", b"2026-02-30"),
        BASE.replace(b".123Z", b".1234567891Z").replace(b'"STARTED"', b'"DONE"'),
        BASE.replace(b"12:00:00", b"23:59:60").replace(b'"STARTED"', b'"DONE"'),
        BASE.replace(b'"status":"STARTED"', b'"status":"DONE"').replace(
            b'"event_type":"step.enter"', b'"event_type":""'
        ),
    ]


def test_fast_engine_answers_only_what_the_reference_answers(
    documents: list[bytes], reference: Reference, accelerator: str
) -> None:
    wrong = []
    valid = dict.fromkeys(PROFILES, 0)
    invalid = dict.fromkeys(PROFILES, 0)
    for profile in PROFILES:
        for doc in documents:
            fast = fastpath.violations(doc, profile)
            if fast is None:
                continue
            expected = reference.violations(doc, profile)
            if fast != expected:
                wrong.append((profile, doc[:160], [str(v) for v in fast[:2]], [str(v) for v in expected[:2]]))
            if fast:
                invalid[profile] += 1
            else:
                valid[profile] += 1
            assert fastpath.decide(doc, profile) is (not fast)
    assert not wrong, f"{len(wrong)} documents the fast engine judged wrongly, first: {wrong[:3]}"
    # Both fast answers must actually occur, or this test proves nothing.
    assert min(valid.values()) > 2500, valid
    assert invalid["serde"] == 0  # serde's findings are never produced fast
    assert min(invalid["contract"], invalid["canonical"]) > 150, invalid


def test_fast_and_reference_engines_give_identical_violation_lists(
    documents: list[bytes], reference: Reference, accelerator: str
) -> None:
    for profile in PROFILES:
        for doc in documents:
            assert check(doc, profile, "fast") == reference.violations(doc, profile), (profile, doc[:200])


def test_fast_conform_checker_equals_conform_violations(
    documents: list[bytes], reference: Reference, accelerator: str
) -> None:
    fast = checker_for(Checks(profile="canonical", engine="fast", drift=True))
    for doc in documents:
        if fastpath.decide(doc, "canonical"):
            assert reference.conform(doc) == [], doc[:200]
            assert fast(doc) == []
        else:
            assert fast(doc) == reference.conform(doc)


def test_every_realistic_event_is_decided_fast(harness: Path) -> None:
    # The benchmark measures the fast engine, not the fallback: every event must be decided.
    for line in realistic_events(300, seed=9, harness=harness):
        for profile in PROFILES:
            assert fastpath.decide(line, profile), (profile, line)


@pytest.mark.parametrize(
    ("doc", "contract", "canonical"),
    [
        (BASE, True, True),
        (BASE.replace(b'{"a":1,"b":[0.5,{"c":"x"}]}', b'{"b":1,"a":2}'), True, False),
        (BASE.replace(b"0.5", b"1e16"), False, False),  # orjson writes 1e+16: declined, not judged
        (BASE.replace(b".123Z", b".123000Z"), True, False),
        (BASE.replace(b'"step":"start"', b'"step" : "start"'), False, False),
        (BASE.replace(b"0.5", b"0.30000000000000004"), True, True),
        (BASE + b"\n", True, True),
    ],
)
def test_decide_on_known_documents(doc: bytes, contract: bool, canonical: bool) -> None:
    assert fastpath.decide(doc, "contract") is contract
    assert fastpath.decide(doc, "serde") is contract
    assert fastpath.decide(doc, "canonical") is canonical


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        check(BASE, "contract", "turbo")


def test_orjson_writes_floats_as_serde_json_does() -> None:
    rng = random.Random(5)
    corners = [0.0, -0.0, 1e15, 1e16, 1e-5, 1e-6, 1e-7, 5e-324, 1.7976931348623157e308, 0.1, 100.0, 1e21, 1e22]
    values = corners + [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0] for _ in range(50_000)]
    mismatches = [
        x for x in values if x == x and abs(x) != float("inf") and orjson.dumps(x).decode() != format_float(x)
    ]
    assert not mismatches, mismatches[:5]


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_orjson_float_format_property(x: float) -> None:
    assert orjson.dumps(x).decode() == format_float(x)


def test_orjson_escapes_strings_as_serde_json_does() -> None:
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert orjson.dumps(everything).decode() == quote(everything)


_DIGITS = st.integers(min_value=0, max_value=9).map(str)


@settings(max_examples=3000, deadline=None)
@given(
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 24),
    st.integers(0, 60),
    st.integers(0, 61),
    st.lists(_DIGITS, max_size=11).map("".join),
)
def test_timestamp_patterns_imply_the_reference_verdicts(
    year: int, month: int, day: int, hour: int, minute: int, second: int, fraction: str
) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    text += (f".{fraction}" if fraction else "") + "Z"
    contract_ok = CONTRACT_TIMESTAMP.fullmatch(text) is not None and date_exists(text)
    canonical_ok = CANONICAL_TIMESTAMP.fullmatch(text) is not None and date_exists(text)
    if contract_ok:
        assert date_time_problem(text) is None, text
    if canonical_ok:
        assert contract_ok
        assert Timestamp.parse(text).format() == text, text
    if date_time_problem(text) is None and second < 60 and len(fraction) <= 9:
        assert contract_ok, text  # the fast engine covers every ordinary valid timestamp


@pytest.mark.parametrize(
    ("rust_type", "prop", "good", "bad"),
    [
        ("i64", {"type": "integer", "minimum": 0, "maximum": 10}, 10, 11),
        ("i64", {"type": "integer", "minimum": 0.5}, None, None),  # fractional bound: not compiled
        ("String", {"type": "string", "minLength": 2, "maxLength": 3}, "abc", "a"),
        ("String", {"type": "string", "enum": ["A", "B"]}, "A", "C"),
        ("String", {"type": "string", "pattern": "^a"}, None, None),  # not reproduced
        ("String", {"type": "string", "format": "uri"}, None, None),
        ("serde_json::Value", {"type": ["object", "null"]}, {}, []),
        ("serde_json::Value", {"type": "number"}, None, None),
    ],
)
def test_field_checks_compile_only_what_they_reproduce(
    rust_type: str, prop: dict[str, object], good: object, bad: object
) -> None:
    from noetl_envelope.model.schema import FieldSpec

    spec = FieldSpec("f", rust_type, True, (), False, False, prop)
    names: dict[str, object] = {}
    condition = fastpath._field_condition(spec, "v", names, canonical=False)
    if good is None:
        assert condition is None
        return
    assert condition is not None
    assert eval(condition, names, {"v": good}) is True
    assert eval(condition, names, {"v": bad}) is False
