"""`make gen` is reproducible and `check-gen` catches a stale generated file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from noetl_envelope.generate import files as gen
from noetl_envelope.generate.samples import SAMPLES
from repo_copy import ROOT as REPO
from repo_copy import copy_env, copy_harness_crate, copy_repo, run_gen, run_python


def test_committed_generated_files_are_up_to_date(repo_root: Path) -> None:
    assert gen.check(repo_root) == []


def test_rendering_is_deterministic_and_timestamp_free(repo_root: Path) -> None:
    first, second = gen.render(repo_root), gen.render(repo_root)
    assert first == second
    model = first[f"{gen.MODEL_PACKAGE}/executor_event.py"].decode()
    assert "timestamp" not in model.splitlines()[1].lower()
    assert "class ExecutorEvent" in model and "created_at: Timestamp" in model


def test_gen_on_a_clean_tree_changes_nothing(repo_root: Path, tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    result = run_gen(copy)
    assert result.returncode == 0, result.stderr
    after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert before == after
    assert "0 generated file(s) changed" in result.stderr


def test_check_gen_fails_with_a_diff_when_a_description_changes(repo_root: Path, tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    schema = copy / "schema" / "executor_event.schema.json"
    schema.write_text(schema.read_text().replace("Step name (node_id", "Step name, as the projector sees it (node_id"))
    result = run_gen(copy, "--check")
    assert result.returncode == 1
    assert "+    Step name, as the projector sees it" in result.stdout
    assert "stale" in result.stderr
    # regenerating repairs it
    assert run_gen(copy).returncode == 0
    assert run_gen(copy, "--check").returncode == 0


def test_check_gen_flags_a_hand_edit_and_an_orphan(repo_root: Path, tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)
    model = copy / gen.MODEL_PACKAGE / "executor_event.py"
    model.write_text(model.read_text() + "\n# edited by hand\n")
    (copy / gen.MODEL_PACKAGE / "leftover.py").write_text("x = 1\n")
    result = run_gen(copy, "--check")
    assert result.returncode == 1
    assert "-# edited by hand" in result.stdout
    assert "leftover.py: not generated" in result.stdout


def test_gen_outside_a_checkout_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "gen", "--check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_schema_repository_without_the_harness_renders_no_samples(tmp_path: Path) -> None:
    copy = copy_repo(tmp_path)  # no rust/Cargo.toml, like a repository holding only a schema
    assert SAMPLES not in gen.render(copy)
    assert run_gen(copy, "--check").returncode == 0


@pytest.mark.rust
def test_samples_are_the_harness_output_and_follow_a_new_required_field(tmp_path: Path) -> None:
    copy = copy_harness_crate(copy_repo(tmp_path))
    samples = copy / SAMPLES
    assert run_gen(copy, "--check").returncode == 0
    # A hand edit of one sample is stale.
    lines = samples.read_bytes().split(b"\n")
    samples.write_bytes(b"\n".join([lines[0].replace(b'"execution_id":', b'"execution_id":1', 1), *lines[1:]]))
    result = run_gen(copy, "--check")
    assert result.returncode == 1 and f"+++ b/{SAMPLES}" in result.stdout
    # A required field added to the schema: `make gen` rebuilds the harness, whose samples carry it.
    schema_file = copy / "schema" / "executor_event.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    # A name the working schema does not have yet (the drill itself adds a required `tenant_id`).
    name = "tenant_id"
    while name in schema["properties"]:
        name += "_2"
    schema["properties"][name] = {"type": "string", "x-rust-type": "String", "x-serde": {}}
    schema["required"].append(name)
    schema_file.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    result = run_gen(copy)
    assert result.returncode == 0, result.stderr
    assert f"wrote {SAMPLES}" in result.stderr.splitlines()
    events = [json.loads(line) for line in samples.read_bytes().split(b"\n") if line]
    assert len(events) == 100 and all(list(event)[-1] == name for event in events)
    validated = run_python(copy, "-m", "noetl_envelope", "validate", "--profile", "canonical", "--quiet", SAMPLES)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert run_gen(copy, "--check").returncode == 0

    # The catalogue's cases built from its base get the field too, so each still probes what it
    # names: their verdicts are the checkout's, not `serde.missing-field` everywhere.
    def catalogued(root: Path) -> dict[str, tuple[Any, bytes]]:
        entries = json.loads((root / "fixtures" / "manifest.json").read_bytes())["fixtures"]
        return {
            e["name"]: (e["expected"], (root / "fixtures" / e["file"]).read_bytes())
            for e in entries
            if e["source"] == "catalogue"
        }

    before, after = catalogued(REPO), catalogued(copy)
    based = [case for case, (_, data) in after.items() if b'"' + name.encode() + b'":' in data]
    assert len(based) > len(after) // 2, (len(based), len(after))
    assert [case for case in based if after[case][0] != before[case][0]] == []
    assert list(json.loads(after["full-envelope"][1]))[-1] == name


def test_samples_without_cargo_are_one_line_and_exit_2(tmp_path: Path) -> None:
    copy = copy_harness_crate(copy_repo(tmp_path / "repo"))
    env = {**copy_env(copy), "PATH": str(tmp_path / "empty")}  # no cargo on it
    result = subprocess.run(
        [sys.executable, "scripts/gen.py", "--check"], cwd=copy, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cargo is not on PATH" in result.stderr, result.stderr
    assert SAMPLES in result.stderr and "Traceback" not in result.stderr
