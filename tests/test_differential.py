"""Differential tests against the Rust reference harness: serde verdicts and canonical bytes agree.

Every document of the corpus goes through `envelope-harness check` (serde_json 1.0.150, chrono
0.4.44, the seed struct) and through our profiles; any disagreement fails with the document.
Disagreements found while building this stay as named cases in `test_regressions.py`.
`validate` uses the fast engine: the tests that call it run with the native accelerator on and off.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from corpus import corpus, mutations
from envelope import complete, complete_seq_prefix
from harness import RustVerdict, rust_check, rust_emit, volume
from noetl_envelope import decode, encode, validate
from noetl_envelope.engines.reference import run
from noetl_envelope.report.base import is_valid

pytestmark = pytest.mark.rust


@pytest.fixture(scope="module")
def judged(harness: object) -> list[tuple[bytes, RustVerdict]]:
    docs = corpus(rust_emit(1500, seed=11))
    assert len(docs) >= 5000
    return list(zip(docs, rust_check(docs), strict=True))


def test_serde_profile_verdicts_match_serde_json(judged: list[tuple[bytes, RustVerdict]], accelerator: str) -> None:
    disagreements = []
    for doc, rust in judged:
        ours = validate(doc, profile="serde")
        if is_valid(ours) != rust.accepted:
            disagreements.append((doc[:200], rust.error, [str(v) for v in ours][:2]))
    assert not disagreements, f"{len(disagreements)} disagreements, first: {disagreements[:5]}"


def test_encode_decode_matches_serde_json_bytes(judged: list[tuple[bytes, RustVerdict]]) -> None:
    mismatches = []
    accepted = 0
    for doc, rust in judged:
        if not rust.accepted:
            continue
        accepted += 1
        ours = encode(decode(doc, profile="serde"), check=False)
        if ours != rust.output:
            mismatches.append((doc[:200], rust.output, ours))
    assert accepted > 1500
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:3]}"


def test_profiles_nest_canonical_in_contract_in_serde(
    judged: list[tuple[bytes, RustVerdict]], accelerator: str
) -> None:
    counts = {"serde": 0, "contract": 0, "canonical": 0}
    for doc, rust in judged:
        serde_ok = is_valid(validate(doc, profile="serde"))
        contract = [v for v in run(doc, "contract").violations if v.severity == "error"]
        canonical = validate(doc, profile="canonical")
        canonical_ok = is_valid(canonical)
        counts["serde"] += serde_ok
        counts["contract"] += not contract
        counts["canonical"] += canonical_ok
        assert serde_ok == rust.accepted
        if not contract:
            assert serde_ok, doc
        if canonical_ok:
            assert not contract, doc
            # canonical documents are serde_json's output for themselves, unless serde_json reads
            # a float back as its neighbour (the warning says so)
            assert (rust.output == doc.rstrip(b"\n")) == (not canonical), doc
        # the guard is a safety net: every serde rejection is explained by a specific rule
        assert all(v.rule != "contract.serde-rejected" for v in contract), (doc[:200], contract)
    assert counts["canonical"] > 500
    assert counts["serde"] > counts["contract"] > counts["canonical"]


# --- the 100,000-document differential fuzz of the conformance run -------------------------------
#
# Seeded documents, mostly byte-level mutations of what the harness writes (raw floats included),
# and a tenth built at the sizes where the Python side once crashed or diverged: nesting 100 to
# 1,100 levels, numbers and signed years of 4,000 to 10,000 digits, long escape runs. All of them go
# through `envelope-harness check` in one process and through every command a user runs on them,
# each over the whole file: validate under the three profiles, validate --project, conform.

FUZZ_COUNT = volume(100_000)
FUZZ_SEED = 1313
_TS = b'"2024-05-01T12:00:00Z"'
_ESCAPES = [b"\\u00e9", b"\\n", b"\\t", b'\\"', b"\\\\", b"\\/", b"\\ud83d\\ude00", b"\\u0000", b"\\u2028", b"\\b"]


def _long_digits(rng: random.Random) -> bytes:
    n = rng.randint(4000, 10_000)
    return str(rng.randint(1, 9)).encode() + bytes(rng.choice(b"0123456789") for _ in range(n - 1))


def _long_number(rng: random.Random) -> bytes:
    digits = _long_digits(rng)
    return rng.choice(
        [
            digits,
            b"-" + digits,
            b"0." + digits,
            digits + b".5",
            b"1e-" + digits,
            b"1e" + digits,
            b"0e" + digits,
            b"0." + b"0" * len(digits) + b"1",
            digits[:20] + b"." + digits[20:] + b"e-" + digits[:3],
        ]
    )


def _long_year(rng: random.Random) -> bytes:
    digits = _long_digits(rng)
    zeros = b"0" * len(digits)
    year = rng.choice([b"+" + zeros + b"2026", b"-" + zeros + b"1", b"+" + digits, b"-" + digits, digits, b"+" + zeros])
    return b'"' + year + b"-01-01T00:00:00" + rng.choice([b"Z", b".5Z", b"+05:30", b""]) + b'"'


def _deep(rng: random.Random) -> bytes:
    depth = rng.randint(100, 1100)
    opens = [rng.choice([b"[", b'{"a":']) for _ in range(depth)]
    closes = [b"]" if o == b"[" else b"}" for o in reversed(opens)]
    if rng.random() < 0.1:  # unbalanced
        closes = closes[: rng.randrange(len(closes))]
    return b"".join(opens) + rng.choice([b"1", b"[]", b'"x"', b"1.5e300"]) + b"".join(closes)


def _escape_run(rng: random.Random) -> bytes:
    run = rng.choice(_ESCAPES) if rng.random() < 0.7 else b"".join(rng.choice(_ESCAPES) for _ in range(50))
    tail = rng.choice([b"", b"\\ud800", b"\xc3", b"\\u12"]) if rng.random() < 0.2 else b""
    return b'"' + run * (rng.randint(1000, 20_000) // len(run)) + tail + b'"'


def _built(rng: random.Random) -> bytes:
    """One document at the sizes of the crash classes, placed in a random field or member."""
    maker = rng.choice([_deep, _long_number, _long_year, _escape_run])
    value = maker(rng)
    members = dict(
        [
            (b'"execution_id"', b"1"),
            (b'"event_type"', b'"step.enter"'),
            (b'"step"', b'"s"'),
            (b'"status"', b'"STARTED"'),
            (b'"created_at"', _TS),
            (b'"context"', b'{"a":1}'),
        ]
    )
    if maker is _long_year:
        members[b'"created_at"'] = value
    else:
        where = rng.choice([b'"context"', b'"meta"', b'"u"', b'"execution_id"', b'"event_id"', b'"step"', b"key"])
        if where == b"key":
            members[b'"context"'] = b"{" + (value if maker is _escape_run else b'"k"') + b":" + value + b"}"
        elif where == b'"context"':
            members[where] = b'{"v":' + value + b"}" if rng.random() < 0.5 else value
        else:
            members[where] = value
    body = b",".join(k + b":" + v for k, v in members.items())
    if rng.random() < 0.05:  # serde's sequence form
        return b"[" + b",".join(complete_seq_prefix(list(members.values()))) + b"]"
    return complete(b"{" + body + b"}")


def fuzz_documents(count: int, seed: int) -> list[bytes]:
    """`count` documents, none holding a newline byte (they travel as NDJSON lines) or empty."""
    rng = random.Random(seed)
    bases = corpus(rust_emit(2000, seed=seed) + rust_emit(1000, seed=seed, raw_floats=True), mutation_count=0)
    docs: list[bytes] = []
    mutated = mutations(seed, count, bases)
    while len(docs) < count:
        roll = rng.random()
        doc = _built(rng) if roll < 0.1 else rng.choice(bases) if roll < 0.2 else next(mutated)
        doc = doc.replace(b"\n", b" ")
        if doc.strip(b" \t\r"):
            docs.append(doc)
    return docs


def _records(command: list[str], path: Path, count: int) -> list[dict[str, Any]]:
    """Each document's json record from one run of `command` over the whole file."""
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", *command, "-j", "0", "--format", "json", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode in (0, 1), (command, proc.returncode, proc.stderr[-3000:])
    assert not any(s in proc.stderr for s in ("Traceback", "internal error", "please report")), proc.stderr[-3000:]
    lines = proc.stdout.splitlines()  # json.dumps escapes U+2028: the report's lines are its records
    records = [json.loads(line) for line in lines[:-1]]
    assert json.loads(lines[-1])["summary"]["documents"] == count, (command, lines[-1])
    assert [r["line"] for r in records] == list(range(1, count + 1)), command
    return records


