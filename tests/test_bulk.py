"""bulk.py and the CLI's --jobs / --engine / progress: order, counts and output do not change.

`--jobs 2` must print exactly what `--jobs 1` prints (byte for byte, text format; json apart
from the elapsed time), `--engine reference` exactly what the fast engine prints, and the
progress line must appear only on a terminal.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from noetl_envelope import bulk
from noetl_envelope.bulk import Progress, check_stream, conform_checker, validate_checker
from noetl_envelope.reader import Document
from noetl_envelope.violations import Violation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_data import realistic_events, with_two_violations

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT / "generated")])}


@pytest.fixture(scope="module")
def mixed_file(harness: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 5,000 events over several batches: valid, two violations, broken JSON, blank lines."""
    lines = realistic_events(5000, seed=21, harness=harness)
    out = []
    for index, line in enumerate(lines):
        if index % 97 == 0:
            out.append(with_two_violations(line))
        elif index % 389 == 0:
            out.append(line[:-5])  # truncated: a lexical error
        elif index % 500 == 0:
            out.append(b"   ")  # blank: counted, not a document
        else:
            out.append(line)
    path = tmp_path_factory.mktemp("bulk") / "mixed.ndjson"
    path.write_bytes(b"\n".join(out) + b"\n")
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "noetl_envelope", *args], capture_output=True, env=ENV, check=False)


def test_jobs_two_prints_exactly_what_jobs_one_prints(mixed_file: Path) -> None:
    one = _cli("validate", "--jobs", "1", str(mixed_file))
    two = _cli("validate", "--jobs", "2", str(mixed_file))
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert b"invalid" in one.stdout and one.stdout.count(b"\n") > 100
    assert one.stderr == two.stderr == b""  # not a terminal: no progress line


def _without_elapsed(output: bytes) -> list[dict[str, object]]:
    records = [json.loads(line) for line in output.splitlines()]
    records[-1]["summary"].pop("elapsed_seconds")
    return records


def test_json_report_is_the_same_with_two_jobs_and_with_the_reference_engine(mixed_file: Path) -> None:
    base = _cli("validate", "--format", "json", "--profile", "canonical", str(mixed_file))
    two = _cli("validate", "--format", "json", "--profile", "canonical", "--jobs", "2", str(mixed_file))
    reference = _cli("validate", "--format", "json", "--profile", "canonical", "--engine", "reference", str(mixed_file))
    expected = _without_elapsed(base.stdout)
    assert _without_elapsed(two.stdout) == expected
    assert _without_elapsed(reference.stdout) == expected
    summary = expected[-1]["summary"]
    assert isinstance(summary, dict)
    assert summary["documents"] == len(expected) - 1 and summary["blank_lines"] == 9  # every 500th line but the first
    assert summary["invalid"] > 50 and summary["valid"] > 4000


def test_bad_jobs_and_engine_are_usage_errors(mixed_file: Path) -> None:
    for args in (("--jobs", "-1"), ("--jobs", "two"), ("--engine", "turbo")):
        proc = _cli("validate", *args, str(mixed_file))
        assert proc.returncode == 2, args
        assert proc.stderr.count(b"\n") == 1


def _docs(count: int) -> list[Document]:
    docs = []
    for index in range(count):
        if index % 5 == 0:
            too_large = (Violation("input.too-large", "", "too large"),)
            docs.append(Document("x.ndjson", index + 1, b"", too_large))
        else:
            docs.append(Document("x.ndjson", index + 1, b'{"n":%d}' % index))
    return docs


def test_check_stream_keeps_order_and_input_violations_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "BATCH_DOCUMENTS", 7)  # many small batches, more than the window
    docs = _docs(200)
    checker = validate_checker("contract", "fast")
    serial = list(check_stream(docs, checker, jobs=1))
    parallel = list(check_stream(docs, checker, jobs=2))
    assert [doc.line for doc, _ in parallel] == list(range(1, 201))
    assert parallel == serial
    assert serial[0][1][0].rule == "input.too-large"
    assert serial[1][1] and serial[1][1][0].rule != "input.too-large"


def test_check_stream_stops_cleanly_when_the_consumer_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "BATCH_DOCUMENTS", 3)
    stream = check_stream(_docs(100), validate_checker("serde", "fast"), jobs=2)
    first = [next(stream) for _ in range(5)]
    stream.close()  # the pool shuts down; pending batches are cancelled
    assert [doc.line for doc, _ in first] == [1, 2, 3, 4, 5]


def test_jobs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="jobs"):
        list(check_stream(_docs(3), validate_checker("serde", "fast"), jobs=0))


def test_conform_checker_finds_drift() -> None:
    doc = (
        b'{"execution_id":1,"event_type":"e","step":"s","status":"STARTED",'
        b'"created_at":"2024-01-01T00:00:00Z","context":{"b":1,"a":2}}'
    )
    assert conform_checker("fast")(doc) == conform_checker("reference")(doc) != []


def test_cli_draws_progress_only_when_stderr_is_a_terminal(mixed_file: Path) -> None:
    import pty

    # The reference engine keeps the run long enough (> Progress.INTERVAL) to draw a line.
    args = [sys.executable, "-m", "noetl_envelope", "validate", "--quiet", "--engine", "reference", str(mixed_file)]
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=follower, env=ENV, check=False, timeout=600)
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the writer side is closed and everything was read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 1
    assert b" documents " in drawn and b"/s" in drawn
    assert drawn.endswith(b"\r\x1b[K")  # erased before exiting
    piped = subprocess.run(args, capture_output=True, env=ENV, check=False, timeout=600)
    assert piped.stderr == b""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    progress.INTERVAL = 0
    progress.CHECK_EVERY = 1
    for _ in range(1000):
        progress.advance()
    progress.close()
    assert not progress.enabled
    assert stream.getvalue() == ""


def test_progress_draws_documents_and_rate_on_a_terminal_then_erases() -> None:
    stream = _Terminal()
    progress = Progress(stream)
    progress.INTERVAL = 0
    progress.CHECK_EVERY = 1
    for _ in range(3):
        progress.advance(500)
    text = stream.getvalue()
    assert "1,500 documents" in text and "/s" in text
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_conform_report_is_the_same_with_two_jobs_and_with_the_reference_engine(mixed_file: Path) -> None:
    base = _cli("conform", "--format", "json", str(mixed_file))
    two = _cli("conform", "--format", "json", "--jobs", "2", str(mixed_file))
    reference = _cli("conform", "--format", "json", "--engine", "reference", str(mixed_file))
    assert base.returncode == two.returncode == reference.returncode == 1
    expected = _without_elapsed(base.stdout)
    assert _without_elapsed(two.stdout) == expected
    assert _without_elapsed(reference.stdout) == expected
    summary = expected[-1]["summary"]
    assert isinstance(summary, dict)
    assert summary["invalid"] > 50 and summary["valid"] > 4000 and summary["classes"]
