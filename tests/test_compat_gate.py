"""The compat gate end to end: the envelope's real history, the version policy, the CLI and its formats.

History: 0.3.0 -> 0.3.1 added `event_id`, `worker_id` and `meta` as Option with
skip-if-none (compatible both ways for Rust consumers); before 0.3.0 `execution_id` was a
string, and turning it into i64 is breaking, shown with a counterexample.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from noetl_envelope import validate
from noetl_envelope.cli import main
from noetl_envelope.compat import compare, failing
from noetl_envelope.compat.model import Change
from noetl_envelope.compat.policy import Version, bump, check_bump, check_release_history, check_releases, required_bump
from noetl_envelope.model.schema import load_schema, schema_version
from noetl_envelope.profiles import contract
from noetl_envelope.wire.lexer import scan

ROOT = Path(__file__).resolve().parents[1]
RELEASES = ROOT / "schema" / "releases"


def release(version: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((RELEASES / f"{version}.schema.json").read_text())
    return loaded


def string_execution_id() -> dict[str, Any]:
    """A 0.2.0 schema as the envelope was before R-1.2 PR-2a: execution_id a String."""
    old = copy.deepcopy(release("0.3.0"))
    old["$id"] = old["$id"].replace("0.3.0", "0.2.0")
    old["properties"]["execution_id"] = {
        "description": "Execution this event belongs to.",
        "type": "string",
        "x-rust-type": "String",
        "x-serde": {},
        "x-db-column": "execution_id",
    }
    return old


# --- the real history --------------------------------------------------------------------------


def contract_rules(document: bytes, schema: dict[str, Any]) -> list[str]:
    """The contract profile's rule ids for `document` under `schema` (not the packaged one)."""
    return [v.rule for v in contract.check(scan(document), schema)[0]]


def test_releases_are_the_real_versions() -> None:
    assert schema_version(release("0.3.1")) == "0.3.1"
    old = release("0.3.0")
    assert schema_version(old) == "0.3.0"
    assert set(release("0.3.1")["properties"]) - set(old["properties"]) == {"event_id", "worker_id", "meta"}
    # The working schema is a release or newer than every one; a released version equals its file.
    working = schema_version(load_schema())
    if (RELEASES / f"{working}.schema.json").is_file():
        assert release(working) == load_schema()
    else:
        assert all(
            Version.parse(p.name.removesuffix(".schema.json")) < Version.parse(working) for p in RELEASES.iterdir()
        )


def test_0_3_0_to_0_3_1_is_compatible_both_ways_for_rust() -> None:
    changes = compare(release("0.3.0"), release("0.3.1"))
    added = [c for c in changes if c.rule == "compat.field-added-optional"]
    assert sorted(c.keys[0] for c in added) == ["event_id", "meta", "worker_id"]
    for change in changes:
        assert not [cell for cell in change.breaks if cell[0] == "rust"], change.breaks
    # The Python reader and the producer gate are closed (additionalProperties: false): an old
    # validator rejects the new fields, which is forward-only and proven by a document.
    for change in added:
        assert set(change.breaks) == {("python", "forward"), ("producer", "forward")}
        example = change.evidence[("python", "forward")]
        assert contract_rules(example.document, release("0.3.1")) == []  # valid for the new contract
        assert example.violation.rule == "schema.additionalProperties"
    assert failing(changes, "backward") == []
    assert failing(changes, "full") == added


def test_0_3_0_to_0_3_1_cli_exits_0_and_shows_the_forward_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compat", "--old", str(RELEASES / "0.3.0.schema.json"), str(RELEASES / "0.3.1.schema.json")])
    out = capsys.readouterr().out
    assert code == 0
    assert "rust      backward: ok; forward: ok" in out
    assert '"event_id":1' in out and "[schema.additionalProperties]" in out
    assert main(["compat", "--mode", "full", "--old", str(RELEASES / "0.3.0.schema.json")]) == 1


def test_string_to_i64_execution_id_is_breaking_with_a_counterexample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changes = compare(string_execution_id(), release("0.3.0"))
    [change] = [c for c in changes if c.rule == "compat.type-changed"]
    assert change.pointer == "/properties/execution_id/type"
    assert {("rust", "backward"), ("rust", "forward")} <= set(change.breaks)
    example = change.evidence[("rust", "backward")]
    assert isinstance(json.loads(example.document)["execution_id"], str)
    # The Rust struct of today (the packaged schema keeps execution_id: i64) rejects it.
    assert [v.rule for v in validate(example.document, profile="serde") if v.pointer == "/execution_id"] == [
        "serde.invalid-type"
    ]

    old = tmp_path / "0.2.0.schema.json"
    old.write_text(json.dumps(string_execution_id()))
    code = main(["compat", "--old", str(old), str(RELEASES / "0.3.0.schema.json")])
    out = capsys.readouterr().out
    assert code == 1
    assert "compat.type-changed /properties/execution_id/type" in out
    assert "counterexample" in out and '"execution_id":"x"' in out and "[serde.invalid-type]" in out


