"""The composite action (action.yml) run on this machine as a Rust service's job would run it.

scripts/run_action.py executes the action's `run:` steps with GitHub's environment files
pointed at temporary files; the first run installs the package from this checkout into its
own venv (as on GitHub, from `github.action_path`), later runs reuse it. Each case is a scratch
job directory without pyproject.toml holding event dumps.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from envelope import complete, typical_document

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts" / "action"))
import job_summary

import run_action

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

SAMPLES = ROOT / "fixtures" / "samples" / "events.ndjson"


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner-temp")


def _job(tmp_path: Path, lines: list[bytes]) -> Path:
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "events.ndjson").write_bytes(b"".join(line + b"\n" for line in lines))
    return tmp_path


def _run(job: Path, runner_temp: Path, **inputs: str) -> dict[str, Any]:
    return run_action.run(inputs, job, runner_temp)


def _rust_lines(count: int) -> list[bytes]:
    return SAMPLES.read_bytes().split(b"\n")[:count]


def test_clean_dumps_pass_with_a_junit_report_and_a_summary(tmp_path: Path, runner_temp: Path) -> None:
    job = _job(tmp_path, _rust_lines(20))
    assert not (job / "pyproject.toml").exists()
    result = _run(job, runner_temp, paths="dumps")
    assert result["status"] == 0, result["stderr"]
    assert result["skipped"] == ["actions/setup-python@v5"]
    assert "::error" not in result["stdout"]
    assert "20 documents checked (profile canonical): 20 valid, 0 invalid." in result["summary"]
    assert "No drift" in result["summary"]
    suite = ET.parse(result["outputs"]["junit"]).getroot()
    assert suite.get("failures") == "0"
    assert Path(result["outputs"]["report"]).is_file()


def test_drift_fails_with_annotations_a_junit_failure_and_a_class_table(tmp_path: Path, runner_temp: Path) -> None:
    good = _rust_lines(3)
    # serde skips a None worker_id; null in its place (in field order) is the drift
    null_option, replaced = re.subn(rb'"worker_id":"[^"]*"', b'"worker_id":null', typical_document())
    assert replaced == 1
    alias = good[1].replace(b'"context":', b'"payload":', 1)
    job = _job(tmp_path, [good[2], null_option, alias])
    result = _run(job, runner_temp, paths="dumps/events.ndjson")
    assert result["status"] == 1
    assert "::error file=dumps/events.ndjson,line=2,title=drift.null-instead-of-absent::" in result["stdout"]
    assert "::error file=dumps/events.ndjson,line=3,title=drift.alias-used::" in result["stdout"]
    table = [line for line in result["summary"].splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip() for row in table] == [
        "`contract.alias-used`",
        "`drift.alias-used`",
        "`drift.null-instead-of-absent`",
    ]
    assert all(row.split("|")[2].strip() == "1" for row in table)
    assert "dumps/events.ndjson:2 /worker_id" in result["summary"]
    # The outputs are set even though the step failed (a later `if: failure()` step uploads them).
    suite = ET.parse(result["outputs"]["junit"]).getroot()
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert {case.get("name") for case in failures} >= {"dumps/events.ndjson:2", "dumps/events.ndjson:3"}


def test_a_missing_path_is_one_line_and_exit_2(tmp_path: Path, runner_temp: Path) -> None:
    result = _run(tmp_path, runner_temp, paths="no-such-dir")
    assert result["status"] == 2
    assert result["stderr"].strip().splitlines()[-1] == "noetl-envelope: no-such-dir: No such file or directory"
    assert "Traceback" not in result["stderr"]


def test_strict_must_be_true_or_false(tmp_path: Path, runner_temp: Path) -> None:
    job = _job(tmp_path, _rust_lines(1))
    result = _run(job, runner_temp, paths="dumps", strict="yes")
    assert result["status"] == 2
    assert "strict must be true or false, not 'yes'" in result["stdout"]


# What the unmodified struct writes for a float serde_json's default parser reads back as its
# neighbour: canonical, so no drift, but a warning about consumers (drift.float-roundtrip).
WARNED = complete(
    b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED",'
    b'"created_at":"2024-01-01T00:00:00Z","context":{"x":2.7715077941825975e-163}}'
)


def test_strict_makes_a_warning_only_dump_fail(tmp_path: Path, runner_temp: Path) -> None:
    job = _job(tmp_path, [*_rust_lines(2), WARNED])
    relaxed = _run(job, runner_temp, paths="dumps")
    assert relaxed["status"] == 0, relaxed["stderr"]
    assert "::warning file=dumps/events.ndjson,line=3,title=drift.float-roundtrip::" in relaxed["stdout"]
    assert "::error" not in relaxed["stdout"]
    strict = _run(job, runner_temp, paths="dumps", strict="true")
    assert strict["status"] == 1, strict["stdout"] + strict["stderr"]
    assert "::warning file=dumps/events.ndjson,line=3,title=drift.float-roundtrip::" in strict["stdout"]
    report = Path(strict["outputs"]["report"]).read_text().splitlines()
    summary = json.loads(report[-1])["summary"]
    assert (summary["invalid"], summary["warned"]) == (0, 1)
    # junit --quiet: the warned document and the summary case, both passing (strict fails the step, not a case)
    suite = ET.parse(strict["outputs"]["junit"]).getroot().find("testsuite")
    assert suite is not None
    assert [case.get("name") for case in suite.iter("testcase")] == ["dumps/events.ndjson:3", "summary"]
    assert strict["outputs"]["junit"] and "drift.float-roundtrip" in strict["summary"]


def test_summary_cells_escape_pipes_and_backticks() -> None:
    text = job_summary.render(
        {
            "producer": "rust",
            "profile": "canonical",
            "documents": 2,
            "valid": 1,
            "invalid": 1,
            "classes": {
                "drift.x": {
                    "documents": 1,
                    "example": {"source": "a|b.ndjson", "line": 1, "pointer": "/k", "message": "m", "bytes": "`|`"},
                }
            },
        }
    )
    row = next(line for line in text.splitlines() if line.startswith("| `drift.x`"))
    assert "a\\|b.ndjson:1 /k: m<br>`'\\|'`" in row
    assert row.count(" | ") == 2  # three cells, no cell broken by the pipes inside them