@pytest.mark.slow
def test_fuzz_verdicts_and_bytes_agree_with_serde_json(harness: object, tmp_path: Path) -> None:
    docs = fuzz_documents(FUZZ_COUNT, FUZZ_SEED)
    path = tmp_path / "fuzz.ndjson"
    path.write_bytes(b"".join(doc + b"\n" for doc in docs))
    rust = rust_check(docs)
    valid = {
        name: [r["valid"] for r in _records(command, path, len(docs))]
        for name, command in {
            "serde": ["validate", "--profile", "serde"],
            "contract": ["validate", "--profile", "contract"],
            "canonical": ["validate", "--profile", "canonical"],
            "project": ["validate", "--project"],
            "conform": ["conform", "--producer", "rust"],
        }.items()
    }
    disagreements = [
        (i + 1, doc[:160], verdict.error)
        for i, (doc, verdict) in enumerate(zip(docs, rust, strict=True))
        if valid["serde"][i] != verdict.accepted
    ]
    assert not disagreements, f"{len(disagreements)} serde verdicts differ, first: {disagreements[:3]}"
    for i, doc in enumerate(docs):
        line = i + 1
        assert not valid["canonical"][i] or valid["contract"][i], (line, doc[:200])
        assert not valid["contract"][i] or valid["serde"][i], (line, doc[:200])
        assert not valid["project"][i] or valid["contract"][i], (line, doc[:200])
        assert valid["conform"][i] == valid["canonical"][i], (line, doc[:200])
        if rust[i].accepted:
            assert encode(decode(doc, profile="serde"), check=False) == rust[i].output, (line, doc[:200])
    accepted = sum(v.accepted for v in rust)
    big = sum(len(doc) > 4000 for doc in docs)
    # the corpus reaches every verdict and the crash-class sizes
    assert FUZZ_COUNT // 10 < accepted < FUZZ_COUNT - FUZZ_COUNT // 10, accepted
    assert sum(valid["canonical"]) > FUZZ_COUNT // 100 and big > FUZZ_COUNT // 20, (sum(valid["canonical"]), big)
