"""scripts/bench_data.py and scripts/bench.py: the benchmark's inputs are what they claim, and
the benchmark runs end to end (on a tiny input: speed is never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from noetl_envelope.engines.reference import run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench
from bench_data import BREAKAGES, broken, mixed_events, realistic_events, with_two_violations


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
    argv = ["--events", "300", "--runs", "1", "--sample", "50", "--skip-mix", "--workdir", str(tmp_path)]
    code = bench.main(argv)
    assert code == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table) == 11  # header + 10 measurements
    assert "| orjson.loads per line (floor) |" in out and "| validate --profile canonical |" in out
    assert (tmp_path / "events-300-0.ndjson").stat().st_size > 300 * 300


# What each broken line of issue 15's mix is, for the contract profile.
_BROKEN_RULES = {
    "bad status": ["schema.enum"],
    "renamed field": ["schema.additionalProperties", "schema.required"],
    "unknown field": ["schema.additionalProperties"],
    "float id": ["schema.type"],
}


def test_each_breakage_of_the_mix_is_the_finding_it_names(events: list[bytes]) -> None:
    assert set(BREAKAGES) == set(_BROKEN_RULES)
    for line in events[:20]:
        for how, rules in _BROKEN_RULES.items():
            found = run(broken(line, how), "contract").violations
            assert sorted(v.rule for v in found) == rules, (how, line)


def test_the_mix_has_one_percent_broken_lines_and_float_warnings(harness: Path) -> None:
    lines = mixed_events(2000, seed=3, harness=harness)
    assert lines == mixed_events(2000, seed=3, harness=harness)  # deterministic
    verdicts = [run(line, "contract").violations for line in lines]
    errors = [found for found in verdicts if any(v.severity == "error" for v in found)]
    warned = [found for found in verdicts if found and all(v.rule == "canonical.float-roundtrip" for v in found)]
    assert len(errors) == 20
    assert 0.04 * len(lines) <= len(warned) <= 0.12 * len(lines)  # the issue's "about 8%"


def test_harness_count_only_counts(harness: Path, tmp_path: Path, events: list[bytes]) -> None:
    path = tmp_path / "three.ndjson"
    path.write_bytes(events[0] + b"\n" + broken(events[1], "float id") + b"\n" + events[2] + b"\n")
    proc = subprocess.run([str(harness), "count", str(path)], capture_output=True, check=True)
    assert json.loads(proc.stdout) == {"accepted": 2, "rejected": 1}
    assert proc.stdout.count(b"\n") == 1


def test_mix_section_runs_end_to_end(harness: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--events", "400", "--runs", "1", "--skip-jobs", "--skip-per-document", "--workdir", str(tmp_path)]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(bench.MIX_TARGETS)  # header, Rust's loop, one row per target
    for name in bench.MIX_TARGETS:
        (row,) = [line for line in table if line.startswith(f"| {name} |")]
        assert row.endswith(("| met |", "| not met |")), row
