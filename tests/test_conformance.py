"""The conformance run (`make conformance`, `tox -e conformance`, and `make test` in CI).

Both stacks against the one schema, at volume: the Rust harness's own tests (`cargo test`,
which includes the fixtures-against-manifest check in rust/tests/), 10 000 Rust-emitted
contract events through `conform --producer rust` (all canonical: any drift between the seed
struct and schema/ fails here), and 10 000 Python samples through Rust's `check` (all accepted,
written back byte for byte).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.rust]

COUNT = 10_000
ROOT = Path(__file__).resolve().parents[1]


def test_cargo_test_passes(harness: Path) -> None:
    proc = subprocess.run(
        ["cargo", "test", "--release", "--locked", "--quiet"], cwd=ROOT / "rust", capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_rust_contract_events_conform(harness: Path, tmp_path: Path) -> None:
    emitted = tmp_path / "rust.ndjson"
    with emitted.open("wb") as out:
        subprocess.run(
            [str(harness), "emit", "--contract", "--count", str(COUNT), "--seed", "2026"], stdout=out, check=True
        )
    proc = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "conform", "--producer", "rust", "--format", "json", str(emitted)],
        capture_output=True,
        text=True,
    )
    summary = json.loads(proc.stdout.splitlines()[-1])["summary"]
    assert proc.returncode == 0, (summary["classes"], proc.stderr)
    assert summary["documents"] == COUNT and summary["valid"] == COUNT


def test_python_samples_are_accepted_by_rust_byte_for_byte(harness: Path, tmp_path: Path) -> None:
    samples = tmp_path / "python.ndjson"
    with samples.open("wb") as out:
        subprocess.run(
            [sys.executable, "-m", "noetl_envelope", "sample", "-n", str(COUNT), "--seed", "2026"],
            stdout=out,
            check=True,
        )
    lines = samples.read_bytes().split(b"\n")
    assert lines.pop() == b"" and len(lines) == COUNT
    proc = subprocess.run([str(harness), "check", str(samples)], capture_output=True, check=True)
    records = proc.stdout.split(b"\n")[:-1]  # never splitlines(): outputs hold raw U+2028
    assert len(records) == COUNT
    for line, raw in zip(lines, records, strict=True):
        record = json.loads(raw)
        assert record["accepted"], (record, line[:300])
        assert record["output"].encode("utf-8") == line, line[:300]
