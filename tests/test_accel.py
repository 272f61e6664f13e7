"""The native accelerator (rust/accel, `noetl_envelope_accel`) against the reference engine.

`prove(data, profile)` may answer True only where the reference engine finds nothing under
`profile`, and `check(data, profile)` may name float tokens only where the reference engine
reports exactly their `canonical.float-roundtrip` warnings and nothing else: checked on the
whole differential corpus (systematic cases, Rust-emitted events, byte mutations), the
fixtures, `emit --contract` events, realistic benchmark events (valid and with two
violations), issue 15's benchmark mix (random f64 bit patterns, broken lines), Python `sample`
events and the fast engine's near misses, all three profiles. It must also fire: canonical
Rust-emitted and sampled events are proved almost always, the mix's misread floats are
answered natively. The fast engine with and without it (NOETL_ENVELOPE_ACCEL=0) gives the
same answers.

Skipped only where the module is not built and CI is not set; under CI it must be there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus import corpus
from envelope import bundled_samples, complete
from harness import rust_emit
from native_module import require_native_module
from noetl_envelope.api import encode
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import check, select
from noetl_envelope.engines import fast as fastpath
from noetl_envelope.engines import native as accel
from noetl_envelope.engines.reference import run
from noetl_envelope.fixturegen.samples import events as sample_events
from noetl_envelope.model.schema import field_specs
from noetl_envelope.pipeline import Checks, checker_for, conform_violations
from noetl_envelope.wire.numbers import f64_bits, parse_number
from test_fastpath import BASE, near_misses

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_data import (
    BREAKAGES,
    broken,
    mixed_events,
    python_lines,
    realistic_events,
    rust_emitted,
    with_two_violations,
)

ROOT = Path(__file__).resolve().parents[1]

require_native_module()

Prove = Callable[[bytes, str], bool]


@pytest.fixture(scope="module")
def prove() -> Prove:
    spec = fastpath.accel_spec()
    assert spec is not None, "the canonical schema uses only what the accelerator checks"
    import orjson

    found = accel.load(orjson.dumps(spec).decode())
    assert found is not None
    return found.prove


@pytest.fixture(scope="module")
def contract_events(harness: Path) -> list[bytes]:
    return subprocess.run(
        [str(harness), "emit", "--contract", "--count", "2000", "--seed", "5"], capture_output=True, check=True
    ).stdout.split(b"\n")[:-1]


@pytest.fixture(scope="module")
def sampled() -> list[bytes]:
    return [encode(event) for event in sample_events(1000, 13)]


@pytest.fixture(scope="module")
def documents(harness: Path, contract_events: list[bytes], sampled: list[bytes]) -> list[bytes]:
    realistic = realistic_events(500, seed=4, harness=harness)
    docs = corpus(rust_emit(1500, seed=12))
    docs += [path.read_bytes() for path in sorted((ROOT / "fixtures").rglob("*.json"))]
    docs += bundled_samples()
    docs += contract_events[:1000] + sampled[:500] + realistic
    docs += [with_two_violations(line) for line in realistic[:100]]
    docs += [doc + b"\n" for doc in realistic[:50]] + near_misses()
    return docs


def test_proved_documents_are_valid_for_the_reference(prove: Prove, documents: list[bytes]) -> None:
    wrong = []
    proved = dict.fromkeys(PROFILES, 0)
    for profile in PROFILES:
        for doc in documents:
            if not prove(doc, profile):
                continue
            proved[profile] += 1
            reference = run(doc, profile).violations
            if reference:
                wrong.append((profile, doc[:160], [str(v) for v in reference[:2]]))
    assert not wrong, f"{len(wrong)} documents proved valid that the reference rejects, first: {wrong[:3]}"
    # The proof must actually be exercised, or this test shows nothing.
    assert min(proved.values()) > 2500, proved


def test_native_verdicts_are_exactly_the_reference_violations(harness: Path, documents: list[bytes]) -> None:
    native = fastpath.native_checker()
    assert native is not None
    mixed = mixed_events(3000, seed=8, harness=harness)
    wrong = []
    answered: dict[tuple[str, str], int] = {}
    for profile in PROFILES:
        for doc in mixed + documents[::3]:
            verdict = native(doc, profile)
            if verdict is None or not any(verdict[:5]):
                continue  # don't know, or proved valid (the test above)
            found = fastpath._native_violations(doc, profile, verdict)
            if found is None:
                continue  # declined: the reference engine decides
            reference = run(doc, profile).violations
            if found != reference:
                wrong.append((profile, doc[:160], verdict, [str(v) for v in reference[:2]]))
            kind = "errors" if any(v.severity == "error" for v in reference) else "warnings"
            answered[profile, kind] = answered.get((profile, kind), 0) + 1
    assert not wrong, f"{len(wrong)} documents judged wrongly, first: {wrong[:3]}"
    # The mix carries misread floats in about 7% of its lines and broken lines in 1%: the
    # native answer must cover both (serde takes undeclared fields and any status: no error).
    assert min(answered.get((profile, "warnings"), 0) for profile in PROFILES) > 150, answered
    assert min(answered.get((profile, "errors"), 0) for profile in ("contract", "canonical")) > 20, answered


def test_every_misread_named_is_a_reference_warning(harness: Path) -> None:
    native = fastpath.native_checker()
    assert native is not None
    for doc in mixed_events(1000, seed=9, harness=harness):
        verdict = native(doc, "contract")
        if verdict is None or not verdict[0] or any(verdict[1:5]):
            continue
        reference = run(doc, "contract").violations
        assert [v.rule for v in reference] == ["canonical.float-roundtrip"] * len(verdict[0]), doc[:200]
        assert [v.path for v in reference] == [path for path, _, _ in verdict[0]], doc[:200]
        # the double the accelerator says serde_json read is the codec's model of that parser
        assert [f64_bits(read) for _, _, read in verdict[0]] == [
            f64_bits(float(parse_number(token))) for _, token, _ in verdict[0]
        ], doc[:200]


def test_near_misses_are_declined_where_the_reference_objects(prove: Prove) -> None:
    # Spot checks of the obligations byte equality does not cover by itself (a null Option is
    # contract-valid but not canonical: declined, and the Python engines decide).
    assert prove(BASE, "canonical")
    declined = [
        BASE.replace(b'{"a":1,', b'{"a":1,"a":1,'),  # duplicate key: serde's Value keeps the last
        BASE.replace(b'"status":"STARTED"', b'"status":"DONE"'),  # enum
        BASE.replace(b'"event_type":"step.enter"', b'"event_type":""'),  # minLength
        BASE.replace(b"12:00:00", b"23:58:60"),  # leap second off 23:59: chrono accepts, RFC 3339 not
        BASE.replace(b"2026-03-01", b"+10000-03-01"),  # five-digit year
        BASE.replace(b'"context"', b'"payload"'),  # serde's alias
        BASE.replace(b'"worker_id":"w"', b'"worker_id":null'),
        BASE.replace(b'"meta":{"retry":0}', b'"meta":[0]'),
        BASE[:-1] + b',"extra":1}',
        BASE.replace(b'"a":1', b'"a":' + b"[" * 126 + b"]" * 126),  # 128 levels
    ]
    for doc in declined:
        assert run(doc, "canonical").violations, doc  # the strictest profile objects to each
        assert not any(prove(doc, profile) for profile in PROFILES), doc
    at_limit = BASE.replace(b'"a":1', b'"a":' + b"[" * 125 + b"]" * 125)  # 127 levels
    assert prove(at_limit, "canonical") and run(at_limit, "canonical").violations == []
    leap = BASE.replace(b"12:00:00", b"23:59:60")
    assert prove(leap, "contract") and run(leap, "contract").violations == []
    with pytest.raises(ValueError):
        prove(BASE, "strict")


def test_canonical_events_are_proved(prove: Prove, contract_events: list[bytes], sampled: list[bytes]) -> None:
    for name, docs in (("emit --contract", contract_events), ("sample", sampled)):
        for profile in PROFILES:
            rate = sum(prove(doc, profile) for doc in docs) / len(docs)
            assert rate >= 0.95, f"{name} under {profile}: only {rate:.1%} proved"


def test_engine_uses_it_and_can_be_switched_off(documents: list[bytes]) -> None:
    assert select("fast").native  # built and enabled here: the fast engine calls it
    assert not select("fast", native=False).native  # an option turns it off ...
    script = "from noetl_envelope.engines import select; print(select('fast').native)"  # ... and so does
    env = {**os.environ, "NOETL_ENVELOPE_ACCEL": "0"}  # the switch, read when an engine is made
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True, text=True)
    assert out.stdout.strip() == "False"
    importing = "import noetl_envelope.engines, sys; print('noetl_envelope_accel' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", importing], capture_output=True, check=True, text=True)
    assert out.stdout.strip() == "False"  # chosen when asked for, not at import time
    # With the accelerator on and off the fast engine answers exactly what the reference answers.
    engines = (select("fast", native=True), select("fast", native=False))
    wrong = []
    for profile in PROFILES:
        for doc in documents[::7]:
            reference = run(doc, profile).violations
            answers = [check(doc, profile, "fast")] + [engine.violations(doc, profile) for engine in engines]
            if any(answer != reference for answer in answers):
                wrong.append((profile, doc[:160]))
    assert not wrong, wrong[:3]


# serde_json's default parser reads this shortest-form double as its neighbour ...978e-163.
MISREAD = "2.7715077941825975e-163"


def _large_contexts() -> list[bytes]:
    """`context` values far beyond the accelerator's output window and its direct-string size:
    many members, long strings (escapes where serde_json writes them, raw UTF-8), misread floats
    early and late, and some that differ from serde_json's bytes only late or only by the case of
    a hex escape (which only a comparison of the bytes can find)."""
    members = b",".join(b'"k%06d":%s' % (i, b"0.5" if i % 3 else b'"v"') for i in range(20_000))
    long = ("é" * 5000).encode() + b'\\n\\u001f\\"' + b"a" * 9000
    misread = MISREAD.encode()
    return [
        b"{" + members + b"}",
        b'{"a":' + misread + b"," + members + b',"zz":[' + misread + b"]}",
        b'{"a":"' + long + b'","b":' + misread + b"}",
        b'{"a":"' + long.replace(b"\\u001f", b"\\u001F") + b'"}',
        b"{" + members + b',"zz": 1}',
        b'{"' + long + b'":1}',
        b'{"a":"' + long + b'\\/"}',
    ]


def test_large_documents_are_judged_exactly_as_the_reference_engine_judges_them() -> None:
    engine = select("fast", native=True)
    assert getattr(engine, "native", False)
    plain = next(s.wire for s in field_specs() if s.rust.name == "String" and not s.schema.get("enum"))
    status = next(s.wire for s in field_specs() if s.schema.get("enum"))
    wrong: list[tuple[str, bytes]] = []
    native_answers = dict.fromkeys(PROFILES, 0)
    native = fastpath.native_checker()
    assert native is not None
    for context in _large_contexts():
        base = complete(
            b'{"execution_id":1,"event_type":"step.exit","step":"s","status":"COMPLETED",'
            b'"created_at":"2026-01-01T00:00:00Z","context":' + context + b"}"
        )
        variants = [
            base,
            base[:-1] + b',"zzz_undeclared":1}',
            base.replace(b'"' + status.encode() + b'":"COMPLETED"', b'"' + status.encode() + b'":"completed"', 1),
            base.replace(b'"' + plain.encode() + b'":"s"', b'"' + plain.encode() + b'":"' + b"q" * 9000 + b'"', 1),
        ]
        for doc in variants:
            for profile in PROFILES:
                native_answers[profile] += native(doc, profile) is not None
                if engine.violations(doc, profile) != run(doc, profile).violations:
                    wrong.append((profile, doc[:120]))
    assert not wrong, wrong[:3]
    # The native engine answers every variant of the four contexts serde_json writes so, and read
    # relaxed (serde, contract) those of the other three too: its path is exercised, not only the
    # reference's.
    assert native_answers == {"serde": 7 * 4, "contract": 7 * 4, "canonical": 4 * 4}, native_answers


def _judged_natively(documents: list[bytes]) -> tuple[dict[str, int], list[tuple[str, bytes, list[str], list[str]]]]:
    """For each profile, how many of `documents` the fast engine answers with the native module
    (Python words its verdict without the reference engine), and every answer that is not the
    reference engine's."""
    native = fastpath.native_checker()
    assert native is not None
    answered = dict.fromkeys(PROFILES, 0)
    wrong = []
    for doc in documents:
        for profile in PROFILES:
            found = fastpath.violations(doc, profile, native)
            if found is None:
                continue
            answered[profile] += 1
            reference = run(doc, profile).violations
            if found != reference:
                wrong.append((profile, doc[:160], [str(v) for v in found], [str(v) for v in reference]))
    return answered, wrong


