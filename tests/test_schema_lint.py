"""Schema lint (issue 12): every malformed schema edit is one line naming the file, the JSON pointer
and the fix, and exit 2, in every command that loads a schema, before anything is written.

Each case edits the schema of a throwaway copy of the checkout (tests/repo_copy.py) and runs each
command there in a fresh interpreter importing the copy.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from noetl_envelope.model import schema_lint
from noetl_envelope.model.schema import load_schema
from noetl_envelope.model.schema_lint import SUPPORTED_TYPES, SchemaLintError, lint, parse
from repo_copy import copy_repo, run_python

SCHEMA = "schema/executor_event.schema.json"
LABEL = SCHEMA


def _json_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        schema = json.loads(text)
        edit(schema)
        return json.dumps(schema, indent=2)

    return apply


def _prop(name: str, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def edit(schema: dict[str, Any]) -> None:
        prop = schema["properties"].setdefault(name, {})
        for key, value in changes.items():
            if value is None:
                prop.pop(key, None)
            else:
                prop[key] = value

    return edit


def _add_trace_id(prop: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def edit(schema: dict[str, Any]) -> None:
        schema["properties"]["trace_id"] = prop

    return edit


def _nested(depth: int) -> Callable[[str], str]:
    def apply(text: str) -> str:
        schema = json.loads(text)
        schema["$defs"] = {"deep": {}}
        return json.dumps(schema).replace('"deep": {}', '"deep": ' + '{"not": ' * depth + "{}" + "}" * depth)

    return apply


def _syntax_error(text: str) -> str:
    lines = text.splitlines()
    lines[20] = lines[20].rstrip(",")  # a missing comma on line 21
    return "\n".join(lines) + "\n"


# name -> (the edit, the start of what follows `file: `, a fragment of the fix)
CASES: dict[str, tuple[Callable[[str], str], str, str]] = {
    "syntax": (_syntax_error, ":2", "not JSON: Expecting ',' delimiter"),
    "metaschema": (_json_edit(_prop("worker_id", type=["strng", "null"])), "/properties/worker_id/type", "2020-12"),
    "no-x-rust-type": (
        _json_edit(_add_trace_id({"type": ["string", "null"]})),
        "/properties/trace_id: no x-rust-type",
        "(write one of " + ", ".join(SUPPORTED_TYPES) + ")",
    ),
    "unsupported-x-rust-type": (
        _json_edit(_prop("execution_id", **{"x-rust-type": "u32"})),
        "/properties/execution_id/x-rust-type",
        '"u32" is not supported (write one of i64, String',
    ),
    "type-contradicts-rust": (
        _json_edit(_prop("worker_id", type="integer")),
        "/properties/worker_id/type",
        'contradicts x-rust-type Option<String> (use "null" or "string")',
    ),
    "required-option": (
        _json_edit(lambda s: s["required"].append("worker_id")),
        "/properties/worker_id",
        "required but x-rust-type is Option<String> (drop it from required, or drop Option)",
    ),
    "unknown-x-serde-key": (
        _json_edit(_prop("worker_id", **{"x-serde": {"defualt": True}})),
        "/properties/worker_id/x-serde/defualt",
        "unknown key (write one of",
    ),
    "unresolvable-ref": (
        _json_edit(lambda s: s.update({"$defs": {"id": {"$ref": "#/$defs/nope"}}})),
        "/$defs/id/$ref",
        "does not resolve",
    ),
    "rename-all-not-a-case": (
        _json_edit(lambda s: s["x-serde-container"].update({"rename_all": "camelcase"})),
        "/x-serde-container/rename_all",
        '"camelcase" is not one of serde\'s cases (write null or one of lowercase, UPPERCASE, PascalCase, camelCase',
    ),
    "absurd-depth": (_nested(100_000), "", "nested too deep"),
    "deep": (_nested(40), "/$defs/deep/not/not", f"nested deeper than {schema_lint.MAX_DEPTH} levels"),
}
COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", "fixtures/samples/events.ndjson"],
    "conform": ["conform", "fixtures/samples/events.ndjson"],
    "canonicalize": ["canonicalize", "fixtures/samples/events.ndjson"],
    "sample": ["sample", "-n", "1"],
    "compat": ["compat"],
    "compat-new": ["compat", "--old", "schema/releases/0.3.0.schema.json", SCHEMA],
    "project": ["project", "--dsn", "postgresql://nobody@127.0.0.1:1/none", "fixtures/samples/events.ndjson"],
    "gen": ["gen"],
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_repo(tmp_path_factory.mktemp("lint"))


def _run(copy: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return run_python(copy, "-m", "noetl_envelope", *argv, timeout=120)


def _tree(copy: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(copy)): p.read_bytes()
        for p in copy.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != "executor_event.schema.json"
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_command_says_one_line_and_exits_2(copy: Path, case: str) -> None:
    edit, where, fix = CASES[case]
    schema_file = copy / SCHEMA
    original = schema_file.read_text(encoding="utf-8")
    before = _tree(copy)
    schema_file.write_text(edit(original), encoding="utf-8")
    try:
        for command, argv in COMMANDS.items():
            proc = _run(copy, argv)
            assert proc.returncode == 2, (command, proc.stderr)
            assert proc.stdout == "", (command, proc.stdout[:300])
            assert proc.stderr.count("\n") == 1, (command, proc.stderr)
            line = proc.stderr.rstrip("\n")
            assert f"{LABEL}{where}" in line if where.startswith(":") else f"{LABEL}: {where}" in line, (command, line)
            assert fix in line, (command, line)
            assert "Traceback" not in line and "please report" not in line and "internal error" not in line
        assert _tree(copy) == before, "a command wrote something"
    finally:
        schema_file.write_text(original, encoding="utf-8")


def test_the_packaged_schema_passes_the_lint() -> None:
    lint(load_schema(), LABEL)


def test_a_syntax_error_names_line_and_column() -> None:
    with pytest.raises(SchemaLintError) as info:
        parse(b'{\n  "a": 1\n  "b": 2\n}', "x.json")
    assert str(info.value) == "x.json:3:3: not JSON: Expecting ',' delimiter"


def test_a_metaschema_problem_names_its_pointer() -> None:
    schema = json.loads(json.dumps(load_schema()))
    schema["properties"]["step"]["minLength"] = -1
    with pytest.raises(SchemaLintError) as info:
        lint(schema, "s.json")
    assert str(info.value).startswith("s.json: /properties/step/minLength: not valid JSON Schema 2020-12: "), info.value


def test_an_external_ref_is_refused() -> None:
    schema = json.loads(json.dumps(load_schema()))
    schema["$defs"] = {"x": {"$ref": "https://example.com/other.json"}}
    with pytest.raises(SchemaLintError) as info:
        lint(schema, "s.json")
    assert "/$defs/x/$ref" in str(info.value) and "points outside this file" in str(info.value)


@pytest.mark.parametrize("case", ["unresolvable-ref", "absurd-depth", "syntax", "no-x-rust-type"])
def test_compat_lints_the_old_schema_it_is_given(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], repo_root: Path
) -> None:
    from noetl_envelope.cli import main

    edit, where, fix = CASES[case]
    old = tmp_path / "old.schema.json"
    old.write_text(edit((repo_root / SCHEMA).read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["compat", "--old", str(old)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured
    assert f"{old}{where}" in captured.err if where.startswith(":") else f"{old}: {where}" in captured.err
    assert fix in captured.err and "internal error" not in captured.err


def _edited(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    schema = json.loads(json.dumps(load_schema()))
    edit(schema)
    return schema


def _first_required(schema: dict[str, Any]) -> str:
    return str(schema["required"][0])


@pytest.mark.parametrize("case", ["lowercase", "camelCase", "SCREAMING-KEBAB-CASE", None])
def test_the_modelled_serde_attributes_pass(case: str | None) -> None:
    def edit(schema: dict[str, Any]) -> None:
        schema["x-serde-container"].update({"deny_unknown_fields": True, "rename_all": case})
        name = _first_required(schema)
        schema["properties"][name]["x-serde"] = {"rename": "id", "alias": ["old_id"], "default": True}

    lint(_edited(edit), "s.json")


SERDE_VALUE_CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "deny-not-bool": (
        lambda s: s["x-serde-container"].update({"deny_unknown_fields": "yes"}),
        "s.json: /x-serde-container/deny_unknown_fields: write true or false",
    ),
    "rename-all-list": (
        lambda s: s["x-serde-container"].update({"rename_all": ["camelCase"]}),
        's.json: /x-serde-container/rename_all: ["camelCase"] is not one of serde\'s cases',
    ),
    "rename-empty": (
        lambda s: s["properties"]["step"].update({"x-serde": {"rename": ""}}),
        "s.json: /properties/step/x-serde/rename: write the field's JSON key, a non-empty string",
    ),
    "rename-number": (
        lambda s: s["properties"]["step"].update({"x-serde": {"rename": 5}}),
        "s.json: /properties/step/x-serde/rename: write the field's JSON key",
    ),
    "default-not-bool": (
        lambda s: s["properties"]["step"].update({"x-serde": {"default": "yes"}}),
        "s.json: /properties/step/x-serde/default: write true or false",
    ),
    "rename-onto-another-field": (
        lambda s: s["properties"]["status"].update({"x-serde": {"rename": "step"}}),
        "s.json: /properties/status/x-serde: `step` already names field `step` on the wire (rename or drop one)",
    ),
    "rename-all-onto-an-alias": (
        lambda s: (
            s["x-serde-container"].update({"rename_all": "UPPERCASE"}),
            s["properties"]["context"].update({"x-serde": {"alias": ["STEP"]}}),
        ),
        "s.json: /properties/context/x-serde/alias: `STEP` already names field `step` on the wire",
    ),
}


@pytest.mark.parametrize("case", sorted(SERDE_VALUE_CASES))
def test_a_bad_serde_attribute_is_one_line(case: str) -> None:
    edit, expected = SERDE_VALUE_CASES[case]
    with pytest.raises(SchemaLintError) as info:
        lint(_edited(edit), "s.json")
    assert str(info.value).startswith(expected), str(info.value)
    assert "\n" not in str(info.value)
