"""`make gen` is reproducible and `check-gen` catches a stale generated file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from noetl_envelope.generate import files as gen
from repo_copy import copy_repo, run_gen


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
