"""Every rule id the code can emit is declared once in rules.py and documented in docs/RULES.md."""

from __future__ import annotations

import re
from pathlib import Path

from noetl_envelope.core.rules import RULES

STAGE_MODULES = {
    "input": ["run/reader.py", "cli.py"],
    "json": [
        "wire/lexer.py",
        "wire/jsontree.py",
        "model/rusttypes/i64.py",
        "model/rusttypes/value.py",
        "profiles/contract.py",
        "model/binding.py",
    ],
    "serde": [
        "model/binding.py",
        "model/rusttypes/base.py",
        "model/rusttypes/i64.py",
        "model/rusttypes/datetime.py",
        "profiles/serde.py",
        "profiles/contract.py",
    ],
    "schema": ["profiles/contract.py"],
    "contract": ["profiles/contract.py"],
    "canonical": ["profiles/canonical.py"],
    "drift": ["profiles/drift.py"],
    "project": ["projection/predict.py"],
    "fixturegen": ["fixturegen/catalogue.py"],
    "compat": ["compat/kinds.py", "compat/policy.py"],
}


def test_every_emitted_rule_id_is_declared(repo_root: Path) -> None:
    package = repo_root / "python" / "noetl_envelope"
    used: set[str] = set()
    for path in package.rglob("*.py"):
        if path.name == "rules.py":
            continue
        stages = "input|json|serde|schema|contract|canonical|drift|project|fixturegen|compat"
        used.update(re.findall(rf'"((?:{stages})\.[a-zA-Z0-9-]+)"', path.read_text()))
    assert used, "no rule ids found: the pattern is wrong"
    assert used <= set(RULES), sorted(used - set(RULES))


def test_rule_ids_live_in_the_module_their_stage_names(repo_root: Path) -> None:
    package = repo_root / "python" / "noetl_envelope"
    for rule_id in RULES:
        stage = rule_id.split(".", 1)[0]
        if rule_id.startswith("schema.") and rule_id != "schema.other":
            continue  # built from the keyword name: f"schema.{keyword}"
        homes = STAGE_MODULES[stage]
        assert any(f'"{rule_id}"' in (package / home).read_text() for home in homes), rule_id


def test_rules_doc_lists_every_rule(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "RULES.md").read_text()
    for rule_id in RULES:
        assert f"`{rule_id}`" in doc