def test_python_written_forms_are_judged_natively_and_exactly(harness: Path) -> None:
    # What a Python producer writes for the same events: keys in its own order, indented or spaced,
    # non-ASCII escaped or not. serde and contract read them relaxed; canonical refuses the form.
    import random

    rng = random.Random(15)
    documents = []
    for line in mixed_events(1500, seed=15, harness=harness):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        members = list(event.items())
        rng.shuffle(members)
        if isinstance(event.get("context"), dict):
            inner = list(event["context"].items())
            rng.shuffle(inner)
            members = [(k, dict(inner) if k == "context" else v) for k, v in members]
        documents.append(
            json.dumps(dict(members), indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5).encode()
        )
    answered, wrong = _judged_natively(documents)
    assert not wrong, wrong[:3]
    assert answered["serde"] > 1000 and answered["contract"] > 1000, answered


def test_float_ids_and_absent_fields_are_judged_natively_and_exactly() -> None:
    # An integer written as a float (a producer's f64 id) is the commonest wrong type in real
    # dumps; the native engine names the field and Python words it from the token alone.
    # Regressions: the message shows the double serde_json reads (9007199254740993.0 is read
    # as ...994.0, correctly rounded ...992.0), and -0.0 is not worded from a cached 0.0.
    execution, event = b'"execution_id":280640865532228085', b'"event_id":280640865532228086'
    tokens = [b"0.0", b"-0.0", b"1.0", b"2.8047545963851523e+17", b"9007199254740993.0", b"-1.5", b"9.3e+18", b"1E2"]
    documents = [BASE.replace(execution, b'"execution_id":' + token) for token in tokens]
    documents += [BASE.replace(event, b'"event_id":' + token) for token in tokens]
    documents.append(BASE.replace(execution, b'"execution_id":2.0').replace(event, b'"event_id":-0.0'))
    documents.append(BASE.replace(execution, b'"execution_id":2.0,"trace_id":1'))
    documents.append(BASE.replace(execution + b",", b"").replace(b'"meta"', b'"execution_id":1.0,"meta"'))
    # serde words an absent field too, in declaration order among the refused floats.
    documents.append(BASE.replace(b'"step":"start",', b"").replace(event, b'"event_id":3.0'))
    documents.append(BASE.replace(b'"step":"start",', b'"node":"start",'))
    answered, wrong = _judged_natively(documents)
    assert not wrong, wrong[:3]
    assert answered["serde"] == len(documents) and answered["contract"] == len(documents), answered
    # canonical compares bytes only for a contract-valid document: a float id's `e+17` or `1E2`
    # (serde_json writes neither) leaves the verdict the contract one.
    assert answered == dict.fromkeys(PROFILES, len(documents)), answered


