"""`sample`: deterministic Python-produced events, all canonical, varied where the stacks can differ."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from noetl_envelope import decode, encode, validate
from noetl_envelope.cli import main
from noetl_envelope.fixturegen.samples import events
from noetl_envelope.model.schema import field_specs

N = 1500


def _lines(count: int, seed: int) -> list[bytes]:
    return [encode(event) for event in events(count, seed)]


def test_every_sample_is_canonical_and_a_serde_fixed_point() -> None:
    for line in _lines(N, 0):
        assert validate(line, profile="canonical") == [], line[:300]
        # What a Rust consumer reads (serde's not correctly rounded floats) writes back the same.
        assert encode(decode(line, profile="serde")) == line, line[:300]


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert _lines(50, 7) == _lines(50, 7)
    assert _lines(50, 7) != _lines(50, 8)


def test_samples_cover_the_corners() -> None:
    docs = [json.loads(line) for line in _lines(N, 3)]
    raw = b"\n".join(_lines(N, 3))
    specs = {spec.name: spec for spec in field_specs()}
    assert {d["status"] for d in docs} == set(specs["status"].schema["enum"])
    assert set(specs["event_type"].schema["examples"]) <= {d["event_type"] for d in docs}
    ids = [d["execution_id"] for d in docs] + [d["event_id"] for d in docs if "event_id" in d]
    assert -(2**63) in ids and 2**63 - 1 in ids
    assert sum(i > 2**53 for i in ids) > N // 2  # snowflakes
    stamps = [d["created_at"] for d in docs]
    assert any("T23:59:60" in s for s in stamps)
    assert {len(s.split(".")[1]) - 1 if "." in s else 0 for s in stamps} == {0, 3, 6, 9}
    years = {int(s[:4]) for s in stamps}
    assert 0 in years and 9999 in years
    for name in ("event_id", "worker_id", "meta"):
        assert any(name in d for d in docs) and any(name not in d for d in docs), name
    for needle in (b"\\u0000", b"\\\\", b'\\"', "\u2028".encode(), b"e+", b"e-", b"18446744073709551615"):
        assert needle in raw, needle


def test_cli_writes_ndjson() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "sample", "-n", "5", "--seed", "2"], capture_output=True, check=True
    )
    assert proc.stdout == b"".join(line + b"\n" for line in _lines(5, 2))


def test_cli_rejects_a_negative_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "-n", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "-n must be between 0" in err
