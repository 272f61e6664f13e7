"""`conform`: per-document verdicts (contract + drift), the class table, formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from noetl_envelope import encode
from noetl_envelope.cli import main
from noetl_envelope.fixturegen.samples import events
from noetl_envelope.pipeline import conform_violations

GOOD = [encode(e) for e in events(20, seed=5)]


def _write(path: Path, docs: list[bytes]) -> Path:
    path.write_bytes(b"".join(d + b"\n" for d in docs))
    return path


def _drifted(doc: bytes) -> bytes:
    return doc.replace(b'"execution_id":', b'"execution_id": ', 1)


def test_canonical_documents_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "ok.ndjson", GOOD)
    for producer in ("rust", "python"):
        assert main(["conform", "--producer", producer, str(path)]) == 0
        out = capsys.readouterr().out
        assert f"conform --producer {producer}: checked 20 documents (profile canonical): 20 valid, 0 invalid" in out
        assert "classes" not in out


def test_drift_and_invalid_documents_fail_with_classes_and_first_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = [GOOD[0], _drifted(GOOD[1]), _drifted(GOOD[2]), b'{"execution_id":1}', b"{not json"]
    path = _write(tmp_path / "mixed.ndjson", docs)
    assert main(["conform", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1: ok" in out
    assert f"{path}:2: /execution_id: whitespace ' '" in out
    # The table counts documents per class and shows the first example with its bytes.
    assert f"  drift.whitespace-form: 2 at {path}:2: /execution_id: " in out
    assert '    bytes: {"execution_id": ' in out
    assert f"  drift.missing-field: 1 at {path}:4: " in out
    assert f"  json.syntax: 1 at {path}:5: " in out
    assert "the Rust struct and schema/ disagree" in out


def test_json_summary_carries_the_class_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "d.ndjson", [GOOD[0], _drifted(GOOD[1]), _drifted(GOOD[2])])
    assert main(["conform", "--producer", "python", "--format", "json", str(path)]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["valid"] for r in records[:3]] == [True, False, False]
    assert records[1]["violations"][0]["rule"] == "drift.whitespace-form"
    summary = records[3]["summary"]
    assert summary["producer"] == "python" and summary["invalid"] == 2
    example = summary["classes"]["drift.whitespace-form"]
    assert example["documents"] == 2
    assert example["example"]["line"] == 2 and example["example"]["pointer"] == "/execution_id"
    assert example["example"]["bytes"].startswith('{"execution_id": ')


def test_junit_and_github_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "d.ndjson", [GOOD[0], _drifted(GOOD[1])])
    assert main(["conform", "--format", "junit", str(path)]) == 1
    suite = ElementTree.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("type") == "drift.whitespace-form"
    assert main(["conform", "--format", "github", str(path)]) == 1
    out = capsys.readouterr().out
    assert "::error file=" in out and "title=drift.whitespace-form::/execution_id" in out


def test_float_roundtrip_is_drift() -> None:
    assert conform_violations(GOOD[0]) == []
    drifted = GOOD[0].replace(b'"context":{', b'"context":{"":6.600983877804657e+286,', 1)
    assert [v.rule for v in conform_violations(drifted)] == ["drift.float-roundtrip"]


def test_non_canonical_bytes_no_class_explains_still_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    # Should a way of drifting escape every class, the canonical rule still names the document.
    import noetl_envelope.profiles.drift

    monkeypatch.setattr(noetl_envelope.profiles.drift, "classify_tree", lambda data, tree: [])
    assert [v.rule for v in conform_violations(_drifted(GOOD[0]))] == ["canonical.differs"]


def test_usage_and_input_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conform", str(tmp_path / "missing.ndjson")]) == 2
    assert main(["conform", "--producer", "go", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 2
