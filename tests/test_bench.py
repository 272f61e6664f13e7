"""scripts/bench_data.py and scripts/bench.py: the benchmark's inputs are what they claim, and
the benchmark runs end to end (on a tiny input: speed is never asserted here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from noetl_envelope.engines.reference import run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench
from bench_data import realistic_events, with_two_violations


@pytest.fixture(scope="module")
def events(harness: Path) -> list[bytes]:
    return realistic_events(200, seed=4, harness=harness)


def test_realistic_events_are_canonical_and_about_the_issue_size(events: list[bytes]) -> None:
    assert events == realistic_events(200, seed=4)  # deterministic
    for line in events:
        assert run(line, "canonical").violations == [], line
    average = sum(map(len, events)) / len(events)
    assert 300 <= average <= 450  # ~70 MB for 200,000 events, as the issue describes


def test_two_violation_documents_have_exactly_two_contract_violations(events: list[bytes]) -> None:
    for line in events:
        found = run(with_two_violations(line), "contract").violations
        assert sorted(v.rule for v in found) == ["schema.enum", "schema.minLength"]


def test_benchmark_runs_end_to_end(harness: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = bench.main(["--events", "300", "--runs", "1", "--sample", "50", "--skip-jobs", "--workdir", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table) == 11  # header + 10 measurements
    assert "| orjson.loads per line (floor) |" in out and "| validate --profile canonical |" in out
    assert (tmp_path / "events-300-0.ndjson").stat().st_size > 300 * 300