def test_conform_words_the_ordinary_broken_lines_from_the_native_verdict(
    harness: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # conform's findings for the broken lines of real dumps (a float id, an undeclared or renamed
    # field, a status outside the enum, two violations; misread floats beside them) come from
    # the native verdict, exactly as conform's own stages find them, which never run.
    events = rust_emitted(python_lines(300, 16, random_floats=0.75), harness)  # as the mix's
    documents = [broken(line, how) for line in events for how in BREAKAGES]
    documents += [with_two_violations(line) for line in events]
    execution = b'"execution_id":280640865532228085'
    documents += [BASE.replace(execution, b'"execution_id":' + token) for token in (b"1.5", b"2.8047545963851523e+17")]
    # (A float id as Python writes it, e+17, is not serde_json's form: declined under canonical.)
    expected = _conform_from_native_verdicts(documents, monkeypatch)
    floats = sum(v.rule == "drift.float-roundtrip" for found in expected for v in found)
    assert floats > 10 and {v.rule for found in expected for v in found} >= {
        "drift.number-form",
        "drift.unknown-field",
        "drift.missing-field",
        "drift.type-change",
        "schema.enum",
    }, floats


def _aliased(documents: list[bytes]) -> list[bytes]:
    """Each document with each declared field written under each of its serde aliases (the first
    `"wire":` is the top-level key: the fields before the aliased ones are scalars)."""
    aliased = []
    for spec in field_specs():
        for alias in spec.aliases:
            wire, written = f'"{spec.wire}":'.encode(), f'"{alias}":'.encode()
            aliased += [doc.replace(wire, written, 1) for doc in documents if wire in doc]
    return aliased


def test_fields_under_serde_aliases_are_judged_natively_and_exactly(
    harness: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A producer still writing the old name of a field (the worker's `payload` for `context`):
    # serde binds it, the contract reports it, conform names the drift. The native engine reads
    # past it, beside misread floats, undeclared, missing and failing fields, under every
    # profile; relaxed (serde, contract) in a Python producer's form too.
    if not any(spec.aliases for spec in field_specs()):
        pytest.skip("the schema declares no serde alias")
    events = rust_emitted(python_lines(400, 17, random_floats=0.75), harness)
    documents = _aliased(events + [broken(line, how) for line in events[:100] for how in BREAKAGES])
    documents += _aliased([with_two_violations(line) for line in events[:100]])
    python_written = [json.dumps(json.loads(doc), indent=2).encode() for doc in documents[:200]]
    both = [
        doc[:-1] + b',"' + alias.encode() + b'":{}}'
        for doc in events[:20]
        for spec in field_specs()
        for alias in spec.aliases
    ]
    answered, wrong = _judged_natively(documents + python_written + both)
    assert not wrong, wrong[:3]
    assert min(answered.values()) >= len(documents), (answered, len(documents))
    assert answered["contract"] >= len(documents) + len(python_written), answered
    # conform words them from the native verdict alone.
    expected = _conform_from_native_verdicts(documents, monkeypatch)
    assert all(any(v.rule == "drift.alias-used" for v in found) for found in expected)


# Timestamps as other producers write them (Python's isoformat, other offsets and fractions) and
# as chrono or RFC 3339 refuse them; the first ones are what a Python producer's dump holds.
_OTHER_TIMESTAMPS = (
    "2026-03-01T12:00:00.123456+00:00",
    "2026-03-01T12:00:00+00:00",
    "2026-03-01T14:00:00+02:00",
    "2026-03-01T06:30:00.5-05:30",
    "2026-03-01T12:00:00.12Z",
    "2026-03-01T12:00:00.1234Z",
    "2026-03-01T12:00:00.1234567891Z",
    "2026-03-01t12:00:00z",
    "2026-03-01 12:00:00Z",
    "2026-02-30T12:00:00Z",
    "2026-03-01T24:00:00Z",
    "2026-03-01T12:00:00",
    "2026-03-01T12:00:60Z",
    "+10000-03-01T12:00:00Z",
    "2026-03-01",
    "not a date",
    "",
)


def test_timestamps_in_other_forms_are_judged_natively_and_exactly(
    harness: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A timestamp serde reads or refuses, the contract accepts or not, in another form than
    # chrono's: the native engine names the field and reads on (beside misread floats, aliases,
    # undeclared and failing fields); Python judges the token as serde, the contract and conform see it.
    import re

    wire = next((spec.wire for spec in field_specs() if spec.inner.timestamp and not spec.optional), None)
    if wire is None:
        pytest.skip("the schema declares no required timestamp")
    stamp = re.compile(b'"' + wire.encode() + b'":"[^"]*"')
    events = rust_emitted(python_lines(400, 18, random_floats=0.75), harness)
    bases = events + [broken(line, how) for line in events[:100] for how in BREAKAGES] + _aliased(events[:100])
    documents = []
    for index, line in enumerate(bases):
        member = b'"' + wire.encode() + b'":' + json.dumps(_OTHER_TIMESTAMPS[index % len(_OTHER_TIMESTAMPS)]).encode()
        documents.append(stamp.sub(lambda _, member=member: member, line, 1))
    python_written = [json.dumps(json.loads(doc), indent=1).encode() for doc in documents[:100]]
    answered, wrong = _judged_natively(documents + python_written)
    assert not wrong, wrong[:3]
    assert min(answered.values()) >= len(documents), answered
    # Both kinds: contract errors, and contract-valid timestamps where only the bytes differ.
    valid = sum(not any(v.severity == "error" for v in run(doc, "contract").violations) for doc in documents)
    assert len(documents) // 10 < valid < len(documents) // 2, valid
    expected = _conform_from_native_verdicts(documents, monkeypatch)
    # (chrono's own form that RFC 3339 refuses, a leap second off 23:59, is only the schema's)
    assert sum(any(v.rule == "drift.timestamp-form" for v in found) for found in expected) > 0.8 * len(expected)


def _conform_from_native_verdicts(documents: list[bytes], monkeypatch: pytest.MonkeyPatch) -> list[list[Violation]]:
    """conform's findings for each document, by its own stages; checks that the native verdict
    (canonical reading) gives exactly them for at least 90% of the documents, conform's stages
    never running."""
    expected = [conform_violations(doc) for doc in documents]
    native = fastpath.native_checker()
    assert native is not None
    checker = checker_for(Checks(profile="canonical", drift=True))

    def refused(data: bytes) -> list[object]:
        raise AssertionError(f"conform's own stages ran on {data[:120]!r}")

    with monkeypatch.context() as patched:
        patched.setattr("noetl_envelope.pipeline.conform_violations", refused)
        listed = 0
        for doc, reference in zip(documents, expected, strict=True):
            verdict = native(doc, "canonical")
            if verdict is not None:
                assert checker.listed(doc, verdict) == reference, doc[:160]
                listed += 1
    assert listed > 0.9 * len(documents), (listed, len(documents))
    return expected


def _with_value(document: bytes, wire: str, value: str) -> bytes:
    """`document` with the top-level member `wire`'s value written as `value` (unchanged when it
    has no such member): the first `"wire":` is the top-level key, as in `_aliased`."""
    text = document.decode("utf-8")
    at = text.find(f'"{wire}":')
    if at < 0:
        return document
    start = at + len(wire) + 3
    _, end = json.JSONDecoder().raw_decode(text, start)
    return (text[:start] + value + text[end:]).encode("utf-8")


def test_other_json_types_and_nulls_in_fields_are_judged_natively_and_exactly(
    harness: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An id written as a string (a JavaScript producer), a name as a number, an epoch for a
    # timestamp, a flag for a status: serde and the schema refuse each, conform calls it a type
    # change; the native engine names the field and reads on.
    # And null in every field: None in an Option (which serde leaves out on output: a Python
    # producer's dataclass or pydantic dump), serde's error elsewhere.
    wrong = {"i64": ['"280640865532228085"', "true", '""', "null"], "String": ["17", "-2.5", "false", "null"]}
    wrong["DateTime<Utc>"] = ["1704067200", "1704067200.5", "true", "null"]
    wrong["serde_json::Value"] = ["null", "17", '"x"', "true"]
    events = rust_emitted(python_lines(400, 19, random_floats=0.75), harness)
    bases = events + [broken(line, how) for line in events[:60] for how in BREAKAGES] + _aliased(events[:60])
    documents = []
    specs = [spec for spec in field_specs() if spec.inner_rust_type in wrong]
    for index, line in enumerate(bases):
        spec = specs[index % len(specs)]
        values = wrong[spec.inner_rust_type]
        documents.append(_with_value(line, spec.wire, values[index // len(specs) % len(values)]))
    documents = [doc for doc, line in zip(documents, bases, strict=True) if doc != line]
    python_written = [json.dumps(json.loads(doc), indent=1).encode() for doc in documents[:100]]
    answered, wrong_answers = _judged_natively(documents + python_written)
    assert not wrong_answers, wrong_answers[:3]
    assert min(answered.values()) >= len(documents) > 300, (answered, len(documents))
    expected = _conform_from_native_verdicts(documents, monkeypatch)
    assert sum(any(v.rule == "drift.type-change" for v in found) for found in expected) > 0.5 * len(expected)


def _without_member(document: bytes, wire: str) -> bytes:
    """`document` without its top-level member `wire` (unchanged when it has none): the first
    `"wire":` is the top-level key, as in `_with_value`."""
    text = document.decode("utf-8")
    at = text.find(f'"{wire}":')
    if at < 0:
        return document
    _, end = json.JSONDecoder().raw_decode(text, at + len(wire) + 3)
    if text[end : end + 1] == ",":
        return (text[:at] + text[end + 1 :]).encode("utf-8")
    return (text[: at - 1] + text[end:]).encode("utf-8")  # the last member: its comma goes too


def test_a_null_option_anywhere_is_judged_natively_and_exactly(harness: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Python producer's None written as null where its own field order puts it: first, last,
    # after a field declared later. serde leaves the member out on output wherever it stands, so
    # the native canonical reading reads past it instead of declining for the order (a 20 MB
    # document otherwise went to the reference engine's tree: tests/test_memory_bounds.py).
    optional = [spec.wire for spec in field_specs() if spec.optional and spec.skip_if_none]
    if not optional:
        pytest.skip("the schema has no Option field serde skips")
    events = rust_emitted(python_lines(300, 21, random_floats=0.75), harness)
    bases = events + [broken(line, how) for line in events[:60] for how in BREAKAGES]
    documents = []
    for index, line in enumerate(bases):
        wire = optional[index % len(optional)]
        rest = _without_member(line, wire)
        if rest[:1] != b"{" or rest == b"{}":
            continue
        member = b'"' + wire.encode() + b'":null'
        documents += [b"{" + member + b"," + rest[1:], rest[:-1] + b"," + member + b"}"]
    answered, wrong = _judged_natively(documents)
    assert not wrong, wrong[:3]
    assert min(answered.values()) >= len(documents) > 500, (answered, len(documents))
    expected = _conform_from_native_verdicts(documents, monkeypatch)
    assert sum(any(v.rule == "drift.null-instead-of-absent" for v in found) for found in expected) > 0.5 * len(expected)


def test_a_memoized_verdict_is_the_reference_one_wherever_the_same_mistakes_sit() -> None:
    """The schema-only verdict is memoized on the failing fields' names and tokens: the same
    wrong values at other offsets (a longer id before them), with an unknown member or a
    missing field beside, are judged from the cache, each exactly as the reference engine
    judges it, and a caller changing the list it got does not change the next answer."""
    execution = b'"execution_id":280640865532228085'
    wrong = BASE.replace(b'"step":"start"', b'"step":""')
    variants = [
        wrong,
        wrong.replace(execution, b'"execution_id":1'),  # the same tokens, earlier in the bytes
        wrong.replace(execution, execution + b',"extra":[1]'),
        wrong.replace(execution + b",", b""),
        wrong.replace(b'"STARTED"', b'"DONE"'),
        wrong.replace(b'"STARTED"', b'"done"'),  # the same field, another token: another verdict
    ]
    native = fastpath.native_checker()
    assert native is not None
    for doc in variants * 2:  # the second time round from the cache
        for profile in ("contract", "canonical"):
            found = fastpath.violations(doc, profile, native)
            assert found is not None, (profile, doc)
            assert found == run(doc, profile).violations, (profile, doc)
            found.clear()