# --- the version policy ------------------------------------------------------------------------


def _change(severity: str) -> Change:
    cell = {"backward": ("rust", "backward"), "forward": ("python", "forward")}.get(severity)
    return Change("compat.description-changed", "", "x", breaks={cell: "why"} if cell else {})


CHANGELOG = "# log\n\n## 0.3.1\n\n## 0.4.0\n\n## [1.1.0] - 2026-01-01\n\n## 2.0.0\n\n## 0.3.2\n\n## 1.0.1\n"


@pytest.mark.parametrize(
    ("severity", "old", "new", "expected"),
    [
        ("forward", "0.3.1", "0.3.2", []),  # 0.x: the 0.3.0 -> 0.3.1 precedent
        ("backward", "0.3.1", "0.3.2", ["compat.bump-too-small"]),
        ("backward", "0.3.1", "0.4.0", []),
        ("backward", "1.0.0", "1.1.0", ["compat.bump-too-small"]),
        ("backward", "1.0.0", "2.0.0", []),
        ("forward", "1.0.0", "1.0.1", ["compat.bump-too-small"]),
        ("forward", "1.0.0", "1.1.0", []),
        ("none", "1.0.0", "1.0.1", []),
        ("none", "0.3.1", "0.3.1", ["compat.version-not-bumped"]),
        ("none", "0.4.0", "0.3.2", ["compat.version-not-bumped"]),
        ("none", "0.3.1", "0.3.3", ["compat.changelog-missing"]),
    ],
)
def test_version_policy(severity: str, old: str, new: str, expected: list[str]) -> None:
    found = check_bump([_change(severity)], old, new, CHANGELOG, "CHANGELOG.md")
    assert [v.rule for v in found] == expected


def test_no_change_needs_nothing_and_a_missing_changelog_is_reported() -> None:
    assert check_bump([], "0.3.1", "0.3.1", None, "CHANGELOG.md") == []
    found = check_bump([_change("none")], "0.3.1", "0.3.2", None, "CHANGELOG.md")
    assert [v.rule for v in found] == ["compat.changelog-missing"]


def test_semver_helpers() -> None:
    assert bump(Version.parse("0.3.1"), Version.parse("0.4.0")) == "minor"
    assert bump(Version.parse("1.9.9"), Version.parse("2.0.0")) == "major"
    assert required_bump("backward", Version.parse("0.9.0")) == "minor"
    assert required_bump("backward", Version.parse("1.0.0")) == "major"
    with pytest.raises(ValueError):
        Version.parse("0.3")


def test_release_files_are_checked() -> None:
    current = release("0.3.1")
    good = {"0.3.1.schema.json": json.dumps(current).encode()}
    assert check_releases(good, current, "0.3.1") == []
    edited = copy.deepcopy(current)
    edited["description"] = "changed"
    assert [v.rule for v in check_releases(good, edited, "0.3.1")] == ["compat.release-differs"]
    assert [v.rule for v in check_releases({"0.3.0.schema.json": good["0.3.1.schema.json"]}, current, "0.3.1")] == [
        "compat.release-mismatch"
    ]
    assert [v.rule for v in check_release_history(good, {})] == ["compat.release-modified"]
    assert [v.rule for v in check_release_history(good, {"0.3.1.schema.json": b"{}"})] == ["compat.release-modified"]


# --- the CLI against git and against the releases ----------------------------------------------


