"""Differential tests against the Rust reference harness: serde verdicts and canonical bytes agree.

Every document of the corpus goes through `envelope-harness check` (serde_json 1.0.150, chrono
0.4.44, the seed struct) and through our profiles; any disagreement fails with the document.
Disagreements found while building this stay as named cases in `test_regressions.py`.
`validate` uses the fast engine: the tests that call it run with the native accelerator on and off.
"""

from __future__ import annotations

import pytest

from corpus import corpus
from harness import RustVerdict, rust_check, rust_emit
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
