"""compat in a schema repository that is not a noetl-envelope checkout: no pyproject.toml, only
schema/executor_event.schema.json, schema/releases/ and schema/CHANGELOG.md (the pre-commit hook's case)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _compat(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "compat", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def _schema_repo(path: Path) -> Path:
    """A schema repository whose working schema is its newest release (a checkout may carry an
    unreleased bump, which would already allow the breaking change the test makes)."""
    (path / "schema").mkdir(parents=True)
    for name in ("executor_event.schema.json", "CHANGELOG.md"):
        shutil.copy2(ROOT / "schema" / name, path / "schema" / name)
    shutil.copytree(ROOT / "schema" / "releases", path / "schema" / "releases")
    version = str(json.loads((ROOT / "schema" / "executor_event.schema.json").read_bytes())["$id"]).rsplit(":", 1)[-1]
    release = path / "schema" / "releases" / f"{version}.schema.json"
    if not release.exists():
        shutil.copy2(ROOT / "schema" / "executor_event.schema.json", release)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"], cwd=path, check=True)
    return path


def test_compat_runs_without_pyproject(tmp_path: Path) -> None:
    repo = _schema_repo(tmp_path / "repo")
    assert not (repo / "pyproject.toml").exists()
    for args in ((), ("--against", "main")):
        proc = _compat(repo, *args)
        assert proc.returncode == 0, proc.stderr
    # from a subdirectory too, and a breaking change is refused there
    (repo / "docs").mkdir()
    assert _compat(repo / "docs").returncode == 0
    schema = json.loads((repo / "schema" / "executor_event.schema.json").read_text())
    schema["properties"]["status"]["enum"].pop()  # old data with that status fails the new contract
    (repo / "schema" / "executor_event.schema.json").write_text(json.dumps(schema, indent=2))
    proc = _compat(repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "compat.enum-narrowed" in proc.stdout and "/properties/status" in proc.stdout


def test_compat_without_a_schema_is_one_line(tmp_path: Path) -> None:
    proc = _compat(tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no schema/executor_event.schema.json here or in a parent" in proc.stderr