def test_this_checkout_passes_against_its_releases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compat"]) == 0
    assert "version policy: 0 violations" in capsys.readouterr().out


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small checkout at the 0.3.1 release: pyproject.toml, schema/, releases, CHANGELOG; one commit on `main`."""
    (tmp_path / "schema" / "releases").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "schema" / "executor_event.schema.json").write_bytes((RELEASES / "0.3.1.schema.json").read_bytes())
    for path in RELEASES.iterdir():
        if Version.parse(path.name.removesuffix(".schema.json")) <= Version.parse("0.3.1"):
            (tmp_path / "schema" / "releases" / path.name).write_bytes(path.read_bytes())
    (tmp_path / "schema" / "CHANGELOG.md").write_text("## 0.3.1\n\n## 0.3.0\n")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _edit_schema(repo: Path, version: str, edit: Any) -> None:
    path = repo / "schema" / "executor_event.schema.json"
    schema = json.loads(path.read_text())
    schema["$id"] = schema["$id"].rsplit(":", 1)[0] + f":{version}"
    edit(schema)
    path.write_text(json.dumps(schema, indent=2))


def _add_trace_id(schema: dict[str, Any]) -> None:
    schema["properties"]["trace_id"] = {
        "description": "A trace id.",
        "type": ["string", "null"],
        "x-rust-type": "Option<String>",
        "x-serde": {"default": True, "skip_serializing_if": "Option::is_none"},
    }


def test_against_ref_accepts_an_additive_change_with_bump_and_changelog(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compat", "--against", "main"]) == 0
    _edit_schema(repo, "0.3.2", _add_trace_id)
    (repo / "schema" / "CHANGELOG.md").write_text("## 0.3.2\n\n## 0.3.1\n\n## 0.3.0\n")
    capsys.readouterr()
    assert main(["compat", "--against", "main"]) == 0
    assert "compat.field-added-optional /properties/trace_id" in capsys.readouterr().out


def test_against_ref_refuses_a_change_without_changelog_or_bump(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit_schema(repo, "0.3.2", _add_trace_id)
    assert main(["compat", "--against", "main"]) == 1
    assert "compat.changelog-missing" in capsys.readouterr().out
    _edit_schema(repo, "0.3.1", lambda s: s["properties"]["step"].update(description="Reworded."))
    assert main(["compat", "--against", "main"]) == 1
    out = capsys.readouterr().out
    assert "compat.version-not-bumped" in out and "compat.release-differs" in out


def test_against_ref_refuses_a_breaking_change_with_a_patch_bump(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_worker(schema: dict[str, Any]) -> None:
        schema["properties"].pop("worker_id", None)

    _edit_schema(repo, "0.3.2", drop_worker)
    (repo / "schema" / "CHANGELOG.md").write_text("## 0.4.0\n\n## 0.3.2\n\n## 0.3.1\n")
    assert main(["compat", "--against", "main", "--format", "json"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["policy"]["rule"] for r in records if "policy" in r] == ["compat.bump-too-small"]
    [change] = [r["change"] for r in records if "change" in r]
    assert change["rule"] == "compat.field-removed" and change["effects"]["python"]["backward"] == "breaking"
    assert change["counterexamples"][0]["document"]
    _edit_schema(repo, "0.4.0", drop_worker)
    assert main(["compat", "--against", "main"]) == 0


def test_against_ref_refuses_an_edited_release(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "schema" / "releases" / "0.3.0.schema.json").write_text("{}")
    assert main(["compat", "--against", "main", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "::error file=schema/executor_event.schema.json,title=compat.release-modified::" in out


def test_formats_are_well_formed(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(RELEASES / "0.3.0.schema.json"), str(RELEASES / "0.3.1.schema.json")
    main(["compat", "--old", old, "--format", "junit", new])
    suite = ET.fromstring(capsys.readouterr().out)
    assert suite.tag == "testsuites" and len(suite.findall(".//testcase")) == 4
    main(["compat", "--old", old, "--format", "github", new])
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith("::") for line in lines) and sum("::warning" in line for line in lines) == 3


@pytest.mark.parametrize(
    "argv",
    [
        ["compat", "--old", "no/such/file.json"],
        ["compat", "--against", "no-such-ref-xyz"],
        ["compat", "--old", str(ROOT / "pyproject.toml")],
    ],
)
def test_errors_are_one_line_and_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("noetl-envelope: ")


def test_shipped_ci_entry_points_run_the_gate() -> None:
    import shlex

    import yaml

    from noetl_envelope import cli

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        program, command, *_ = shlex.split(hook["entry"])
        assert program == "noetl-envelope" and command in cli.COMMANDS, hook["id"]
    assert any(hook["entry"].startswith("noetl-envelope compat") for hook in hooks)
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "contract.yml").read_text())
    steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["contract"]["steps"])
    for gate in ("make check-gen", "make test", "make conformance", "scripts/compat_gate.sh"):
        assert gate in steps
    assert "make compat" in (ROOT / ".ci" / "run").read_text()
    assert "--against" in (ROOT / "scripts" / "compat_gate.sh").read_text()


def test_gate_script_compares_with_the_base_branch_of_a_clone(repo: Path) -> None:
    # A clone of `repo` has origin/main; a schema change there without a bump fails both runs.
    clone = repo.parent / "clone"
    _git(repo.parent, "clone", "-q", str(repo), str(clone))
    (clone / "scripts").mkdir()
    script = clone / "scripts" / "compat_gate.sh"
    script.write_bytes((ROOT / "scripts" / "compat_gate.sh").read_bytes())
    script.chmod(0o755)
    env = {**os.environ, "PYTHON": sys.executable}
    ok = subprocess.run([str(script)], cwd=clone, env=env, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("version policy: 0 violations") == 2
    _edit_schema(clone, "0.3.1", lambda s: s["properties"]["step"].update(description="Reworded."))
    bad = subprocess.run([str(script)], cwd=clone, env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "compat.release-differs" in bad.stdout
