"""`noetl-envelope rules [ID]` prints the registry's documentation: every rule listed, one in full,
an unknown id in one line with exit 2; conform's drift note points there."""

from __future__ import annotations

import subprocess
import sys

from noetl_envelope.core.rules import all_rules


def _rules(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "rules", *args], capture_output=True, text=True, check=False
    )


def test_every_rule_is_listed_once_with_its_severity() -> None:
    proc = _rules()
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[:2] for line in proc.stdout.splitlines()]
    registry = all_rules()
    assert [rule_id for rule_id, _ in listed] == list(registry)
    assert all(severity == registry[rule_id].severity for rule_id, severity in listed)


def test_one_rule_in_full() -> None:
    rule = all_rules()["drift.null-instead-of-absent"]
    proc = _rules(rule.id)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{rule.id}\n  severity: {rule.severity}\n")
    assert f"emitted by: {rule.owner}" in proc.stdout
    assert proc.stdout.rstrip().endswith(rule.doc.rstrip())


def test_an_unknown_rule_is_one_line_naming_its_stage() -> None:
    proc = _rules("drift.no-such-class")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("noetl-envelope: drift.no-such-class: no such rule; drift.* rules: ")
    assert "drift.alias-used" in proc.stderr
