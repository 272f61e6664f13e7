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


# --- messages: worded by the rule, never at the emitting site --------------------------------


def _hand_built(node: ast.AST) -> bool:
    """Text written at the site: a string literal, an f-string, or one glued to something."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_hand_built(node.left) or _hand_built(node.right))


def _frames_a_message(node: ast.AST) -> bool:
    """An f-string that only puts `<where>: ` before and ` [<rule>]` after one `RULE.message(...)`."""
    if not isinstance(node, ast.JoinedStr):
        return False
    texts = [part.value for part in node.values if isinstance(part, ast.Constant)]
    messages = [
        part
        for part in node.values
        if isinstance(part, ast.FormattedValue)
        and isinstance(part.value, ast.Call)
        and getattr(part.value.func, "attr", "") == "message"
    ]
    return len(messages) == 1 and set(texts) <= {": ", " [", "]"}


def _catalogue_error_stray(relative: Path, node: ast.Call, name: str) -> list[str]:
    """A `make gen` error of fixturegen written at the site: `FixtureError("...")`, or a
    `loader.error`, `catalogue_error` or `RULE.message` whose form is not one of fixturegen.catalogue's forms."""
    forms = RULES["fixturegen.catalogue"].messages
    where = f"{relative}:{node.lineno}"
    if name == "FixtureError":
        return [
            f"{where}: FixtureError(...) with a message written here"
            for arg in node.args
            if _hand_built(arg) and not _frames_a_message(arg)
        ]
    form_at = {"message": 0, "error": 1, "catalogue_error": 2}.get(name) if relative.parts[0] == "fixturegen" else None
    if form_at is None:
        return []
    form = node.args[form_at] if len(node.args) > form_at else None
    stray = [f"{where}: {k.arg}= is text written here" for k in node.keywords if _hand_built(k.value)]
    # A helper passing its own `form, **fields` on (the loader's `error`) names no form itself.
    forwards = isinstance(form, ast.Name) and any(k.arg is None for k in node.keywords)
    named = isinstance(form, ast.Constant) and form.value in forms
    if not (named or forwards) or len(node.args) > form_at + 1:
        stray.append(f"{where}: {name}(...) names no message form of fixturegen.catalogue")
    return stray


def test_no_violation_message_is_built_at_the_emitting_site(repo_root: Path) -> None:
    # Only `Rule.at` constructs a Violation inside the package, a compat `Change` takes its
    # message from `Rule.message`, and what a site passes to a message (`.at`, `.message`, a
    # `LexError`) as a field is data, never words of its own: the words are the rule's template.
    package = repo_root / "python" / "noetl_envelope"
    stray: list[str] = []
    for path in package.rglob("*.py"):
        relative = path.relative_to(package)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            where = f"{relative}:{node.lineno}"
            if name == "Violation" and relative != Path("core/rules.py"):
                stray.append(f"{where}: Violation(...) outside Rule.at")
            if name == "Change" and any(_hand_built(arg) for arg in node.args[2:3]):
                stray.append(f"{where}: Change(...) with a message written here")
            if name in ("at", "message", "LexError"):
                stray.extend(f"{where}: {k.arg}= is text written here" for k in node.keywords if _hand_built(k.value))
            stray.extend(_catalogue_error_stray(relative, node, name))
    assert not stray, stray


def test_every_rule_has_a_message_template() -> None:
    # fixturegen.catalogue included: its `make gen` lines are its forms, framed with file and line.
    for rule_id, rule in RULES.items():
        assert rule.messages and all(rule.messages.values()), rule_id


def test_a_message_gets_exactly_its_placeholders() -> None:
    missing_field = lookup("serde.missing-field")
    violation = missing_field.at((), field="step")
    assert (violation.rule, violation.path, violation.message) == (missing_field, (), "missing field `step`")
    assert violation.severity == "error" and lookup("canonical.float-roundtrip").severity == "warning"
    with pytest.raises(TypeError, match="missing fields field"):
        missing_field.at(())
    with pytest.raises(TypeError, match="unexpected fields index"):
        missing_field.at((), field="step", index=3)
    with pytest.raises(TypeError, match="no message form 'key'"):
        missing_field.at((), "key", field="step")
    with pytest.raises(TypeError, match="no message form ''"):
        lookup("json.syntax").at((), found="'x'", line=1, column=1)  # a rule of named forms needs one


@pytest.mark.parametrize("template", ["found {0}", "found {}", "found {value.real}", "found {value", "{a:{b}}"])
def test_a_malformed_template_fails_when_declared(template: str) -> None:
    with pytest.raises(ValueError, match=r"json\.made-up"):
        Rule("json.made-up", ("serde",), "a bad template", message={"form": template})
    assert "json.made-up" not in all_rules()


def test_rules_doc_and_command_show_every_message_template(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "RULES.md").read_text()
    rules = subprocess.run(
        [sys.executable, "-m", "noetl_envelope", "rules", "drift.number-form"], capture_output=True, text=True
    )
    for rule in RULES.values():
        for template in rule.messages.values():
            assert f"`` {template.replace('|', chr(92) + '|')} ``" in doc, (rule, template)
    for form, template in RULES["drift.number-form"].messages.items():
        assert f"\n  message ({form}): {template}\n" in rules.stdout
    assert (
        "\n  message: missing field `{field}`\n"
        in subprocess.run(
            [sys.executable, "-m", "noetl_envelope", "rules", "serde.missing-field"], capture_output=True, text=True
        ).stdout
    )
