"""Rules are objects declared once, in the module that owns their stage, and documented in docs/RULES.md."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from noetl_envelope.core.rules import OWNERS, Rule, all_rules, lookup

RULES = all_rules()
_ID = "(?:" + "|".join(OWNERS) + r")\.[a-zA-Z0-9-]+"


def _constant(rule_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", rule_id).upper()


def test_every_rule_is_declared_by_an_owner_of_its_stage_under_its_constant_name() -> None:
    assert len(RULES) > 50
    for rule_id, rule in RULES.items():
        stage = rule_id.split(".", 1)[0]
        assert rule.owner in OWNERS[stage], (rule_id, rule.owner)
        assert getattr(importlib.import_module(rule.owner), _constant(rule_id)) is rule, rule_id
        assert rule.severity in ("error", "warning") and rule.doc and rule.profiles, rule_id


def test_a_rule_id_is_written_only_where_the_rule_is_declared(repo_root: Path) -> None:
    # Emitting code names the constant (a typo is then a NameError ruff and mypy see), never the
    # id: a string constant that is a rule id must be the first argument of a `Rule(...)` call.
    package = repo_root / "python" / "noetl_envelope"
    declared: list[str] = []
    stray: list[str] = []
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text())
        firsts = {
            id(node.args[0])
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Rule" and node.args
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(_ID, node.value):
                where = f"{path.relative_to(package)}:{node.lineno}: {node.value}"
                (declared if id(node) in firsts else stray).append(where)
    assert len(declared) == len(RULES), "the pattern or the registry is wrong"
    assert not stray, stray


def test_a_mistyped_or_repeated_id_fails_when_declared() -> None:
    with pytest.raises(ValueError, match=r"not <stage>\.<name>"):
        Rule("jsn.eof", ("serde",), "a typo in the stage")
    with pytest.raises(ValueError, match="declared twice"):
        Rule("json.eof", ("serde",), "declared again")
    with pytest.raises(ValueError, match="severity"):
        Rule("json.made-up", ("serde",), "bad severity", severity="fatal")


def test_rules_are_strings_and_survive_pickling_as_the_same_object() -> None:
    import pickle

    rule = lookup("json.eof")
    assert rule == "json.eof" and isinstance(rule, str)
    assert pickle.loads(pickle.dumps(rule)) is rule


def test_rules_load_their_owners_on_first_lookup() -> None:
    # A fresh process that has imported nothing but core.rules still finds every rule.
    script = "from noetl_envelope.core.rules import lookup; print(lookup('drift.key-order').owner)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "noetl_envelope.profiles.drift"


def test_rules_doc_lists_every_rule(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "RULES.md").read_text()
    for rule_id, rule in RULES.items():
        assert f"| `{rule_id}` | {rule.severity} |" in doc
