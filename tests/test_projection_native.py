"""The native engine's projection findings (rust/accel `Prover.project`) against the prediction.

`validate --project` words the `project.*` violations of a document the native engine read from
what it found projection may change (`predict.violations_from_changes`): number tokens numeric
may write back otherwise, objects whose keys JSONB stores in another order, timestamps to judge.
Wherever it answers, the answer must be exactly the prediction's (`projection_violations`, the
lexical tree and serde's binding): checked on issue 15's mix, the differential corpus, Python
producers' forms of them and values chosen at each rule's edges (exponents, negative zeros,
long fractions, keys of other byte lengths, leap seconds, sub-microsecond digits, U+0000). It
must also fire: the mix's valid lines are all answered.

Skipped only where the module is not built and CI is not set; under CI it must be there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from corpus import corpus
from harness import rust_emit
from native_module import require_native_module
from noetl_envelope.engines import select
from noetl_envelope.model.schema import field_specs
from noetl_envelope.projection.predict import projection_violations, violations_from_changes
from test_fastpath import BASE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_data import mixed_events

require_native_module()

# Number tokens at the edges of numeric's text: an exponent with and without digits after the
# point in numeric's text, negative zeros, a scale at and past numeric's limit, f64's limits.
NUMBERS = [
    "1e2",
    "1E2",
    "1.0e2",
    "1.5e1",
    "1.25e1",
    "12.50e1",
    "12.5e1",
    "0e5",
    "0.0e-1",
    "0.0e1",
    "-0.0",
    "-0.00",
    "-0.0e3",
    "-0.5e1",
    "1e-400",
    "1.5e-16383",
    "1e-16384",
    "1e-7",
    "1.5e-7",
    "100.0",
    "123456789012345678901234567890.5",
    "1234567890123456789012345678901234567890.25",
    "1e19",
    "1e20",
    "1.7976931348623157e308",
    "-1.7976931348623157e308",
    "5e-324",
    "2.2250738585072011e-308",
    "18446744073709551615",
    "-9223372036854775808",
    "0.1",
    "-2.7009898482205762e-14",
    "3.5e21",
]
# Objects at the edges of JSONB's key order (shorter first, then bytes; UTF-8 lengths).
OBJECTS = [
    '{"b":1,"a":2}',
    '{"aa":1,"b":2}',
    '{"b":1,"aa":2}',
    '{"":1,"a":2}',
    '{"a":1,"":2}',
    '{"\u00e9":1,"z":2}',
    '{"z":1,"\u00e9":2}',
    '{"ab":1,"\u00e9":2}',
    '{"a":{"ab":1,"b":2},"b":[{"d":1,"c":2}]}',
    '{"e":1,"dd":2,"ccc":3,"bbbb":4,"aaaaa":5}',
    '{"aaaaa":1,"bbbb":2,"ccc":3,"dd":4,"e":5}',
]
TIMESTAMPS = [
    "2026-03-01T12:00:00Z",
    "2026-03-01T12:00:00.123456Z",
    "2026-03-01T12:00:00.123456000Z",
    "2026-03-01T12:00:00.123456789Z",
    "2026-03-01T12:00:00.123456500Z",
    "2026-03-01T12:00:00.123457500Z",
    "2016-12-31T23:59:60Z",
    "2016-12-31T23:59:60.5Z",
    "2016-12-31T23:59:60.999999999Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
    "+10000-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z",
    "2026-03-01T12:00:00+02:00",
]


def _edges() -> list[bytes]:
    """BASE with each edge value in its context, its timestamp, a string field."""
    out = []
    for token in NUMBERS:
        out.append(BASE.replace(b'"context":{"a":1,', b'"context":{"a":' + token.encode() + b",", 1))
        out.append(BASE.replace(b'[0.5,{"c":"x"}]', b"[" + token.encode() + b',{"c":"x"}]', 1))
    for value in OBJECTS:
        out.append(BASE.replace(b'"context":{"a":1,', b'"context":{"a":' + value.encode() + b",", 1))
    for stamp in TIMESTAMPS:
        out.append(BASE.replace(b'"2026-03-01T12:00:00.123Z"', json.dumps(stamp).encode(), 1))
    out.append(BASE.replace(b'"c":"x"', b'"c":"x\\u0000"', 1))
    out.append(BASE.replace(b'"c":"x"', b'"c\\u0000":"x"', 1))
    out.append(BASE.replace(b'"step":"start"', b'"step":"st\\u0000art"', 1))
    return out


def _python_written(documents: list[bytes]) -> list[bytes]:
    """What a Python producer writes for the same documents: spaced, keys in another order."""
    out = []
    for document in documents:
        try:
            event = json.loads(document)
        except ValueError:
            continue
        if isinstance(event, dict):
            out.append(json.dumps(dict(reversed(event.items()))).encode())
    return out


def _compare(documents: list[bytes]) -> tuple[int, list[tuple[bytes, list[str], list[str]]]]:
    """How many of `documents` the native findings answer, and each answer not the prediction's."""
    engine = select("fast")
    answered = 0
    wrong = []
    for document in documents:
        changes = engine.projection(document)
        found = None if changes is None else violations_from_changes(document, changes)
        if found is None:
            continue
        answered += 1
        expected = projection_violations(document)
        if found != expected:
            wrong.append((document[:200], [str(v) for v in found], [str(v) for v in expected]))
    return answered, wrong


def test_native_projection_findings_are_the_predictions_own(harness: Path) -> None:
    mix = mixed_events(2000, seed=41, harness=harness)
    emitted = rust_emit(200, seed=42)
    documents = mix + corpus(emitted, mutation_count=1500) + _edges()
    documents += _python_written(documents[:1000] + _edges())
    answered, wrong = _compare(documents)
    assert not wrong, wrong[:3]
    assert answered > len(documents) // 2, (answered, len(documents))


def test_every_edge_is_answered_or_left_to_the_prediction_and_the_mix_is_answered(harness: Path) -> None:
    # The edges are where the native rule and the prediction could part: each one is answered
    # exactly, or (U+0000, a fault) left to the prediction. The mix's valid lines are answered.
    edges = _edges()
    answered, wrong = _compare(edges)
    assert not wrong, wrong[:3]
    assert answered >= len(edges) - 8, answered  # U+0000 thrice, and what the fields refuse
    mix = mixed_events(1000, seed=43, harness=harness)
    engine = select("fast")
    valid = [line for line in mix if engine.proves_valid(line, "contract")]
    known = sum(engine.projection(line) is not None for line in valid)
    assert known == len(valid) > 800, (known, len(valid))


def test_a_change_outside_the_columns_it_knows_is_left_to_the_prediction() -> None:
    # `violations_from_changes` answers None when a finding names a field no JSONB column holds.
    wire = next(spec.wire for spec in field_specs() if spec.inner_rust_type == "String")
    assert violations_from_changes(BASE, ([((wire,), "number", ["1e2"], 1)], [])) is None
    assert violations_from_changes(BASE, ([], [("no such field", 0, 1)])) is None
    assert violations_from_changes(BASE, ([], [])) == []
